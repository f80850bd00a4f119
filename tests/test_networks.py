"""Feature networks: shapes, frozen seeded weights, gradients, options (issue 3)."""

from __future__ import annotations

import math

import pytest
import torch

from audiostyle.errors import ParameterError
from audiostyle.losses.gram import StyleLoss
from audiostyle.losses.options import StyleLossOptions
from audiostyle.plugins import create, get_backend
from audiostyle.transforms.options import STFTOptions
from tests.conftest import SR, chirp

N_FFT = 256
N_BINS = N_FFT // 2 + 1  # 129

# name -> (tiny options, expected shapes of every map for an input of T frames)
NETWORKS = {
    "random-cnn": ({"n_filters": 16}, lambda t: {"conv": (1, 16, t - 10)}),
    "seed-cnn": (
        {"n_filters": 16},
        lambda t: {"conv1": (1, 16, t), "conv2": (1, 16, t)},
    ),
    "random-cnn-2d": ({"n_filters": 8}, lambda t: {"conv": (1, 8, N_BINS - 2, t)}),
    "multiscale": (
        {"n_filters": 8, "kernel_sizes": [3, 5, 9]},
        lambda t: {"k3": (1, 8, t), "k5": (1, 8, t), "k9": (1, 8, t)},
    ),
    "deep-cnn": (
        {"n_filters": 8, "n_layers": 3},
        lambda t: {"conv1": (1, 8, t), "conv2": (1, 8, t), "conv3": (1, 8, t)},
    ),
}


def build(name: str, *, seed: int = 0, n_bins: int = N_BINS, **opts):
    options = {**NETWORKS[name][0], **opts}
    return create("network", name, options, n_bins=n_bins, seed=seed, device="cpu")


def spectrogram(wave) -> torch.Tensor:
    """log1p |STFT| of a real signal, (1, bins, frames)."""
    t = create("transform", "torch", STFTOptions(n_fft=N_FFT), sample_rate=SR)
    return torch.log1p(t.stft(torch.as_tensor(wave)).abs()).unsqueeze(0)


@pytest.fixture
def rep(speech) -> torch.Tensor:
    return spectrogram(speech)


@pytest.mark.parametrize("name", NETWORKS)
def test_shapes_and_declared_layers(name, rep):
    net = build(name)
    feats = net(rep)
    frames = rep.shape[-1]
    assert {k: tuple(v.shape) for k, v in feats.items()} == NETWORKS[name][1](frames)
    for layer in (*net.content_layers, *net.style_layers):
        assert layer in feats
        assert torch.isfinite(feats[layer]).all()
    # Time is the last axis of every map.
    assert all(v.shape[-1] <= frames for v in feats.values())


@pytest.mark.parametrize("name", NETWORKS)
def test_weights_frozen_and_seeded(name, rep):
    a, b, other = build(name, seed=7), build(name, seed=7), build(name, seed=8)
    assert not a.training
    params = list(a.parameters())
    assert params and all(not p.requires_grad for p in params)
    for (ka, pa), (kb, pb), (_, po) in zip(
        a.state_dict().items(), b.state_dict().items(), other.state_dict().items(), strict=True
    ):
        assert ka == kb
        assert torch.equal(pa, pb), ka
        if ka.endswith("weight"):
            assert not torch.equal(pa, po), f"{ka} is the same for seeds 7 and 8"
    fa, fo = a(rep), other(rep)
    layer = a.style_layers[0]
    assert torch.equal(fa[layer], b(rep)[layer])
    assert not torch.allclose(fa[layer], fo[layer])
    # Weights come from the network's own generator, never the global RNG.
    torch.manual_seed(123)
    c = build(name, seed=7)
    torch.manual_seed(456)
    assert all(
        torch.equal(x, y)
        for x, y in zip(
            c.state_dict().values(), build(name, seed=7).state_dict().values(), strict=True
        )
    )


