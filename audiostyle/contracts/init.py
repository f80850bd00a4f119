"""The start stage contract (``register_initializers``): where the optimisation begins.

The optimizer minimises the losses over one tensor: the log-magnitude
(``domain="spectrogram"``) or the wave (``domain="waveform"``). An initializer builds
that tensor's first value from what the run has analysed (the content, the style,
their log-magnitudes), the run's transform and phase reconstructor, and the run's
seeded generator. A recipe names it as ``init = "NAME"`` with ``init_options``
(``--init NAME --init-opt KEY=VALUE``); ``init = "auto"`` is ``content`` for a
transfer and ``noise`` for a texture.

What an initializer can do is declared twice, as a transform's ``differentiable``
is: as class attributes (:attr:`Initializer.domains`, :attr:`Initializer.needs_content`)
and as keywords of its registration (``register(..., domains=("waveform",),
needs_content=True)``), which the recipe reads to refuse a combination before any
audio is loaded or torch is imported. The contract checks (:mod:`audiostyle.testing`)
say when the two disagree.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import torch

from audiostyle.contracts.phase import PhaseReconstructor
from audiostyle.contracts.transform import SpectralTransform

#: What an optimizer can change (``Recipe.domain``).
DOMAINS: tuple[str, ...] = ("spectrogram", "waveform")


@dataclass(frozen=True)
class InitContext:
    """What an initializer may start from. Tensors are float32 on ``device``; read them,
    never change them.

    Attributes
    ----------
    domain : str
        ``"spectrogram"`` (return a log-magnitude) or ``"waveform"`` (return a wave).
    length : int
        Samples of the wave the run builds. In the spectrogram domain this is the
        content's length padded so that the last frame covers its last sample
        (:func:`audiostyle.dsp.covering_length`); ``n_frames == transform.n_frames(length)``.
    n_frames : int
        Frames of the log-magnitude the run optimises (spectrogram domain).
    transform : SpectralTransform
        The run's transform (``stft``, ``istft``, ``n_bins``, ``n_frames``).
    phase : PhaseReconstructor
        The run's phase reconstructor, for a start built from a magnitude.
    style : Tensor [shape=(time,)]
        The style's wave.
    style_rep : Tensor [shape=(n_bins, style frames)]
        ``log1p(|transform.stft(style)|)``: what the network sees of the style.
    content : Tensor [shape=(length,)] or None
        The content's wave (zeros after its end up to ``length``); ``None`` for a texture.
    content_rep : Tensor [shape=(n_bins, n_frames)] or None
        ``log1p(|transform.stft(content)|)``; ``None`` for a texture.
    generator : torch.Generator
        The run's, seeded with the recipe's seed (on the CPU): draw every random number
        from it, never from the global RNG, so a seed gives the same start (and the
        phase reconstructor, which draws after the start, the same phase).
    device : torch.device
        Where the start must be.
    noise_scale : float
        The recipe's ``noise_scale``: the standard deviation of a random start, for the
        initializers that draw one and have no level of their own.
    """

    domain: str
    length: int
    n_frames: int
    transform: SpectralTransform
    phase: PhaseReconstructor
    style: torch.Tensor
    style_rep: torch.Tensor
    content: torch.Tensor | None
    content_rep: torch.Tensor | None
    generator: torch.Generator
    device: torch.device
    noise_scale: float = 1e-3

    def expected_shape(self) -> tuple[int, ...]:
        """The shape :meth:`Initializer.initialize` must return in this domain."""
        if self.domain == "waveform":
            return (self.length,)
        return (self.transform.n_bins, self.n_frames)


class Initializer(ABC):
    """Builds the tensor the optimisation starts from.

    Subclasses implement :meth:`initialize`; ``__init__(options)`` takes the validated
    options dataclass. Set :attr:`domains` to the domains the start applies to and
    :attr:`needs_content` when it needs a content clip (a texture has none), and pass
    the same values to ``register``.
    """

    #: The domains (``Recipe.domain``) this start applies to.
    domains: ClassVar[tuple[str, ...]] = DOMAINS
    #: True when it needs a content clip (a texture has none).
    needs_content: ClassVar[bool] = False

    def __init__(self, options=None) -> None:
        self.options = options

    @abstractmethod
    def initialize(self, context: InitContext) -> torch.Tensor:
        """The optimisation's first value.

        Parameters
        ----------
        context : InitContext
            The run's analysed clips, transform, phase reconstructor and generator.

        Returns
        -------
        Tensor, float32, on ``context.device``, a new tensor (not a view of an input)
            ``[shape=(n_bins, n_frames)]`` log-magnitude in the spectrogram domain,
            ``[shape=(length,)]`` wave in the waveform domain
            (:meth:`InitContext.expected_shape`).
        """
