"""Speaker statistics in cepstra: each cepstral coefficient of the content takes the
style's mean and spread.

The content's envelope in ``n_bands`` mel bands (log power) is turned into cepstra
c1..cN (c0, the loudness, stays); each coefficient is standardised over the content's
active frames and given the style's mean and standard deviation over its own
(``variance=False``: the mean only, a long-term colour in the cepstral domain). The
per-frame shape of the envelope (the phone) is kept as a deviation from the
speaker's average; the average and the range (the vocal tract, the voice's
brightness, how far its formants swing) become the style's. The change comes back to
the envelope as a smooth per-band gain on the content's own bins, so its fine
structure stays. Parameter-light: nothing is tuned but how many coefficients count.
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, Conditioner, ConversionContext
from audiostyle.conversion import voice_features as vf


def cepstral_frames(analysis: Analysis, *, n_bands: int, n_ceps: int):
    """Bands, band log powers, all cepstra and the active mask of an analysis."""
    from scipy.fft import dct

    bands = vf.mel_bands(analysis.n_bins, sample_rate=analysis.sample_rate, n_bands=n_bands)
    logb = vf.band_log(analysis.envelope, bands)
    ceps = dct(logb, norm="ortho", axis=1)
    return bands, logb, ceps, vf.active(analysis.envelope)


def apply_ceps(
    analysis: Analysis,
    bands: np.ndarray,
    logb: np.ndarray,
    ceps: np.ndarray,
    max_db: float,
    *,
    keep_power: bool = False,
) -> Analysis:
    """The analysis with its envelope moved so its band cepstra become ``ceps``.

    c0 is the mean *log* band power: a frame whose shape changes keeps it and can still
    gain many dB of power (one band up 30 dB, others down). ``keep_power`` scales each
    frame back to its own power, so the loudness contour stays the content's.
    """
    from scipy.fft import idct

    target = idct(ceps, norm="ortho", axis=1)
    limit = max_db * np.log(10.0) / 10.0  # dB of power -> natural log
    gain = np.clip(target - logb, -limit, limit)
    envelope = analysis.envelope * vf.bins_gain(gain, bands)
    if keep_power:
        before = analysis.envelope.sum(axis=1, keepdims=True)
        after = envelope.sum(axis=1, keepdims=True)
        envelope = envelope * (before / np.maximum(after, vf.TINY))
    return analysis.replace(envelope=envelope)


class CepstralStats(Conditioner):
    """Content cepstra standardised, then given the style's mean and spread."""

    def condition(
        self, content: Analysis, style: Analysis, *, context: ConversionContext
    ) -> Analysis:
        o = self.options
        n = o.n_ceps + 1
        bands, logb, cc, ca = cepstral_frames(content, n_bands=o.n_bands, n_ceps=o.n_ceps)
        _, _, cs, sa = cepstral_frames(style, n_bands=o.n_bands, n_ceps=o.n_ceps)
        if ca.sum() < 2 or sa.sum() < 2:
            who = "content" if ca.sum() < 2 else "style"
            context.note(f"cepstral: the {who} is silent; its envelope is left as it is")
            return content
        mc, sc = cc[ca, 1:n].mean(axis=0), cc[ca, 1:n].std(axis=0)
        ms, ss = cs[sa, 1:n].mean(axis=0), cs[sa, 1:n].std(axis=0)
        out = cc.copy()
        if o.variance:
            out[:, 1:n] = ms + (cc[:, 1:n] - mc) * ss / np.maximum(sc, 1e-6)
        else:
            out[:, 1:n] = cc[:, 1:n] + (ms - mc)
        return apply_ceps(content, bands, logb, out, o.max_db, keep_power=o.keep_power)
