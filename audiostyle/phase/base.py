"""The phase-reconstruction stage contract."""

from __future__ import annotations

from collections.abc import Callable

import torch

from audiostyle import dsp
from audiostyle.errors import ParameterError


class PhaseReconstructor:
    """Turns a magnitude spectrogram into a waveform.

    Subclasses implement :meth:`reconstruct`; ``__init__(options)`` takes the
    validated options dataclass.
    """

    def __init__(self, options=None) -> None:
        self.options = options

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
        raise NotImplementedError


def initial_phase(
    init: str,
    magnitude: torch.Tensor,
    *,
    content_phase: torch.Tensor | None,
    generator: torch.Generator | None,
) -> torch.Tensor:
    """Unit-modulus starting phase for ``init`` = random, zeros or content."""
    if init == "random":
        return dsp.random_phase(magnitude.shape, generator=generator, device=magnitude.device)
    if init == "zeros":
        return torch.ones_like(magnitude, dtype=torch.complex64)
    if init == "content":
        if content_phase is None:
            raise ParameterError(
                "phase init='content' needs a content clip (texture has none); "
                "use --phase-opt init=random."
            )
        if content_phase.shape != magnitude.shape:
            raise ParameterError(
                f"content phase has shape {tuple(content_phase.shape)}, the magnitude "
                f"{tuple(magnitude.shape)}; use --phase-opt init=random."
            )
        return content_phase.to(magnitude.device)
    raise ParameterError(f"init={init!r} is not one of random, zeros, content.")
