"""What a run records about itself: library versions and the order of its timings.

Light module (no numpy or torch): the faces (API, CLI, bench, batch) and the report
model all read these, so they live below every one of them.
"""

from __future__ import annotations

import platform

#: The stages of a run's timings, in the order reports print them.
TIMING_ORDER = (
    "load",
    "speech",
    "convert-analysis",
    "convert",
    "convert-synthesis",
    "setup",
    "analysis",
    "init",
    "optimize",
    "phase",
    "total",
)

#: The distributions whose version can change an output (silero-vad: the speech
#: detector of routing and "auto" options; pyworld: the world analysis).
VERSIONED = (
    "audiostyle",
    "torch",
    "torchaudio",
    "numpy",
    "librosa",
    "soundfile",
    "soxr",
    "silero-vad",
    "pyworld-prebuilt",
)


def versions() -> dict[str, str]:
    """Versions of Python, audiostyle and the main dependencies."""
    from importlib import metadata

    out = {"python": platform.python_version()}
    for dist in VERSIONED:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out
