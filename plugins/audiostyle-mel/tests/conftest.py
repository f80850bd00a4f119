"""Fixtures of the audiostyle-mel tests: real short clips and the plugin registered."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

SR = 8_000  # tiny rate: the tests stay fast

try:  # installed (pip install ./plugins/audiostyle-mel), or run from the source tree
    import audiostyle_mel  # noqa: F401
except ImportError:  # pragma: no cover - depends on how the tests are run
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pytest_configure(config):
    # Test against exactly this plugin, not whatever else is installed.
    os.environ["AUDIOSTYLE_LOAD_PLUGINS"] = ""


@pytest.fixture
def mel_plugin():
    """The plugin registered with audiostyle for the test (as its entry point would)."""
    import audiostyle_mel

    from audiostyle.testing import plugin_registered

    with plugin_registered(audiostyle_mel, name="mel", distribution="audiostyle-mel") as name:
        yield name


def _clip(which: str, seconds: float = 0.5, offset: float = 0.5):
    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    return load(demo_clip(which), sample_rate=SR, offset=offset, duration=seconds)


@pytest.fixture
def male():
    return _clip("content")


@pytest.fixture
def female():
    return _clip("style")


@pytest.fixture
def clip():
    return _clip
