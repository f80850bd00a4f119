"""Presets: the published recipes with their exact values, runnable by name (issue 3).

The expected values below are copied from ../shared/DESIGN.md ("The published recipes,
exact values"), not from audiostyle/presets.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from audiostyle import api, engine
from audiostyle.cli.app import build_app
from audiostyle.options import as_dict
from audiostyle.plugins import create
from audiostyle.presets import PRESETS, get_preset
from audiostyle.recipe import Recipe, loads_toml
from tests.conftest import SR, tiny_flags

# "All four: librosa-style log1p|STFT|, Hann window, centred, hop = n_fft // 4, Griffin-Lim
# from uniform random phase with no momentum."
COMMON_STFT = {"window": "hann", "center": True}
RANDOM_GL = {"init": "random", "momentum": 0.0}

PUBLISHED = {
    "ulyanov2016": {
        "n_fft": 2048,
        "network": (
            "random-cnn",
            {
                "n_filters": 4096,
                "kernel_size": 11,
                "padding": "none",
                "bias": False,
                "init": "ulyanov",
                "activation": "relu",
            },
        ),
        # alpha * sum (F - Fc)^2 + sum (G - Gs)^2, alpha = 1e-2, G = F^T F / frames
        "losses": {
            "content": (1e-2, {"reduction": "sum", "scale": 1.0, "divisor": "none"}),
            "style": (
                1.0,
                {"normalize": "frames", "reduction": "sum", "scale": 1.0, "divisor": "none"},
            ),
        },
        "optimizer": ("lbfgs", {"history_size": 10, "line_search": "strong_wolfe"}),
        "steps": 300,
        "init": "noise",
        "noise_scale": 1e-3,
        "clamp": None,
        "gl_iter": 500,
    },
    "seed2020": {
        "n_fft": 2048,
        "network": (
            "seed-cnn",
            {
                "n_filters": 4096,
                "kernel_size": 3,
                "padding": "same",
                "activation": "relu",
                "init": "default",
                "bias": True,
                "conv2_input": "hidden",
            },
        ),
        # 1000 * MSE(1000 G, 1000 Gs) + 2 * MSE(2 F, 2 Fc), G = F F^T / (a b c)
        "losses": {
            "content": (2.0, {"reduction": "mean", "scale": 2.0, "divisor": "none"}),
            "style": (
                1000.0,
                {
                    "normalize": "elements",
                    "reduction": "mean",
                    "scale": 1000.0,
                    "divisor": "none",
                },
            ),
        },
        "optimizer": ("adam", {"lr": 1e-4}),
        "steps": 20_000,
        "init": "content",
        "clamp": 1.0,
        "gl_iter": 500,
    },
    "dipani2018": {
        "n_fft": 2048,
        "network": (
            "random-cnn",
            {
                "n_filters": 4096,
                "kernel_size": 3,
                "padding": "same",
                "activation": "none",
                "init": "default",
                "bias": True,
            },
        ),
        # style only: MSE(2500 G, 2500 Gs), G / (a b c)
        "losses": {
            "style": (
                1.0,
                {
                    "normalize": "elements",
                    "reduction": "mean",
                    "scale": 2500.0,
                    "divisor": "none",
                },
            ),
        },
        "optimizer": ("adam", {"lr": 0.03}),
        "steps": 2500,
        "init": "content",
        "clamp": 1.0,
        "gl_iter": 500,
    },
    "mazzzystar2018": {
        "n_fft": 512,
        "network": (
            "random-cnn-2d",
            {
                "n_filters": 32,
                "kernel_freq": 3,
                "kernel_time": 1,
                "init": "normal",
                "bias": True,
                "activation": "leaky_relu",
                "padding": "none",
            },
        ),
        # 100 sum (A - Ac)^2 / (4 C H W) + sum (G - Gs)^2 / (4 C^2 H W), G = A A^T over time
        "losses": {
            "content": (100.0, {"reduction": "sum", "scale": 1.0, "divisor": "4chw"}),
            "style": (
                1.0,
                {"normalize": "none", "reduction": "sum", "scale": 1.0, "divisor": "4c2hw"},
            ),
        },
        "optimizer": ("adam", {"lr": 1e-3}),
        "steps": 20_000,
        "init": "noise",
        "noise_scale": 1e-3,
        "clamp": None,
        "gl_iter": 50,
    },
}

TINY_OVERRIDES = {
    "sample_rate": SR,
    "steps": 2,
    "device": "cpu",
    "transform_options": {"n_fft": 256},
    "network_options": {"n_filters": 32},
    "phase_options": {"n_iter": 3},
}

runner = CliRunner()


def test_every_design_preset_is_registered():
    assert set(PUBLISHED) | {"default", "voice", "instrument"} <= set(PRESETS)


@pytest.mark.parametrize("name", PUBLISHED)
def test_resolved_settings_equal_the_published_values(name):
    want = PUBLISHED[name]
    recipe = get_preset(name)
    built = recipe.validate()
    stft = built["transform"]
    assert stft.n_fft == want["n_fft"]
    assert stft.resolved_hop_length == want["n_fft"] // 4
    assert stft.resolved_win_length == want["n_fft"]
    assert {k: getattr(stft, k) for k in COMMON_STFT} == COMMON_STFT
    assert recipe.sample_rate == 22_050  # librosa.load's rate in every published code
    net_name, net_opts = want["network"]
    assert recipe.network.name == net_name
    assert {k: as_dict(built["network"])[k] for k in net_opts} == net_opts
    assert set(built["losses"]) == set(want["losses"])
    for term, (weight, opts) in want["losses"].items():
        assert recipe.losses[term].weight == weight
        resolved = as_dict(built["losses"][term])
        assert {k: resolved[k] for k in opts} == opts, term
    opt_name, opt_opts = want["optimizer"]
    assert recipe.optimizer.name == opt_name
    assert {k: as_dict(built["optimizer"])[k] for k in opt_opts} == opt_opts
    if opt_name == "adam":  # PyTorch's defaults, as every published code used
        assert (built["optimizer"].beta1, built["optimizer"].beta2) == (0.9, 0.999)
    assert recipe.steps == want["steps"]
    assert recipe.init == want["init"]
    if want["init"] == "noise":
        assert recipe.noise_scale == want["noise_scale"]
    assert recipe.clamp == want["clamp"]
    assert recipe.phase.name == "griffin-lim"
    assert built["phase"].n_iter == want["gl_iter"]
    assert {k: as_dict(built["phase"])[k] for k in RANDOM_GL} == RANDOM_GL
    assert recipe.domain == "spectrogram"


@pytest.mark.parametrize("name", PUBLISHED)
def test_clamping_presets_say_what_the_clamp_does(name):
    desc = PRESETS[name].description
    if PUBLISHED[name]["clamp"] is None:
        assert "clamp" not in desc
    else:
        assert "[0, 1]" in desc and "energy" in desc and "buzzy" in desc


def _published_objective(name: str, out, content, style) -> torch.Tensor:
    """The table's loss formula, written out by hand on feature maps (batch 1)."""
    if name == "ulyanov2016":
        f, fc, fs = out[0], content[0], style[0]  # (filters, frames)
        g = f @ f.T / f.shape[1]
        gs = fs @ fs.T / fs.shape[1]
        return 1e-2 * (f - fc).pow(2).sum() + (g - gs).pow(2).sum()
    if name in ("seed2020", "dipani2018"):
        a, b, c = out.shape
        f, fs = out.reshape(a * b, c), style.reshape(a * b, style.shape[-1])
        g = f @ f.T / (a * b * c)
        gs = fs @ fs.T / (a * b * style.shape[-1])
        style_term = torch.mean((2500 * g - 2500 * gs) ** 2)
        if name == "dipani2018":
            return style_term
        style_term = 1000 * torch.mean((1000 * g - 1000 * gs) ** 2)
        return style_term + 2 * torch.mean((2 * out - 2 * content) ** 2)
    if name == "mazzzystar2018":
        m, n_c, n_h, n_w = out.shape
        content_term = (out - content).pow(2).sum() / (4 * m * n_c * n_h * n_w)
        a = out.reshape(m * n_c * n_h, n_w)
        s = style.reshape(m * n_c * n_h, style.shape[-1])
        style_term = (a @ a.T - s @ s.T).pow(2).sum() / (4 * n_c**2 * (n_h * n_w))
        return 100 * content_term + style_term
    raise AssertionError(name)


