"""Reading a manifest: CSV or JSONL rows, every problem collected with its row number."""

from __future__ import annotations

import csv
import functools
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audiostyle.errors import ParameterError

REQUIRED_COLUMNS = ("content", "style", "output")
OPTIONAL_COLUMNS = ("preset", "seed", "duration", "offset", "style_offset", "style_duration")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_PROBLEMS_SHOWN = 50  # problems printed in full; the rest are counted


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a manifest, with where it is."""

    message: str
    row: int | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}" if self.row is None else f"(line {self.line})")
        return f"{' '.join(where)}: {self.message}" if where else self.message


class ManifestError(ParameterError):
    """A manifest has problems; :attr:`problems` lists every one."""

    def __init__(self, manifest: Path, problems: list[Problem]) -> None:
        self.manifest = manifest
        self.problems = list(problems)
        n = len(self.problems)
        shown = [f"  {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if n > MAX_PROBLEMS_SHOWN:
            shown.append(f"  ... and {n - MAX_PROBLEMS_SHOWN} more")
        super().__init__(
            f"manifest {str(manifest)!r} has {n} problem{'s' if n != 1 else ''}; "
            "nothing was run. Fix them and run again:\n" + "\n".join(shown)
        )


@dataclass(frozen=True)
class Row:
    """One manifest row, converted (paths of inputs resolved against the manifest)."""

    number: int
    line: int
    content: Path
    style: Path
    output: str
    preset: str | None = None
    seed: int | None = None
    duration: float | None = None
    offset: float = 0.0
    style_offset: float = 0.0
    style_duration: float | None = None
    invalid: bool = False  # a value was bad (reported); the row is still checked

    def where(self) -> str:
        """``row N (line L)``."""
        return f"row {self.number} (line {self.line})"


def _hint(word: str, names) -> str:
    from audiostyle.options import closest_hint

    return closest_hint(word, names)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert_row(
    values: dict[str, Any], *, number: int, line: int, base: Path, problems: list[Problem]
) -> Row | None:
    """Check and convert one row's values; record problems; ``None`` if it is unusable."""
    from audiostyle.options import convert

    before = len(problems)

    def bad(message: str) -> None:
        problems.append(Problem(message, row=number, line=line))

    for col in REQUIRED_COLUMNS:
        if _blank(values.get(col)):
            bad(f"{col!r} is empty; every row needs content, style and output.")
    out: dict[str, Any] = {}
    for col in ("content", "style", "output", "preset"):
        v = values.get(col)
        if not _blank(v):
            if not isinstance(v, str):
                bad(f"{col}={v!r} must be a text (a path or a name).")
                continue
            out[col] = v.strip()
    checks = {
        "seed": (int, None),
        "duration": (float, "positive"),
        "offset": (float, "non-negative"),
        "style_offset": (float, "non-negative"),
        "style_duration": (float, "positive"),
    }
    for col, (tp, rule) in checks.items():
        v = values.get(col)
        if _blank(v):
            continue
        try:
            x = convert(v.strip() if isinstance(v, str) else v, tp, name=col)
        except ParameterError as exc:
            bad(f"{exc}")
            continue
        if tp is float and not math.isfinite(x):
            bad(f"{col}={v} must be a finite number of seconds.")
        elif rule == "positive" and not x > 0:
            bad(f"{col}={v} must be > 0 seconds.")
        elif rule == "non-negative" and not x >= 0:
            bad(f"{col}={v} must be >= 0 seconds.")
        else:
            out[col] = x
    if any(col not in out for col in REQUIRED_COLUMNS):
        return None

    def resolve(p: str) -> Path:
        return _resolve_input(p, base)

    return Row(
        number=number,
        line=line,
        content=resolve(out["content"]),
        style=resolve(out["style"]),
        output=out["output"],
        preset=out.get("preset"),
        seed=out.get("seed"),
        duration=out.get("duration"),
        offset=out.get("offset", 0.0),
        style_offset=out.get("style_offset", 0.0),
        style_duration=out.get("style_duration"),
        invalid=len(problems) != before,
    )


