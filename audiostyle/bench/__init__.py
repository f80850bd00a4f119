"""``audiostyle bench``: run a grid of recipe variants on cases and measure them::

    from audiostyle import bench
    from audiostyle.resolve import resolve_recipe

    cases = [bench.CaseSpec("m2f", "male.wav", "female.wav", duration=5.0)]
    axes = bench.parse_grid(["transform=librosa,torchaudio", "phase=griffin-lim,fast-griffin-lim"])
    plan = bench.plan(cases, axes, resolve_recipe(steps=50), metrics=bench.default_metrics())
    result = bench.run(plan)                    # or run(plan, map_fn=pool.map)
    print(result.table()); result.to_json("bench.json"); result.to_csv("bench.csv")

:mod:`~audiostyle.bench.grid` parses and expands the grid,
:mod:`~audiostyle.bench.planning` lays out the cells (:mod:`~audiostyle.bench.specs`),
:mod:`~audiostyle.bench.runner` runs them (each a picklable call of
:func:`~audiostyle.bench.cells.run_cell`, so any executor's ``map`` can run them:
:mod:`~audiostyle.bench.transfer_cell`, :mod:`~audiostyle.bench.transform_cell`),
:mod:`~audiostyle.bench.process` measures peak memory and isolates cells,
:mod:`~audiostyle.bench.results` holds the rows and writes the table, JSON and CSV.
"""

from audiostyle.bench.grid import Axis, apply_point, expand, parse_axis, parse_grid
from audiostyle.bench.results import BenchResult, format_value
from audiostyle.bench.runner import (
    CaseSpec,
    CellSpec,
    MetricSpec,
    Plan,
    default_metrics,
    failed_row,
    isolated_map,
    plan,
    run,
    run_cell,
    score,
)

__all__ = [
    "Axis",
    "BenchResult",
    "CaseSpec",
    "CellSpec",
    "MetricSpec",
    "Plan",
    "apply_point",
    "default_metrics",
    "failed_row",
    "expand",
    "format_value",
    "isolated_map",
    "parse_axis",
    "parse_grid",
    "plan",
    "run",
    "run_cell",
    "score",
]
