"""Dynamics: the content's frame levels mapped onto the style's distribution of levels.

Quantile mapping of loudness: a content frame at the q-th quantile of the content's
(smoothed) frame levels is moved, in dB, ``strength`` of the way to the q-th quantile
of the style's. The order of loud and quiet frames (the content's phrasing) stays;
their spread becomes the style's: a piano's long decays are lifted toward a bowed
string's sustain, a flute's flat level takes a plucked string's range. Frames more
than 60 dB below the loudest (silence) are left alone. Every bin of a frame gets the
same gain, so pitch and colour are untouched.
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, Conditioner, ConversionContext
from audiostyle.conversion.timbre_match import frame_levels, relative_levels, smooth_time

MIN_FRAMES = 10  # fewer active frames than this in either clip: nothing to map


class Dynamics(Conditioner):
    """Per-frame gain: content levels quantile-mapped to the style's."""

    def condition(
        self, content: Analysis, style: Analysis, *, context: ConversionContext
    ) -> Analysis:
        o = self.options
        if o.strength <= 0:
            return content
        lc_abs = frame_levels(content.envelope)
        lc, act_c = relative_levels(smooth_time(lc_abs[:, None], o.smooth)[:, 0])
        ls, act_s = relative_levels(
            smooth_time(frame_levels(style.envelope)[:, None], o.smooth)[:, 0]
        )
        if act_c.sum() < MIN_FRAMES or act_s.sum() < MIN_FRAMES:
            context.note("dynamics: too few active frames to map levels; left as they were")
            return content
        ranks = np.argsort(np.argsort(lc[act_c])) / max(int(act_c.sum()) - 1, 1)
        mapped = np.quantile(ls[act_s], ranks)
        gain_db = np.zeros(content.n_frames)
        gain_db[act_c] = o.strength * (mapped - lc[act_c])
        context.note(
            f"dynamics: frame levels mapped to the style's (median change "
            f"{np.median(gain_db[act_c]):+.1f} dB, spread of levels "
            f"{np.std(lc[act_c]):.1f} -> {np.std(lc[act_c] + gain_db[act_c]):.1f} dB)"
        )
        return content.replace(envelope=content.envelope * (10.0 ** (gain_db / 10.0))[:, None])
