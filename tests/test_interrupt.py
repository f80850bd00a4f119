"""Ctrl-C for real: ``audiostyle transfer`` in a subprocess on a pseudo-terminal.

The progress bars are drawn as a user sees them (rich on a terminal); the test
waits until they show optimisation steps, sends SIGINT, and checks what is left
on disk and the exit code.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import SR, chirp, sine

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")
TIMEOUT = 120.0  # seconds; generous for a loaded machine, never reached when all is well


class Terminal:
    """The CLI running on a pty; collects everything it prints."""

    def __init__(self, args: list[str | Path], cwd: Path) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
        env = {**os.environ, "AUDIOSTYLE_LOAD_PLUGINS": "", "TERM": "xterm", "COLUMNS": "160"}
        env.pop("AUDIOSTYLE_DEBUG", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from audiostyle.cli import main; main()", *map(str, args)],
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=env,
            start_new_session=True,  # a Ctrl-C in the test runner's terminal stays ours
        )
        os.close(slave)
        self.fd = master
        self.raw = ""

    @property
    def text(self) -> str:
        return ANSI.sub(" ", self.raw)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not chunk:
            return False
        self.raw += chunk.decode("utf-8", "replace")
        return True

    def wait_for(self, pattern: str) -> re.Match:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            match = re.search(pattern, self.text)
            if match:
                return match
            if not self._read(0.2) and self.proc.poll() is not None:
                break
        raise AssertionError(f"{pattern!r} never appeared; output:\n{self.text[-3000:]}")

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)

    def finish(self) -> int:
        deadline = time.monotonic() + TIMEOUT
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        while self._read(0.05):  # drain
            if self.proc.poll() is not None and not select.select([self.fd], [], [], 0)[0]:
                break
        if self.proc.poll() is None:
            self.proc.kill()
            raise AssertionError(f"still running after {TIMEOUT} s:\n{self.text[-3000:]}")
        os.close(self.fd)
        return self.proc.returncode


@pytest.fixture
def inputs(tmp_path):
    content, style = tmp_path / "content.wav", tmp_path / "style.wav"
    sf.write(content, sine(330, 0.5), SR)
    sf.write(style, chirp(300, 2500, 0.5), SR)
    return content, style


TINY = ["--sample-rate", str(SR), "--transform-opt", "n_fft=256", "--network-opt"]
TINY += ["n_filters=32", "--device", "cpu", "--optimizer", "adam"]
STEPS = 1_000_000  # far more than can run: only Ctrl-C ends the optimisation


def optimising(steps: int = STEPS) -> str:
    """The optimisation bar after at least 3 steps."""
    return rf"optimising[^/]{{0,300}}?\b([3-9]|[1-9]\d+)/{steps}\b"


def test_ctrl_c_saves_partial_result_and_exits_130(tmp_path, inputs):
    content, style = inputs
    out, report = tmp_path / "out.wav", tmp_path / "report.json"
    args = ["transfer", content, style, "-o", out, "--report", report, *TINY]
    term = Terminal([*args, "--steps", str(STEPS)], cwd=tmp_path)
    term.wait_for(optimising())
    term.interrupt()
    code = term.finish()
    text = term.text
    assert code == 130, text[-3000:]
    assert "stopping:" in text and "PARTIAL" in text
    match = re.search(rf"interrupted after (\d+) of {STEPS} steps: wrote the best", text)
    assert match, text[-3000:]
    assert "Traceback" not in text
    y, rate = sf.read(out, dtype="float32")
    assert rate == SR and y.shape == (SR // 2,) and np.isfinite(y).all()
    assert np.abs(y).max() > 0.01
    data = json.loads(report.read_text())
    assert data["partial"] is True and data["stopped"] == "interrupted"
    assert data["steps_done"] == int(match.group(1)) >= 3
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_second_ctrl_c_during_reconstruction_aborts_without_writing(tmp_path, inputs):
    content, style = inputs
    out = tmp_path / "out.wav"
    out.write_bytes(b"the previous result")
    slow_phase = ["--phase", "griffin-lim", "--phase-opt", "n_iter=10000000"]
    args = ["transfer", content, style, "-o", out, "--force", *TINY, *slow_phase]
    term = Terminal([*args, "--steps", str(STEPS)], cwd=tmp_path)
    term.wait_for(optimising())
    term.interrupt()
    term.wait_for(r"phase[^/]{0,300}?\b[1-9]\d*/10000000\b")  # reconstruction under way
    term.interrupt()
    code = term.finish()
    text = term.text
    assert code == 130, text[-3000:]
    assert "a second time: aborted, nothing was written" in text
    assert "Traceback" not in text and "wrote" not in text
    assert out.read_bytes() == b"the previous result"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_ctrl_c_in_the_python_api_returns_the_partial_result(inputs):
    """Without the CLI (e.g. a notebook), Ctrl-C during optimisation returns a partial result."""
    from audiostyle import api

    def press_ctrl_c(report):
        if report.step == 4:
            os.kill(os.getpid(), signal.SIGINT)  # the default handler raises KeyboardInterrupt

    content, style = inputs
    r = api.transfer(
        content,
        style,
        sample_rate=SR,
        steps=1000,
        transform_options={"n_fft": 256},
        network_options={"n_filters": 32},
        optimizer="adam",
        device="cpu",
        progress=False,
        callback=press_ctrl_c,
    )
    assert r.stopped == "interrupted" and r.partial and r.steps_done == 4
    assert r.audio.shape == (SR // 2,) and np.isfinite(r.audio).all()
