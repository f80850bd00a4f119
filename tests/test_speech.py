"""Speech detection and ``envelope="auto"``: voices are coloured 0.6, anything else 0.32."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from audiostyle import api, envelope
from audiostyle import speech as vad
from audiostyle.audio import load
from audiostyle.errors import DependencyError, ParameterError
from tests import conftest
from tests.conftest import SHARED_AUDIO, SR, noise, tiny_flags

# The tiny recipe, with the envelope left to each test (conftest's turns it off).
TINY = {k: v for k, v in conftest.TINY.items() if k != "envelope"} | {"steps": 2, "progress": False}


def shared(name: str, seconds: float = 4.0, sample_rate: int = SR) -> np.ndarray:
    return load(SHARED_AUDIO / f"{name}.ogg", sample_rate=sample_rate, duration=seconds)


def melody(seconds: float = 3.0, sample_rate: int = SR) -> np.ndarray:
    """Notes of a harmonic tone (6 partials), 0.25 s each, with attack and decay."""
    t = np.arange(int(0.25 * sample_rate)) / sample_rate
    notes = []
    for i in range(int(seconds / 0.25)):
        f0 = 220 * 2 ** ([0, 4, 7, 12, 7, 4][i % 6] / 12)
        tone = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 7))
        notes.append(tone * np.minimum(1, t / 0.01) * np.exp(-3 * t))
    return (0.2 * np.concatenate(notes)).astype(np.float32)


def test_speech_scores_high(speech, speech_female):
    for y in (speech, speech_female):
        p = speech_probability_of(y)
        assert p > 0.8, p


def speech_probability_of(y: np.ndarray, sample_rate: int = SR) -> float:
    return vad.speech_probability(y, sample_rate=sample_rate)


@pytest.mark.parametrize(
    "clip",
    [
        pytest.param(lambda: shared("trumpet"), id="trumpet"),
        pytest.param(lambda: shared("brahms_hungarian_dance_5"), id="brahms"),
        pytest.param(lambda: shared("vibe_ace"), id="vibraphone"),
        pytest.param(melody, id="synthetic-melody"),
        pytest.param(lambda: noise(3.0) * 0.1, id="noise"),
    ],
)
def test_music_and_noise_score_low(clip):
    p = speech_probability_of(clip())
    assert p < 0.3, p
    assert not vad.is_speech(p)


def test_other_rates_are_resampled_and_agree():
    y16 = shared("speech_male_3436", sample_rate=16000)
    y22 = shared("speech_male_3436", sample_rate=22050)
    p16, p22 = speech_probability_of(y16, 16000), speech_probability_of(y22, 22050)
    assert p16 > 0.8 and abs(p16 - p22) < 0.1


def test_too_short_or_silent_is_nan_and_not_speech():
    for y in (np.zeros(100, np.float32), np.zeros(SR, np.float32)):
        p = speech_probability_of(y)
        assert math.isnan(p) and not vad.is_speech(p)


def test_auto_strength_by_pair(speech, speech_female):
    trumpet = shared("trumpet")
    s, note = envelope.auto_strength(speech, speech_female, sample_rate=SR)
    assert s == envelope.AUTO_SPEECH and "both speech" in note
    for pair in ((speech, trumpet), (trumpet, speech), (melody(), trumpet)):
        s, note = envelope.auto_strength(*pair, sample_rate=SR)
        assert s == envelope.AUTO_OTHER and "not both speech" in note


def test_transfer_resolves_auto_once_and_records_the_number(speech, speech_female):
    trumpet = shared("trumpet", seconds=2.0)
    voice = api.transfer(speech[: 2 * SR], speech_female[: 2 * SR], envelope="auto", **TINY)
    music = api.transfer(speech[: 2 * SR], trumpet, envelope="auto", **TINY)
    assert voice.recipe.envelope == envelope.AUTO_SPEECH
    assert music.recipe.envelope == envelope.AUTO_OTHER
    assert any(n.startswith("envelope auto:") for n in voice.notes)
    assert "speech" in voice.timings
    # The stronger colour moves the voice further from its content.
    d = [float(np.sqrt(np.mean((r.audio - speech[: 2 * SR]) ** 2))) for r in (voice, music)]
    assert d[0] > 0 and d[1] > 0
    # The recorded number replays without the detector: the same audio.
    again = api.transfer(
        speech[: 2 * SR], speech_female[: 2 * SR], recipe=voice.recipe, sample_rate=SR
    )
    np.testing.assert_allclose(again.audio, voice.audio, atol=1e-5)


def test_default_preset_is_auto_and_texture_ignores_it(speech_female):
    assert api.resolve_recipe("default").envelope == "auto"
    tex = api.texture(speech_female, duration=0.5, envelope="auto", **TINY)
    assert tex.recipe.envelope == 0.0 and "speech" not in tex.timings


@pytest.mark.parametrize("bad", ["loud", "-0.1", "1.5"])
def test_bad_envelope_values_say_what_is_allowed(bad):
    with pytest.raises(ParameterError, match="between 0 .* or 'auto'|is not a"):
        api.resolve_recipe("default", envelope=bad).validate()


def test_cli_auto_and_bad_value(tmp_path, wav_files):
    from typer.testing import CliRunner

    from audiostyle.cli.app import build_app

    content, style = wav_files
    out = tmp_path / "out.wav"
    flags = tiny_flags(hold=False)
    assert flags[-2] == "--envelope"
    flags[-1] = "auto"
    args = ["transfer", str(content), str(style), "-o", str(out), *flags]
    res = CliRunner().invoke(build_app(), args)
    assert res.exit_code == 0, res.output
    assert "envelope auto: speech probability" in res.output and out.exists()
    bad = tmp_path / "bad.wav"
    res = CliRunner().invoke(
        build_app(), ["transfer", str(content), str(style), "-o", str(bad), *flags[:-1], "loud"]
    )
    assert res.exit_code != 0 and not bad.exists()
    assert "envelope" in res.output and "auto" in res.output
    assert len(res.output.strip().splitlines()) <= 3, res.output


def test_missing_detector_names_the_fix(monkeypatch, speech, speech_female):
    vad._model.cache_clear()
    monkeypatch.setitem(sys.modules, "silero_vad", None)
    try:
        with pytest.raises(DependencyError, match="pip install silero-vad.*--envelope 0.6"):
            envelope.auto_strength(speech, speech_female, sample_rate=SR)
    finally:
        vad._model.cache_clear()


def test_loading_the_detector_keeps_the_thread_count(monkeypatch):
    """silero_vad's import sets one torch thread for the whole process; we put it back."""
    import torch

    vad._model.cache_clear()
    for name in [m for m in sys.modules if m == "silero_vad" or m.startswith("silero_vad.")]:
        monkeypatch.delitem(sys.modules, name)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        vad._model()
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
        vad._model.cache_clear()


