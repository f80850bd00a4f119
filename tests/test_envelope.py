"""Spectral envelope matching (recipe ``envelope``): the content takes the style's colour."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from audiostyle import api
from audiostyle.envelope import (
    active_frames,
    band_weights,
    envelope_gain,
    loudness_classes,
)
from audiostyle.envelope import band_db as frame_band_db
from audiostyle.errors import ParameterError
from audiostyle.metrics.spectral import power_spectrogram
from tests import conftest
from tests.conftest import SR

# conftest's tiny recipe with the default preset's steps, content weight and envelope.
TINY = {
    k: v
    for k, v in conftest.TINY.items()
    if k not in ("steps", "content_weight", "envelope", "preset")
}
TINY |= {"progress": False}
N_FFT = 256


@pytest.fixture(scope="module")
def clips():
    """2 s of the bundled male (content) and female (style) speech at the test rate."""
    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    return tuple(
        load(demo_clip(role), sample_rate=SR, offset=0.5, duration=2.0)
        for role in ("content", "style")
    )


def power(y: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(power_spectrogram(y, n_fft=N_FFT))


def band_db(y: np.ndarray) -> np.ndarray:
    """Mean level in dB of each of 40 mel bands over the active frames, less its mean."""
    p = torch.from_numpy(power_spectrogram(y, n_fft=N_FFT))
    w = band_weights(p.shape[0], sample_rate=SR, n_bands=40)
    db = frame_band_db(p[:, active_frames(p)], w).mean(1).numpy()
    return db - db.mean()


def test_bands_are_a_partition_of_unity():
    w = band_weights(129, sample_rate=SR, n_bands=40)
    assert w.shape == (40, 129)
    assert torch.allclose(w.sum(0), torch.ones(129, dtype=w.dtype))
    assert (w >= 0).all()


def test_the_same_envelope_or_strength_zero_changes_nothing(speech, speech_female):
    p, q = power(speech), power(speech_female)
    for classes in (1, 3):
        same = envelope_gain(p, p, sample_rate=SR, strength=1.0, classes=classes)
        assert same.shape == p.shape and torch.allclose(same, torch.ones_like(same))
        g0 = envelope_gain(p, q, sample_rate=SR, strength=0.0, classes=classes)
        assert torch.allclose(g0, torch.ones_like(g0))


def test_the_gain_keeps_the_content_energy_and_is_limited(speech, speech_female):
    p, q = power(speech), power(speech_female)
    for classes in (1, 3):
        g = envelope_gain(p, q, sample_rate=SR, strength=1.0, max_db=6.0, classes=classes)
        assert float((p * g**2).sum() / p.sum()) == pytest.approx(
            1.0, rel=1e-3
        )  # (active frames: exact)
        # The limit bounds the spread of the gain in every frame (the energy scale
        # shifts all bins alike).
        spread = 20 * torch.log10(g.max(0).values / g.min(0).values)
        assert float(spread.max()) <= 12.0 + 1e-6
    assert torch.allclose(g[:, :1].expand_as(g), g) is False  # 3 classes: frames differ
    one = envelope_gain(p, q, sample_rate=SR, strength=1.0, classes=1)
    assert torch.allclose(one[:, :1].expand_as(one), one)  # 1 class: one colour


def test_loudness_classes_are_soft_terciles(speech):
    p = power(speech)
    active = torch.ones(p.shape[1], dtype=torch.bool)
    m = loudness_classes(p, active, n_classes=3)
    assert m.shape == (3, p.shape[1]) and (m >= 0).all()
    assert torch.allclose(m.sum(0), torch.ones(p.shape[1], dtype=m.dtype))
    loud = p.sum(0)
    quiet, loudest = int(loud.argmin()), int(loud.argmax())
    assert m[0, quiet] > 0.9 and m[2, loudest] > 0.9
    assert torch.allclose(m.sum(1) / p.shape[1], torch.full((3,), 1 / 3).double(), atol=0.1)
    assert torch.equal(loudness_classes(p, active, n_classes=1), torch.ones(1, p.shape[1]).double())


def test_each_loudness_class_takes_the_colour_of_the_styles_class():
    """The style is bright when loud and dark when quiet; the content is flat at every
    level. With 3 classes its loud frames turn bright and its quiet frames dark; with
    one class every frame takes the same (average) colour."""
    bins, frames = 129, 90
    tilt = torch.linspace(-1, 1, bins).double()[:, None]
    level_db = torch.linspace(-30, 0, frames).double()[None, :]  # quiet ... loud
    style = 10 ** (level_db / 10) * 10 ** (2 * tilt * (level_db + 15) / 15)
    content = 10 ** (level_db / 10) * torch.ones(bins, 1).double()
    slope = lambda g: float(torch.log10(g[-1] / g[0]))  # noqa: E731
    g3 = envelope_gain(content, style, sample_rate=SR, strength=1.0, classes=3)
    assert slope(g3[:, -1]) > 0.5 and slope(g3[:, 0]) < -0.5  # loudest bright, quietest dark
    g1 = envelope_gain(content, style, sample_rate=SR, strength=1.0, classes=1)
    assert abs(slope(g1[:, -1]) - slope(g1[:, 0])) < 1e-9


@pytest.mark.parametrize("bad", [0, 17, "many"])
def test_bad_envelope_classes_are_refused(bad):
    with pytest.raises(ParameterError, match="envelope_classes"):
        api.resolve_recipe("default", envelope_classes=bad).validate()


def test_zero_steps_move_each_band_the_given_fraction_of_the_way(clips):
    speech, speech_female = clips
    """No optimisation, the content's phase: the output is the coloured content, its
    band levels a fraction ``envelope`` of the way (in dB) from the content's to the
    style's."""
    c_db, s_db = band_db(speech), band_db(speech_female)
    for strength in (0.5, 1.0):
        r = api.transfer(speech, speech_female, preset="colour", steps=0, envelope=strength, **TINY)
        o_db = band_db(r.audio)
        moved, wanted = o_db - c_db, strength * (s_db - c_db)
        # The bands move toward the style by the requested fraction: the least-squares
        # slope of moved on wanted is about 1, and they agree band by band.
        slope = float(moved @ wanted / (wanted @ wanted))
        assert 0.7 < slope < 1.3, slope
        assert np.corrcoef(moved, wanted)[0, 1] > 0.8
    # Off: the content comes back.
    r = api.transfer(speech, speech_female, preset="colour", steps=0, envelope=0.0, **TINY)
    assert np.abs(r.audio - speech).max() < 1e-4 * np.abs(speech).max()


