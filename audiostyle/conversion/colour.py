"""Long-term colour: the content's spectral envelope moved toward the style's.

The conditioner form of :func:`audiostyle.envelope.envelope_gain` (the ``default``
recipe's colouring since issue 14): each of ``n_bands`` mel bands moves ``strength``
of the way, in dB, to the style's level; with ``classes`` > 1 quiet, middle and loud
frames each take the colour of the style's frames of the same loudness rank. Works on
any analysis with a power envelope (WORLD's CheapTrick envelope, an STFT's power).
``strength="auto"`` takes 0.6 when the run's detector says both clips are speech and
0.32 otherwise (the figures of issue 14).
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, Conditioner, ConversionContext

AUTO_STRENGTH = {"speech": 0.6, "other": 0.32}


class Colour(Conditioner):
    """Per-band gain toward the style's long-term (per loudness class) envelope."""

    def condition(
        self, content: Analysis, style: Analysis, *, context: ConversionContext
    ) -> Analysis:
        import torch

        from audiostyle.envelope import envelope_gain

        o = self.options
        strength = o.strength
        if strength == "auto":
            strength = AUTO_STRENGTH.get(context.kind or "other", AUTO_STRENGTH["other"])
            context.note(f"colour: strength auto -> {strength} ({context.kind or 'other'})")
        if strength <= 0:
            return content
        if style.n_bins != content.n_bins:
            raise ValueError("content and style analyses have different bin counts")
        cp = torch.from_numpy(np.ascontiguousarray(content.envelope.T))
        sp = torch.from_numpy(np.ascontiguousarray(style.envelope.T))
        gain = envelope_gain(
            cp.float(),
            sp.float(),
            sample_rate=content.sample_rate,
            strength=float(strength),
            n_bands=o.n_bands,
            max_db=o.max_db,
            classes=o.classes,
        )
        g2 = (gain.double() ** 2).numpy().T
        return content.replace(envelope=content.envelope * g2)
