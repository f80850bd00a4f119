"""The suite contract (``register_suites``).

A suite is built as ``Suite(options)`` and asked for cases::

    cases = suite.cases(size=8, seed=0, cache_dir=path, duration=10.0,
                        sample_rate=22050)

Each :class:`Case` names audio files (built on demand and cached under
``cache_dir``; the same seed and size give the same files). When a synthesizer the
suite needs is missing, ``cases`` raises
:class:`~audiostyle.errors.DependencyError` naming the Debian package to install.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Environment variable naming the root of the suites' cache.
CACHE_ENV = "AUDIOSTYLE_CACHE_DIR"


def default_cache_dir() -> Path:
    """Root of the suites' cache: ``$AUDIOSTYLE_CACHE_DIR``, else ``suites`` in the user
    cache directory of :mod:`platformdirs` (``~/.cache/audiostyle/suites`` on Linux)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return platformdirs.user_cache_path("audiostyle") / "suites"


@dataclass
class Case:
    """One (content, style[, target]) case."""

    name: str
    content: Path
    style: Path
    target: Path | None = None  # the true output, when known
    text: str | None = None  # the sentence spoken in content / target, when known
    meta: dict[str, Any] = field(default_factory=dict)


class Suite(ABC):
    """A named, reproducible set of cases: subclasses implement :meth:`cases`."""

    def __init__(self, options=None) -> None:
        self.options = options

    @abstractmethod
    def cases(
        self, *, size: int, seed: int, cache_dir: Path, duration: float, sample_rate: int
    ) -> list[Case]:
        """Build (or reuse from ``cache_dir``) ``size`` cases for ``seed``."""
