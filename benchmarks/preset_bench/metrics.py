"""Score every output with every registered metric, with a memory and a disk cache."""

from __future__ import annotations

import os
import time
from pathlib import Path

from preset_bench.config import CASE_FIELDS, KEY_VERSION, RATE
from preset_bench.store import _now, digest, load_finished, write_json


def score_output(path: str | None, case: dict, notes: list[str]) -> dict[str, float]:
    """Every registered metric of ``path`` (None: the content itself, the do-nothing row)."""
    from audiostyle.audio import load
    from audiostyle.bench.runner import default_metrics, score

    content = load(case["content"], sample_rate=RATE, duration=case["duration"])
    style = load(case["style"], sample_rate=RATE, duration=case["style_duration"])
    target = None
    if case.get("target"):
        target = load(case["target"], sample_rate=RATE, duration=case["duration"])
    output = content if path is None else load(path, sample_rate=RATE)
    return score(
        default_metrics(),
        output,
        sample_rate=RATE,
        content=content,
        style=style,
        target=target,
        text=case.get("text"),
        notes=notes,
    )


def metric_set() -> list[list]:
    """The metrics score_output measures, with their options (part of a score's key)."""
    from audiostyle.bench.runner import default_metrics

    return [[m.name, dict(m.options)] for m in default_metrics()]


class Scorer:
    """score_output with a memory and, under ``workdir/scores``, a disk cache.

    A score's key is the case, the output (its run key and file hash; None for the
    do-nothing row, so that one is scored once per case whatever the seed) and the
    metric set. The disk cache is read only with ``resume``; it is always written.
    """

    def __init__(self, workdir: Path, *, resume: bool) -> None:
        self.dir = workdir / "scores"
        self.resume = resume
        self.memo: dict[str, tuple[dict, list[str], dict]] = {}
        self._metrics: list[list] | None = None

    def key(self, case: dict, result: dict | None) -> str:
        """The key of ``result``'s scores on ``case`` (``None``: the content itself)."""
        if self._metrics is None:
            self._metrics = metric_set()
        output = None if result is None else [result["key"], result["output_sha256"]]
        return digest(
            {
                "version": KEY_VERSION,
                "rate": RATE,
                "case": {k: case.get(k) for k in CASE_FIELDS},
                "output": output,
                "metrics": self._metrics,
            }
        )

    def __call__(self, case: dict, result: dict | None, notes: list[str]) -> tuple[dict, bool]:
        """``(scores, reused)``: every metric of ``result``'s output (None: do nothing)."""
        key = self.key(case, result)
        if key in self.memo:
            scores, found, _ = self.memo[key]
            notes += found
            return scores, False
        path = self.dir / f"{key}.json"
        if self.resume:
            rec = load_finished(path, key=key, sha_field=None)
            if rec is not None:
                self.memo[key] = (rec["scores"], rec["notes"], rec)
                notes += rec["notes"]
                return rec["scores"], True
        found: list[str] = []
        t = time.perf_counter()
        scores = score_output(None if result is None else result["output"], case, found)
        rec = {
            "key": key,
            "finished": True,
            "scores": scores,
            "notes": found,
            "seconds": time.perf_counter() - t,
            "measured_at": _now(),
            "load": os.getloadavg()[0],
        }
        write_json(path, rec)
        self.memo[key] = (scores, found, rec)
        notes += found
        return scores, False