@pytest.mark.parametrize("name", NETWORKS)
def test_gradients_reach_the_input(name, rep):
    net = build(name)
    x = rep.clone().requires_grad_(True)
    feats = net(x)
    loss = sum(feats[k].pow(2).sum() for k in net.style_layers)
    loss.backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    assert x.grad.abs().sum() > 0
    assert all(p.grad is None for p in net.parameters())


@pytest.mark.parametrize(
    ("name", "options", "words"),
    [
        ("random-cnn", {"n_filters": 0}, "n_filters=0"),
        ("seed-cnn", {"kernel_size": 0}, "kernel_size=0"),
        ("seed-cnn", {"conv2_input": "rwa"}, "hidden, raw"),
        ("random-cnn-2d", {"kernel_freq": 0}, "kernel_freq=0"),
        ("random-cnn-2d", {"activation": "sigmoid"}, "relu, leaky_relu"),
        ("multiscale", {"kernel_sizes": "3,3"}, "repeats a width"),
        ("multiscale", {"kernel_sizes": ""}, "empty"),
        ("deep-cnn", {"n_layers": 3, "kernel_size": "3,5"}, "one per layer"),
        ("deep-cnn", {"dilation_base": 0}, "dilation_base=0"),
        ("deep-cnn", {"init": "xavier"}, "ulyanov, kaiming"),
    ],
)
def test_options_validated(name, options, words):
    with pytest.raises(ParameterError, match=None) as info:
        get_backend("network", name).parse_options(options)
    assert words in str(info.value)
    assert name in str(info.value)


@pytest.mark.parametrize("name", ["random-cnn-2d", "multiscale", "deep-cnn", "seed-cnn"])
def test_valid_convolution_on_too_short_input_says_what_to_do(name):
    net = build(name, padding="none")
    short = torch.rand(1, 2, 5) if name == "random-cnn-2d" else torch.rand(1, N_BINS, 2)
    with pytest.raises(ParameterError, match="padding=same"):
        net(short)


def test_ulyanov_init_matches_published_sigma():
    # sigma = sqrt(2) * sqrt(2 / ((bins + filters) * width)), Ulyanov & Lebedev's code.
    net = create(
        "network", "random-cnn", {"n_filters": 256, "kernel_size": 11}, n_bins=N_BINS, seed=0
    )
    sigma = math.sqrt(2) * math.sqrt(2 / ((N_BINS + 256) * 11))
    w = net.conv.weight
    assert w.shape == (256, N_BINS, 11) and net.conv.bias is None
    assert abs(float(w.std()) / sigma - 1) < 0.01
    assert abs(float(w.mean())) < 0.01 * sigma


def test_seed_cnn_default_init_is_pytorchs_uniform():
    net = build("seed-cnn", n_filters=64)
    for conv, fan_in in ((net.conv1, N_BINS * 3), (net.conv2, 64 * 3)):
        bound = 1 / math.sqrt(fan_in)
        for p in (conv.weight, conv.bias):
            assert float(p.abs().max()) <= bound
            assert float(p.abs().max()) > 0.95 * bound  # uniform, not a narrow normal
        assert abs(float(conv.weight.std()) / (bound / math.sqrt(3)) - 1) < 0.05


def test_seed_cnn_is_conv2_of_relu_of_conv1(rep):
    net = build("seed-cnn")
    hidden = torch.relu(net.conv1(rep))
    assert torch.allclose(net(rep)["conv2"], net.conv2(hidden))
    assert (net(rep)["conv1"] >= 0).all()


def test_seed_cnn_bug_option_is_linear_in_the_input(rep):
    # conv2_input=raw: conv2 reads the spectrogram, as the blog's code wrote it.
    net = build("seed-cnn", conv2_input="raw", bias=False)
    assert net.conv1 is None and net.conv2.in_channels == N_BINS
    f = net(rep)
    assert set(f) == {"conv2"}
    assert torch.allclose(net(3 * rep)["conv2"], 3 * f["conv2"], rtol=1e-4, atol=1e-4)
    # The intended network is not linear (ReLU between the layers).
    net2 = build("seed-cnn", bias=False)
    assert not torch.allclose(net2(-rep)["conv2"], -net2(rep)["conv2"], atol=1e-4)


