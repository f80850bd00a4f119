"""Thread settings that degrade gracefully under load (issue 22): the CLI asks OpenMP to
sleep rather than spin, the speech detector runs on one thread, and silero-vad's
version is looked up once per process. Speed itself: benchmarks/load.py."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import torch

from audiostyle import envelope
from audiostyle import speech as vad
from audiostyle.memo import ClipCache

PROBE = """
import os, sys
sys.argv = ["audiostyle", "--version"]
from audiostyle.cli import main
try:
    main()
except SystemExit:
    pass
print(os.environ.get("OMP_WAIT_POLICY"), "torch" in sys.modules)
"""


def _probe(**env) -> str:
    full = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"} | env
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=full, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_cli_sets_a_passive_wait_policy_before_torch_loads_and_keeps_the_users():
    assert _probe() == "PASSIVE False"
    assert _probe(OMP_WAIT_POLICY="ACTIVE") == "ACTIVE False"


def test_speech_detector_runs_on_one_thread_and_restores_the_count(speech, monkeypatch):
    """The model and the mask of active chunks both run on one thread (both small)."""
    import audiostyle.dsp

    seen: dict[str, list[int]] = {"model": [], "mask": []}

    def spy(name, real):
        def call(*args, **kwargs):
            seen[name].append(torch.get_num_threads())
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(vad, "_probabilities", spy("model", vad._probabilities))
    monkeypatch.setattr(audiostyle.dsp, "active_frames", spy("mask", audiostyle.dsp.active_frames))
    monkeypatch.setattr(vad, "_PROBABILITIES", ClipCache(size=4))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        p = vad.speech_probability(speech, sample_rate=16000)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert seen == {"model": [1], "mask": [1]} and vad.DETECTOR_THREADS == 1
    assert np.isfinite(p)


def test_silero_version_is_looked_up_once(monkeypatch):
    import importlib.metadata

    calls = []
    real = importlib.metadata.version

    def counting(name):
        calls.append(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", counting)
    envelope._detector_version.cache_clear()
    rules = [envelope.auto_rule() for _ in range(50)]  # a batch plans one per row
    assert calls.count("silero-vad") == 1
    assert rules[0] == rules[-1] and rules[0]["silero-vad"] == real("silero-vad")
