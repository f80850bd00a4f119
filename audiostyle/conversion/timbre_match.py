"""Pitch- and loudness-conditioned timbre: each content frame takes the style's
spectrum at the nearest pitch and loudness.

An instrument's spectrum changes with the note and with how hard it is played, so
one long-term colour cannot give a melody another instrument's timbre. For every
content frame with a pitch, this matcher finds the ``k`` style frames nearest in
(log F0, loudness) -- a semitone of pitch counting as much as ``loudness_scale /
pitch_scale`` dB of loudness and as a doubling of the frame's age in its note (from
50 ms; :mod:`~audiostyle.conversion.timbre_notes`), loudness measured from each clip's
own loud frames so the two clips' recording levels do not matter -- splits each one's
log spectrum into an envelope (its average over one harmonic spacing) and the
harmonic fine structure, shifts the fine structure along frequency by the ratio of
the two pitches so its harmonics sit on the content's while the envelope (the body's
resonances) stays where it is (``warp="fine"``; ``"all"`` shifts both), and averages
them in dB. The
frame then becomes that spectrum at the content's own frame energy: the pitch, the
timing and the dynamics stay the content's, the timbre at that note and loudness is
the style's. Synthesis keeps the content's phase (an ``stft`` analysis) or runs
WORLD (a ``world`` analysis, where the envelope has no harmonics to align).

How much of the retrieved *fine* structure (the harmonics and the noise between
them) a frame takes is ``fine``; ``auto`` takes the frame's harmonicity: the share
of its power lying on the harmonics of its F0, above what a flat spectrum would put
there. The rest is a smooth change of envelope (``n_bands`` mel bands moved to the
retrieved spectrum's levels), which keeps whatever partials the content has. So a
chord (where the tracker's F0 explains little of the power), a drum hit or a noise
texture keeps its own partials and only takes the style's colour at that loudness;
frames with no pitch at all are matched by loudness alone, and the notes say so.
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, ConversionContext, Matcher

TINY = 1e-12
ACTIVE_DB = 60.0  # frames quieter than the loudest by more than this are left alone
REFERENCE_PERCENTILE = 95.0  # a clip's "loud" level: loudness is measured from it
POLYPHONY_NOTE = 0.5  # mean harmonicity of pitched frames below this earns a note
CHUNK = 256  # content frames per block of the vectorised warp (memory: CHUNK*k*bins)


def frame_levels(power: np.ndarray) -> np.ndarray:
    """Level of each frame in dB, ``(frames,)`` from a ``(frames, bins)`` power."""
    return 10.0 * np.log10(power.sum(axis=1) + TINY)


def relative_levels(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Levels relative to the clip's loud frames, and the mask of active frames."""
    active = levels >= levels.max() - ACTIVE_DB
    ref = np.percentile(levels[active], REFERENCE_PERCENTILE) if active.any() else 0.0
    return levels - ref, active


def harmonicity(power: np.ndarray, f0: np.ndarray, frequencies: np.ndarray) -> np.ndarray:
    """Share of each frame's power on the harmonics of its F0, above chance, 0..1.

    A bin counts as harmonic within a quarter of F0 or two bins (the Hann main
    lobe's half width), whichever is narrower, of a multiple of F0; a flat spectrum
    scores 0, a pure harmonic tone 1. Frames without a pitch score 0.
    """
    out = np.zeros(power.shape[0])
    voiced = f0 > 0
    if not voiced.any():
        return out
    df = frequencies[1] - frequencies[0]
    f = frequencies[None, :]
    p = power[voiced]
    v0 = f0[voiced][:, None]
    tol = np.minimum(2.0 * df, v0 / 4.0)
    dist = np.abs(f - v0 * np.maximum(np.round(f / v0), 1.0))
    mask = dist <= tol
    chance = mask.mean(axis=1)
    share = (p * mask).sum(axis=1) / (p.sum(axis=1) + TINY)
    out[voiced] = np.clip((share - chance) / np.maximum(1.0 - chance, 1e-6), 0.0, 1.0)
    return out


def nearest(query: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
    """Indices ``(len(query), k)`` of the ``k`` rows of ``pool`` nearest each query row."""
    k = min(k, pool.shape[0])
    out = np.empty((query.shape[0], k), dtype=np.int64)
    for s in range(0, query.shape[0], 1024):
        q = query[s : s + 1024]
        d = ((q[:, None, :] - pool[None, :, :]) ** 2).sum(axis=-1)
        out[s : s + 1024] = (
            np.argpartition(d, k - 1, axis=1)[:, :k]
            if k < pool.shape[0]
            else (np.broadcast_to(np.arange(pool.shape[0]), (q.shape[0], pool.shape[0])))
        )
    return out


def warped_mean(db: np.ndarray, neighbours: np.ndarray, ratios: np.ndarray) -> np.ndarray:
    """Mean over neighbours of ``db[j]`` read at bin ``b * ratio``: ``(queries, bins)``.

    ``ratios`` ``(queries, k)`` is style F0 / content F0, so the style's harmonic
    ``h`` (at bin ``h·f0s/df``) lands on the content's (at ``h·f0c/df``).
    """
    n_bins = db.shape[1]
    bins = np.arange(n_bins, dtype=np.float64)
    out = np.empty((neighbours.shape[0], n_bins))
    for s in range(0, neighbours.shape[0], CHUNK):
        nb, r = neighbours[s : s + CHUNK], ratios[s : s + CHUNK]
        pos = np.clip(bins[None, None, :] * r[:, :, None], 0.0, n_bins - 1.0)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, n_bins - 1)
        frac = pos - lo
        rows = db[nb]  # (q, k, bins)
        a = np.take_along_axis(rows, lo, axis=2)
        b = np.take_along_axis(rows, hi, axis=2)
        out[s : s + CHUNK] = (a + frac * (b - a)).mean(axis=1)
    return out