def test_a_batch_row_with_auto_is_keyed_by_the_rule(monkeypatch):
    """A resumable batch redoes an auto row when the rule changes, not a fixed-strength one."""
    from audiostyle.batch import Row, row_key

    row = Row(number=1, line=2, content=Path("c.wav"), style=Path("s.wav"), output="o.wav")
    fp = {"sha256": "0" * 64}
    auto = api.resolve_recipe("colour")  # issue 14's default: envelope auto
    fixed = api.resolve_recipe("colour", envelope=0.5)
    keys = row_key(auto, row, fp, fp), row_key(fixed, row, fp, fp)
    monkeypatch.setattr(envelope, "AUTO_SPEECH", 0.7)
    assert row_key(auto, row, fp, fp) != keys[0]
    assert row_key(fixed, row, fp, fp) == keys[1]


def test_speech_over_music_is_speech_until_the_music_dominates():
    voice, orchestra = shared("speech_male_3436"), shared("brahms_hungarian_dance_5")
    level = np.sqrt(np.mean(voice**2) / np.mean(orchestra**2))
    under = speech_probability_of(voice + 0.3 * level * orchestra)  # music 10 dB below
    over = speech_probability_of(voice + 3.2 * level * orchestra)  # music 10 dB above
    assert vad.is_speech(under) and not vad.is_speech(over), (under, over)