def test_random_cnn_2d_is_mazzzystars_and_gram_is_over_time(rep):
    net = build("random-cnn-2d")
    w, b = net.conv.weight, net.conv.bias
    assert w.shape == (8, 1, 3, 1)
    assert torch.count_nonzero(b) == 0  # zero bias, N(0, 1) weights
    big = create("network", "random-cnn-2d", {"n_filters": 512}, n_bins=N_BINS)
    assert abs(float(big.conv.weight.std()) - 1) < 0.1
    a = net(rep)["conv"]
    assert torch.allclose(
        a, torch.nn.functional.leaky_relu(torch.nn.functional.conv2d(rep.unsqueeze(1), w, b), 0.2)
    )
    # The style loss sees the (C*H, W) matrix: a (C*H)^2 Gram over the time axis.
    style = StyleLoss(StyleLossOptions(normalize="none", form="channels"), network=net)
    other = net(spectrogram(chirp(300, 3000)))
    style.prepare(content=None, style=other)
    rows = a.shape[1] * a.shape[2]
    ma, mo = a.reshape(rows, -1), other["conv"].reshape(rows, -1)
    assert ma.shape[-1] == rep.shape[-1]
    expected = (ma @ ma.T - mo @ mo.T).pow(2).sum()
    assert style.targets["conv"]["gram"].shape == (1, rows, rows)
    assert torch.allclose(style({"conv": a}), expected, rtol=1e-4)


def test_multiscale_sums_one_gram_loss_per_width(rep):
    net = build("multiscale")
    assert net.style_layers == ("k3", "k5", "k9") == net.content_layers
    assert [c.kernel_size[0] for c in net.convs.values()] == [3, 5, 9]
    style_rep = spectrogram(chirp(200, 2000))
    out, target = net(rep), net(style_rep)
    loss = StyleLoss(StyleLossOptions(), network=net)
    loss.prepare(content=None, style=target)
    per_scale = []
    for k in net.style_layers:
        f, s = out[k][0], target[k][0]
        per_scale.append((f @ f.T / f.shape[-1] - s @ s.T / s.shape[-1]).pow(2).sum())
    assert all(p > 0 for p in per_scale)
    assert torch.allclose(loss(out), sum(per_scale), rtol=1e-4)
    narrow = build("multiscale", content_layers="narrowest")
    assert narrow.content_layers == ("k3",)


def test_deep_cnn_receptive_field_grows_with_dilation():
    # Gradient support of one output frame = the receptive field.
    net = build("deep-cnn", n_layers=3, kernel_size=[3], dilation_base=2, bias=False)
    assert net.receptive_field == 1 + 2 * (1 + 2 + 4)
    x = torch.rand(1, N_BINS, 64, requires_grad=True)
    net(x)["conv3"][..., 32].sum().backward()
    support = torch.nonzero(x.grad.abs().sum(dim=1)[0]).flatten()
    assert support.min() >= 32 - 7 and support.max() <= 32 + 7
    assert support.max() - support.min() + 1 > 7  # wider than three undilated k=3 layers
    assert net.style_layers == ("conv1", "conv2", "conv3") and net.content_layers == ("conv3",)
    last = build("deep-cnn", style_layers="last", content_layers="all")
    assert last.style_layers == ("conv3",) and len(last.content_layers) == 3


def test_network_options_are_light():
    # Options classes load at CLI start-up: they must not import torch.
    import subprocess
    import sys

    code = (
        "import sys, audiostyle.networks.options, audiostyle.default_plugins.networks, "
        "audiostyle.losses.options, audiostyle.presets; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