def harmonic_envelope(db: np.ndarray, f0: np.ndarray, df: float) -> np.ndarray:
    """Each frame's log spectrum averaged over one harmonic spacing (its F0) in frequency.

    The source-filter split of a voiced frame without a model: a moving average of
    width F0 (in bins, at least 3) runs through harmonics and valleys alike, leaving the
    envelope (the body's resonances, at fixed frequencies); ``db - envelope`` is the
    harmonic fine structure, which moves with the pitch. ``f0 <= 0``: width 3 bins.
    """
    n, b = db.shape
    width = np.maximum(np.round(np.where(f0 > 0, f0, 0.0) / df), 3).astype(np.int64)
    half = width // 2
    c = np.concatenate([np.zeros((n, 1)), np.cumsum(db, axis=1)], axis=1)
    idx = np.arange(b)[None, :]
    lo = np.clip(idx - half[:, None], 0, b)
    hi = np.clip(idx + half[:, None] + 1, 0, b)
    rows = np.arange(n)[:, None]
    return (c[rows, hi] - c[rows, lo]) / (hi - lo)


def smooth_time(x: np.ndarray, width: int) -> np.ndarray:
    """Moving average of ``width`` (odd) frames along axis 0, edges by repetition."""
    if width <= 1:
        return x
    half = width // 2
    padded = np.concatenate([np.repeat(x[:1], half, 0), x, np.repeat(x[-1:], half, 0)])
    c = np.cumsum(np.concatenate([np.zeros_like(x[:1]), padded]), axis=0)
    return (c[width:] - c[:-width]) / width


def band_matrix(sample_rate: int, n_bins: int, n_bands: int) -> tuple[np.ndarray, np.ndarray]:
    """Triangular mel bands ``(n_bands, n_bins)`` (rows sum to 1) and their centre bins."""
    from audiostyle.mel import mel_filterbank

    w = mel_filterbank(sample_rate, 2 * (n_bins - 1), n_bands)
    w = w / np.maximum(w.sum(axis=1, keepdims=True), TINY)
    centres = (w * np.arange(n_bins)[None, :]).sum(axis=1)
    keep = w.sum(axis=1) > 0
    return w[keep], centres[keep]


