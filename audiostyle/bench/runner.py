"""Plan the cells of a bench and run them, each as one picklable call.

A bench is a list of :class:`CellSpec`; :func:`run_cell` (a top-level function)
turns one into one result row, so any executor that can map a function over
picklable items can run a bench::

    result = run(cells, map_fn=pool.map)     # local pool, Ray, ... (default: map)

Three kinds of cells:

``transfer``
    One recipe on one case, ``repeat`` times (after ``warmup`` untimed runs): wall
    time per stage (median and spread), peak memory, final losses, and the quality
    metrics of the output (from the first timed run) against the content, the
    style, the target and the text.
``baseline``
    "Do nothing": the content itself scored as the output, once per case, so every
    metric reads against it.
``transform``
    No optimisation: STFT and iSTFT time, round-trip error, and the quality of the
    phase reconstruction of the content's own magnitude after the phase stage's
    ``n_iter`` iterations (spectral convergence and SNR of the re-analysed
    magnitude).

Timings are the median and the spread (interquartile range) of ``repeat`` runs.
Before timing, a cell primes its backends (imports, JIT compilation, FFT plans on
a short signal), so the first cell of a process does not pay for them; ``warmup``
adds whole untimed runs.

How peak memory is measured, and :func:`isolated_map` (a fresh process per cell,
``audiostyle bench --isolate``): :mod:`~audiostyle.bench.process`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable

from audiostyle.bench.cells import failed_row, run_cell
from audiostyle.bench.planning import normalise, plan
from audiostyle.bench.process import MEMORY_METHOD, PeakMemory, isolated_map
from audiostyle.bench.results import BenchResult
from audiostyle.bench.specs import TRANSFORM_KEYS, CaseSpec, CellSpec, Plan
from audiostyle.provenance import versions
from audiostyle.scoring import MetricSpec, default_metrics, metric_directions, score

# Where each part lives now (this module kept its public names):
# specs.py (CaseSpec, CellSpec, Plan), planning.py (plan, normalise), cells.py
# (run_cell, failed_row, the baseline), transfer_cell.py, transform_cell.py,
# measure.py (spread, SNR), process.py (PeakMemory, isolated_map), scoring.py.
__all__ = [
    "MEMORY_METHOD",
    "TRANSFORM_KEYS",
    "CaseSpec",
    "CellSpec",
    "MetricSpec",
    "PeakMemory",
    "Plan",
    "default_metrics",
    "failed_row",
    "isolated_map",
    "normalise",
    "plan",
    "run",
    "run_cell",
    "score",
]


def run(
    cells: list[CellSpec] | Plan,
    *,
    map_fn: Callable[[Callable, list], Iterable[dict]] | None = None,
    on_row: Callable[[dict, int, int], None] | None = None,
) -> BenchResult:
    """Run every cell and collect the rows.

    Parameters
    ----------
    cells : list of CellSpec, or a Plan
    map_fn : callable(fn, items) -> iterable of rows, optional
        How to run the cells: the built-in ``map`` by default (one after the
        other, in this process); :func:`isolated_map` runs each in a fresh
        process; a pool's or a cluster's ``map`` runs them in parallel (timings
        then share the CPUs).
    on_row : callable(row, done, total), optional
        Called as each row arrives (progress).
    """
    notes: list[str] = []
    axes: list[str] = []
    if isinstance(cells, Plan):
        notes, axes, cells = list(cells.notes), list(cells.axes), cells.cells
    mapper = map_fn or map
    rows = []
    total = len(cells)
    for row in mapper(run_cell, list(cells)):
        rows.append(row)
        if on_row is not None:
            on_row(row, len(rows), total)
    rows.sort(key=lambda r: r["cell"])
    outputs, inputs = _take_outputs(rows)
    meta = {
        "versions": versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "memory": MEMORY_METHOD,
        "higher_is_better": metric_directions({m.name for c in cells for m in c.metrics}),
        "cases": {c.case.name: dataclasses.asdict(c.case) for c in cells},
    }
    return BenchResult(rows=rows, axes=axes, notes=notes, meta=meta, outputs=outputs, inputs=inputs)


def _take_outputs(rows: list[dict]) -> tuple[dict[int, dict], dict[str, dict]]:
    """Move kept outputs (``keep_output`` cells) out of the rows: per cell, and the
    inputs once per case."""
    outputs: dict[int, dict] = {}
    inputs: dict[str, dict] = {}
    for row in rows:
        payload = row.pop("_output", None)
        if payload is None:
            continue
        case = inputs.setdefault(row["case"], {"sample_rate": payload["sample_rate"]})
        for role in ("content", "style", "target"):
            value = payload.pop(role, None)
            if value is not None and role not in case:
                case[role] = value
        outputs[row["cell"]] = payload
    return outputs, inputs
