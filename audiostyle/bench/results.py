"""Bench results: rows, a terminal table, JSON and CSV that say the same thing.

Each row is a flat dict: ``cell``, ``kind`` (``transfer``, ``baseline``,
``transform``), ``case``, ``variant``, one column per grid axis, the
measurements (``time.STAGE``: median seconds over the repeats;
``time.STAGE.spread``: their interquartile range; ``peak_mb``, ``losses.TERM``,
``METRIC.KEY`` ...), ``notes``, ``error`` and the full ``recipe``. JSON keeps
every value (non-finite numbers become ``null``); CSV has one column per key
(``recipe`` as JSON text, ``notes`` joined by ``"; "``); the table shows the main
columns with 4 significant digits.
Light module: no numpy or torch.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audiostyle.report.columns import TRANSFER_COLUMNS, TRANSFORM_COLUMNS, format_value
from audiostyle.report.model import Column
from audiostyle.scoring import NEUTRAL_SUFFIXES, higher_is_better

__all__ = [
    "NEUTRAL_SUFFIXES",
    "TRANSFER_COLUMNS",
    "TRANSFORM_COLUMNS",
    "BenchResult",
    "Column",
    "format_value",
]

_FIXED = {
    "cell",
    "kind",
    "case",
    "variant",
    "notes",
    "error",
    "recipe",
    "repeats",
    "peak_mb",
    "steps",
    "evaluations",
    "stopped",
    "audio",
    "plot",
    "samples",
}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


@dataclass
class BenchResult:
    """The rows of a bench run and what was noticed.

    Attributes
    ----------
    rows : list of dict
        One per cell, ordered by ``cell``.
    axes : list of str
        The grid's keys (each is also a column).
    notes : list of str
        Planning notes (e.g. grid points that resolve to the same recipe).
    meta : dict
        Versions, creation time, how memory was measured, metric directions.
    """

    rows: list[dict[str, Any]]
    axes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    #: Kept outputs per cell (``plan(..., keep_outputs=True)``): audio, sample_rate,
    #: history, initial_losses, recipe_toml; and the inputs per case. Not in JSON/CSV.
    outputs: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    # -- views ----------------------------------------------------------------------
    def by_kind(self, kind: str) -> list[dict[str, Any]]:
        """Rows of one kind: ``transfer``, ``baseline`` or ``transform``."""
        return [r for r in self.rows if r.get("kind") == kind]

    @property
    def errors(self) -> list[dict[str, Any]]:
        """Rows whose cell failed."""
        return [r for r in self.rows if r.get("error")]

    def all_notes(self) -> list[str]:
        """Planning notes, then each distinct row note with how many cells had it."""
        counts: dict[str, int] = {}
        for row in self.rows:
            for note in row.get("notes") or ():
                counts[note] = counts.get(note, 0) + 1
        out = list(self.notes)
        for note, n in counts.items():
            out.append(f"{note} ({n} cell{'s' if n != 1 else ''})" if n > 1 else note)
        return out

    def metric_columns(self) -> list[str]:
        """Metric value columns in first-seen order."""
        metrics = set(self.meta.get("higher_is_better", {}))
        cols: list[str] = []
        for row in self.rows:
            for key in row:
                if key in _FIXED or key in cols or key in self.axes:
                    continue
                if key in metrics or key.split(".")[0] in metrics:
                    cols.append(key)
        return cols

    def columns(self) -> list[str]:
        """Every key of every row, in first-seen order (the CSV header)."""
        cols: list[str] = []
        for row in self.rows:
            for key in row:
                if key not in cols:
                    cols.append(key)
        return cols

    # -- JSON / CSV -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``meta``, ``axes``, ``notes`` (all), ``plan_notes`` and ``rows``."""
        return _clean(
            {
                "meta": self.meta,
                "axes": list(self.axes),
                "notes": self.all_notes(),
                "plan_notes": list(self.notes),
                "rows": self.rows,
            }
        )

    def to_json(self, path: str | Path | None = None) -> str:
        """The result as JSON text (written atomically to ``path`` if given)."""
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False, default=str) + "\n"
        if path is not None:
            from audiostyle.atomic import atomic_write_text

            atomic_write_text(path, text)
        return text

    def to_csv(self, path: str | Path | None = None) -> str:
        """One line per row, one column per key (written atomically to ``path``)."""
        cols = self.columns()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        for row in self.rows:
            writer.writerow([_csv_value(_clean(row.get(c))) for c in cols])
        text = buf.getvalue()
        if path is not None:
            from audiostyle.atomic import atomic_write_text

            atomic_write_text(path, text)
        return text

    def to_html(
        self,
        path: str | Path,
        *,
        group_by: str | None = None,
        title: str | None = None,
        audio_format: str = "ogg",
        force: bool = False,
        embed: bool = False,
    ) -> Path:
        """Write the HTML report (see :mod:`audiostyle.report`): every case's inputs and
        every output with a player, spectrograms on one colour scale, loss curves and
        recipe, and the table sortable, best values marked, grouped by ``group_by``
        (default: the first grid axis that varies). Outputs need ``keep_outputs=True``
        (or ``audio_dir``) in :func:`~audiostyle.bench.plan`. Returns the page's Path."""
        from audiostyle.report import write
        from audiostyle.report.build import from_bench

        report = from_bench(self, title=title, group_by=group_by)
        return write(report, path, audio_format=audio_format, force=force, embed=embed)

    @classmethod
    def from_json(cls, text_or_path: str | Path) -> BenchResult:
        """Read what :meth:`to_json` wrote (JSON text or a file path)."""
        text = str(text_or_path)
        if not text.lstrip().startswith("{"):
            text = Path(text_or_path).read_text(encoding="utf-8")
        data = json.loads(text)
        return cls(
            rows=data["rows"],
            axes=data.get("axes", []),
            notes=list(data.get("plan_notes", [])),
            meta=data.get("meta", {}),
        )

    # -- the table ------------------------------------------------------------------
    def table(self) -> str:
        """The terminal table: a transfer section and/or a transform section, then notes.

        Times show ``median±half the interquartile range``; ``*`` marks the best variant of a
        case in each time and quality column (not the ``to_content`` trade-offs).
        """
        parts = []
        transfer = [r for r in self.rows if r.get("kind") in ("baseline", "transfer")]
        if transfer:
            directions = self.meta.get("higher_is_better", {})
            metric_cols = [
                Column(k, k, higher_is_better(k, directions)) for k in self.metric_columns()
            ]
            cols = [c for c in TRANSFER_COLUMNS if any(c.key in r for r in transfer)]
            parts.append(self._section("transfer", transfer, cols + metric_cols))
        transform = self.by_kind("transform")
        if transform:
            parts.append(self._section("transform (no optimisation)", transform, TRANSFORM_COLUMNS))
        notes = self.all_notes()
        errors = self.errors
        if errors:
            parts.append(
                "errors:\n"
                + "\n".join(
                    f"  cell {r['cell']} ({r['case']}, {r['variant']}): {r['error']}"
                    for r in errors
                )
            )
        if notes:
            parts.append("notes:\n" + "\n".join(f"  - {n}" for n in notes))
        return "\n\n".join(parts) + "\n"

    def _section(self, title: str, rows: list[dict], cols: Iterable[Column]) -> str:
        cols = list(cols)
        best = _best(rows, cols)
        header = ["case", "variant", *(c.header for c in cols)]
        lines = []
        for row in rows:
            cells = [str(row.get("case", "")), str(row.get("variant", ""))]
            if row.get("error"):
                cells += ["error"] + ["-"] * (len(cols) - 1)
                lines.append(cells)
                continue
            for c in cols:
                cells.append(_cell(row, c) + ("*" if (c.key, row["cell"]) in best else ""))
            lines.append(cells)
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

        def fmt(cells: list[str]) -> str:
            left = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1])]
            right = [c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True)]
            return "  ".join(left + right).rstrip()

        repeats = sorted({r.get("repeats") for r in rows if r.get("repeats")})
        rep = f", {'/'.join(map(str, repeats))} timed runs per cell" if repeats else ""
        out = [f"{title}{rep}:", fmt(header), fmt(["-" * w for w in widths])]
        out += [fmt(line) for line in lines]
        return "\n".join(out)


