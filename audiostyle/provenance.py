"""What a run records about itself: library versions and the order of its timings.

Light module (no numpy or torch): the faces (API, CLI, bench, batch) and the report
model all read these, so they live below every one of them.
"""

from __future__ import annotations

import platform

#: The stages of a run's timings, in the order reports print them.
TIMING_ORDER = ("load", "speech", "setup", "analysis", "init", "optimize", "phase", "total")


def versions() -> dict[str, str]:
    """Versions of Python, audiostyle and the main dependencies."""
    from importlib import metadata

    out = {"python": platform.python_version()}
    for dist in ("audiostyle", "torch", "torchaudio", "numpy", "librosa", "soundfile"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out