@pytest.mark.parametrize("name", PUBLISHED)
def test_loss_formula_matches_the_published_one(name, speech, speech_female):
    recipe = api.resolve_recipe(name, **TINY_OVERRIDES)
    built = recipe.validate()
    transform = create("transform", recipe.transform.name, built["transform"], sample_rate=SR)
    net = create("network", recipe.network.name, built["network"], n_bins=transform.n_bins, seed=1)

    def feats(wave):
        rep = torch.log1p(transform.stft(torch.as_tensor(wave)).abs())
        return net(rep.unsqueeze(0))

    content, style = feats(speech), feats(speech_female)
    # An output between the two, as during an optimisation.
    out = feats(0.7 * speech + 0.3 * speech_female)
    total = 0.0
    for term, choice in recipe.losses.items():
        loss = create("loss", term, built["losses"][term], network=net)
        loss.prepare(content=content, style=style)
        total = total + choice.weight * loss(out)
    layer = net.style_layers[0]
    assert net.content_layers == net.style_layers == (layer,)
    expected = _published_objective(name, out[layer], content[layer], style[layer])
    assert float(expected) > 0
    assert torch.allclose(total, expected.to(total.dtype), rtol=2e-3), (total, expected)


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_runs_on_a_real_clip(name, speech, speech_female):
    result = api.transfer(speech, speech_female, preset=name, progress=False, **TINY_OVERRIDES)
    assert result.audio.shape == speech.shape
    assert np.isfinite(result.audio).all() and np.abs(result.audio).max() > 1e-4
    routes = set(PRESETS[name].build().route.values())  # default: the preset it routed to
    assert result.steps_done == 2 and result.recipe.preset in ({name} | routes)
    assert all(math.isfinite(v) for v in result.final_losses.values())
    # Only the overridden values changed (the result holds every option resolved).
    published = get_preset(name).resolved()
    assert result.recipe.optimizer == published.optimizer
    assert result.recipe.losses == published.losses
    assert result.recipe.clamp == published.clamp


