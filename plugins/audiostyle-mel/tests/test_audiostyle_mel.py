"""audiostyle-mel: the contracts, the mel filterbank, a real transfer, the metric, the command."""

from __future__ import annotations

import json

import audiostyle_mel
import numpy as np
import pytest

from audiostyle.errors import ParameterError
from audiostyle.testing import check_plugin

SR = 8_000
TINY = {
    "sample_rate": SR,
    "transform_options": {"n_fft": 256},
    "steps": 8,
    "device": "cpu",
    "progress": False,
    "content_weight": 0.1,  # a loose content hold: both losses move in 8 steps
}


def test_plugin_follows_the_shared_contracts():
    # One line runs every stage contract over everything this plugin registers.
    results = check_plugin(
        audiostyle_mel,
        name="mel",
        options={"mel-cnn": {"n_filters": 16, "n_mels": 24}, "mel-gram": {"n_filters": 16}},
    )
    assert set(results) == {
        ("network", "mel-cnn"),
        ("metric", "mel-gram"),
        ("conditioner", "mel-tilt"),
        ("init", "mel-mean"),
    }
    assert "gradients flow to the input only" in results[("network", "mel-cnn")]


def test_filterbank_matches_librosa():
    import librosa
    import torch
    from audiostyle_mel.filterbank import mel_filterbank

    for sr, n_fft, n_mels, fmin, fmax in (
        (22_050, 2048, 128, 0.0, None),
        (16_000, 512, 40, 50, 7000),
    ):
        fb = mel_filterbank(
            n_bins=n_fft // 2 + 1, sample_rate=sr, n_mels=n_mels, f_min=fmin, f_max=fmax
        )
        ref = torch.from_numpy(
            librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
        )
        ref = ref / ref.sum(dim=1, keepdim=True)
        assert fb.shape == (n_mels, n_fft // 2 + 1)
        assert torch.allclose(fb, ref.float(), atol=1e-5)


def test_narrow_bands_are_interpolated_not_empty():
    import torch
    from audiostyle_mel.filterbank import mel_filterbank

    fb = mel_filterbank(n_bins=129, sample_rate=SR, n_mels=96)  # many bands < one bin
    assert float(fb.sum(dim=1).min()) == pytest.approx(1.0, abs=1e-5)
    centres = (fb * torch.arange(129)).sum(dim=1)
    assert bool((centres[1:] >= centres[:-1]).all())  # bands in frequency order


@pytest.mark.parametrize("freq", [300.0, 1000.0, 3000.0])
def test_a_sine_lands_in_the_band_of_its_frequency(freq):
    import torch
    from audiostyle_mel.filterbank import hz_to_mel, mel_to_hz
    from audiostyle_mel.network import MelCNN
    from audiostyle_mel.options import MelCNNOptions

    from audiostyle import dsp

    t = np.arange(SR // 2) / SR
    y = torch.from_numpy((0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32))
    rep = torch.log1p(dsp.stft(y, config=dsp.STFTConfig(512, 128, 512)).abs())
    net = MelCNN(MelCNNOptions(n_mels=40, n_filters=4), n_bins=257, sample_rate=SR)
    band = int(net.mel(rep.unsqueeze(0))[0].mean(dim=1).argmax())
    edges = mel_to_hz(np.linspace(0, float(hz_to_mel(SR / 2)), 42))
    assert edges[band] - 60 <= freq <= edges[band + 2] + 60  # within the peak band's triangle


def test_the_engine_passes_the_sample_rate(mel_plugin):
    from audiostyle.plugins import accepted_keywords, create

    net = create("network", "mel-cnn", {"n_filters": 4}, n_bins=129, optional={"sample_rate": SR})
    assert net.sample_rate == SR
    fixed = create("network", "mel-cnn", {"n_filters": 4, "sample_rate": 16000}, n_bins=129)
    assert fixed.sample_rate == 16000
    assert accepted_keywords(type(net), {"sample_rate": 1, "other": 2}) == {"sample_rate": 1}


def test_a_transfer_with_mel_cnn_lowers_both_losses(mel_plugin, male, female):
    import audiostyle

    result = audiostyle.transfer(
        male, female, network="mel-cnn", network_options={"n_filters": 64}, **TINY
    )
    assert result.audio.shape == male.shape and np.isfinite(result.audio).all()
    assert result.recipe.network.name == "mel-cnn"
    first, last = result.initial_losses, result.final_losses
    assert last["total"] < 0.5 * first["total"], (first, last)
    # The output moved towards the style's texture (judged by an independent metric).
    from audiostyle_mel.metric import MelGramDistance

    metric = MelGramDistance()
    before = metric.gram_distance(male, female, sample_rate=SR)
    after = metric.gram_distance(result.audio, female, sample_rate=SR)
    assert after < before, (before, after)


def test_bad_options_say_what_to_do(mel_plugin):
    from audiostyle.plugins import get_backend

    impl = get_backend("network", "mel-cnn")
    with pytest.raises(ParameterError, match="kernel_sizes.*e.g. 3,9,27"):
        impl.parse_options({"kernel_sizes": "0"})
    with pytest.raises(ParameterError, match="f_max"):
        impl.parse_options({"f_min": "500", "f_max": "100"})
    from audiostyle.plugins import create

    with pytest.raises(ParameterError, match="Nyquist"):
        create("network", "mel-cnn", {"f_max": "6000"}, n_bins=129, optional={"sample_rate": SR})


def test_metric_ranks_same_speaker_closer_than_noise(male, clip):
    from audiostyle_mel.metric import MelGramDistance

    metric = MelGramDistance()
    later = clip("content", seconds=0.5, offset=2.0)  # same speaker, other words
    noise = (0.1 * np.random.default_rng(0).standard_normal(male.shape[0])).astype(np.float32)
    assert metric.gram_distance(male, male, sample_rate=SR) == 0.0
    same = metric.gram_distance(later, male, sample_rate=SR)
    other = metric.gram_distance(noise, male, sample_rate=SR)
    assert 0 < same < other
    with pytest.raises(ParameterError, match="at least n_fft"):
        metric.gram_distance(male[:100], male, sample_rate=SR)


def test_mel_distance_command(mel_plugin, tmp_path, male, female):
    import soundfile as sf
    from typer.testing import CliRunner

    from audiostyle.cli.app import build_app

    a, b = tmp_path / "male.wav", tmp_path / "female.wav"
    sf.write(a, male, SR)
    sf.write(b, female, SR)
    app = build_app()
    runner = CliRunner()
    res = runner.invoke(
        app, ["mel-distance", str(a), str(a), str(b), "--sample-rate", str(SR), "--json"]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["distances"]
    assert rows[0]["mel_gram"] == 0.0 and rows[0]["log_mel"] == 0.0
    assert rows[1]["mel_gram"] > 0.05 and rows[1]["log_mel"] > 0.05
    res = runner.invoke(app, ["mel-distance", str(a), str(tmp_path / "missing.wav")])
    assert res.exit_code != 0 and "missing.wav" in res.output and "Traceback" not in res.output


def test_mel_tilt_moves_a_voice_toward_the_style_tilt():
    from audiostyle_mel.tilt import tilt_db_per_octave

    import audiostyle
    from audiostyle.audio import load
    from audiostyle.contracts.conversion import ConversionContext
    from audiostyle.plugins import create

    rate = 16_000
    male = load(audiostyle.demo_clip("content"), sample_rate=rate, offset=0.5, duration=2.0)
    female = load(audiostyle.demo_clip("style"), sample_rate=rate, offset=0.5, duration=2.0)
    with plugin_registered_here():
        world = create("analysis", "world", {}, sample_rate=rate)
        c, s = world.analyze(male), world.analyze(female)
        out = create("conditioner", "mel-tilt", {}).condition(c, s, context=ConversionContext())
    have, want = (tilt_db_per_octave(a, f_min=100.0) for a in (c, s))
    got = tilt_db_per_octave(out, f_min=100.0)
    assert abs(want - have) > 0.5  # two voices with different brightness
    assert abs(got - want) < 0.2 * abs(want - have)
    assert np.isclose(out.envelope.sum(), c.envelope.sum())  # energy kept
    with pytest.raises(ParameterError, match="strength"):
        create_options = {"strength": 2}
        with plugin_registered_here():
            create("conditioner", "mel-tilt", create_options)


def plugin_registered_here():
    from audiostyle.testing import plugin_registered

    return plugin_registered(audiostyle_mel, name="mel")


def test_mel_mean_starts_a_texture_with_the_style_colour(mel_plugin, female):
    import torch

    from audiostyle import api

    kw = {**TINY, "steps": 0, "network_options": {"n_filters": 16}, "preset": "colour"}
    kw["envelope"] = 0.0
    flat = api.texture(female, duration=0.5, init="noise", **kw)
    coloured = api.texture(female, duration=0.5, init="mel-mean", init_options={"n_mels": 16}, **kw)
    assert coloured.recipe.init == "mel-mean" and np.isfinite(coloured.audio).all()

    def spectrum(y):
        mag = torch.stft(
            torch.from_numpy(y), 256, window=torch.hann_window(256), return_complex=True
        )
        return torch.log1p(mag.abs()).mean(dim=-1)

    target = spectrum(female)
    # The style's long-term colour is there before any optimisation step; noise has none.
    near = float((spectrum(coloured.audio) - target).abs().mean())
    far = float((spectrum(flat.audio) - target).abs().mean())
    assert near < 0.5 * far


def test_mel_mean_says_it_applies_to_the_spectrogram_only(mel_plugin):
    from audiostyle import api

    with pytest.raises(
        ParameterError, match="init='mel-mean' only applies to domain='spectrogram'"
    ):
        api.resolve_recipe(init="mel-mean", domain="waveform").validate()
