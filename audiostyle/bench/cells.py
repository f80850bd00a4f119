"""Run one cell (a top-level, picklable call) and return its row; the baseline cell.

``baseline`` is "do nothing": the content itself scored as the output, once per
case, so every metric reads against it. See :mod:`~audiostyle.bench.transfer_cell`
and :mod:`~audiostyle.bench.transform_cell` for the other two kinds.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from audiostyle.bench import measure
from audiostyle.bench.specs import CellSpec
from audiostyle.bench.transfer_cell import transfer_cell
from audiostyle.bench.transform_cell import transform_cell
from audiostyle.errors import AudiostyleError, ParameterError
from audiostyle.scoring import score


def run_cell(spec: CellSpec) -> dict[str, Any]:
    """Run one cell and return its row (a flat dict; see :mod:`audiostyle.bench`).

    Errors are caught and reported in the row's ``error`` field, so one bad cell
    does not lose the others; Ctrl-C still stops the bench.
    """
    row: dict[str, Any] = {
        "cell": spec.index,
        "kind": spec.kind,
        "case": spec.case.name,
        "variant": spec.variant,
        **dict(spec.point),
    }
    notes: list[str] = []
    try:
        if spec.threads is not None:
            import torch

            torch.set_num_threads(spec.threads)
        if spec.kind == "transfer":
            row.update(transfer_cell(spec, notes))
        elif spec.kind == "baseline":
            row.update(baseline_cell(spec, notes))
        elif spec.kind == "transform":
            row.update(transform_cell(spec, notes))
        else:
            raise ParameterError(f"cell kind {spec.kind!r} is not transfer, baseline, transform.")
        row["error"] = None
    except KeyboardInterrupt:
        raise
    except AudiostyleError as exc:
        row["error"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken cell must not lose the others
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
        row["error"] = f"{type(exc).__name__}: {exc}{where}"
    row["notes"] = notes
    row["recipe"] = spec.recipe.to_dict()
    return row


def failed_row(spec: CellSpec, error: str) -> dict[str, Any]:
    """The row of a cell whose worker died or could not run it (for executors).

    Pass it as ``on_error`` to :func:`audiostyle.executors.base.map_function` so a
    lost worker becomes one failed row instead of stopping the bench.
    """
    return {
        "cell": spec.index,
        "kind": spec.kind,
        "case": spec.case.name,
        "variant": spec.variant,
        **dict(spec.point),
        "error": error,
        "notes": [],
        "recipe": spec.recipe.to_dict(),
    }


def baseline_cell(spec: CellSpec, notes: list[str]) -> dict[str, Any]:
    case, sr = spec.case, spec.recipe.sample_rate
    content = measure.load(
        case.content, sample_rate=sr, offset=case.offset, duration=case.duration, role="content"
    )
    style = measure.load(
        case.style,
        sample_rate=sr,
        offset=case.style_offset,
        duration=case.style_duration,
        role="style",
    )
    return score(
        spec.metrics,
        content,
        sample_rate=sr,
        content=content,
        style=style,
        target=measure.target(case, sr),
        text=case.text,
        notes=notes,
    )
