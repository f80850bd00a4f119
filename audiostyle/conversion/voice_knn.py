"""Per-frame retrieval of the style's envelopes in a speaker-normalised cepstral space.

The idea of kNN-VC (Baas, van Niekerk & Kamper 2023: replace each content frame by the
mean of its k nearest style frames) without its WavLM features: frames are compared as
cepstra of the mel-band log envelope, each clip standardised by its *own* mean and
spread (per-speaker cepstral mean and variance normalisation), so a content frame
finds the style's frames that differ from the style's average as it differs from its
own: the same kind of sound, in the other voice. Voiced frames retrieve voiced ones
and unvoiced unvoiced ones (``voicing="split"``, from the analysis's F0). The retrieved
cepstra (de-normalised with the style's statistics) replace c1..cN of the content
frame, ``blend`` of the way; c0 (loudness) and everything above cN (fine structure)
stay the content's, and so do F0 and aperiodicity (other stages move those).

Two options change what is compared and what is taken. ``context`` compares each
frame together with its neighbours (a stacked window, so a frame matches frames in a
like sequence of sounds, not only a like spectrum). ``residual`` keeps each content
frame's own detail: it retrieves the frame's k nearest frames among the content's
own as well, and moves the frame by the difference of the two means (the style's
version of that neighbourhood minus the content's), so a clip matched against itself
comes back unchanged at any k.
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, ConversionContext, Matcher
from audiostyle.conversion import voice_features as vf
from audiostyle.conversion.voice_cepstral import apply_ceps, cepstral_frames
from audiostyle.errors import ParameterError

CHUNK = 1024  # content frames per block of the distance matrix


def nearest(query: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
    """Indices ``(len(query), k)`` of the k nearest ``pool`` rows (Euclidean) per query."""
    k = min(k, pool.shape[0])
    p2 = (pool**2).sum(axis=1)
    out = np.empty((query.shape[0], k), dtype=np.int64)
    for start in range(0, query.shape[0], CHUNK):
        q = query[start : start + CHUNK]
        d = p2[None, :] - 2.0 * q @ pool.T
        out[start : start + CHUNK] = np.argpartition(d, k - 1, axis=1)[:, :k]
    return out


def retrieve(
    query: np.ndarray,
    keys: np.ndarray,
    values: np.ndarray,
    fallback: np.ndarray,
    groups: list[tuple[str, np.ndarray, np.ndarray]],
    *,
    k: int,
    min_frames: int,
    context: ConversionContext | None = None,
) -> np.ndarray:
    """Each query frame's mean of the ``values`` of its k nearest ``keys`` within its group.

    ``groups`` are ``(name, query_mask, key_mask)``; frames not retrieved keep
    ``fallback``. A query group with frames whose key group has fewer than
    ``min_frames`` raises :class:`ParameterError`, or, given a ``context``, keeps those
    frames' fallback with a note.
    """
    out = fallback.copy()
    for name, qmask, smask in groups:
        if not qmask.any():
            continue
        have = int(smask.sum())
        if have < min_frames and context is not None:
            context.note(
                f"knn: the style has only {have} active {name} frames (fewer than {min_frames}); "
                f"the content's {name} frames keep their own envelope: give a longer style"
            )
            continue
        if have < min_frames:
            raise ParameterError(
                f"knn: the style has {have} active {name} frames and retrieval needs at least "
                f"{min_frames}; give a longer style clip with speech in it, or lower "
                "knn min_frames (or voicing='any')."
            )
        idx = nearest(query[qmask], keys[smask], k)
        out[qmask] = values[smask][idx].mean(axis=1)
    return out


class KnnMatcher(Matcher):
    """Each content frame's envelope from the mean of its k nearest style frames."""

    def match(self, content: Analysis, style: Analysis, *, context: ConversionContext) -> Analysis:
        o = self.options
        n = o.n_ceps + 1
        bands, logb, cc, ca = cepstral_frames(content, n_bands=o.n_bands, n_ceps=o.n_ceps)
        _, _, cs, sa = cepstral_frames(style, n_bands=o.n_bands, n_ceps=o.n_ceps)
        keep = o.too_short == "keep"
        if sa.sum() < o.min_frames and keep:
            context.note(
                f"knn: the style has only {int(sa.sum())} active frames (fewer than "
                f"{o.min_frames}); nothing retrieved: give a longer style clip"
            )
            return content
        if sa.sum() < o.min_frames:
            raise ParameterError(
                f"knn: the style has {int(sa.sum())} active frames and retrieval needs at least "
                f"{o.min_frames}; give a longer style clip (a few seconds of speech)."
            )
        if ca.sum() < 2:
            context.note("knn: the content is silent; its envelope is left as it is")
            return content
        zc = vf.normalised(cc[:, 1:n], ca)
        zs = vf.normalised(cs[:, 1:n], sa)
        voicing = o.voicing
        if voicing != "any" and (content.f0 is None or style.f0 is None):
            context.note(f"knn: a {content.kind} analysis has no F0; frames retrieved as any kind")
            voicing = "any"
        if voicing != "any":
            cv, sv = content.voiced, style.voiced
            groups = [("voiced", cv, sa & sv)]
            if voicing == "split":
                groups.append(("unvoiced", ~cv, sa & ~sv))
        else:
            groups = [("", np.ones(content.n_frames, bool), sa)]
        qc, qs = vf.stacked(zc, o.context), vf.stacked(zs, o.context)
        note = context if keep else None
        mine = zc
        if o.residual:
            # The same retrieval among the content's own frames: what its neighbourhood
            # (the phone) looks like in this voice; the frame keeps its offset from it.
            own = [(name, q, ca & q) for name, q, _ in groups]
            mine = retrieve(qc, qc, zc, zc, own, k=o.k, min_frames=1)
        r = retrieve(qc, qs, zs, mine, groups, k=o.k, min_frames=o.min_frames, context=note)
        if o.residual:
            r = zc + (r - mine)
        r = vf.smooth(r, o.smooth)
        ref = cs[sa, 1:n]
        wanted = ref.mean(axis=0) + r * ref.std(axis=0)
        out = cc.copy()
        out[:, 1:n] = (1.0 - o.blend) * cc[:, 1:n] + o.blend * wanted
        return apply_ceps(content, bands, logb, out, o.max_db, keep_power=o.keep_power)
