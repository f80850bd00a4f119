"""Contracts of the conversion stages: analysis/synthesis, conditioners, matchers, vocoders.

The published pipeline optimises a log-magnitude STFT through a random network. What
moves a voice or an instrument is its pitch and its per-frame timbre, which live more
naturally in other representations. The conversion front end of a run works on those:

::

    content, style --analysis.analyze--> Analysis (f0, envelope, aperiodicity, ...)
        --conditioner.condition--> ... (each in turn: F0 shift, colour, warp, ...)
        --matcher.match-->             (optional: output frames built from the style's)
        --vocoder.synthesize or analysis.synthesize--> wave

The converted wave is then the run's content: the optimisation stages (transform,
network, losses, optimizer, phase) start from it (``steps = 0`` keeps it as it is).
Every stage here is registered and chosen by name exactly as the optimisation stages
are (``audiostyle plugins analysis`` lists them); this module imports neither torch
nor any backend.

Shapes: a clip's frames run along the first axis, bins along the second (as WORLD and
most vocoders have them): ``envelope`` is ``(frames, bins)`` of linear *power*, the
bins spaced evenly from 0 Hz to ``sample_rate / 2`` inclusive.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Analysis:
    """One clip in an analysis/synthesis representation.

    Attributes
    ----------
    kind : str
        The representation (``"world"``, ``"stft"``, ``"mel"``, ...): what a vocoder
        or a conditioner checks before it accepts the analysis.
    sample_rate : int
        Of the analysed wave, Hz.
    length : int
        Of the analysed wave, samples (the synthesis gives this length back).
    frame_period : float
        Seconds between frames.
    envelope : ndarray [shape=(frames, bins)], float64
        Power spectral envelope (linear), bins evenly from 0 Hz to Nyquist. For an
        ``stft`` analysis: the power spectrum itself.
    f0 : ndarray [shape=(frames,)], float64, optional
        Fundamental frequency in Hz, 0 where a frame is unvoiced (or no pitch was
        found); ``None`` when the representation has no pitch.
    aperiodicity : ndarray [shape=(frames, bins)], float64, optional
        0 (harmonic) to 1 (noise) per bin, where the representation has one.
    extra : dict
        Anything else the backend needs to synthesise (a phase, a mel basis, ...).
        Conditioners pass it through untouched unless they know it.
    """

    kind: str
    sample_rate: int
    length: int
    frame_period: float
    envelope: np.ndarray
    f0: np.ndarray | None = None
    aperiodicity: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.envelope.shape[0])

    @property
    def n_bins(self) -> int:
        """Number of frequency bins of the envelope."""
        return int(self.envelope.shape[1])

    @property
    def frequencies(self) -> np.ndarray:
        """Centre frequency of each envelope bin, Hz (0 to Nyquist)."""
        return np.linspace(0.0, self.sample_rate / 2, self.n_bins)

    @property
    def voiced(self) -> np.ndarray:
        """Boolean mask of frames with a pitch (all False without ``f0``)."""
        if self.f0 is None:
            return np.zeros(self.n_frames, dtype=bool)
        return self.f0 > 0

    def replace(self, **changes: Any) -> Analysis:
        """A copy with ``changes`` (the arrays are not copied: never modify in place)."""
        return dataclasses.replace(self, **changes)


class ConversionContext:
    """What a conversion stage may read and add to besides the two analyses.

    ``notes`` are shown to the user with the result (say what was done when a stage
    falls back, e.g. no pitch was found); ``seed`` is the run's seed for any
    randomness; ``kind`` is what the run's detector said the clips are
    (``"speech"`` or ``"other"``, ``None`` if it was not asked).
    """

    def __init__(self, *, seed: int = 0, kind: str | None = None) -> None:
        self.seed = seed
        self.kind = kind
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        """Add a note for the user (once)."""
        if text not in self.notes:
            self.notes.append(text)


class AnalysisSynthesis(ABC):
    """Analyses a wave into an :class:`Analysis` and synthesises one back.

    Built as ``Cls(options, *, sample_rate)``. ``synthesize(analyze(y))`` must give a
    wave close to ``y`` (the contract checks say how close for each backend).
    """

    kind: str = ""

    def __init__(self, options: Any, *, sample_rate: int) -> None:
        self.options = options
        self.sample_rate = sample_rate

    @abstractmethod
    def analyze(self, wave: np.ndarray) -> Analysis:
        """Analyse a mono float wave ``(time,)`` at ``self.sample_rate``."""

    @abstractmethod
    def synthesize(self, analysis: Analysis) -> np.ndarray:
        """A float32 wave ``(analysis.length,)`` from ``analysis``."""


class Conditioner(ABC):
    """Reshapes the content's analysis toward the style's (F0, colour, warp, ...).

    Built as ``Cls(options)``. ``kinds`` lists the analysis kinds it accepts (empty:
    any); ``condition`` returns a new :class:`Analysis` of the same kind, length and
    frames as ``content`` and must not modify its inputs.
    """

    kinds: tuple[str, ...] = ()

    def __init__(self, options: Any) -> None:
        self.options = options

    @abstractmethod
    def condition(
        self, content: Analysis, style: Analysis, *, context: ConversionContext
    ) -> Analysis:
        """The content's analysis moved toward the style's."""


class Matcher(ABC):
    """Builds the output's analysis from the style's frames, without gradient steps.

    Built as ``Cls(options)``. Returns an :class:`Analysis` with the content's frames
    (same count, same kind) whose values come from the style (frame retrieval,
    transport maps, ...).
    """

    kinds: tuple[str, ...] = ()

    def __init__(self, options: Any) -> None:
        self.options = options

    @abstractmethod
    def match(self, content: Analysis, style: Analysis, *, context: ConversionContext) -> Analysis:
        """The output's analysis, frame for frame with ``content``."""


class Vocoder(ABC):
    """Reconstructs a wave from an analysis (a neural vocoder for mel bands is one).

    Built as ``Cls(options, *, sample_rate, device)``. ``kinds`` lists the analysis
    kinds it can synthesise; ``sample_rates`` the rates it runs at (empty: any; a
    neural vocoder trained at one rate refuses others with a clear error).
    """

    kinds: tuple[str, ...] = ()
    sample_rates: tuple[int, ...] = ()

    def __init__(self, options: Any, *, sample_rate: int, device: str = "cpu") -> None:
        self.options = options
        self.sample_rate = sample_rate
        self.device = device

    @abstractmethod
    def synthesize(self, analysis: Analysis) -> np.ndarray:
        """A float32 wave ``(analysis.length,)``."""


def check_kind(stage: Any, analysis: Analysis, *, role: str) -> None:
    """Raise a clear error if ``stage`` does not accept ``analysis.kind``."""
    from audiostyle.errors import ParameterError

    kinds = getattr(stage, "kinds", ())
    if kinds and analysis.kind not in kinds:
        raise ParameterError(
            f"{role} {type(stage).__name__} works on {', '.join(kinds)} analyses, not "
            f"{analysis.kind!r}; choose --analysis {kinds[0]} or another {role}."
        )
