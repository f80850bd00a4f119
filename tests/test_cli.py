"""The command line, through typer's CliRunner."""

import soundfile as sf
from typer.testing import CliRunner

from audiostyle.cli.app import build_app
from tests.conftest import SR, tiny_flags

runner = CliRunner()


def invoke(*args):
    return runner.invoke(build_app(), [str(a) for a in args])


def test_transfer_writes_playable_file(tmp_path, wav_files):
    content, style = wav_files
    out = tmp_path / "out.flac"
    r = invoke(
        "transfer",
        content,
        style,
        "-o",
        out,
        *tiny_flags(),
        "--save-recipe",
        tmp_path / "r.toml",
        "--report",
        tmp_path / "r.json",
    )
    assert r.exit_code == 0, r.output
    info = sf.info(out)
    assert info.samplerate == SR and info.frames == sf.info(content).frames
    assert "style" in r.output and "loss" in r.output
    assert (tmp_path / "r.toml").exists() and (tmp_path / "r.json").exists()


def test_refuses_overwrite_then_force(tmp_path, wav_files):
    content, style = wav_files
    out = tmp_path / "out.wav"
    out.write_bytes(b"keep me")
    r = invoke("transfer", content, style, "-o", out, *tiny_flags())
    assert r.exit_code != 0 and "already exists" in r.output and "--force" in r.output
    assert out.read_bytes() == b"keep me"
    r = invoke("transfer", content, style, "-o", out, "--force", *tiny_flags())
    assert r.exit_code == 0, r.output
    assert sf.info(out).frames > 0


def test_unknown_backend_and_option(tmp_path, wav_files):
    content, style = wav_files
    out = tmp_path / "o.wav"
    r = invoke("transfer", content, style, "-o", out, "--transform", "torchadio")
    assert r.exit_code == 2 and "Did you mean 'torchaudio'" in r.output
    assert "Traceback" not in r.output
    r = invoke("transfer", content, style, "-o", out, "--network-opt", "n_filter=3")
    assert r.exit_code == 2 and "n_filters" in r.output
    r = invoke("transfer", content, style, "-o", out, "--network-opt", "n_filters=x")
    assert r.exit_code == 2 and "not an integer" in r.output
    assert not out.exists()


def test_texture(tmp_path, wav_files):
    _, style = wav_files
    out = tmp_path / "t.wav"
    r = invoke(
        "texture",
        style,
        "-o",
        out,
        "--length",
        "0.5",
        *tiny_flags(),
        "--phase-opt",
        "init=random",
    )
    assert r.exit_code == 0, r.output
    assert sf.info(out).frames == SR // 2


def test_plugins_and_presets_and_version():
    r = invoke("plugins")
    assert r.exit_code == 0
    for name in ("torch", "torchaudio", "librosa", "random-cnn", "adam", "lbfgs", "griffin-lim"):
        assert name in r.output
    assert "n_filters: int = 4096" in r.output
    r = invoke("presets")
    assert r.exit_code == 0 and "ulyanov2016" in r.output and "default" in r.output
    r = invoke("--version")
    assert r.exit_code == 0 and "audiostyle" in r.output
