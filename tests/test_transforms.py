"""The spectral transforms: round trip, agreement between backends, options."""

import numpy as np
import pytest
import torch

from audiostyle import plugins
from audiostyle.errors import ParameterError
from audiostyle.transforms.options import STFTOptions
from tests.conftest import chirp, noise, sine

BACKENDS = ["torch", "torchaudio", "librosa"]


def make(name, **opts):
    return plugins.create("transform", name, opts, sample_rate=8000, device="cpu")


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize("signal", [sine(440), chirp(100, 3000), noise()])
def test_round_trip(name, signal):
    t = make(name, n_fft=256)
    spec = t.stft(torch.from_numpy(signal))
    assert spec.shape == (129, t.n_frames(len(signal)))
    assert spec.is_complex()
    back = t.istft(spec, length=len(signal)).numpy()
    assert back.shape == signal.shape
    assert np.max(np.abs(back - signal)) < 1e-4


@pytest.mark.parametrize(
    "opts",
    [
        {"n_fft": 256},
        {"n_fft": 512, "hop_length": 100, "win_length": 400, "window": "hamming"},
        {"n_fft": 256, "center": False},
        {"n_fft": 256, "pad_mode": "reflect", "window": "blackman"},
    ],
)
def test_backends_agree(opts, speech):
    specs = {n: make(n, **opts).stft(torch.from_numpy(speech)) for n in BACKENDS}
    ref = specs["torch"]
    scale = ref.abs().max()
    for name, spec in specs.items():
        assert spec.shape == ref.shape, name
        assert float((spec - ref).abs().max() / scale) < 1e-4, name


def test_differentiable_flags():
    found = plugins.available("transform")
    assert found["torch"].extra["differentiable"]
    assert found["torchaudio"].extra["differentiable"]
    assert not found["librosa"].extra["differentiable"]
    x = torch.from_numpy(sine(300)).requires_grad_(True)
    make("torch", n_fft=256).stft(x).abs().sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


@pytest.mark.parametrize(
    "opts, message",
    [
        ({"n_fft": 256, "hop_length": 300}, "hop_length=300"),
        ({"n_fft": 256, "win_length": 512}, "win_length=512"),
        ({"n_fft": 4}, "n_fft=4"),
    ],
)
def test_bad_options(opts, message):
    with pytest.raises(ParameterError, match=message):
        plugins.get_backend("transform", "torch").parse_options(opts)


def test_frames_formula():
    o = STFTOptions(n_fft=256)
    assert o.n_frames(8000) == 1 + 8000 // 64
