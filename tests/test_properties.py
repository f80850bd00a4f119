"""Property-based tests: whatever the audio and the options, the engine either
returns finite audio of the right length or raises the project's own error type.

Examples are few and tiny (at most ~0.4 s at 8 kHz, n_fft <= 256, <= 16 filters,
<= 3 steps); ``derandomize`` keeps the runs reproducible.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from audiostyle import api, engine
from audiostyle.errors import AudiostyleError
from audiostyle.presets import get_preset
from audiostyle.segments import join, plan
from tests.conftest import SR, TINY

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

AMPLITUDES = [0.0, 1e-9, 1e-4, 0.1, 1.0, 30.0, 1e6, 1e30]


@st.composite
def audio(draw, *, max_len: int = 3200) -> np.ndarray:
    """Noise, tones, DC, silence or bursts at any level, sometimes with NaN/Inf."""
    if draw(st.integers(0, 3)) < 3:  # usual audio three times out of four
        n = draw(st.integers(300, max_len))
        kind = draw(st.sampled_from(["noise", "tone"]))
        amp = draw(st.sampled_from([1e-4, 0.1, 1.0]))
    else:
        n = draw(st.sampled_from([0, 1, 7, 100, max_len]))
        kind = draw(st.sampled_from(["noise", "dc", "silence", "burst"]))
        amp = draw(st.sampled_from(AMPLITUDES))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    t = np.arange(n) / SR
    if kind == "noise":
        y = rng.standard_normal(n)
    elif kind == "tone":
        y = np.sin(2 * np.pi * draw(st.floats(20, SR / 2)) * t)
    elif kind == "dc":
        y = np.ones(n)
    elif kind == "silence":
        y = np.zeros(n)
    else:
        y = np.zeros(n)
        if n:
            y[rng.integers(0, n)] = 1.0
    y = (amp * y).astype(np.float32)
    if n and draw(st.integers(0, 9)) == 9:
        y[rng.integers(0, n)] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return y


@st.composite
def options(draw) -> dict:
    """Recipe overrides: legal three times out of four, else with one illegal value."""
    n_fft = draw(st.sampled_from([16, 64, 100, 256]))
    out = {
        "sample_rate": SR,
        "device": "cpu",
        "transform_options": {"n_fft": n_fft},
        "network_options": {"n_filters": draw(st.integers(1, 16))},
        "optimizer": draw(st.sampled_from(["adam", "lbfgs"])),
        "optimizer_options": {},
        "steps": draw(st.integers(0, 3)),
        "content_weight": draw(st.sampled_from([0.0, 0.1, 1.0, 1e4])),
        "style_weight": draw(st.sampled_from([1.0, 1e-3, 1e6])),
        "init": draw(st.sampled_from(["auto", "content", "noise"])),
        "segment": draw(st.sampled_from([0.0, 0.15, 30.0])),
        "segment_overlap": draw(st.sampled_from([0.0, 0.02, 0.05])),
    }
    if draw(st.booleans()):
        out["transform_options"]["hop_length"] = draw(st.integers(1, n_fft))
    if draw(st.booleans()):
        out["optimizer_options"]["lr"] = draw(st.sampled_from([1e-6, 0.05, 1.0, 1e3, 1e30, 1e38]))
    if draw(st.booleans()):
        out["phase"] = "griffin-lim"
        out["phase_options"] = {"n_iter": draw(st.integers(0, 3)), "init": "random"}
    if draw(st.integers(0, 3)) == 3:
        key, value = draw(
            st.sampled_from(
                [
                    ("transform_options", {"n_fft": 8}),
                    ("transform_options", {"n_fft": n_fft, "hop_length": 2 * n_fft}),
                    ("transform_options", {"n_fft": n_fft, "hop_length": 0}),
                    ("optimizer_options", {"lr": -1.0}),
                    ("steps", -1),
                    ("content_weight", -1.0),
                    ("style_weight", 0.0),
                    ("segment", 0.01),
                    ("segment", 0.1),
                    ("segment_overlap", -0.1),
                    ("sample_rate", 0),
                    ("network_options", {"n_filters": 0}),
                ]
            )
        )
        out[key] = value
    return out


def _quiet_run(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warnings are allowed; other exceptions are not
        return fn(*args, **kwargs)


@pytest.mark.filterwarnings("ignore")
@SETTINGS
@given(content=audio(), style=audio(), opts=options())
def test_transfer_returns_finite_audio_or_audiostyle_error(content, style, opts):
    try:
        r = _quiet_run(api.transfer, content, style, progress=False, **opts)
    except AudiostyleError as exc:
        assert str(exc)  # a message, never empty
        event(f"refused: {type(exc).__name__}")
        return
    event(f"ran: stopped={r.stopped}, segments={r.segments}")
    assert r.audio.dtype == np.float32 and r.audio.shape == content.shape
    assert np.isfinite(r.audio).all()
    assert np.abs(r.audio).max() <= r.recipe.peak + 1e-6


@pytest.mark.filterwarnings("ignore")
@SETTINGS
@given(style=audio(), seconds=st.sampled_from([-1.0, 0.0, 0.001, 0.05, 0.3]), opts=options())
def test_texture_returns_finite_audio_or_audiostyle_error(style, seconds, opts):
    try:
        r = _quiet_run(api.texture, style, duration=seconds, progress=False, **opts)
    except AudiostyleError as exc:
        event(f"refused: {type(exc).__name__}")
        return
    event("ran")
    assert r.audio.shape == (int(round(seconds * SR)),) and np.isfinite(r.audio).all()


@pytest.mark.filterwarnings("ignore")
@SETTINGS
@given(content=audio(), style=audio(), steps=st.integers(0, 2), n_fft=st.sampled_from([16, 64]))
def test_engine_run_directly(content, style, steps, n_fft):
    recipe = get_preset("default")
    recipe.set_stage("transform", None, {"n_fft": n_fft})
    recipe.set_stage("network", None, {"n_filters": 8})
    recipe.sample_rate, recipe.steps, recipe.device = SR, steps, "cpu"
    try:
        out = _quiet_run(engine.run, recipe, style=style, content=content)
    except AudiostyleError as exc:
        event(f"refused: {type(exc).__name__}")
        return
    event("ran")
    assert out.audio.shape == content.shape and np.isfinite(out.audio).all()


@SETTINGS
@given(
    n=st.integers(1, 5000),
    segment=st.integers(0, 1200),
    overlap=st.integers(0, 300),
)
def test_segment_plan_covers_and_join_is_identity(n, segment, overlap):
    if segment and n > segment and not overlap < segment / 2:
        with pytest.raises(AudiostyleError):
            plan(n, segment=segment, overlap=overlap)
        return
    spans = plan(n, segment=segment, overlap=overlap)
    assert spans[0][0] == 0 and spans[-1][1] == n
    for (_, a1), (b0, b1) in zip(spans, spans[1:], strict=False):
        assert b0 == a1 - overlap and b1 > a1  # neighbours overlap by exactly `overlap`
    if segment and n > segment:
        assert max(b - a for a, b in spans) <= segment
    y = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    joined = join([y[a:b] for a, b in spans], spans, n)
    np.testing.assert_allclose(joined, y, rtol=1e-5, atol=1e-6)


# -- long contents in segments ----------------------------------------------------------

# conftest's tiny recipe (envelope off: segments alone; the envelope is per segment and
# tests/test_envelope.py covers it), in short segments, its steps left to each test.
SEGMENTED = {k: v for k, v in TINY.items() if k != "steps"} | {
    "progress": False,
    "segment": 0.3,
    "segment_overlap": 0.05,
}


@pytest.fixture
def long_speech(sr):
    """1.5 s of the bundled male speech: five segments of 0.3 s."""
    from audiostyle.audio import load

    return load(api.demo_clip("content"), sample_rate=sr, offset=0.5, duration=1.5)


def test_segments_without_steps_give_back_the_content(long_speech, speech_female):
    r = api.transfer(long_speech, speech_female, steps=0, **SEGMENTED)
    assert r.segments == 6 and r.audio.shape == long_speech.shape
    np.testing.assert_allclose(r.audio, long_speech, atol=1e-5)
    assert "processed in 6 segments" in r.notes[0]


def test_segments_share_the_style_targets_and_lower_the_style_loss(
    long_speech, speech_female, monkeypatch
):
    from audiostyle.losses.gram import StyleLoss

    prepared = []
    original = StyleLoss.prepare

    def counting(self, *, content, style):
        prepared.append(style)
        return original(self, content=content, style=style)

    monkeypatch.setattr(StyleLoss, "prepare", counting)
    r = api.transfer(long_speech, speech_female, steps=4, **SEGMENTED)
    assert r.segments == 6 and len(prepared) == 1  # the Gram targets: once, not per segment
    assert r.steps_done == 6 * 4 and {row["segment"] for row in r.history} == set(range(6))
    assert r.final_losses["style"] < 0.8 * r.initial_losses["style"]
    assert r.audio.shape == long_speech.shape and np.isfinite(r.audio).all()
    assert np.abs(r.audio).max() <= r.recipe.peak + 1e-6


def test_ctrl_c_in_a_segment_keeps_a_complete_partial_result(long_speech, speech_female):
    import os
    import signal

    calls = []

    def press_ctrl_c(report):
        calls.append(report.step)
        if len(calls) == 6:  # segment 2, step 2
            os.kill(os.getpid(), signal.SIGINT)

    r = api.transfer(long_speech, speech_female, steps=4, callback=press_ctrl_c, **SEGMENTED)
    assert r.stopped == "interrupted" and r.partial
    assert r.steps_done == 4 + 2 and len(calls) == 6  # nothing optimised after the press
    assert any("segments 3-6 were not optimised" in n for n in r.notes)
    assert r.audio.shape == long_speech.shape and np.isfinite(r.audio).all()
    tail = slice(int(0.9 * SR), None)  # segments 4-6 alone: the content as it was
    np.testing.assert_allclose(r.audio[tail], long_speech[tail] * r.peak_scale, atol=1e-4)
