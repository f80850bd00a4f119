"""Ground-truth suites (timbre, voices), their cache, the pitch metric and the CLI.

Tests marked ``synth`` call fluidsynth / espeak-ng / festival (Debian packages that
``.ci/run`` installs); ``eval`` ones run torchcrepe. Cases are short (1.5-3 s at
8 kHz) and suites small (1-2 cases); each suite is built once per module.
"""

from __future__ import annotations

import json
import math
import os
import random
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from audiostyle.errors import DependencyError, ParameterError
from audiostyle.plugins import create
from audiostyle.suites.harvard import HARVARD_SENTENCES
from audiostyle.suites.midi import TEMPO_US_PER_BEAT, TICKS_PER_BEAT, random_melody, smf_bytes
from tests.conftest import SR, noise, sine, tiny_flags

TIMBRE_SECONDS = 1.5
VOICES_SECONDS = 3.0
# Two voices of different sex, so content and target differ in speaker for sure.
CROSS_SEX = {"voices": "espeak-ng:en-us+m3,espeak-ng:en-us+f3", "festival": "no"}


def build(name, root, *, size=2, seed=0, duration=TIMBRE_SECONDS, options=None):
    suite = create("suite", name, options or {})
    return suite.cases(
        size=size, seed=seed, cache_dir=Path(root), duration=duration, sample_rate=SR
    )


def read(path) -> np.ndarray:
    y, rate = sf.read(path, dtype="float32")
    assert rate == SR
    return y


@pytest.fixture(scope="module")
def timbre_cases(tmp_path_factory):
    return build("timbre", tmp_path_factory.mktemp("timbre"))


@pytest.fixture(scope="module")
def voices_cases(tmp_path_factory):
    return build(
        "voices", tmp_path_factory.mktemp("voices"), duration=VOICES_SECONDS, options=CROSS_SEX
    )


@pytest.fixture(scope="module")
def metrics():
    return {name: create("metric", name, {}) for name in ("lsd", "mfcc-timbre", "pitch")}


