"""Hardening (issue 22, part B): NaN/Inf and absurd values are usage errors, outputs
never replace inputs, a full disk names the file, SIGTERM leaves nothing behind."""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile as sf

from audiostyle import api
from audiostyle.errors import ParameterError
from tests.conftest import SR, chirp, sine
from tests.test_bad_input import fails, transfer_args


@pytest.fixture
def files(tmp_path):
    content, style = tmp_path / "content.wav", tmp_path / "style.wav"
    sf.write(content, sine(440, 0.5), SR)
    sf.write(style, chirp(300, 2000, 0.5), SR)
    return content, style, tmp_path / "out.wav"


# -- NaN, Inf and values of the wrong kind: exit 2, one line, nothing written --------

RECIPES = {
    "noise_scale": ('init = "noise"\nnoise_scale = inf\n', ("noise_scale=inf", "finite")),
    "segment": ("segment = inf\n", ("segment=inf", "finite")),
    "name": ("[network]\nname = 5\n", ("[network] name = 5", "string")),
    "loss": ('[losses]\nstyle = "heavy"\n', ("style = 'heavy'", "weight")),
}


@pytest.mark.parametrize(
    ("flags", "needles"),
    [
        (["--clamp", "nan"], ("clamp='nan'", "finite")),
        (["--content-weight", "nan"], ("content weight=nan", "finite")),
        (["--style-weight", "inf"], ("style weight=inf", "finite")),
        (["--loss", "style=nan"], ("style.weight=nan", "finite")),
        (["--duration", "nan"], ("content duration=nan", "finite")),
        (["--duration", "inf"], ("content duration=inf", "finite")),
        (["--offset", "nan"], ("content offset=nan", "finite")),
        (["--style-duration", "inf"], ("style duration=inf", "finite")),
        (["--segment", "nan"], ("segment=nan", "finite")),
        (["--segment", "inf"], ("segment=inf", "finite")),
        (["--seed", "99999999999999999999"], ("seed=99999999999999999999", "2**63 - 1")),
        (["--seed", "-1"], ("seed=-1", "from 0")),
    ],
)
def test_nonfinite_and_absurd_flags_are_usage_errors(files, flags, needles):
    content, style, out = files
    line = fails(
        transfer_args(content, style, out, *flags), code=2, needles=needles, outputs=(out,)
    )
    assert "network" not in line and "bug" not in line


@pytest.mark.parametrize("case", list(RECIPES))
def test_nonfinite_and_wrong_kind_in_a_recipe_are_usage_errors(files, case):
    content, style, out = files
    text, needles = RECIPES[case]
    recipe = out.parent / "r.toml"
    recipe.write_text(text)
    line = fails(
        transfer_args(content, style, out, "--recipe", recipe),
        code=2,
        needles=needles,
        outputs=(out,),
    )
    assert "unknown key 'a'" not in line


def test_texture_duration_nan_is_a_usage_error(files):
    _, style, out = files
    fails(
        ["texture", style, "-o", out, "--sample-rate", SR, "--duration", "nan"],
        code=2,
        needles=("texture duration=nan", "finite"),
        outputs=(out,),
    )


def test_the_api_refuses_them_too(speech, speech_female, tiny):
    nan = math.nan
    cases = [
        {"clamp": nan},
        {"noise_scale": math.inf},
        {"content_weight": nan},
        {"style_weight": math.inf},
        {"losses": {"style": {"weight": nan}}},
        {"segment": math.inf},
        {"seed": 2**64},
        {"network": 5},
    ]
    for extra in cases:
        with pytest.raises(ParameterError):
            api.transfer(speech, speech_female, progress=False, **{**tiny, **extra})
    for excerpt in ({"duration": nan}, {"offset": nan}, {"style_duration": math.inf}):
        with pytest.raises(ParameterError, match="finite"):
            api.transfer(speech, speech_female, progress=False, **tiny, **excerpt)
    # Set on a recipe object directly (not through apply's conversion): still refused.
    r = api.resolve_recipe(**{k: v for k, v in tiny.items()})
    r.clamp = nan
    with pytest.raises(ParameterError, match="clamp=nan is not a finite number"):
        r.validate()


