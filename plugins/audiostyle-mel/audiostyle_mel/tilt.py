"""The ``mel-tilt`` conditioner: the content's spectral tilt moved toward the style's.

A conversion stage as a third party writes one: it subclasses the contract's
:class:`~audiostyle.contracts.conversion.Conditioner` and works on any analysis with
a power envelope (``world``, ``stft``, ``spectrum``). The tilt is the slope, in dB
per octave, of a straight line fitted to the clip's mean log envelope (its loud
frames) above ``f_min``: bright clips tilt up, dark ones down. Each bin of every
content frame moves by ``strength`` x (style's slope - content's slope) x octaves
above ``f_min`` (limited to ``max_db``), with the clip's energy kept.
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, Conditioner, ConversionContext

FLOOR = 1e-12


def tilt_db_per_octave(analysis: Analysis, *, f_min: float) -> float:
    """Slope of the clip's mean log envelope against log2(frequency), dB per octave."""
    env = np.maximum(np.asarray(analysis.envelope, dtype=np.float64), FLOOR)
    level = 10 * np.log10(env.sum(axis=1))
    loud = level > level.max() - 40  # pauses do not count
    mean_db = 10 * np.log10(env[loud]).mean(axis=0)
    f = analysis.frequencies
    keep = f >= f_min
    slope, _ = np.polyfit(np.log2(f[keep] / f_min), mean_db[keep], 1)
    return float(slope)


class MelTilt(Conditioner):
    """Spectral tilt toward the style's (dB per octave)."""

    def condition(
        self, content: Analysis, style: Analysis, *, context: ConversionContext
    ) -> Analysis:
        o = self.options
        have = tilt_db_per_octave(content, f_min=o.f_min)
        want = tilt_db_per_octave(style, f_min=o.f_min)
        delta = o.strength * (want - have)
        octaves = np.log2(np.maximum(content.frequencies, o.f_min) / o.f_min)
        gain_db = np.clip(delta * octaves, -o.max_db, o.max_db)
        env = np.asarray(content.envelope, dtype=np.float64)
        out = env * 10 ** (gain_db / 10)[None, :]
        out *= env.sum() / max(out.sum(), FLOOR)  # the clip keeps its energy
        context.note(f"mel-tilt: {have:+.1f} -> {have + delta:+.1f} dB/octave (style {want:+.1f})")
        return content.replace(envelope=out)
