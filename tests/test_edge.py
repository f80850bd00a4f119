"""The end of the output: no spike from the last frame, whatever the length modulo the hop."""

import numpy as np
import pytest

from audiostyle import api, dsp, engine
from tests.conftest import SR

HOP = 64


@pytest.fixture(scope="module")
def clip():
    """0.6 s of the bundled male speech that ends in the middle of a loud word."""
    from audiostyle.audio import load

    return load(api.demo_clip("content"), sample_rate=SR, offset=2.0, duration=0.6)


@pytest.mark.parametrize("steps", [0, 3])
def test_no_spike_at_the_end_for_any_length_across_a_hop(clip, speech_female, tiny, steps):
    # The default's analysis (Hann, 50 % overlap) at test scale: n_fft 128, hop 64. Before
    # the fix the last samples of most lengths were rebuilt from the tail of one window
    # (window sum ~1e-9) and the peak limit turned the whole output down by 8-27 dB.
    tiny.update(transform_options={"n_fft": 2 * HOP, "overlap": 2}, steps=steps, envelope=0.32)
    base = clip.shape[0] - HOP
    worst = 0.0
    for length in range(base, base + HOP):
        r = api.transfer(clip[:length], speech_female, progress=False, **tiny)
        assert r.audio.shape == (length,)
        assert r.peak_scale == 1.0, f"length {length}: {r.notes}"
        body = np.abs(r.audio[: -2 * HOP]).max()
        worst = max(worst, float(np.abs(r.audio[-2 * HOP :]).max() / body))
    # Before: 6.0x (steps 0) and 4.9x (steps 3) at length % hop == hop - 1.
    assert worst < 1.2


def test_covering_length_puts_a_frame_centre_on_the_last_sample():
    c = dsp.STFTConfig(n_fft=128, hop_length=HOP, win_length=128)
    for n in range(1000, 1000 + HOP):
        m = dsp.covering_length(n, config=c)
        frames = 1 + m // HOP
        assert m >= n and (frames - 1) * HOP >= n - 1 and m - n < HOP


def test_one_peak_limiter():
    audio = np.array([0.5, -2.0, 1.0], dtype=np.float32)
    out, scale, note = engine.limit_peak(audio, 0.99)
    assert np.abs(out).max() == pytest.approx(0.99) and scale == pytest.approx(0.495)
    assert note.startswith("output peak 2.000 exceeded 0.99")
    same, one, none = engine.limit_peak(audio * 0.1, 0.99)
    assert one == 1.0 and none is None and same is not None


def test_segments_use_the_engine_peak_limiter(speech, speech_female, tiny, monkeypatch):
    calls = []
    real = engine.limit_peak

    def spy(audio, peak):
        calls.append(audio.shape[0])
        return real(audio, peak)

    monkeypatch.setattr(engine, "limit_peak", spy)
    tiny.update(steps=1, segment=0.2, segment_overlap=0.02)
    r = api.transfer(speech, speech_female, progress=False, **tiny)
    assert r.segments > 1
    assert calls[-1] == speech.shape[0]  # the joined result, limited once by the same code
