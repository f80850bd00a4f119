"""F0 conversion: the content's log-F0 moved to the style's centre and spread.

The usual statistics mapping of voice conversion: with μ, σ the centre and spread of
log F0 over voiced frames, each voiced content frame's log F0 becomes
``μs + (log f0 − μc)·σs/σc`` (``strength``/``spread`` below 1 go part of the way).
By default μ is the median and σ the median absolute deviation scaled to a normal's
standard deviation (×1.4826): a tracker's octave slips on a few frames move a mean
and a standard deviation by semitones and the median hardly at all (on the
``librispeech`` suite's clips, the dio median lands within 2 semitones of the judge's
on 24 of 26 tune-half clips, the mean on 22). ``statistic="mean"`` is the classic
mean and standard deviation.
Intonation (the contour) stays the content's; its register and range become the
style's. A clip with too few voiced frames is left as it is, with a note.
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, Conditioner, ConversionContext
from audiostyle.conversion.f0_octave import CHECKED_F0

MIN_VOICED = 10  # frames: fewer voiced frames than this and the statistics mean nothing


MAD_TO_STD = 1.4826  # a normal's standard deviation over its median absolute deviation


def log_f0_stats(analysis: Analysis, statistic: str = "median") -> tuple[float, float] | None:
    """Centre and spread of log F0 over voiced frames (``None``: too few): mean and
    standard deviation, or (``statistic="median"``) median and scaled MAD."""
    if analysis.f0 is None:
        return None
    f0 = analysis.extra.get(CHECKED_F0, analysis.f0)
    if f0.shape != analysis.f0.shape:  # a conditioner changed the frames: not that track
        f0 = analysis.f0
    v = f0[f0 > 0]
    if v.size < MIN_VOICED:
        return None
    lf = np.log(v)
    if statistic == "median":
        centre = float(np.median(lf))
        return centre, float(max(MAD_TO_STD * np.median(np.abs(lf - centre)), 1e-3))
    return float(lf.mean()), float(max(lf.std(), 1e-3))


class F0Stats(Conditioner):
    """Log-F0 mean and spread of the content moved to the style's."""

    kinds = ("world",)

    def condition(
        self, content: Analysis, style: Analysis, *, context: ConversionContext
    ) -> Analysis:
        o = self.options
        cs = log_f0_stats(content, o.statistic)
        ss = log_f0_stats(style, o.statistic)
        if cs is None or ss is None:
            who = "content" if cs is None else "style"
            context.note(
                f"f0: the {who} has fewer than {MIN_VOICED} voiced frames (no pitch found); "
                "its pitch is left as it is"
            )
            return content
        (mc, sc), (ms, sd) = cs, ss
        mean = mc + o.strength * (ms - mc)
        std = sc * (sd / sc) ** o.spread
        f0 = content.f0.copy()
        v = f0 > 0
        f0[v] = np.exp(mean + (np.log(f0[v]) - mc) * std / sc)
        context.note(
            f"f0: median pitch {np.exp(mc):.0f} Hz -> {np.exp(mean):.0f} Hz "
            f"(style {np.exp(ms):.0f} Hz)"
        )
        # The corrected track (an analysis's octave check) described the old F0: drop it.
        extra = {k: v for k, v in content.extra.items() if k != CHECKED_F0}
        return content.replace(f0=f0, extra=extra)