@pytest.mark.parametrize("name", ["seed2020", "dipani2018"])
def test_the_clamp_caps_the_log_magnitude(name, speech, speech_female):
    recipe = api.resolve_recipe(name, **TINY_OVERRIDES)
    out = engine.run(recipe, style=speech_female, content=speech)
    assert float(out.magnitude.max()) <= math.e - 1 + 1e-5
    recipe.apply({"clamp": "none"})  # how a recipe file turns it off
    assert recipe.clamp is None
    free = engine.run(recipe, style=speech_female, content=speech)
    assert float(free.magnitude.max()) > 2 * (math.e - 1)  # loud speech exceeds the cap


def test_explicit_flags_override_preset_values(tmp_path, wav_files):
    content, style = wav_files
    saved = tmp_path / "r.toml"
    r = runner.invoke(
        build_app(),
        [
            "transfer",
            str(content),
            str(style),
            "-o",
            str(tmp_path / "o.wav"),
            "--preset",
            "seed2020",
            *tiny_flags(preset=None),
            "--content-weight",
            "5",
            "--optimizer-opt",
            "lr=0.01",
            "--phase-opt",
            "n_iter=2",
            "--loss",
            "style.scale=10",
            "--save-recipe",
            str(saved),
            "--quiet",
        ],
    )
    assert r.exit_code == 0, r.output
    again = Recipe.load(saved)
    built = again.validate()
    assert again.preset == "seed2020"
    # Overridden by flags ...
    assert again.steps == 5 and again.sample_rate == SR
    assert built["transform"].n_fft == 256
    assert built["network"].n_filters == 32
    assert again.losses["content"].weight == 5.0
    assert built["optimizer"].lr == 0.01
    assert built["phase"].n_iter == 2
    assert built["losses"]["style"].scale == 10.0
    # ... and everything else is still the published recipe.
    want = PUBLISHED["seed2020"]
    assert again.losses["style"].weight == 1000.0
    assert built["losses"]["content"].scale == 2.0
    assert built["losses"]["style"].normalize == "elements"
    assert again.network.name == "seed-cnn"
    assert built["network"].kernel_size == want["network"][1]["kernel_size"]
    assert built["network"].init == "default"
    assert built["phase"].init == "random"
    assert again.init == "content" and again.clamp == 1.0


def test_presets_command_lists_and_prints_them():
    r = runner.invoke(build_app(), ["presets"])
    assert r.exit_code == 0, r.output
    for name in PRESETS:
        assert name in r.output
    r = runner.invoke(build_app(), ["presets", "mazzzystar2018"])
    assert r.exit_code == 0, r.output
    again = Recipe.from_dict(loads_toml(r.output), base=Recipe())
    assert again.to_dict() == get_preset("mazzzystar2018").to_dict()
    r = runner.invoke(build_app(), ["presets", "ulyanov"])
    assert r.exit_code != 0 and "ulyanov2016" in r.output and "Traceback" not in r.output
