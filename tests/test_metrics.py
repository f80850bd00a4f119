"""Quality metrics on known cases: real speech, noise, silence, synthesized sentences."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audiostyle import plugins
from audiostyle.errors import DependencyError
from audiostyle.metrics.base import Metric
from tests.conftest import SHARED_AUDIO, SR, chirp, noise, sine

BUILTIN = ("lsd", "spectral-convergence", "mfcc-timbre")
EVAL = ("speaker-similarity", "wer", "dnsmos")


def metric(name, **options):
    return plugins.create("metric", name, options)


def shared(name, *, sample_rate, offset, duration):
    from audiostyle.audio import load

    return load(
        SHARED_AUDIO / f"{name}.ogg", sample_rate=sample_rate, offset=offset, duration=duration
    )


def with_noise(y, snr_db, seed=0):
    rng = np.random.default_rng(seed)
    n = rng.standard_normal(y.shape[0]).astype(np.float32)
    n *= np.sqrt(np.mean(y**2) / np.mean(n**2)) * 10 ** (-snr_db / 20)
    return (y + n).astype(np.float32)


def test_every_metric_is_registered_with_its_extra():
    found = plugins.available("metric")
    assert set(BUILTIN + EVAL) <= set(found)
    for name in EVAL:
        assert found[name].extra.get("extra") == "eval"
        assert issubclass(found[name].load(), Metric)
    for name in BUILTIN:
        assert not found[name].extra.get("extra")


@pytest.mark.parametrize("name", BUILTIN)
def test_identical_signals_give_zero_distance(name, speech, speech_female):
    value = metric(name)(speech, sample_rate=SR, content=speech, style=speech, target=speech)
    assert value and all(abs(v) < 1e-9 for v in value.values()), value
    # ... and a different clip is far away.
    other = metric(name)(speech_female, sample_rate=SR, content=speech, style=speech)
    assert all(v > 0.1 for v in other.values()), other


@pytest.mark.parametrize("name", BUILTIN)
def test_a_loudness_change_costs_nothing(name, speech):
    value = metric(name)(0.2 * speech, sample_rate=SR, content=speech, style=speech)
    assert all(abs(v) < 1e-4 for v in value.values()), value  # float32 rounding only


def test_lsd_grows_with_noise_and_stays_bounded_for_silence(speech):
    lsd = metric("lsd")
    scores = [
        lsd(with_noise(speech, snr), sample_rate=SR, content=speech)["to_content"]
        for snr in (30, 10, 0)
    ]
    assert scores[0] < scores[1] < scores[2], scores
    silence = np.zeros_like(speech)
    to_silence = lsd(silence, sample_rate=SR, content=speech)["to_content"]
    assert np.isfinite(to_silence) and scores[2] < to_silence <= 80.0
    assert lsd(silence, sample_rate=SR, content=silence)["to_content"] == 0.0
    floor = metric("lsd", floor_db=40)(silence, sample_rate=SR, content=speech)["to_content"]
    assert floor <= 40.0 and floor < to_silence


def test_spectral_convergence_ranks_degradations(speech):
    sc = metric("spectral-convergence")
    a = sc(with_noise(speech, 20), sample_rate=SR, content=speech)["to_content"]
    b = sc(with_noise(speech, 0), sample_rate=SR, content=speech)["to_content"]
    c = sc(noise(seconds=0.5), sample_rate=SR, content=speech)["to_content"]
    assert 0 < a < b < c <= 1.0 + 1e-9


def test_metrics_compare_the_common_part_of_clips_of_different_lengths():
    long, short = chirp(200, 2000, seconds=0.5), chirp(200, 2000, seconds=0.5)[:3000]
    assert metric("lsd")(long, sample_rate=SR, target=short)["to_target"] < 3.0


def test_mfcc_timbre_tells_speakers_apart():
    """Another excerpt of the same reader is closer in timbre than the other reader."""
    rate = 16_000
    male_a = shared("speech_male_3436", sample_rate=rate, offset=1.0, duration=4.0)
    male_b = shared("speech_male_3436", sample_rate=rate, offset=6.0, duration=4.0)
    female = shared("speech_female_198", sample_rate=rate, offset=1.0, duration=4.0)
    value = metric("mfcc-timbre")(male_a, sample_rate=rate, style=male_b, content=female)
    assert value["to_style"] < 0.8 * value["to_content"], value


def test_mfcc_timbre_of_tones_depends_on_timbre_not_loudness():
    t = np.arange(SR // 2) / SR
    square = (0.3 * np.sign(np.sin(2 * np.pi * 220 * t))).astype(np.float32)
    pure = sine(220)
    m = metric("mfcc-timbre")
    assert m(0.1 * pure, sample_rate=SR, style=pure)["to_style"] < 1e-6
    assert m(square, sample_rate=SR, style=pure)["to_style"] > 1.0


def test_missing_inputs_are_named():
    lsd = plugins.get_backend("metric", "lsd").load()
    assert lsd.missing_inputs({"style"}) == "needs content or target"
    assert lsd.missing_inputs({"target"}) is None
    wer = plugins.get_backend("metric", "wer").load()
    assert wer.missing_inputs({"text"}) is None
    speaker = plugins.get_backend("metric", "speaker-similarity").load()
    assert speaker.missing_inputs({"content"}) == "needs style"


def test_a_missing_extra_names_the_install(monkeypatch, speech):
    from audiostyle.metrics import perceptual

    perceptual.voice_encoder.cache_clear()
    monkeypatch.setitem(sys.modules, "resemblyzer", None)  # import now fails
    try:
        with pytest.raises(DependencyError, match=r"pip install 'audiostyle\[eval\]'"):
            metric("speaker-similarity")(speech, sample_rate=SR, style=speech)
    finally:
        perceptual.voice_encoder.cache_clear()


def test_bad_metric_options_are_refused():
    from audiostyle.errors import ParameterError

    with pytest.raises(ParameterError, match="floor_db"):
        metric("lsd", floor_db=-3)
    with pytest.raises(ParameterError, match="n_mfcc"):
        metric("mfcc-timbre", n_mfcc=80)


def test_word_error_rate_arithmetic():
    from audiostyle.metrics.perceptual import word_error_rate

    assert word_error_rate("The cat, sat.", "the cat sat") == 0.0
    assert word_error_rate("a b c d", "a x c") == 0.5  # one substitution, one deletion
    assert word_error_rate("a b", "a b c d") == 1.0  # two insertions


# -- perceptual models (eval extra) ---------------------------------------------------------
@pytest.mark.eval
def test_speaker_is_more_similar_to_itself_than_to_another_speaker():
    rate = 16_000
    male_a = shared("speech_male_3436", sample_rate=rate, offset=1.0, duration=3.0)
    male_b = shared("speech_male_3436", sample_rate=rate, offset=8.0, duration=3.0)
    female = shared("speech_female_198", sample_rate=rate, offset=1.0, duration=3.0)
    value = metric("speaker-similarity")(male_a, sample_rate=rate, style=male_b, content=female)
    assert value["to_style"] > value["to_content"] + 0.1, value
    assert value["to_style"] > 0.75
    same = metric("speaker-similarity")(male_a, sample_rate=rate, style=male_a)
    assert same["to_style"] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.eval
def test_white_noise_scores_worse_dnsmos_than_speech():
    rate = 16_000
    speech = shared("speech_female_198", sample_rate=rate, offset=1.0, duration=3.0)
    white = noise(seconds=3.0, sample_rate=rate, seed=1)
    dnsmos = metric("dnsmos")
    clean, hiss = dnsmos(speech, sample_rate=rate), dnsmos(white, sample_rate=rate)
    assert set(clean) == {"ovrl", "sig", "bak", "p808"}
    assert clean["ovrl"] > hiss["ovrl"] + 1.0, (clean, hiss)
    assert clean["bak"] > hiss["bak"]
    # A resampled input (22.05 kHz) scores like the 16 kHz one.
    at_22k = shared("speech_female_198", sample_rate=22_050, offset=1.0, duration=3.0)
    assert dnsmos(at_22k, sample_rate=22_050)["ovrl"] == pytest.approx(clean["ovrl"], abs=0.2)


SENTENCE = "we need to go to the station at seven in the morning"


def festival_say(text: str, path: Path) -> Path:
    """``text`` spoken by festival's default voice into ``path``, or a skip naming the package.

    ``festival`` brings no voice: without ``festvox-kallpc16k`` text2wave writes an empty file
    (or fails with "unbound variable: voice_...").
    """
    text2wave = shutil.which("text2wave")
    if text2wave is None:
        pytest.skip("festival's text2wave is not installed (apt-get install festival)")
    done = subprocess.run(
        [text2wave, "-o", str(path)],
        input=text,
        text=True,
        check=False,
        capture_output=True,
        timeout=120,
    )
    if done.returncode != 0 or not path.is_file() or path.stat().st_size <= 44:
        said = " ".join((done.stderr or done.stdout).split())[-200:]
        pytest.skip(
            "festival has no voice (apt-get install festvox-kallpc16k); "
            f"text2wave exit {done.returncode}: {said or 'no audio'}"
        )
    return path


@pytest.fixture(scope="module")
def spoken_sentence(tmp_path_factory):
    """SENTENCE spoken by festival's default voice (Debian packages festival, festvox-kallpc16k)."""
    path = festival_say(SENTENCE, tmp_path_factory.mktemp("tts") / "sentence.wav")
    from audiostyle.audio import load

    return load(path, sample_rate=16_000)


@pytest.mark.parametrize(
    "script",
    [
        ': > "$2"',  # an empty file, exit 0 (text2wave without a voice)
        'echo "SIOD ERROR: unbound variable : voice_kal_diphone" >&2; exit 255',
    ],
)
def test_missing_festival_voice_is_a_skip_naming_the_package(tmp_path, monkeypatch, script):
    fake = tmp_path / "bin" / "text2wave"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    with pytest.raises(pytest.skip.Exception, match="apt-get install festvox-kallpc16k"):
        festival_say(SENTENCE, tmp_path / "said.wav")


@pytest.mark.eval
@pytest.mark.synth
def test_wer_of_clean_speech_is_low_and_noise_raises_it(spoken_sentence):
    wer = metric("wer")
    clean = wer(0.5 * spoken_sentence, sample_rate=16_000, content=spoken_sentence, text=SENTENCE)
    assert clean["vs_text"] <= 0.1 and clean["vs_content"] <= 0.1, clean
    noisy = wer(
        with_noise(spoken_sentence, -5), sample_rate=16_000, content=spoken_sentence, text=SENTENCE
    )
    assert noisy["vs_text"] >= 0.3 and noisy["vs_text"] > clean["vs_text"], noisy
