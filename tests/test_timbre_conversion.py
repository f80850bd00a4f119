"""Instrument timbre conversion (issue 20): pitched STFT analysis, timbre matcher,
dynamics conditioner and the ``instrument`` preset, on real signals.

The fluidsynth test renders notes with a General MIDI sound font (marked ``synth``;
skipped when fluidsynth or the sound font is missing).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from audiostyle.contracts.conversion import ConversionContext
from audiostyle.metrics.spectral import log_spectral_distance
from audiostyle.testing import timbre_checks as tc

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
RATE = 16_000


@pytest.mark.parametrize(
    ("stage", "name", "options"),
    [
        ("analysis", "pitched-stft", {}),
        ("analysis", "pitched-stft", {"f0_method": "harvest"}),
        ("conditioner", "dynamics", {}),
        ("matcher", "timbre", {}),
        ("matcher", "timbre", {"fine": 0.0, "time_scale": 0.0, "level": "content"}),
    ],
)
def test_conversion_contracts(stage, name, options):
    assert tc.check_conversion(stage, name, options)


def test_timbre_matcher_on_world_analysis():
    passed = tc.check_transform_stage("matcher", "timbre", analysis="world")
    assert len(passed) == 3


def _convert(content, style, **options):
    an = tc.build("analysis", "pitched-stft")
    matcher = tc.build("matcher", "timbre", options)
    ctx = ConversionContext()
    out = matcher.match(an.analyze(content), an.analyze(style), context=ctx)
    return an.synthesize(out), ctx.notes


def test_synthetic_note_moves_toward_the_style_instrument():
    # Dark notes (harmonics falling 12 dB/octave) toward a bright instrument (3 dB/octave).
    content = tc.melody([220.0, 261.6, 329.6, 293.7], tilt=2.0)
    style = tc.melody([196.0, 246.9, 293.7, 392.0, 349.2], tilt=0.5)
    target = tc.melody([220.0, 261.6, 329.6, 293.7], tilt=0.5)
    out, notes = _convert(content, style)
    before = log_spectral_distance(content, target, n_fft=512)
    after = log_spectral_distance(out, target, n_fft=512)
    assert after < before - 3.0, (before, after)
    assert any("matched by pitch" in n for n in notes)


def test_chord_and_drums_as_content_give_a_finite_result_and_a_note():
    style = tc.melody([196.0, 246.9, 293.7, 392.0], tilt=0.5)
    out, notes = _convert(tc.noise(), style)
    assert np.isfinite(out).all() and np.abs(out).max() > 0
    assert any("no pitch found" in n or "without pitch" in n for n in notes), notes
    out, notes = _convert(tc.chord(), style)
    assert np.isfinite(out).all() and np.abs(out).max() > 0
    assert any("timbre:" in n for n in notes), notes


def test_style_without_pitch_falls_back_to_loudness_colour_with_a_note():
    out, notes = _convert(tc.melody([220.0, 261.6, 329.6]), tc.noise())
    assert np.isfinite(out).all()
    assert any("the style has no pitch" in n for n in notes), notes


def test_dynamics_maps_levels_toward_the_style():
    an = tc.build("analysis", "pitched-stft")
    cond = tc.build("conditioner", "dynamics")
    # Content: notes at very different levels; style: notes at one level.
    c = np.concatenate(
        [g * tc.harmonic_note(220.0, 0.4, seed=i) for i, g in enumerate((1.0, 0.05, 1.0, 0.05))]
    )
    s = tc.melody([196.0, 246.9, 293.7, 392.0])
    ctx = ConversionContext()
    a = an.analyze(c)
    out = cond.condition(a, an.analyze(s), context=ctx)

    def spread(x):
        lv = 10 * np.log10(x.envelope.sum(axis=1) + 1e-12)
        act = lv > lv.max() - 60
        return np.std(lv[act])

    assert spread(out) < spread(a) - 3.0
    assert any("dynamics:" in n for n in ctx.notes)


def test_instrument_preset_runs_end_to_end():
    from audiostyle import api

    content = tc.melody([220.0, 261.6, 329.6, 293.7], tilt=2.0)
    style = tc.melody([196.0, 246.9, 293.7, 392.0], tilt=0.5)
    r = api.transfer(
        content, style, preset="instrument", sample_rate=tc.SAMPLE_RATE, progress=False
    )
    assert np.isfinite(r.audio).all() and r.audio.shape == content.shape
    assert any("timbre:" in n for n in r.notes)
    assert "convert" in r.timings


def _render(notes, program: int, tmp: Path, stem: str) -> np.ndarray:
    from audiostyle.suites.generated import read_mono
    from audiostyle.suites.midi import smf_bytes

    mid = tmp / f"{stem}.mid"
    wav = tmp / f"{stem}.wav"
    mid.write_bytes(smf_bytes(notes, program=program, end=notes[-1].start + notes[-1].length + 0.3))
    import subprocess

    subprocess.run(
        [
            "fluidsynth",
            "-ni",
            "-q",
            "-R",
            "0",
            "-C",
            "0",
            "-F",
            str(wav),
            "-r",
            str(RATE),
            str(SOUNDFONT),
            str(mid),
        ],
        check=True,
        capture_output=True,
    )
    return read_mono(wav, sample_rate=RATE)


@pytest.mark.synth
@pytest.mark.skipif(
    shutil.which("fluidsynth") is None or not SOUNDFONT.is_file(),
    reason="needs fluidsynth and fluid-soundfont-gm",
)
def test_fluidsynth_note_on_x_comes_closer_to_the_same_note_on_y(tmp_path):
    from audiostyle.suites.midi import Note

    def line(pitches, dur=0.45):
        return [Note(p, 0.05 + i * dur, dur * 0.95, 100) for i, p in enumerate(pitches)]

    flute, sax = 73, 65  # pipes -> reeds
    content = _render(line([62, 65, 69, 67]), flute, tmp_path, "content")
    target = _render(line([62, 65, 69, 67]), sax, tmp_path, "target")
    style = _render(line([60, 64, 67, 71, 69, 65, 62, 60]), sax, tmp_path, "style")
    n = min(len(content), len(target))
    content, target = content[:n], target[:n]
    out, _ = _convert(content, style)
    before = log_spectral_distance(content, target, n_fft=1024)
    after = log_spectral_distance(out, target, n_fft=1024)
    assert after < before - 1.0, (before, after)


def test_harvest_in_two_halves_tracks_like_one_run():
    import pyworld as pw

    from audiostyle.conversion.timbre_analysis import HALVES_FROM, _harvest_halves

    notes = [220.0, 261.6, 329.6, 293.7, 246.9, 392.0, 349.2, 196.0, 220.0, 261.6, 329.6, 293.7]
    y = tc.melody(notes, seconds=0.45).astype(np.float64)
    assert y.shape[0] > HALVES_FROM * tc.SAMPLE_RATE  # long enough to be split
    hop = 256
    one, t1 = pw.harvest(
        y, tc.SAMPLE_RATE, f0_floor=60, f0_ceil=1100, frame_period=1000 * hop / tc.SAMPLE_RATE
    )
    two, t2 = _harvest_halves(pw, y, tc.SAMPLE_RATE, f0_floor=60, f0_ceil=1100, hop_length=hop)
    assert np.allclose(t1, t2)
    voiced = one > 0
    close = np.abs(two[voiced] - one[voiced]) < 0.01 * one[voiced]
    assert close.mean() > 0.95
