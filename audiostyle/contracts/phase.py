"""The phase-reconstruction stage contract (``register_phase_reconstructors``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import torch


class PhaseReconstructor(ABC):
    """Turns a magnitude spectrogram into a waveform.

    Subclasses implement :meth:`reconstruct`; ``__init__(options)`` takes the
    validated options dataclass.
    """

    def __init__(self, options=None) -> None:
        self.options = options

    @abstractmethod
    def reconstruct(
        self,
        magnitude: torch.Tensor,
        *,
        transform,
        length: int,
        content_phase: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
        callback: Callable[[int, int], None] | None = None,
    ) -> torch.Tensor:
        """Build a waveform whose STFT magnitude approximates ``magnitude``.

        Parameters
        ----------
        magnitude : Tensor [shape=(..., freq, frames)], float32, >= 0
        transform : SpectralTransform
            The STFT used for analysis (and re-analysis).
        length : int
            Samples in the result.
        content_phase : Tensor [shape=(..., freq, frames)], complex, optional
            Unit-modulus phase of the content's STFT (for ``init="content"``).
        generator : torch.Generator, optional
            Source of randomness (random initial phase).
        callback : callable(iteration, n_iter), optional
            Progress.

        Returns
        -------
        Tensor [shape=(..., length)], float32
        """