# -- melodies and MIDI (pure Python) ------------------------------------------------------
def parse_smf(data: bytes) -> tuple[int, list[tuple[int, bytes]]]:
    """(program, [(absolute tick, event bytes)]) of a format-0 file from smf_bytes."""
    assert data[:4] == b"MThd"
    _, fmt, ntracks, division = struct.unpack(">IHHH", data[4:14])
    assert (fmt, ntracks, division) == (0, 1, TICKS_PER_BEAT)
    assert data[14:18] == b"MTrk"
    (length,) = struct.unpack(">I", data[18:22])
    track = data[22:]
    assert len(track) == length
    pos, tick, events, program = 0, 0, [], None
    while pos < len(track):
        delta = 0
        while True:
            byte = track[pos]
            pos += 1
            delta = (delta << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        tick += delta
        status = track[pos]
        if status == 0xFF:
            kind, size = track[pos + 1], track[pos + 2]
            events.append((tick, bytes(track[pos : pos + 3 + size])))
            if kind == 0x51:
                assert int.from_bytes(track[pos + 3 : pos + 6], "big") == TEMPO_US_PER_BEAT
            pos += 3 + size
        elif status & 0xF0 == 0xC0:
            program = track[pos + 1]
            pos += 2
        else:
            events.append((tick, bytes(track[pos : pos + 3])))
            pos += 3
    return program, events


def test_smf_plays_the_notes_at_their_times():
    notes = random_melody(random.Random(3), duration=4.0, low=48, high=72)
    data = smf_bytes(notes, program=40, end=4.0)
    program, events = parse_smf(data)
    assert program == 40
    ons = [(t, e[1]) for t, e in events if e[0] == 0x90]
    offs = [(t, e[1]) for t, e in events if e[0] == 0x80]
    ticks_per_second = TICKS_PER_BEAT * 1e6 / TEMPO_US_PER_BEAT
    assert [p for _, p in ons] == [n.pitch for n in notes]
    assert [t for t, _ in ons] == [round(n.start * ticks_per_second) for n in notes]
    assert sorted(p for _, p in offs) == sorted(n.pitch for n in notes)
    assert events[-1] == (round(4.0 * ticks_per_second), b"\xff\x2f\x00")  # ends at 4 s
    with pytest.raises(ValueError, match="program"):
        smf_bytes(notes, program=128, end=4.0)


def test_melodies_are_seeded_varied_and_span_octaves():
    a = random_melody(random.Random(7), duration=10.0, low=48, high=76)
    assert a == random_melody(random.Random(7), duration=10.0, low=48, high=76)
    assert a != random_melody(random.Random(8), duration=10.0, low=48, high=76)
    spans = []
    for seed in range(20):
        notes = random_melody(random.Random(seed), duration=10.0, low=48, high=76)
        assert all(48 <= n.pitch <= 76 and 1 <= n.velocity <= 127 for n in notes)
        ends = [n.start + n.length for n in notes]
        assert all(e <= s2.start for e, s2 in zip(ends, notes[1:], strict=False))  # monophonic
        assert ends[-1] <= 10.0 - 0.3
        assert 1.5 <= len(notes) / 10.0 <= 6  # a few notes a second
        assert len({round(n.length, 2) for n in notes}) >= 3  # varied rhythm
        spans.append(max(n.pitch for n in notes) - min(n.pitch for n in notes))
    assert np.mean(spans) >= 18  # most melodies cover well over an octave
    with pytest.raises(ValueError, match="octave"):
        random_melody(random.Random(0), duration=5.0, low=60, high=66)


def test_instrument_pairs_come_from_different_families():
    from audiostyle.suites.timbre import _shared_range, pick_pair

    seen = set()
    for seed in range(60):
        x, y = pick_pair(random.Random(seed), families=("keys", "brass", "pipes"), min_span=24)
        low, high = _shared_range(x, y)
        assert x.family != y.family and high - low >= 24
        seen.add(frozenset((x.family, y.family)))
    assert len(seen) == 3  # every family pair turns up
    with pytest.raises(ParameterError, match="min_span"):
        pick_pair(random.Random(0), families=("pipes", "brass"), min_span=36)


# -- options, arguments and missing tools (no synthesizer needed) --------------------------
@pytest.mark.parametrize(
    ("stage", "name", "options", "message"),
    [
        ("suite", "timbre", {"families": "keys"}, "at least two different families"),
        ("suite", "timbre", {"families": "keys,drums"}, "unknown family 'drums'"),
        ("suite", "voices", {"voices": "espeak-ng:en+f2,say:alex"}, "engine:name"),
        ("suite", "voices", {"voices": "espeak-ng:en+f2"}, "at least two"),
        ("metric", "pitch", {"fmax": 2000}, "1800"),
        ("metric", "pitch", {"voicing_threshold": 1.5}, "voicing_threshold"),
    ],
)
def test_bad_options_are_refused(stage, name, options, message):
    with pytest.raises(ParameterError, match=message):
        create(stage, name, options)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 0}, "size=0"),
        ({"duration": 0.5}, "duration=0.5"),
        ({"sample_rate": 4000}, "sample_rate=4000"),
        ({"seed": "x"}, "seed='x'"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(tmp_path, kwargs, message):
    args = {"size": 1, "seed": 0, "duration": 2.0, "sample_rate": SR, **kwargs}
    with pytest.raises(ParameterError, match=message):
        create("suite", "timbre", {}).cases(cache_dir=tmp_path, **args)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def bare_path(tmp_path, monkeypatch):
    """A PATH with none of the synthesizers on it (returns the directory)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


@pytest.mark.parametrize(
    ("name", "options", "package"),
    [
        ("timbre", {}, "apt-get install fluidsynth fluid-soundfont-gm"),
        ("voices", {}, "apt-get install espeak-ng"),
        (
            "voices",
            {"voices": "festival:kal_diphone,festival:rab_diphone"},
            "apt-get install festival",
        ),
    ],
)
def test_missing_synthesizer_names_the_debian_package(tmp_path, bare_path, name, options, package):
    if "festival" in package:
        options = {**options, "festival": "yes"}
    with pytest.raises(DependencyError, match=package):
        build(name, tmp_path / "cache", options=options)
    assert not (tmp_path / "cache").exists()


@pytest.mark.synth
def test_festival_is_used_only_where_installed(tmp_path, bare_path):
    (bare_path / "espeak-ng").symlink_to(_which("espeak-ng"))
    suite = create("suite", "voices", {})
    assert all(v.startswith("espeak-ng:") for v in suite.prepare()["voices"])  # auto: left out
    with pytest.raises(DependencyError, match="apt-get install festival"):
        create("suite", "voices", {"festival": "yes"}).prepare()
    only = create("suite", "voices", {"voices": "espeak-ng:en+f2,festival:kal_diphone"})
    with pytest.raises(ParameterError, match="at least two voices"):
        only.prepare()


FAKE_FESTIVAL = {
    # festival without the voice package: SIOD error, exit 255, no file.
    "unbound": 'echo "SIOD ERROR: unbound variable : voice_kal_diphone" >&2; exit 255',
    # a festival that runs but writes empty files (how text2wave fails without a voice).
    "empty": r"""sed -n 's/.*"\(\/[^"]*\.wav\)".*/\1/p' "$1" """
    r"""| while read -r f; do : > "$f"; done""",
}


@pytest.mark.synth
@pytest.mark.parametrize("how", sorted(FAKE_FESTIVAL))
def test_missing_festival_voice_names_its_package(tmp_path, bare_path, how):
    (bare_path / "espeak-ng").symlink_to(_which("espeak-ng"))
    fake = bare_path / "festival"
    fake.write_text("#!/bin/sh\nPATH=/usr/bin:/bin\nshift\n" + FAKE_FESTIVAL[how] + "\n")
    fake.chmod(0o755)
    options = {"voices": "espeak-ng:en-us+f3,festival:kal_diphone", "festival": "yes"}
    with pytest.raises(DependencyError, match="apt-get install festvox-kallpc16k"):
        build("voices", tmp_path / "cache", options=options, duration=VOICES_SECONDS)


@pytest.mark.synth
def test_missing_sound_font_names_the_package(tmp_path):
    with pytest.raises(DependencyError, match="apt-get install fluid-soundfont-gm"):
        build("timbre", tmp_path, options={"soundfont": str(tmp_path / "none.sf2")})


def _which(exe: str) -> str:
    import shutil

    found = shutil.which(exe, path=os.defpath + ":/usr/bin:/usr/local/bin")
    if found is None:
        pytest.fail(f"{exe} is not installed (synth tests need it: apt-get install {exe})")
    return found


# -- the timbre suite ----------------------------------------------------------------------
@pytest.mark.synth
def test_timbre_is_reproducible_from_seed_and_size(timbre_cases, tmp_path):
    again = build("timbre", tmp_path / "again")
    assert [c.name for c in again] == [c.name for c in timbre_cases]
    for a, b in zip(timbre_cases, again, strict=True):
        for role in ("content", "style", "target"):
            assert getattr(a, role).read_bytes() == getattr(b, role).read_bytes()
    # The first case of a bigger suite is the same case.
    first = build("timbre", tmp_path / "one", size=1)[0]
    assert first.content.read_bytes() == timbre_cases[0].content.read_bytes()
    other = build("timbre", tmp_path / "other", seed=1)
    assert other[0].content.read_bytes() != timbre_cases[0].content.read_bytes()


@pytest.mark.synth
def test_timbre_cases_are_fitted_and_described(timbre_cases):
    for case in timbre_cases:
        files = [read(getattr(case, r)) for r in ("content", "style", "target")]
        for y in files:
            assert y.shape == (int(TIMBRE_SECONDS * SR),)
            assert abs(np.abs(y).max() - 0.9) < 1e-3
        m = case.meta
        assert m["content_family"] != m["style_family"]
        assert case.name.endswith(f"{m['content_instrument']}-to-{m['style_instrument']}")
        assert case.text is None
        low, high = m["pitch_range"]
        assert low <= m["content_pitches"][0] <= m["content_pitches"][1] <= high


@pytest.mark.synth
@pytest.mark.eval
def test_timbre_ground_truth_scores(timbre_cases, metrics):
    case = timbre_cases[0]
    content, style, target = (read(getattr(case, r)) for r in ("content", "style", "target"))
    lsd, mfcc, pitch = metrics["lsd"], metrics["mfcc-timbre"], metrics["pitch"]
    assert lsd(target, sample_rate=SR, target=target)["to_target"] == 0.0
    assert pitch(target, sample_rate=SR, content=target) == 1.0
    # Doing nothing: the spectrum and timbre are wrong, the melody is right.
    assert lsd(content, sample_rate=SR, target=target)["to_target"] > 3.0
    assert mfcc(content, sample_rate=SR, target=target)["to_target"] > 1.0
    same_melody = pitch(target, sample_rate=SR, content=content)
    other_melody = pitch(style, sample_rate=SR, content=content)
    assert same_melody >= 0.8
    assert other_melody < 0.5 < same_melody


@pytest.mark.synth
def test_cache_is_reused_and_rebuilt_when_damaged(timbre_cases, monkeypatch):
    from audiostyle.suites.timbre import TimbreSuite

    root = timbre_cases[0].content.parent.parent
    stamps = [c.content.stat().st_mtime_ns for c in timbre_cases]

    def refuse(*args, **kwargs):
        raise AssertionError("built again instead of reading the cache")

    monkeypatch.setattr(TimbreSuite, "build_case", refuse)
    again = build("timbre", root)
    assert [c.content for c in again] == [c.content for c in timbre_cases]
    assert [c.content.stat().st_mtime_ns for c in again] == stamps
    monkeypatch.undo()
    saved = timbre_cases[1].target.read_bytes()
    timbre_cases[1].target.unlink()  # a damaged cache is built again
    rebuilt = build("timbre", root)
    assert rebuilt[1].target.read_bytes() == saved
    # Another duration, rate or option is another cache entry.
    other = build("timbre", root, size=1, options={"notes_per_second": 4})
    assert other[0].content.parent != timbre_cases[0].content.parent


# -- the voices suite ----------------------------------------------------------------------
@pytest.mark.synth
def test_voices_are_reproducible_and_carry_their_text(voices_cases, tmp_path):
    again = build("voices", tmp_path / "again", duration=VOICES_SECONDS, options=CROSS_SEX)
    for a, b in zip(voices_cases, again, strict=True):
        for role in ("content", "style", "target"):
            assert getattr(a, role).read_bytes() == getattr(b, role).read_bytes()
    other = build("voices", tmp_path / "other", seed=5, duration=VOICES_SECONDS, options=CROSS_SEX)
    assert other[0].content.read_bytes() != voices_cases[0].content.read_bytes()
    for case in voices_cases:
        m = case.meta
        assert {m["content_sex"], m["style_sex"]} == {"male", "female"}
        assert read(case.content).shape == (int(VOICES_SECONDS * SR),)
        if case.text is not None:  # whole sentences only; a cut one gives no text
            assert all(s + "." in HARVARD_SENTENCES for s in case.text.rstrip(".").split(". "))
            assert m["style_sentences"] != case.text
    assert any(c.text for c in voices_cases)


@pytest.mark.synth
@pytest.mark.eval
def test_voices_ground_truth_scores(voices_cases, metrics):
    from audiostyle.metrics.pitch import pitch_track

    case = voices_cases[0]
    content, target = read(case.content), read(case.target)
    lsd, pitch = metrics["lsd"], metrics["pitch"]
    assert lsd(target, sample_rate=SR, target=target)["to_target"] == 0.0
    assert pitch(target, sample_rate=SR, content=target) == 1.0
    assert lsd(content, sample_rate=SR, target=target)["to_target"] > 3.0
    # Another speaker: the female voice speaks at least a fifth higher.
    medians = {}
    for role, y in (("content", content), ("target", target)):
        f0, periodicity, _ = pitch_track(y, sample_rate=SR)
        medians[case.meta[f"{'content' if role == 'content' else 'style'}_sex"]] = np.median(
            f0[periodicity >= 0.5]
        )
    assert medians["female"] > 1.5 * medians["male"]


# -- the pitch metric ----------------------------------------------------------------------
def test_pitch_agreement_counts_octaves_and_missing_frames_as_wrong():
    from audiostyle.metrics.pitch import agreement

    content = np.array([200.0, 200.0, 200.0, 200.0, 200.0])
    voiced = np.array([True, True, True, True, False])
    out = np.array([205.0, 400.0, 100.0, 200.0 * 2 ** (49 / 1200), 999.0])
    assert agreement(out, content, voiced, tolerance_cents=50) == 0.5  # 43 and 49 cents
    assert agreement(out[:1], content, voiced, tolerance_cents=50) == 0.25
    assert math.isnan(agreement(out, content, np.zeros(5, bool), tolerance_cents=50))


@pytest.mark.eval
def test_pitch_metric_on_sines_and_noise():
    pitch = create("metric", "pitch", {})
    a3 = sine(220.0, seconds=1.0)
    assert pitch(a3, sample_rate=SR, content=a3) == 1.0
    assert pitch(sine(220.0 * 2 ** (20 / 1200), seconds=1.0), sample_rate=SR, content=a3) > 0.9
    assert pitch(sine(220.0 * 2 ** (100 / 1200), seconds=1.0), sample_rate=SR, content=a3) < 0.1
    assert pitch(sine(440.0, seconds=1.0), sample_rate=SR, content=a3) < 0.1  # an octave
    assert math.isnan(pitch(a3, sample_rate=SR, content=noise(seconds=1.0)))
    with pytest.raises(ParameterError, match="content"):
        pitch(a3, sample_rate=SR)


@pytest.mark.eval
def test_the_content_track_is_computed_once_across_metric_instances(speech):
    """A bench scores each output with a new metric instance: the content's pitch track
    is cached per process (by its bytes, rate and options), not per instance."""
    first = create("metric", "pitch", {})
    expected = first(speech, sample_rate=SR, content=speech)
    second = create("metric", "pitch", {})
    tracked = []
    real = second._track
    second._track = lambda y, sr: tracked.append(len(y)) or real(y, sr)
    assert second(speech, sample_rate=SR, content=speech) == expected
    assert tracked == [len(speech)]  # the output only; the content came from the cache
    other = create("metric", "pitch", {"fmax": 800.0})  # other options: tracked again
    other._track = lambda y, sr: tracked.append(len(y)) or real(y, sr)
    other(speech, sample_rate=SR, content=speech)
    assert tracked == [len(speech)] * 3


@pytest.mark.eval
def test_pitch_track_is_deterministic_on_speech(speech):
    from audiostyle.metrics.pitch import pitch_track

    f1, p1, _ = pitch_track(speech, sample_rate=SR)
    f2, p2, _ = pitch_track(speech, sample_rate=SR)
    assert np.array_equal(f1, f2) and np.array_equal(p1, p2)
    assert 70 < np.median(f1[p1 >= 0.5]) < 250  # a male voice


@pytest.mark.eval
def test_crepe_tiny_weights_load_offline(monkeypatch):
    import socket

    import torchcrepe

    def no_network(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    weights = Path(torchcrepe.__file__).parent / "assets" / "tiny.pth"
    assert weights.is_file()
    torchcrepe.load.model("cpu", "tiny")
    assert sum(p.numel() for p in torchcrepe.infer.model.parameters()) > 0


def test_missing_torchcrepe_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torchcrepe", None)
    with pytest.raises(DependencyError, match=r"pip install 'audiostyle\[eval\]'"):
        create("metric", "pitch", {})


# -- the command line ----------------------------------------------------------------------
runner = CliRunner()


def invoke(*args, env=None):
    from audiostyle.cli.app import build_app

    return runner.invoke(build_app(), [str(a) for a in args], env=env)


def test_cli_lists_the_suites():
    r = invoke("suite")
    assert r.exit_code == 0, r.output
    assert "timbre" in r.output and "voices" in r.output


@pytest.mark.synth
def test_cli_builds_a_suite_to_listen_to(tmp_path, timbre_cases):
    root = timbre_cases[0].content.parent.parent
    out = tmp_path / "listen"
    args = ["suite", "timbre", "--size", "2", "--duration", TIMBRE_SECONDS]
    args += ["--sample-rate", SR, "--cache-dir", root, "--out-dir", out]
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    for case in timbre_cases:
        folder = out / case.name
        assert (folder / "target.wav").read_bytes() == case.target.read_bytes()
        assert json.loads((folder / "meta.json").read_text()) == case.meta
    r = invoke(*args)
    assert r.exit_code == 2 and "not empty" in r.output and "--force" in r.output
    r = invoke(*args, "--force")
    assert r.exit_code == 0, r.output


def test_cli_reports_a_missing_synthesizer(tmp_path, bare_path):
    r = invoke("suite", "timbre", "--size", 1, "--duration", 2, "--cache-dir", tmp_path / "c")
    assert r.exit_code == 1
    assert "apt-get install fluidsynth fluid-soundfont-gm" in r.output
    assert "Traceback" not in r.output


@pytest.mark.synth
@pytest.mark.eval
def test_bench_runs_a_two_case_suite_end_to_end(tmp_path, timbre_cases):
    root = timbre_cases[0].content.parent.parent
    out = tmp_path / "bench.json"
    r = invoke(
        "bench",
        "--suite",
        "timbre",
        "--suite-size",
        2,
        "--suite-seed",
        0,
        "--cache-dir",
        root,
        "--duration",
        TIMBRE_SECONDS,
        *tiny_flags(),
        "--metric",
        "lsd",
        "--metric",
        "pitch",
        "--json",
        out,
        "--quiet",
    )
    assert r.exit_code == 0, r.output
    text = out.read_text()
    for case in timbre_cases:
        assert case.name in r.output and case.name in text
    assert "baseline" in r.output


def test_pitch_module_docstring_examples():
    import doctest

    import audiostyle.metrics.pitch as module

    result = doctest.testmod(module, report=True, verbose=False)
    assert result.attempted > 0 and result.failed == 0