def test_envelope_matching_moves_the_timbre_toward_the_style(clips):
    speech, speech_female = clips
    """MFCC timbre distance to the style drops, the words' timing (the envelope of the
    wave over time) is kept."""
    from audiostyle.metrics.spectral import mfcc_statistics

    def dist(a, b):
        x, y = mfcc_statistics(a, sample_rate=SR), mfcc_statistics(b, sample_rate=SR)
        return float(np.sqrt(((x - y) ** 2).mean()))

    r = api.transfer(speech, speech_female, preset="colour", steps=0, envelope=1.0, **TINY)
    assert dist(r.audio, speech_female) < dist(speech, speech_female) - 0.5
    frames = lambda y: np.sqrt(power_spectrogram(y, n_fft=N_FFT).sum(0))  # noqa: E731
    assert np.corrcoef(frames(r.audio), frames(speech))[0, 1] > 0.9


@pytest.mark.parametrize("domain", ["spectrogram", "waveform"])
def test_both_domains_start_from_the_coloured_content(speech, speech_female, domain):
    r = api.transfer(
        speech, speech_female, preset="colour", steps=2, envelope=0.5, domain=domain, **TINY
    )
    assert np.isfinite(r.audio).all() and r.audio.shape == speech.shape
    assert r.recipe.envelope == 0.5


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_a_bad_strength_is_refused_with_the_range(speech, speech_female, bad):
    with pytest.raises(ParameterError, match=r"envelope=.* between 0 \(off\) and 1"):
        api.transfer(speech, speech_female, preset="colour", steps=0, envelope=bad, **TINY)


def test_the_cli_flag_reaches_the_recipe_and_a_bad_value_is_one_line(tmp_path, wav_files):
    from typer.testing import CliRunner

    from audiostyle.cli.app import build_app
    from tests.conftest import tiny_flags

    content, style = wav_files
    out, recipe = tmp_path / "o.wav", tmp_path / "r.toml"
    args = ["transfer", content, style, "-o", out, *tiny_flags(), "-q"]
    ok = CliRunner().invoke(
        build_app(), [str(a) for a in [*args, "--envelope", "0.25", "--save-recipe", recipe]]
    )
    assert ok.exit_code == 0, ok.output
    assert "envelope = 0.25" in recipe.read_text()
    bad_out = tmp_path / "bad.wav"
    bad = CliRunner().invoke(
        build_app(),
        [str(a) for a in ["transfer", content, style, "-o", bad_out, "--envelope", "2"]],
    )
    assert bad.exit_code != 0 and "envelope=2.0 must be between 0 (off) and 1" in bad.output
    assert "Traceback" not in bad.output and not bad_out.exists()
