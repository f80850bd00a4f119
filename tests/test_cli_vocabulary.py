"""One CLI vocabulary (issue 22): -o is a file, --out-dir/-d a directory, stage options
--<stage>-opt; old spellings work for one release with a one-line note; help in panels
listing what is installed; plugins and presets as JSON."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf
from typer.testing import CliRunner

from audiostyle import hookimpl, plugins
from audiostyle.cli.app import build_app
from audiostyle.plugins import available
from audiostyle.presets import PRESETS, get_preset
from tests.conftest import SR, tiny_flags

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def invoke(*args):
    return runner.invoke(build_app(), [str(a) for a in args])


def flat(text: str) -> str:
    """Help text without rich's box characters, one space between words."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def deprecation(output: str, old: str, new: str) -> None:
    notes = [line for line in output.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1, output
    assert old in notes[0] and "deprecated" in notes[0] and new in notes[0], notes


# -- old spellings -------------------------------------------------------------------------
def test_texture_length_and_its_old_spelling_duration(tmp_path, wav_files):
    _, style = wav_files
    flags = [*tiny_flags(), "--phase-opt", "init=random", "--quiet"]
    r = invoke("texture", style, "-o", tmp_path / "a.wav", "--length", "0.5", *flags)
    assert r.exit_code == 0, r.output
    assert sf.info(tmp_path / "a.wav").frames == SR // 2 and "note:" not in r.output
    r = invoke("texture", style, "-o", tmp_path / "b.wav", "--duration", "0.25", *flags)
    assert r.exit_code == 0, r.output
    assert sf.info(tmp_path / "b.wav").frames == SR // 4
    deprecation(r.output, "--duration", "--length")
    r = invoke("texture", style, "-o", tmp_path / "c.wav", "--length", "1", "--duration", "1")
    assert r.exit_code == 2 and "not both" in r.output and not (tmp_path / "c.wav").exists()


def test_suite_out_dir_and_its_old_spellings(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for spelling in ("--out-dir", "-d"):
        r = invoke("suite", "timbre", "--size", 1, spelling, a_file)
        assert r.exit_code == 2 and "--out-dir" in r.output and "is a file" in r.output
        assert "note:" not in r.output
    for spelling in ("--out", "-o"):
        r = invoke("suite", "timbre", "--size", 1, spelling, a_file)
        assert r.exit_code == 2 and "is a file" in r.output, r.output
        deprecation(r.output, "--out", "--out-dir")


def test_suite_opt_and_its_old_spelling_opt(tmp_path):
    r = invoke("suite", "timbre", "--suite-opt", "no_such=1", "--cache-dir", tmp_path)
    assert r.exit_code == 2 and "no_such" in r.output and "note:" not in r.output, r.output
    r = invoke("suite", "timbre", "--opt", "no_such=1", "--cache-dir", tmp_path)
    assert r.exit_code == 2 and "no_such" in r.output, r.output
    deprecation(r.output, "--opt", "--suite-opt")


def test_bench_cache_dir_and_its_old_spelling_suite_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no synthesizer: the suite is skipped
    for spelling in ("--cache-dir", "--suite-dir"):
        r = invoke("bench", "--suite", "timbre", spelling, tmp_path / "cache", "--quiet")
        assert r.exit_code == 2 and "skipped" in r.output, r.output
        if spelling == "--suite-dir":
            deprecation(r.output, "--suite-dir", "--cache-dir")
        else:
            assert "note:" not in r.output


def test_bench_takes_dash_d_for_its_out_dir():
    r = invoke("bench", "--help")
    assert r.exit_code == 0
    assert "--out-dir -d" in flat(r.output)


@pytest.mark.parametrize(
    ("command", "hidden"),
    [
        ("texture", "--duration"),
        ("suite", "--out "),
        ("suite", "--opt "),
        ("suite", "-o "),
        ("bench", "--suite-dir"),
    ],
)
def test_old_spellings_are_hidden_from_help(command, hidden):
    r = invoke(command, "--help")
    assert r.exit_code == 0 and hidden not in flat(r.output) + " "


# -- help ------------------------------------------------------------------------------------
def test_transfer_help_groups_options_in_panels_and_lists_choices():
    r = invoke("transfer", "--help")
    assert r.exit_code == 0, r.output
    text = flat(r.output)
    assert "Usage: audiostyle transfer [OPTIONS] CONTENT STYLE" in text
    for panel in ("Output", "Input", "Stages", "Losses", "Recipe"):
        assert f"╭─ {panel} " in r.output, panel
    for stage in ("transform", "network", "optimizer", "phase"):
        names = ", ".join(sorted(available(stage)))
        assert f"installed: {names}" in text, stage
    assert "--device <str> auto, cpu or cuda" in text
    assert "<bool>" not in text


class _ExtraNetwork:
    @hookimpl
    def register_networks(self, register):
        register("vocab-test-net", "x.y:Z", description="a network a plugin adds")


def test_help_lists_what_a_plugin_adds():
    plugins.registry.register_plugin(_ExtraNetwork(), name="vocab-test", distribution="t")
    try:
        r = invoke("transfer", "--help")
    finally:
        plugins.registry.unregister_plugin("vocab-test")
    assert r.exit_code == 0
    assert "vocab-test-net" in flat(r.output).split("--network")[1].split("--optimizer")[0]


def test_usage_errors_stay_one_plain_line(tmp_path):
    r = invoke("transfer", "a.wav", "b.wav", "-o", tmp_path / "x.wav", "--steps", "many")
    assert r.exit_code == 2
    errors = [line for line in r.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "--steps" in errors[0] and "╭" not in r.output


def test_help_imports_no_torch():
    code = (
        "import sys\nsys.argv = ['audiostyle', 'transfer', '--help']\n"
        "from audiostyle.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'torchaudio', 'librosa') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert "HEAVY []" in done.stderr, done.stderr[-2000:]
    assert "installed:" in done.stdout


# -- JSON ------------------------------------------------------------------------------------
def test_plugins_json_lists_every_stage_with_options():
    r = invoke("plugins", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    for stage in ("transform", "network", "optimizer", "phase", "loss"):
        names = [i["name"] for i in data["stages"][stage]["implementations"]]
        assert names == sorted(available(stage)), stage
    lbfgs = next(i for i in data["stages"]["optimizer"]["implementations"] if i["name"] == "lbfgs")
    assert lbfgs["distribution"] == "audiostyle"
    assert any(o["name"] == "lr" and o["type"] == "float" for o in lbfgs["options"])
    assert data["failed"] == []
    r = invoke("plugins", "phase", "--json", "--no-options")
    data = json.loads(r.output)
    assert list(data["stages"]) == ["phase"]
    assert all("options" not in i for i in data["stages"]["phase"]["implementations"])


def test_presets_json_lists_them_and_prints_one_recipe():
    r = invoke("presets", "--json")
    assert r.exit_code == 0, r.output
    assert [p["name"] for p in json.loads(r.output)] == list(PRESETS)
    r = invoke("presets", "seed2020", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == json.loads(json.dumps(get_preset("seed2020").to_dict()))