def _cell(row: dict, col: Column) -> str:
    value = row.get(col.key)
    if value is None:
        return "-"
    if isinstance(value, float) and col.scale != 1.0:
        value = value * col.scale
    text = format_value(value)
    spread = row.get(f"{col.key}.spread")
    if isinstance(spread, float) and math.isfinite(spread) and text != "-":
        text += "±" + format_value(spread * col.scale / 2)
    return text


def _best(rows: list[dict], cols: list[Column]) -> set[tuple[str, int]]:
    """``(column, cell)`` of the best non-baseline row of each case in each column."""
    out: set[tuple[str, int]] = set()
    cases: dict[str, list[dict]] = {}
    for r in rows:
        if r.get("kind") != "baseline" and not r.get("error"):
            cases.setdefault(r.get("case"), []).append(r)
    for col in cols:
        if col.higher_is_better is None:
            continue
        for group in cases.values():
            scored = [
                r
                for r in group
                if isinstance(r.get(col.key), int | float) and math.isfinite(r[col.key])
            ]
            if len(scored) < 2 or len({r[col.key] for r in scored}) < 2:
                continue
            pick = max if col.higher_is_better else min
            winner = pick(scored, key=lambda r, k=col.key: r[k])
            out.add((col.key, winner["cell"]))
    return out


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
