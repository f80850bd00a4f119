"""The example plugin (plugins/audiostyle-mel) installs with pip and works from the CLI.

It is installed into a temporary site directory (``pip install --target``, offline,
no build isolation), found through its real entry point by an ``audiostyle``
subprocess, used in a short transfer, and removed again.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import tiny_flags

PLUGIN_SRC = Path(__file__).resolve().parents[1] / "plugins" / "audiostyle-mel"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """pip-install the plugin into a temporary site directory; remove it afterwards."""
    if importlib.util.find_spec("setuptools") is None:
        pytest.fail("building the plugin needs setuptools (and wheel): pip install -e '.[dev]'")
    root = tmp_path_factory.mktemp("example-plugin")
    src = root / "src"
    # Build from a copy so pip's build files never land in the source tree.
    shutil.copytree(PLUGIN_SRC, src, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    site = root / "site"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(site),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert list(site.glob("audiostyle_mel-*.dist-info/entry_points.txt"))
    yield site
    shutil.rmtree(root)
    assert not site.exists()


def audiostyle(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "AUDIOSTYLE_LOAD_PLUGINS"}
    env["PYTHONPATH"] = str(site)
    return subprocess.run(
        [sys.executable, "-c", "from audiostyle.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_installed_plugin_is_listed_with_its_distribution(installed):
    res = audiostyle(installed, "plugins")
    assert res.returncode == 0, res.stderr
    line = next(x for x in res.stdout.splitlines() if x.strip().startswith("mel-cnn"))
    assert "[audiostyle-mel, plugin mel]" in line
    assert "n_mels: int = 128" in res.stdout  # its options schema is listed
    assert "mel-gram" in res.stdout  # the metric it registers too
    assert "failed to load" not in res.stdout
    # The module came from the temporary install, not from a copy elsewhere.
    env = {**os.environ, "PYTHONPATH": str(installed)}
    where = subprocess.run(
        [sys.executable, "-c", "import audiostyle_mel; print(audiostyle_mel.__file__)"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert where.stdout.strip().startswith(str(installed))


def test_transfer_with_the_plugin_network_and_its_command(installed, wav_files, tmp_path):
    content, style = wav_files
    out = tmp_path / "out.wav"
    res = audiostyle(
        installed,
        "transfer",
        str(content),
        str(style),
        "-o",
        str(out),
        "--network",
        "mel-cnn",
        "--quiet",
        "--report",
        str(tmp_path / "report.json"),
        *tiny_flags(),
    )
    assert res.returncode == 0, res.stderr
    import json

    import soundfile as sf

    y, sr = sf.read(out)
    assert sr == 8000 and y.shape[0] == sf.info(content).frames and abs(y).max() > 1e-3
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["recipe"]["network"]["name"] == "mel-cnn"
    # The sub-command the plugin adds through register_commands.
    res = audiostyle(installed, "mel-distance", str(out), str(style), str(content), "--json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)["distances"]
    assert [Path(r["reference"]).name for r in rows] == ["style.wav", "content.wav"]
    assert all(r["mel_gram"] > 0 for r in rows)


def test_the_plugin_initializer_is_chosen_by_name_from_the_cli(installed, wav_files, tmp_path):
    _, style = wav_files
    listed = audiostyle(installed, "plugins", "init")
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if x.strip().startswith("mel-mean"))
    assert "[audiostyle-mel, plugin mel]" in line
    out, report = tmp_path / "texture.wav", tmp_path / "report.json"
    flags = [*tiny_flags(), "--init", "mel-mean", "--init-opt", "n_mels=16", "--quiet"]
    res = audiostyle(
        installed,
        "texture",
        str(style),
        "-o",
        str(out),
        "--length",
        "0.5",
        *flags,
        "--report",
        str(report),
    )
    assert res.returncode == 0, res.stderr
    import json

    recipe = json.loads(report.read_text())["recipe"]
    assert recipe["init"] == "mel-mean" and recipe["init_options"] == {"n_mels": 16}
    refused = audiostyle(
        installed,
        "texture",
        str(style),
        "-o",
        str(tmp_path / "no.wav"),
        *flags,
        "--domain",
        "waveform",
    )
    assert refused.returncode == 2
    assert "init='mel-mean' only applies to domain='spectrogram'" in refused.stderr
