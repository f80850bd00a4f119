"""The phase-reconstruction contract (re-exported from :mod:`audiostyle.contracts`) and
the built-in reconstructors' starting phase."""

from __future__ import annotations

import torch

from audiostyle import dsp
from audiostyle.contracts.phase import PhaseReconstructor
from audiostyle.errors import ParameterError

__all__ = ["PhaseReconstructor", "initial_phase"]


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
