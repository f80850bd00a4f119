"""F0 conversion: the content's log-F0 moved to the style's mean and spread.

The usual statistics mapping of voice conversion: with μ, σ the mean and standard
deviation of log F0 over voiced frames, each voiced content frame's log F0 becomes
``μs + (log f0 − μc)·σs/σc`` (``strength``/``spread`` below 1 go part of the way).
Intonation (the contour) stays the content's; its register and range become the
style's. A clip with too few voiced frames is left as it is, with a note.
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, Conditioner, ConversionContext

MIN_VOICED = 10  # frames: fewer voiced frames than this and the statistics mean nothing


def log_f0_stats(analysis: Analysis) -> tuple[float, float] | None:
    """Mean and standard deviation of log F0 over voiced frames (``None``: too few)."""
    if analysis.f0 is None:
        return None
    v = analysis.f0[analysis.f0 > 0]
    if v.size < MIN_VOICED:
        return None
    lf = np.log(v)
    return float(lf.mean()), float(max(lf.std(), 1e-3))


class F0Stats(Conditioner):
    """Log-F0 mean and spread of the content moved to the style's."""

    kinds = ("world",)

    def condition(
        self, content: Analysis, style: Analysis, *, context: ConversionContext
    ) -> Analysis:
        cs, ss = log_f0_stats(content), log_f0_stats(style)
        if cs is None or ss is None:
            who = "content" if cs is None else "style"
            context.note(
                f"f0: the {who} has fewer than {MIN_VOICED} voiced frames (no pitch found); "
                "its pitch is left as it is"
            )
            return content
        (mc, sc), (ms, sd) = cs, ss
        o = self.options
        mean = mc + o.strength * (ms - mc)
        std = sc * (sd / sc) ** o.spread
        f0 = content.f0.copy()
        v = f0 > 0
        f0[v] = np.exp(mean + (np.log(f0[v]) - mc) * std / sc)
        context.note(
            f"f0: median pitch {np.exp(mc):.0f} Hz -> {np.exp(mean):.0f} Hz "
            f"(style {np.exp(ms):.0f} Hz)"
        )
        return content.replace(f0=f0)
