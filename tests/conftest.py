"""Shared fixtures: real short signals, tiny recipes, an isolated plugin manager."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"
SR = 8_000  # tests run at a low rate: tiny n_fft, short clips


def pytest_configure(config):
    # Installed third-party plugins cannot leak into the tests.
    os.environ["AUDIOSTYLE_LOAD_PLUGINS"] = ""
    # Tiny tensors: one thread is several times faster than two fighting over two cores,
    # and results do not depend on the thread count.
    import torch

    torch.set_num_threads(1)


@pytest.fixture
def sr() -> int:
    return SR


def sine(freq: float, seconds: float = 0.5, sample_rate: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def chirp(f0: float, f1: float, seconds: float = 0.5, sample_rate: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * seconds))
    return (0.5 * np.sin(phase)).astype(np.float32)


def noise(seconds: float = 0.5, sample_rate: int = SR, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.1 * rng.standard_normal(int(seconds * sample_rate))).astype(np.float32)


@pytest.fixture
def speech(sr) -> np.ndarray:
    """0.5 s of the bundled male speech clip at the test rate."""
    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    return load(demo_clip("content"), sample_rate=sr, offset=0.5, duration=0.5)


@pytest.fixture
def speech_female(sr) -> np.ndarray:
    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    return load(demo_clip("style"), sample_rate=sr, offset=0.5, duration=0.5)


TINY = {
    # The optimisation pipeline at test scale: 'colour' is the recipe the default
    # routes nothing to (the default routes voices and music to the conversion presets,
    # tested in tests/test_conversion.py and tests/test_default_route.py).
    "preset": "colour",
    "sample_rate": SR,
    "transform_options": {"n_fft": 256},
    "network_options": {"n_filters": 32},
    "steps": 5,
    "device": "cpu",
    # The content as it is (the default colours it toward the style's envelope first):
    # tests of the stages compare with the content; tests/test_envelope.py covers it.
    "envelope": 0.0,
    "content_weight": 0.1,  # a looser content hold: the style loss moves in a few steps
}


@pytest.fixture
def tiny() -> dict:
    """Keyword overrides for a fast recipe (tiny n_fft, few filters, few steps)."""
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in TINY.items()}


def tiny_flags(*, hold: bool = True, preset: str | None = "colour") -> list[str]:
    """The same tiny recipe as CLI flags (``hold=False``: keep the preset's content weight;
    ``preset=None``: the caller names the preset itself)."""
    flags = [
        "--sample-rate",
        str(SR),
        "--transform-opt",
        "n_fft=256",
        "--network-opt",
        "n_filters=32",
        "--steps",
        "5",
        "--device",
        "cpu",
        "--envelope",
        "0",
    ]
    if preset is not None:
        flags = ["--preset", preset, *flags]
    return [*flags, "--content-weight", "0.1"] if hold else flags


@pytest.fixture
def wav_files(tmp_path, speech, speech_female):
    """Two short real speech files on disk: (content, style)."""
    import soundfile as sf

    c, s = tmp_path / "content.wav", tmp_path / "style.wav"
    sf.write(c, speech, SR)
    sf.write(s, speech_female, SR)
    return c, s