def envelope_db(db: np.ndarray, bands: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Smooth envelope of log spectra ``(frames, bins)``: mel band levels, interpolated."""
    band = 10.0 * np.log10(np.maximum(10.0 ** (db / 10.0) @ bands.T, TINY))
    bins = np.arange(db.shape[1])
    return np.stack([np.interp(bins, centres, row) for row in band]) if len(band) else db


AGE_REF = 0.05  # seconds: a note's age is matched as log2(1 + age / AGE_REF)


def _positions(analysis: Analysis, bands: np.ndarray):
    """Frame levels (absolute dB), relative levels, active mask, note age and peak."""
    from audiostyle.conversion.timbre_notes import note_positions, onsets

    levels = frame_levels(analysis.envelope)
    rel, active = relative_levels(levels)
    band = 10.0 * np.log10(analysis.envelope @ bands.T + TINY)
    starts = onsets(band, analysis.f0, frame_period=analysis.frame_period)
    age, peak = note_positions(starts, rel, frame_period=analysis.frame_period)
    return levels, rel, active, age, peak


class TimbreMatch(Matcher):
    """The style's spectrum at the nearest (pitch, loudness, age in note), frame by frame."""

    kinds = ("stft", "world")

    def _features(self, f0, level, age, peak):
        o = self.options
        cols = []
        if f0 is not None:
            cols.append(12.0 * np.log2(f0) / o.pitch_scale)
        cols.append((peak if o.time_scale > 0 else level) / o.loudness_scale)
        if o.time_scale > 0:
            cols.append(np.log2(1.0 + age / AGE_REF) / o.time_scale)
        return np.stack(cols, axis=1)

    def match(self, content: Analysis, style: Analysis, *, context: ConversionContext) -> Analysis:
        o = self.options
        if style.n_bins != content.n_bins:
            raise ValueError("content and style analyses have different bin counts")
        world = content.kind == "world"
        pc, ps = content.envelope, style.envelope
        bands, centres = band_matrix(content.sample_rate, content.n_bins, o.n_bands)
        lc_abs, lc, act_c, age_c, peak_c = _positions(content, bands)
        _, ls, act_s, age_s, peak_s = _positions(style, bands)
        f0c = content.f0 if content.f0 is not None else np.zeros(content.n_frames)
        f0s = style.f0 if style.f0 is not None else np.zeros(style.n_frames)
        dbc = 10.0 * np.log10(pc + TINY)
        dbs = 10.0 * np.log10(ps + TINY)
        pitched_s = np.flatnonzero((f0s > 0) & act_s)
        pitched_c = (f0c > 0) & act_c
        if pitched_s.size < o.k:
            if pitched_c.any():
                context.note(
                    "timbre: the style has no pitch (fewer than k voiced frames): every "
                    "content frame took the style's smooth colour at its loudness only"
                )
            pitched_c[:] = False
        if content.f0 is None:
            context.note(
                "timbre: the analysis has no pitch: every frame took the style's smooth "
                "colour at its loudness (choose --analysis pitched-stft for pitch)"
            )
        elif act_c.any() and not pitched_c.any():
            context.note(
                "timbre: no pitch found in the content (a chord, drums or a texture?): every "
                "frame took the style's smooth colour at the same loudness"
            )
        retrieved = dbc.copy()
        course = np.zeros(content.n_frames)  # style's level under its note peak, dB
        nb_p = None
        # Pitched frames: nearest style frames in (semitones, dB, age), shifted onto the
        # content's F0.
        idx_c = np.flatnonzero(pitched_c)
        if idx_c.size:
            q = self._features(f0c[idx_c], lc[idx_c], age_c[idx_c], peak_c[idx_c])
            pool = self._features(
                f0s[pitched_s], ls[pitched_s], age_s[pitched_s], peak_s[pitched_s]
            )
            nb_p = pitched_s[nearest(q, pool, o.k)]
            ratios = f0s[nb_p] / f0c[idx_c][:, None]
            if o.warp == "all":  # the whole spectrum moves with the pitch
                retrieved[idx_c] = warped_mean(dbs, nb_p, ratios)
            elif o.warp == "fine":  # harmonics move, the envelope stays where it is
                df = content.frequencies[1] - content.frequencies[0]
                env_s = np.zeros_like(dbs)
                env_s[pitched_s] = harmonic_envelope(dbs[pitched_s], f0s[pitched_s], df)
                retrieved[idx_c] = env_s[nb_p].mean(axis=1) + warped_mean(dbs - env_s, nb_p, ratios)
            else:
                retrieved[idx_c] = dbs[nb_p].mean(axis=1)
            course[idx_c] = (ls[nb_p] - peak_s[nb_p]).mean(axis=1)
        # Active frames without a pitch: nearest style frames by loudness (and age) alone.
        idx_u = np.flatnonzero(act_c & ~pitched_c)
        if idx_u.size:
            unv = np.flatnonzero(act_s & (f0s <= 0))
            pool_i = unv if unv.size >= o.k else np.flatnonzero(act_s)
            q = self._features(None, lc[idx_u], age_c[idx_u], peak_c[idx_u])
            pool = self._features(None, ls[pool_i], age_s[pool_i], peak_s[pool_i])
            nb = pool_i[nearest(q, pool, o.k)]
            retrieved[idx_u] = dbs[nb].mean(axis=1)
            course[idx_u] = (ls[nb] - peak_s[nb]).mean(axis=1)
        retrieved = smooth_time(retrieved, o.smooth)
        # Smooth-envelope move (keeps the content's partials) and the fine replacement.
        gain = envelope_db(retrieved, bands, centres) - envelope_db(dbc, bands, centres)
        coarse = dbc + np.clip(gain, -o.max_db, o.max_db)
        if world:
            weight = pitched_c.astype(np.float64)
        elif o.fine == "auto":
            weight = harmonicity(pc, np.where(pitched_c, f0c, 0.0), content.frequencies)
            if pitched_c.any() and weight[pitched_c].mean() < POLYPHONY_NOTE:
                context.note(
                    f"timbre: the content's pitched frames have harmonicity "
                    f"{weight[pitched_c].mean():.2f} (polyphony or noise?): they mostly kept "
                    "their own partials and took the style's envelope"
                )
        else:
            weight = np.where(pitched_c, float(o.fine), 0.0)
        out_db = coarse + weight[:, None] * (retrieved - coarse)
        out_db = np.where(act_c[:, None], out_db, dbc)
        # Each frame's level: the content's own, or its note's peak plus the style's course.
        level = lc_abs.copy()
        if o.level == "note":
            level[act_c] = (lc_abs - lc + peak_c + course)[act_c]
        out_db += (level - frame_levels(10.0 ** (out_db / 10.0)))[:, None]
        out = content.replace(envelope=10.0 ** (out_db / 10.0))
        if world and content.aperiodicity is not None and nb_p is not None:
            ap = content.aperiodicity.copy()
            ap[idx_c] = style.aperiodicity[nb_p].mean(axis=1)
            out = out.replace(aperiodicity=ap)
        n = int(act_c.sum())
        context.note(
            f"timbre: {int(pitched_c.sum())} of {n} active frames matched by pitch, loudness "
            f"and age in the note (k={o.k}), {n - int(pitched_c.sum())} without pitch"
        )
        return out