def test_a_clip_is_analysed_once_per_process(monkeypatch, speech):
    """A batch runs many contents against one style: its probability is computed once."""
    calls = []
    real = vad._probability
    monkeypatch.setattr(vad, "_probability", lambda y, sr: calls.append(sr) or real(y, sr))
    vad._PROBABILITIES.clear()
    first = speech_probability_of(speech)
    assert speech_probability_of(speech.copy()) == first and calls == [SR]
    speech_probability_of(vad_resampled := np.repeat(speech, 2), 2 * SR)
    assert calls == [SR, 2 * SR] and vad_resampled.size == 2 * speech.size


def _chunks(y: np.ndarray, rate: int):
    import torch

    chunk = vad._CHUNK[rate]
    n = len(y) // chunk
    return torch.from_numpy(np.ascontiguousarray(y[: n * chunk].reshape(n, chunk)))


@pytest.mark.parametrize("rate", [16000, 8000])
@pytest.mark.parametrize(
    "clip",
    [
        pytest.param(lambda rate: shared("speech_female_198", 3.0, rate), id="speech"),
        pytest.param(lambda rate: shared("trumpet", 3.0, rate), id="trumpet"),
        pytest.param(lambda rate: melody(1.0, rate), id="melody"),
        pytest.param(lambda rate: shared("speech_male_3436", 0.04, rate), id="one-chunk"),
    ],
)
def test_batched_probabilities_are_the_models_own_chunk_by_chunk(monkeypatch, clip, rate):
    """All but the LSTM runs on every chunk at once: the numbers of silero's own loop."""
    import torch

    model, x = vad._model(), _chunks(clip(rate), rate)
    with torch.inference_mode():
        stepwise = vad._stepwise(model, x, rate)
        monkeypatch.setattr(vad, "_stepwise", None)  # the installed model is batched
        batched = vad._probabilities(model, x, rate)
    assert batched.shape == stepwise.shape == (x.shape[0],)
    assert float((batched - stepwise).abs().max()) < 1e-5


def test_a_model_built_otherwise_is_stepped_chunk_by_chunk(speech):
    """A silero-vad without the parts the batch needs still answers, one chunk at a time."""
    import torch

    real, calls = vad._model(), []

    class Plain:  # only the streaming interface: reset_states and model(chunk, rate)
        def reset_states(self):
            real.reset_states()

        def __call__(self, x, rate):
            calls.append(rate)
            return real(x, rate)

    x = _chunks(speech, SR)
    with torch.inference_mode():
        got = vad._probabilities(Plain(), x, SR)
        want = vad._probabilities(real, x, SR)
    assert calls == [SR] * x.shape[0]
    assert float((got - want).abs().max()) < 1e-5


def test_batched_is_faster_than_chunk_by_chunk():
    """A ratio in one run (median of 5, one thread each, as the detector runs)."""
    import time

    import torch

    model, x = vad._model(), _chunks(shared("speech_male_3436", 4.0, 16000), 16000)
    times: dict[str, list[float]] = {"stepwise": [], "batched": []}
    before = torch.get_num_threads()
    torch.set_num_threads(vad.DETECTOR_THREADS)
    try:
        with torch.inference_mode():
            for _ in range(5):
                for name, f in (("stepwise", vad._stepwise), ("batched", vad._probabilities)):
                    t = time.perf_counter()
                    f(model, x, 16000)
                    times[name].append(time.perf_counter() - t)
    finally:
        torch.set_num_threads(before)
    ratio = np.median(times["stepwise"]) / np.median(times["batched"])
    assert ratio > 2, times  # ~5-8x on two busy cores


FIRST_IMPORT = """
import sys
import numpy as np
from audiostyle import convert, run
from audiostyle.resolve import resolve_recipe

class Stop(Exception):
    pass

def detect_kind(*args, **kwargs):
    print("torch" in sys.modules)
    raise Stop

convert.detect_kind = detect_kind
y = np.zeros(8000, np.float32)
assert "torch" not in sys.modules
try:
    run.run(resolve_recipe("default", sample_rate=8000).resolved(), style=y, content=y)
except Stop:
    pass
"""


def test_the_detectors_time_is_not_torchs_first_import():
    """torch's import (~2 s) is every run's: the run's "speech" time starts after it."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", FIRST_IMPORT], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True"]
