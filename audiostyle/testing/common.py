"""What every contract check shares: the error, the signals, the tiny sizes."""

from __future__ import annotations

from typing import Any

#: Sample rate (Hz) of the signals the checks use.
SAMPLE_RATE = 8_000

#: Options shrunk for speed when an implementation has them and the caller did not
#: set them (``tiny=False`` keeps the implementation's defaults).
TINY_OPTIONS: dict[str, Any] = {
    "n_fft": 256,
    "n_filters": 32,
    "n_iter": 8,
    "n_mels": 32,
    "channels": 16,
}

N_BINS = 129  # n_fft 256
HOP = 64


class ContractError(AssertionError):
    """An implementation does not follow its stage's contract."""


def fail(stage: str, name: str, rule: str) -> ContractError:
    return ContractError(f"{stage} {name!r} breaks the contract: {rule}")


def chirp(n: int, sample_rate: int = SAMPLE_RATE):
    import numpy as np

    t = np.arange(n) / sample_rate
    f0, f1, dur = 100.0, 0.4 * sample_rate, n / sample_rate
    y = 0.5 * np.sin(2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * dur)))
    return y.astype(np.float32)


def noise(n: int, seed: int = 0):
    import numpy as np

    return (0.1 * np.random.default_rng(seed).standard_normal(n)).astype(np.float32)


def reference_transform(device: str):
    from audiostyle.contracts.stft import STFTOptions
    from audiostyle.transforms.torch_stft import TorchSTFT

    return TorchSTFT(STFTOptions(n_fft=256), sample_rate=SAMPLE_RATE, device=device)


def rel(a, b) -> float:
    import torch

    return float(torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(b).clamp_min(1e-12))


def desc(v) -> str:
    shape = getattr(v, "shape", None)
    return f"{type(v).__name__} {getattr(v, 'dtype', '')} {tuple(shape) if shape else ''}".strip()