def test_recipe_losses_table_of_wrong_kind(tmp_path):
    from audiostyle.recipe import Recipe

    with pytest.raises(ParameterError, match=r"options must be a table"):
        Recipe().apply({"losses": {"style": {"weight": 1.0, "options": 3}}})
    assert np.isfinite(Recipe().style_weight)


# -- absurd headers and lengths: refused before reading --------------------------------


def test_header_claiming_1_hz_is_refused_before_reading(files, monkeypatch):
    content, style, out = files
    bogus = content.parent / "one_hz.wav"
    rng = np.random.default_rng(0)
    sf.write(bogus, (0.1 * rng.standard_normal(66_000)).astype(np.float32), 1, subtype="PCM_16")
    from audiostyle import audio

    def no_resampling(*args, **kwargs):  # would be ~18 hours and 7 GB at 22.05 kHz
        raise AssertionError("resampled a file whose header is absurd")

    monkeypatch.setattr(audio, "resample", no_resampling)
    fails(
        transfer_args(bogus, style, out),
        code=1,
        needles=("one_hz.wav", "claims a sample rate of 1 Hz", "header is wrong"),
        outputs=(out,),
    )


def test_hours_long_file_is_refused_before_reading(tmp_path, monkeypatch):
    from audiostyle import audio

    path = tmp_path / "long.wav"
    sf.write(path, sine(440, 1.0), SR)
    monkeypatch.setattr(audio, "MAX_SECONDS", 0.5)
    with pytest.raises(audio.AudioError, match="at most .* hours at once: take an excerpt"):
        audio.load(path, sample_rate=SR, role="content")
    assert audio.load(path, sample_rate=SR, duration=0.25).shape == (SR // 4,)


def test_texture_duration_is_bounded(files):
    _, style, out = files
    fails(
        ["texture", style, "-o", out, "--sample-rate", SR, "--duration", "3600"],
        code=2,
        needles=("texture duration=3600 s", "not segmented", "shorter textures"),
        outputs=(out,),
    )


# -- an output never replaces an input, whatever --force says ------------------------------


@pytest.mark.parametrize(
    ("flag", "target", "role"),
    [
        ("-o", "content.wav", "content"),
        ("-o", "alias.wav", "content"),  # a symlink to the content
        ("-o", "hard.wav", "style"),  # a hard link to the style
        ("--save-recipe", "r.toml", "recipe"),
        ("--report", "style.wav", "style"),
        ("--html", "page.html", "content"),  # a symlink to the content
    ],
)
def test_force_never_overwrites_an_input(files, flag, target, role):
    import os

    content, style, out = files
    d = content.parent
    (d / "alias.wav").symlink_to(content)
    (d / "page.html").symlink_to(content)
    os.link(style, d / "hard.wav")
    recipe = d / "r.toml"
    recipe.write_text("steps = 2\n")
    before = {p: p.read_bytes() for p in (content, style, recipe)}
    args = transfer_args(content, style, out, "--recipe", recipe, "--force")
    if flag == "-o":
        args[args.index("-o") + 1] = d / target
    else:
        args += [flag, d / target]
    fails(args, code=2, needles=(f"the {role} file", "never replaces an input"))
    assert {p: p.read_bytes() for p in before} == before


def test_api_never_overwrites_an_input(files, tiny):
    content, style, out = files
    before = content.read_bytes()
    with pytest.raises(ParameterError, match="is the content file"):
        api.transfer(content, style, output=content, force=True, progress=False, **tiny)
    r = api.transfer(content, style, progress=False, **tiny)
    with pytest.raises(ParameterError, match="is the style file"):
        r.write_outputs(report=style, force=True)
    with pytest.raises(ParameterError, match="is the content file"):
        r.write_outputs(out, save_recipe=content, force=True)
    assert content.read_bytes() == before and not out.exists()


# -- a full disk names the file and the cause; SIGTERM leaves nothing behind -------------


def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("failure", ["libsndfile", "oserror"])
def test_full_disk_names_the_file_and_the_cause(files, monkeypatch, failure):
    import errno
    import shutil
    from collections import namedtuple

    content, style, out = files
    real_write = sf.write

    def full_disk(file, data, *args, **kwargs):
        real_write(file, data[: len(data) // 2], *args, **kwargs)  # half of it went out
        if failure == "libsndfile":
            raise sf.LibsndfileError(2, f"Error writing {file}: ")  # "System error."
        raise OSError(errno.ENOSPC, "No space left on device", str(file))

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(sf, "write", full_disk)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 4096, 4096))
    line = fails(
        transfer_args(content, style, out),
        code=1,
        needles=(str(out), "No space left on device", "nothing was written"),
        outputs=(out,),
    )
    assert "bug" not in line and "Libsndfile" not in line
    assert _leftovers(out.parent) == []


def test_a_libsndfile_failure_with_free_space_says_what_libsndfile_said(tmp_path, monkeypatch):
    from audiostyle.audio import save
    from audiostyle.errors import AudioError

    def broken(file, *args, **kwargs):
        raise sf.LibsndfileError(2, "Error: ")

    monkeypatch.setattr(sf, "write", broken)
    with pytest.raises(AudioError, match=r"x.wav.*libsndfile could not write.*System error"):
        save(tmp_path / "x.wav", sine(440, 0.1), sample_rate=SR)
    assert _leftovers(tmp_path) == []


SLOW_WRITER = """
import sys, time
import audiostyle.audio as audio
real = audio.write_to

def slow_write_to(tmp, *args, **kwargs):
    real(tmp, *args, **kwargs)
    print("WRITING", tmp, file=sys.stderr, flush=True)
    time.sleep(60)

audio.write_to = slow_write_to
from audiostyle.cli import main
main()
"""


def test_sigterm_while_writing_exits_cleanly_and_leaves_no_temporary_file(files):
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import tiny_flags

    content, style, out = files
    report = out.parent / "report.json"
    env = {**os.environ, "AUDIOSTYLE_LOAD_PLUGINS": "", "OMP_NUM_THREADS": "1"}
    args = ["transfer", content, style, "-o", out, "--report", report, *tiny_flags(), "-q"]
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, *map(str, args)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = proc.stderr.readline()
        assert first.startswith("WRITING"), first + proc.stderr.read()
        tmp = first.split()[1]
        assert os.path.exists(tmp)  # the hidden temporary file beside the target
        proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        assert proc.wait(timeout=60) == 143, rest
    finally:
        proc.kill()
        proc.wait()
    errors = [line for line in rest.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "terminated (SIGTERM)" in errors[0], rest
    assert "nothing was written" in errors[0] and "Traceback" not in rest
    assert not out.exists() and not report.exists()
    assert _leftovers(out.parent) == []


# -- batch --html inside the --out-dir it creates (README's command) -----------------------


def test_batch_html_in_a_new_out_dir(tmp_path):
    from tests.conftest import tiny_flags
    from tests.test_batch import invoke as invoke_batch
    from tests.test_batch import write_clips

    write_clips(tmp_path / "in")
    (tmp_path / "in" / "m.csv").write_text("content,style,output\nmale.wav,female.wav,a.wav\n")
    new = tmp_path / "newdir"
    r = invoke_batch(
        "batch", tmp_path / "in" / "m.csv", "--out-dir", new, "--html", new / "batch.html",
        *tiny_flags(), "-q",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert (new / "batch.html").is_file() and (new / "a.wav").is_file()
    # A page in a directory that nothing creates is still refused before any work.
    r = invoke_batch(
        "batch", tmp_path / "in" / "m.csv", "--out-dir", new, "--html",
        tmp_path / "nowhere" / "b.html", *tiny_flags(), "-q",
    )  # fmt: skip
    assert r.exit_code == 2 and "does not exist" in r.output


def test_an_oserror_anywhere_is_the_machine_not_a_bug(capsys):
    import errno

    import typer

    from audiostyle.cli.errors import handle_errors

    @handle_errors
    def writes_a_page():
        raise OSError(errno.ENOSPC, "No space left on device", "out/page_files/a.png")

    with pytest.raises(typer.Exit) as exit_:
        writes_a_page()
    err = capsys.readouterr().err.strip()
    assert exit_.value.exit_code == 1 and len(err.splitlines()) == 1
    assert err == (
        "error: No space left on device (out/page_files/a.png); free some space and run again."
    )
