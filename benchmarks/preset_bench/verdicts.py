"""Issue 14's verdicts: which preset wins what, per group and seed."""

from __future__ import annotations

import math
import statistics

from preset_bench.config import PUBLISHED


def _get(scores: dict, preset: str, key: str):
    return scores.get(preset, {}).get(key)


def verdicts(group: str, per_case: list[dict[str, dict]], presets: list[str]) -> list[tuple]:
    """Issue 14's checks for one case group: (what, default's value, bar, met)."""
    out = []
    pubs = [p for p in presets if p in PUBLISHED]
    if "default" not in presets:
        return out

    def avg(preset: str, key: str):
        vals = [_get(s, preset, key) for s in per_case]
        vals = [v for v in vals if v is not None and math.isfinite(v)]
        return statistics.fmean(vals) if vals else None

    def check(what, mine, others, better):
        others = [o for o in others if o is not None]
        if mine is None or not others:
            out.append((what, mine, None, None))
            return
        bar = max(others) if better == "higher" else min(others)
        met = mine >= bar if better == "higher" else mine <= bar
        out.append((what, mine, bar, met))

    if group == "voice":
        for i, s in enumerate(per_case):
            tag = f"case {i + 1}"
            sim = "speaker-similarity.to_style"
            check(
                f"{tag} speaker similarity >= best published",
                _get(s, "default", sim),
                [_get(s, p, sim) for p in pubs],
                "higher",
            )
            none = _get(s, "none", sim)
            mine = _get(s, "default", sim)
            out.append(
                (
                    f"{tag} speaker similarity > do-nothing",
                    mine,
                    none,
                    None if mine is None or none is None else mine > none,
                )
            )
            check(
                f"{tag} WER vs content <= best published",
                _get(s, "default", "wer.vs_content"),
                [_get(s, p, "wer.vs_content") for p in pubs],
                "lower",
            )
            check(
                f"{tag} DNSMOS ovrl >= best published",
                _get(s, "default", "dnsmos.ovrl"),
                [_get(s, p, "dnsmos.ovrl") for p in pubs],
                "higher",
            )
    elif group == "music":
        for i, s in enumerate(per_case):
            tag = f"case {i + 1}"
            check(
                f"{tag} MFCC distance to style < every published",
                _get(s, "default", "mfcc-timbre.to_style"),
                [_get(s, p, "mfcc-timbre.to_style") for p in pubs],
                "lower",
            )
            check(
                f"{tag} MFCC distance to content <= best published",
                _get(s, "default", "mfcc-timbre.to_content"),
                [_get(s, p, "mfcc-timbre.to_content") for p in pubs],
                "lower",
            )
    else:
        mine = avg("default", "lsd.to_target")
        check(
            f"{group}: mean LSD to target < every published",
            mine,
            [avg(p, "lsd.to_target") for p in pubs],
            "lower",
        )
        none = avg("none", "lsd.to_target")
        out.append(
            (
                f"{group}: mean LSD to target < do-nothing",
                mine,
                none,
                None if mine is None or none is None else mine < none,
            )
        )
        pitch = avg("default", "pitch")
        out.append(
            (
                f"{group}: mean pitch agreement >= 0.9",
                pitch,
                0.9,
                None if pitch is None else pitch >= 0.9,
            )
        )
    return out
