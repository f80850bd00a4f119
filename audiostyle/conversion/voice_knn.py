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
    zc: np.ndarray,
    zs: np.ndarray,
    groups: list[tuple[str, np.ndarray, np.ndarray]],
    *,
    k: int,
    min_frames: int,
    context: ConversionContext | None = None,
) -> np.ndarray:
    """Each content frame's mean of its k nearest style frames within its group.

    ``groups`` are ``(name, content_mask, style_mask)``; a content group with frames
    whose style group has fewer than ``min_frames`` raises :class:`ParameterError`,
    or, given a ``context``, keeps those content frames as they are with a note.
    """
    out = zc.copy()
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
        pool = zs[smask]
        idx = nearest(zc[qmask], pool, k)
        out[qmask] = pool[idx].mean(axis=1)
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
        if voicing == "split" and (content.f0 is None or style.f0 is None):
            context.note(f"knn: a {content.kind} analysis has no F0; frames retrieved as any kind")
            voicing = "any"
        if voicing == "split":
            cv, sv = content.voiced, style.voiced
            groups = [("voiced", cv, sa & sv), ("unvoiced", ~cv, sa & ~sv)]
        else:
            groups = [("", np.ones(content.n_frames, bool), sa)]
        r = vf.smooth(
            retrieve(
                zc, zs, groups, k=o.k, min_frames=o.min_frames, context=context if keep else None
            ),
            o.smooth,
        )
        ref = cs[sa, 1:n]
        wanted = ref.mean(axis=0) + r * ref.std(axis=0)
        out = cc.copy()
        out[:, 1:n] = (1.0 - o.blend) * cc[:, 1:n] + o.blend * wanted
        return apply_ceps(content, bands, logb, out, o.max_db)
