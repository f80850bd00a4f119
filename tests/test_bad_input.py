"""Every bad input through the command line: exit code, one clear line, nothing written.

Each case checks the exit code, that exactly one ``error:`` line names the file or
option and says what to do, that no traceback is printed, and that no output file
is left behind (or that an existing one is untouched).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from audiostyle import api
from audiostyle.atomic import AtomicGroup
from audiostyle.cli.app import build_app
from audiostyle.errors import AudioError, AudiostyleError
from tests.conftest import SR, chirp, sine, tiny_flags

runner = CliRunner()


def invoke(*args):
    return runner.invoke(build_app(), [str(a) for a in args])


def leftovers(directory: Path) -> list[str]:
    """Temporary files an interrupted or failed write could leave."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def fails(args, *, code: int, needles: tuple[str, ...], outputs: tuple[Path, ...] = ()):
    """Run the CLI, expect one ``error:`` line with every needle, and no outputs."""
    r = invoke(*args)
    assert r.exit_code == code, r.output
    errors = [line for line in r.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, r.output
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    assert "Traceback" not in r.output
    for out in outputs:
        assert not out.exists(), f"{out} was written"
    return errors[0]


@pytest.fixture
def style_file(tmp_path) -> Path:
    path = tmp_path / "style.wav"
    sf.write(path, chirp(300, 2000, 0.5), SR)
    return path


@pytest.fixture
def content_file(tmp_path) -> Path:
    path = tmp_path / "content.wav"
    sf.write(path, sine(440, 0.5), SR)
    return path


def transfer_args(content, style, out, *extra):
    return ["transfer", content, style, "-o", out, *tiny_flags(), "--steps", "2", *extra]


# -- unreadable inputs ------------------------------------------------------------------


def _missing(tmp_path):
    return tmp_path / "no_such_file.wav", ("does not exist", "no_such_file.wav", "check the path")


def _directory(tmp_path):
    d = tmp_path / "a_folder.wav"
    d.mkdir()
    return d, ("is a directory", "a_folder.wav", "give an audio file")


def _empty(tmp_path):
    p = tmp_path / "empty.wav"
    p.write_bytes(b"")
    return p, ("empty (0 bytes)", "empty.wav")


def _corrupt(tmp_path):
    p = tmp_path / "corrupt.wav"
    p.write_bytes(np.random.default_rng(0).bytes(4000))
    return p, ("cannot be read as audio", "corrupt.wav", "corrupt or not a supported format")


def _unsupported(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("these are not samples\n" * 50)
    return p, ("cannot be read as audio", "notes.txt", "supported format", ".wav")


def _no_samples(tmp_path):
    p = tmp_path / "zero_frames.wav"
    sf.write(p, np.zeros(0, dtype=np.float32), SR)
    return p, ("has no samples", "zero_frames.wav", "longer clip")


def _nan(tmp_path):
    p = tmp_path / "nan.wav"
    y = sine(440, 0.5)
    y[100:103] = np.nan
    sf.write(p, y, SR, subtype="FLOAT")
    return p, ("3 NaN or Inf samples", "nan.wav", "repair or re-export")


def _inf(tmp_path):
    p = tmp_path / "inf.wav"
    y = sine(440, 0.5)
    y[7] = np.inf
    sf.write(p, y, SR, subtype="FLOAT")
    return p, ("1 NaN or Inf samples", "inf.wav")


def _short(tmp_path):
    p = tmp_path / "short.wav"
    sf.write(p, sine(440, 0.01), SR)  # 80 samples < n_fft = 256
    return p, ("80 samples", "shorter than the analysis window", "n_fft=256", "short.wav")


BAD_FILES = {
    "missing": _missing,
    "directory": _directory,
    "empty": _empty,
    "corrupt": _corrupt,
    "unsupported": _unsupported,
    "no-samples": _no_samples,
    "nan": _nan,
    "inf": _inf,
    "shorter-than-window": _short,
}


@pytest.mark.parametrize("role", ["content", "style"])
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_audio_file(tmp_path, content_file, style_file, case, role):
    bad, needles = BAD_FILES[case](tmp_path)
    out = tmp_path / "out.wav"
    content, style = (bad, style_file) if role == "content" else (content_file, bad)
    line = fails(transfer_args(content, style, out), code=1, needles=needles, outputs=(out,))
    assert line.startswith(f"error: {role}")
    assert leftovers(tmp_path) == []


def test_existing_output_untouched_by_bad_input(tmp_path, style_file):
    out = tmp_path / "out.wav"
    out.write_bytes(b"previous result")
    bad, needles = _corrupt(tmp_path)
    fails(transfer_args(bad, style_file, out, "--force"), code=1, needles=needles)
    assert out.read_bytes() == b"previous result"


def test_debug_shows_traceback(tmp_path, style_file):
    r = invoke("--debug", *transfer_args(tmp_path / "gone.wav", style_file, tmp_path / "o.wav"))
    assert r.exit_code == 1 and "Traceback" in r.output and "does not exist" in r.output


# -- digital silence --------------------------------------------------------------------


def test_silent_content_warns_and_writes_finite_audio(tmp_path, style_file):
    silent = tmp_path / "silence.wav"
    sf.write(silent, np.zeros(SR // 2, dtype=np.float32), SR)
    out = tmp_path / "out.wav"
    r = invoke(*transfer_args(silent, style_file, out))
    assert r.exit_code == 0, r.output
    assert "warning: content is digital silence" in r.output and "Traceback" not in r.output
    y, rate = sf.read(out, dtype="float32")
    assert rate == SR and y.shape == (SR // 2,) and np.isfinite(y).all()


def test_silent_style_is_refused(tmp_path, content_file):
    silent = tmp_path / "silence.wav"
    sf.write(silent, np.zeros(SR // 2, dtype=np.float32), SR)
    out = tmp_path / "out.wav"
    fails(
        transfer_args(content_file, silent, out),
        code=1,
        needles=("style file", "silence.wav", "digital silence", "give a style clip"),
        outputs=(out,),
    )


def test_silent_arrays_through_the_api_never_give_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = api.transfer(
            np.zeros(SR // 2, dtype=np.float32),
            sine(300, 0.5),
            sample_rate=SR,
            steps=3,
            transform_options={"n_fft": 256},
            network_options={"n_filters": 32},
            device="cpu",
            progress=False,
        )
    assert np.isfinite(r.audio).all() and "content is digital silence" in r.notes
    with pytest.raises(AudioError, match="digital silence"):
        api.transfer(
            sine(300, 0.5), np.zeros(SR // 2, dtype=np.float32), sample_rate=SR, progress=False
        )


# -- names and options ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "needles"),
    [
        (["--transform", "torchadio"], ("torchadio", "Did you mean 'torchaudio'", "plugins")),
        (["--optimizer", "lbgfs"], ("lbgfs", "Did you mean 'lbfgs'")),
        (["--preset", "ulyanov"], ("ulyanov", "Did you mean 'ulyanov2016'", "presets")),
        (["--network-opt", "n_filters=x"], ("n_filters", "not an integer")),
        (["--network-opt", "n_filter=3"], ("n_filter", "Did you mean 'n_filters'")),
        (["--steps", "-3"], ("steps=-3", ">= 0")),
        (["--transform-opt", "hop_length=1000"], ("hop_length=1000", "win_length // 4")),
        (["--sample-rate", "0"], ("sample_rate=0", "positive rate", "22050")),
        (["--segment", "-1"], ("segment=-1", ">= 0")),
        (["--optimizer", "adam", "--optimizer-opt", "lr=-1"], ("lr=-1", "> 0")),
    ],
    ids=lambda v: v[0] if isinstance(v, list) else None,
)
def test_bad_names_and_options(tmp_path, content_file, style_file, flags, needles):
    out = tmp_path / "out.wav"
    fails(transfer_args(content_file, style_file, out, *flags), code=2, needles=needles)
    assert not out.exists()


def test_option_of_wrong_type_is_a_usage_error(tmp_path, content_file, style_file):
    out = tmp_path / "out.wav"
    r = invoke(*transfer_args(content_file, style_file, out, "--steps", "many"))
    assert r.exit_code == 2 and "--steps" in r.output and "integer" in r.output
    assert "Traceback" not in r.output and not out.exists()


def test_malformed_recipe_names_its_line(tmp_path, content_file, style_file):
    recipe = tmp_path / "recipe.toml"
    recipe.write_text('steps = 5\n\n[network\nname = "random-cnn"\n')
    out = tmp_path / "out.wav"
    fails(
        transfer_args(content_file, style_file, out, "--recipe", recipe),
        code=2,
        needles=("recipe.toml", "not valid TOML", "line 3", "Fix that line"),
        outputs=(out,),
    )


def test_recipe_with_bad_value(tmp_path, content_file, style_file):
    recipe = tmp_path / "recipe.toml"
    recipe.write_text("steps = 5\nsegment = 'long'\n")
    fails(
        transfer_args(content_file, style_file, tmp_path / "o.wav", "--recipe", recipe),
        code=2,
        needles=("segment", "not a number"),
    )


# -- outputs ----------------------------------------------------------------------------


def test_output_directory_missing(tmp_path, content_file, style_file):
    out = tmp_path / "nowhere" / "out.wav"
    fails(
        transfer_args(content_file, style_file, out),
        code=1,
        needles=("output directory", "nowhere", "does not exist", "create it"),
    )


def test_output_directory_not_writable(tmp_path, content_file, style_file):
    if os.geteuid() == 0:
        locked = Path("/proc")  # not even root may create files there
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
    out = locked / "out.wav"
    try:
        fails(
            transfer_args(content_file, style_file, out),
            code=1,
            needles=("output directory", str(locked), "not writable", "choose another"),
            outputs=(out,),
        )
        report = locked / "r.json"
        fails(
            transfer_args(content_file, style_file, tmp_path / "o.wav", "--report", report),
            code=1,
            needles=("report directory", "not writable"),
            outputs=(tmp_path / "o.wav", report),
        )
    finally:
        if locked != Path("/proc"):
            locked.chmod(0o700)


def test_output_unsupported_extension(tmp_path, content_file, style_file):
    out = tmp_path / "out.mp3"
    fails(
        transfer_args(content_file, style_file, out),
        code=2,
        needles=("out.mp3", "unsupported extension '.mp3'", ".wav, .flac, .ogg"),
        outputs=(out,),
    )


def test_output_is_a_directory(tmp_path, content_file, style_file):
    out = tmp_path / "out.wav"
    out.mkdir()
    fails(transfer_args(content_file, style_file, out), code=1, needles=("is a directory",))


@pytest.mark.parametrize("which", ["-o", "--save-recipe", "--report"])
def test_existing_outputs_need_force_and_stay_untouched(tmp_path, content_file, style_file, which):
    out, recipe, report = tmp_path / "out.wav", tmp_path / "r.toml", tmp_path / "r.json"
    existing = {"-o": out, "--save-recipe": recipe, "--report": report}[which]
    existing.write_bytes(b"keep me")
    args = transfer_args(content_file, style_file, out, "--save-recipe", recipe, "--report", report)
    code = 1 if which == "-o" else 2  # OutputExistsError (an AudioError) / ParameterError
    fails(args, code=code, needles=("already exists", "--force"))
    assert existing.read_bytes() == b"keep me"
    assert [p for p in (out, recipe, report) if p.exists()] == [existing]


# -- atomic writes ----------------------------------------------------------------------


def test_failed_write_keeps_previous_files(tmp_path, monkeypatch):
    """A failure while writing (here: disk full in the report) writes none of the files."""
    out, recipe, report = tmp_path / "out.wav", tmp_path / "r.toml", tmp_path / "r.json"
    for p in (out, recipe, report):
        p.write_bytes(b"previous " + p.name.encode())
    real_write_text = Path.write_text

    def full_disk(self, text, *args, **kwargs):
        if self.name.startswith(".r.json."):
            real_write_text(self, text[: len(text) // 2], *args, **kwargs)  # half written
            raise OSError(28, "No space left on device")
        return real_write_text(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(AudioError, match="r.json.*No space left on device.*nothing was written"):
        api.transfer(
            sine(300, 0.5),
            chirp(200, 2000, 0.5),
            sample_rate=SR,
            steps=1,
            transform_options={"n_fft": 256},
            network_options={"n_filters": 32},
            device="cpu",
            progress=False,
            output=out,
            save_recipe=recipe,
            report=report,
            force=True,
        )
    for p in (out, recipe, report):
        assert p.read_bytes() == b"previous " + p.name.encode()
    assert leftovers(tmp_path) == []


def test_interrupt_while_writing_leaves_nothing(tmp_path):
    """Ctrl-C while the second file of a group is being written: no file appears."""
    a, b = tmp_path / "a.wav", tmp_path / "b.json"

    def interrupted(tmp):
        tmp.write_text("{half")
        raise KeyboardInterrupt

    group = AtomicGroup()
    group.add(a, lambda tmp: sf.write(tmp, sine(440, 0.1), SR, format="WAV"))
    group.add(b, interrupted)
    with pytest.raises(KeyboardInterrupt):
        group.commit()
    assert not a.exists() and not b.exists() and leftovers(tmp_path) == []
    group = AtomicGroup()
    group.add(a, lambda tmp: sf.write(tmp, sine(440, 0.1), SR, format="WAV"))
    group.add(b, lambda tmp: tmp.write_text("{}"))
    assert group.commit() == [a, b]
    assert sf.info(a).frames == SR // 10 and b.read_text() == "{}" and leftovers(tmp_path) == []


def test_refuses_to_write_nan_audio(tmp_path):
    from audiostyle.audio import save

    y = sine(440, 0.1)
    y[3] = np.nan
    with pytest.raises(AudioError, match="NaN or Inf"):
        save(tmp_path / "x.wav", y, sample_rate=SR)
    assert not (tmp_path / "x.wav").exists() and leftovers(tmp_path) == []


# -- NaN/Inf during the optimisation ----------------------------------------------------


def test_unstable_optimizer_falls_back_and_says_at_which_step(tmp_path, content_file, style_file):
    out = tmp_path / "out.wav"
    args = ["--optimizer", "adam", "--optimizer-opt", "lr=1e30", "--steps", "10"]
    r = invoke(*transfer_args(content_file, style_file, out, *args))
    assert r.exit_code == 0, r.output
    assert "warning: the loss became NaN/Inf at step 2" in r.output
    assert "PARTIAL" in r.output and "Traceback" not in r.output
    y, _ = sf.read(out, dtype="float32")
    assert np.isfinite(y).all() and np.abs(y).max() > 0.01


def test_nonfinite_loss_term_falls_back_to_last_finite_state():
    """A loss-term test double that turns NaN after 3 evaluations, registered as a plugin."""
    import torch

    from audiostyle.hookspecs import hookimpl
    from audiostyle.losses.base import LossTerm
    from audiostyle.plugins import registry

    class Exploding(LossTerm):
        calls = 0

        def __call__(self, features):
            Exploding.calls += 1
            f = next(v for k, v in features.items() if k != "input")
            value = f.pow(2).mean()
            return value * (torch.nan if Exploding.calls > 3 else 1.0)

    class Plugin:
        @hookimpl
        def register_losses(self, register):
            register("exploding", Exploding, description="NaN after 3 evaluations (test)")

    registry.register_plugin(Plugin(), name="exploding-test")
    try:
        seen = []
        with pytest.warns(UserWarning, match="NaN/Inf at step 4; fell back"):
            r = api.transfer(  # the optimisation pipeline: colour
                sine(300, 0.5),
                chirp(200, 2000, 0.5),
                preset="colour",
                sample_rate=SR,
                steps=10,
                optimizer="adam",
                losses={"exploding": {"weight": 1.0}},
                transform_options={"n_fft": 256},
                network_options={"n_filters": 32},
                device="cpu",
                progress=False,
                callback=lambda report: seen.append(report.loss),
            )
    finally:
        registry.unregister_plugin("exploding-test")
    assert r.stopped == "non-finite" and r.nonfinite_step == 4 and r.partial
    assert r.steps_done == 3 and len(seen) == 3 and all(np.isfinite(seen))
    assert any("NaN/Inf at step 4" in n for n in r.notes)
    assert np.isfinite(r.audio).all() and np.abs(r.audio).max() > 0.01


# -- multichannel and sample rates ------------------------------------------------------


def test_stereo_and_other_rate_are_mixed_down_and_resampled(tmp_path, style_file):
    stereo = tmp_path / "stereo44k.wav"
    y = sine(440, 0.5, sample_rate=44_100)
    sf.write(stereo, np.stack([y, 0.5 * y], axis=1), 44_100)
    out = tmp_path / "out.wav"
    r = invoke(*transfer_args(stereo, style_file, out))
    assert r.exit_code == 0, r.output
    assert "note: " + str(stereo) + ": 2 channels mixed down to mono" in r.output
    assert "resampled from 44100 Hz to 8000 Hz" in r.output
    assert sf.info(out).samplerate == SR and sf.info(out).channels == 1
    assert abs(sf.info(out).frames - SR // 2) <= 1


def test_every_error_is_an_audiostyle_error():
    """The hierarchy the CLI relies on (exit codes by class)."""
    from audiostyle.errors import Interrupted, ParameterError, UnknownBackendError

    assert issubclass(AudioError, AudiostyleError) and AudioError.exit_code == 1
    assert ParameterError.exit_code == UnknownBackendError.exit_code == 2
    assert Interrupted.exit_code == 130


def test_long_content_in_segments_through_the_cli(tmp_path, style_file):
    from audiostyle.audio import load

    content = tmp_path / "long.wav"
    sf.write(content, load(api.demo_clip("content"), sample_rate=SR, duration=1.2), SR)
    out = tmp_path / "out.wav"
    r = invoke(*transfer_args(content, style_file, out, "--segment", "0.5"))
    assert r.exit_code == 0, r.output
    assert "processed in 3 segments of 0.5 s" in r.output and "steps 6/6" in r.output
    y, _ = sf.read(out, dtype="float32")
    assert y.shape == (int(1.2 * SR),) and np.isfinite(y).all()
