"""What every kind of cell shares: summaries of repeated timings, loading a case's
clips, an output's file stem, SNRs."""

from __future__ import annotations

import math
import re
import statistics
from typing import Any

from audiostyle.bench.specs import CaseSpec, CellSpec

MAX_SNR_DB = 240.0  # SNRs are capped here (an exact round trip has infinite SNR)


def spread(samples: list[float]) -> float:
    """Interquartile range (0 for a single sample).

    >>> spread([1.0]), spread([1.0, 3.0]), spread([1.0, 2.0, 3.0, 4.0, 100.0])
    (0.0, 1.0, 2.0)
    """
    if len(samples) < 2:
        return 0.0
    q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return q3 - q1


def summary(prefix: str, samples: list[float], out: dict[str, Any]) -> None:
    out[prefix] = statistics.median(samples)
    out[f"{prefix}.spread"] = spread(samples)


def load(path: str, *, sample_rate: int, offset: float, duration: float | None, role: str):
    from audiostyle.audio import load

    return load(path, sample_rate=sample_rate, offset=offset, duration=duration, role=role)


def target(case: CaseSpec, sample_rate: int):
    if case.target is None:
        return None
    return load(
        case.target,
        sample_rate=sample_rate,
        offset=case.offset,
        duration=case.duration,
        role="target",
    )


def stem(spec: CellSpec) -> str:
    text = f"{spec.index:03d}-{spec.case.name}-{spec.variant}"
    return re.sub(r"[^A-Za-z0-9_.=+-]+", "_", text).strip("_")[:120]


def snr_db(signal: float, error: float) -> float:
    if signal <= 0:
        return 0.0
    if error <= signal * 10 ** (-MAX_SNR_DB / 20):
        return MAX_SNR_DB
    return 20 * math.log10(signal / error)