@functools.lru_cache(maxsize=4096)
def _resolve_input(p: str, base: Path) -> Path:
    """An input path as written in the manifest, against the manifest's folder (cached:
    a manifest names the same few files thousands of times)."""
    path = Path(p).expanduser()
    return path if path.is_absolute() else base / path


def _manifest_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def read_manifest(path: str | Path) -> tuple[list[Row], list[Problem]]:
    """Parse a CSV or JSONL manifest into rows, collecting every problem.

    Returns
    -------
    rows : list of Row
        The rows that could be converted.
    problems : list of Problem
        Everything wrong (unknown columns, empty or bad values), with row numbers.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParameterError(f"manifest {str(path)!r} does not exist; check the path.") from None
    except IsADirectoryError:
        raise ParameterError(
            f"manifest {str(path)!r} is a directory; give a .csv or .jsonl."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"manifest {str(path)!r} cannot be read: {exc}.") from None
    base = path.resolve().parent
    rows: list[Row] = []
    problems: list[Problem] = []
    if _manifest_format(path, text) == "jsonl":
        _read_jsonl(text, base, rows, problems)
    else:
        _read_csv(text, base, rows, problems)
    if not rows and not problems:
        problems.append(Problem("the manifest has no rows."))
    return rows, problems


def _unknown_columns(names, *, row=None, line=None) -> list[Problem]:
    out = []
    for name in names:
        out.append(
            Problem(
                f"unknown column {name!r}.{_hint(str(name), COLUMNS)} Columns: "
                f"{', '.join(COLUMNS)}.",
                row=row,
                line=line,
            )
        )
    return out


def _read_csv(text: str, base: Path, rows: list[Row], problems: list[Problem]) -> None:
    reader = csv.reader(io.StringIO(text))
    header = None
    for cells in reader:
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
    if header is None:
        return
    header_line = reader.line_num
    dupes = sorted({h for h in header if header.count(h) > 1})
    for d in dupes:
        problems.append(Problem(f"column {d!r} appears twice in the header.", line=header_line))
    problems.extend(_unknown_columns([h for h in header if h not in COLUMNS], line=header_line))
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(
            Problem(
                f"the header has no {', '.join(repr(m) for m in missing)} column; "
                f"a manifest needs {', '.join(REQUIRED_COLUMNS)}.",
                line=header_line,
            )
        )
    number = 0
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(f"CSV error: {exc}.", line=start))
            break
        if not any(c.strip() for c in cells):
            continue
        number += 1
        if len(cells) > len(header):
            problems.append(
                Problem(
                    f"{len(cells)} cells but the header has {len(header)} columns; "
                    "quote values that contain commas.",
                    row=number,
                    line=start,
                )
            )
            continue
        values = {h: v for h, v in zip(header, cells, strict=False) if h in COLUMNS}
        row = _convert_row(values, number=number, line=start, base=base, problems=problems)
        if row is not None:
            rows.append(row)


def _read_jsonl(text: str, base: Path, rows: list[Row], problems: list[Problem]) -> None:
    number = 0
    for line_no, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        number += 1
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"not valid JSON ({exc.msg}).", row=number, line=line_no))
            continue
        if not isinstance(obj, dict):
            problems.append(
                Problem(
                    "each line must be a JSON object like "
                    '{"content": "a.wav", "style": "b.wav", "output": "c.wav"}.',
                    row=number,
                    line=line_no,
                )
            )
            continue
        unknown = [k for k in obj if k not in COLUMNS]
        problems.extend(_unknown_columns(unknown, row=number, line=line_no))
        values = {k: v for k, v in obj.items() if k in COLUMNS}
        row = _convert_row(values, number=number, line=line_no, base=base, problems=problems)
        if row is not None:
            rows.append(row)
