"""Many transfers from a manifest, on an executor, resumable: ``audiostyle batch``.

A manifest is CSV (with a header) or JSONL (one object per line) with the columns
``content``, ``style`` and ``output``, and optionally ``preset``, ``seed``,
``duration``, ``offset``, ``style_offset``, ``style_duration`` per row. Input paths
are relative to the manifest's directory, outputs relative to ``out_dir``.

>>> from audiostyle.batch import run_batch                    # doctest: +SKIP
>>> result = run_batch("rows.csv", out_dir="out", executor="local",
...                    executor_options={"workers": 2}, steps=100)
>>> result.counts                                             # doctest: +SKIP
{'done': 12, 'skipped': 0, 'failed': 0, 'cancelled': 0, 'pending': 0}

Everything is checked before any work starts, and every problem is reported at once
with its row number (:class:`ManifestError`).

Resuming: ``out_dir/.audiostyle-batch.jsonl`` (the ledger) gets one line per finished
row, written only after the row's output file is complete (outputs are written
atomically). A row whose resolved recipe, segment and input files (size, mtime and
content hash) are unchanged and whose output is still there is skipped; a changed
row is redone. With ``envelope="auto"`` the rule it decides by (strengths, threshold,
detector version) is part of the key too, and :data:`LEDGER_VERSION` is bumped when an
unchanged recipe would now give a different output. Outputs are written by the calling
process, so workers only need to read the inputs.

Reproducibility: a row is computed by :func:`audiostyle.api.transfer`, exactly like
``audiostyle transfer`` with the same recipe and seed. Torch's float reductions
depend on its thread count, so every executor computes a task with the same pinned
number of torch threads (1 by default); ``OMP_NUM_THREADS=1 audiostyle transfer ...``
gives the same samples as a batch row.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from audiostyle.errors import AudiostyleError, NumericalError, ParameterError

LEDGER_NAME = ".audiostyle-batch.jsonl"
LOCK_NAME = ".audiostyle-batch.lock"
LEDGER_VERSION = 1
REQUIRED_COLUMNS = ("content", "style", "output")
OPTIONAL_COLUMNS = ("preset", "seed", "duration", "offset", "style_offset", "style_duration")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
HASH_CHUNK = 1 << 20  # bytes read at a time when hashing an input
MAX_PROBLEMS_SHOWN = 50  # problems printed in full; the rest are counted


# -- errors ----------------------------------------------------------------------------
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


class BatchLockedError(AudiostyleError):
    """Another batch is writing to the same output directory."""


# -- manifest --------------------------------------------------------------------------
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
        path = Path(p).expanduser()
        return path if path.is_absolute() else base / path

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


# -- fingerprints and the ledger ---------------------------------------------------------
def normalize_output(output: str) -> str:
    """An output path as the ledger keys it: relative, ``/``-separated, normalised."""
    return os.path.normpath(str(PurePosixPath(output.replace("\\", "/"))))


def file_fingerprint(path: Path, known: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"size", "mtime_ns", "sha256"}`` of a file; the hash is reused from ``known``
    when size and mtime are the same (a touched but unchanged file still matches)."""
    st = path.stat()
    if known and known.get("size") == st.st_size and known.get("mtime_ns") == st.st_mtime_ns:
        sha = known.get("sha256")
        if isinstance(sha, str):
            return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha}
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest.hexdigest()}


# Bump when the same key would now give a different output (a changed algorithm whose
# settings stay the same): every finished row is then redone once.
LEDGER_VERSION = 2


def row_key(recipe, row: Row, content: dict[str, Any], style: dict[str, Any]) -> str:
    """The hash that says whether a finished row is still up to date."""
    recipe_dict = recipe.to_dict()
    recipe_dict.pop("description", None)
    data = {
        "version": LEDGER_VERSION,
        "recipe": recipe_dict,
        "segment": [row.offset, row.duration, row.style_offset, row.style_duration],
        "content": content["sha256"],
        "style": style["sha256"],
        "format": PurePosixPath(row.output).suffix.lower(),
    }
    if recipe.envelope == "auto":  # the strength is decided at run time: key its rule
        from audiostyle.envelope import auto_rule

        data["envelope_auto"] = auto_rule()
    blob = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


class Ledger:
    """The JSONL record of finished rows in ``out_dir`` (last entry per output wins)."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / LEDGER_NAME
        self.entries: dict[str, dict[str, Any]] = {}
        self.fingerprints: dict[str, dict[str, Any]] = {}
        self.bad_lines = 0
        if not self.path.exists():
            return
        for raw in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except json.JSONDecodeError:
                self.bad_lines += 1  # e.g. a line cut by a crash: that row is redone
                continue
            if not (isinstance(entry, dict) and "output" in entry and "key" in entry):
                self.bad_lines += 1
                continue
            self.entries[entry["output"]] = entry
            for role in ("content", "style"):
                fp = entry.get(role)
                if isinstance(fp, dict) and "path" in fp:
                    self.fingerprints[fp["path"]] = fp

    def append(self, entry: dict[str, Any]) -> None:
        """Add one line, flushed and synced to disk before returning."""
        line = json.dumps(entry, sort_keys=True, default=str) + "\n"
        with open(self.path, "a+b") as f:
            f.seek(0, os.SEEK_END)
            if f.tell():
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":  # a line cut short by a crash: start afresh
                    f.write(b"\n")
            f.write(line.encode())
            f.flush()
            os.fsync(f.fileno())
        self.entries[entry["output"]] = entry


@contextlib.contextmanager
def _dir_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir`` (one batch writes there at a time)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    with open(out_dir / LOCK_NAME, "a") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchLockedError(
                f"another batch is writing to {str(out_dir)!r}; wait for it to finish or "
                "choose another --out-dir."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


# -- planning (all validation happens here) ----------------------------------------------
@dataclass
class PlannedRow:
    """A valid row with its resolved recipe, key and whether it must run."""

    row: Row
    recipe: Any
    key: str
    content_fp: dict[str, Any]
    style_fp: dict[str, Any]
    path: Path
    output: str  # normalised, relative to out_dir (the ledger's key)
    status: str  # "todo" or "skipped"
    audio_seconds: float | None = None  # expected length of the output, if known


@dataclass
class BatchPlan:
    """What :func:`run_batch` would do: every row, validated, with its status."""

    manifest: Path
    out_dir: Path
    rows: list[PlannedRow]
    recipe: Any
    ledger: Ledger

    @property
    def todo(self) -> list[PlannedRow]:
        """Rows that will run."""
        return [r for r in self.rows if r.status == "todo"]

    @property
    def skipped(self) -> list[PlannedRow]:
        """Rows already done and unchanged."""
        return [r for r in self.rows if r.status == "skipped"]


def _audio_length(path: Path) -> tuple[float | None, str | None]:
    """Seconds of audio in ``path`` (None if unknown) or a problem message."""
    import soundfile as sf

    from audiostyle.audio import READ_EXTENSIONS

    try:
        info = sf.info(str(path))
        return info.frames / info.samplerate, None
    except Exception as exc:  # noqa: BLE001 - soundfile raises several types
        if path.suffix.lower() in (".mp3", ".m4a", ".aac"):
            return None, None  # decoded by librosa at run time; length unknown here
        return None, (
            f"cannot be read as audio ({str(exc).strip() or type(exc).__name__}); it is "
            f"corrupt or not a supported format ({', '.join(READ_EXTENSIONS)})."
        )


def _check_input(path: Path, role: str) -> str | None:
    if not path.exists():
        return f"{role} file {str(path)!r} does not exist."
    if path.is_dir():
        return f"{role} {str(path)!r} is a directory; give an audio file."
    if not os.access(path, os.R_OK):
        return f"{role} file {str(path)!r} is not readable; check its permissions."
    if path.stat().st_size == 0:
        return f"{role} file {str(path)!r} is empty (0 bytes)."
    return None


def plan_batch(
    manifest: str | Path,
    *,
    out_dir: str | Path,
    preset: str | None = None,
    recipe: Any = None,
    force: bool = False,
    **overrides: Any,
) -> BatchPlan:
    """Read and validate a manifest completely; decide which rows run.

    Raises
    ------
    ManifestError
        Listing every problem with its row number.
    ParameterError, UnknownBackendError
        If the recipe given by ``preset``/``recipe``/``overrides`` itself is invalid.
    """
    from audiostyle.api import resolve_recipe
    from audiostyle.audio import WRITE_FORMATS

    manifest = Path(manifest)
    out_dir = Path(out_dir)
    base_recipe = resolve_recipe(preset, recipe, **overrides)
    base_recipe.validate()
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"--out-dir {str(out_dir)!r} is a file; give a directory.")
    rows, problems = read_manifest(manifest)
    ledger = Ledger(out_dir)

    recipes: dict[tuple, tuple[Any, int | None, str | None]] = {}

    def recipe_for(row: Row) -> tuple[Any, int | None, str | None]:
        key = (row.preset, row.seed)
        if key not in recipes:
            try:
                extra = dict(overrides)
                if row.seed is not None:
                    extra["seed"] = row.seed
                r = resolve_recipe(row.preset or preset, recipe, **extra)
                built = r.validate()
                recipes[key] = (r, built["transform"].n_fft, None)
            except AudiostyleError as exc:
                recipes[key] = (None, None, str(exc))
        return recipes[key]

    lengths: dict[Path, tuple[float | None, str | None]] = {}
    fingerprints: dict[Path, dict[str, Any]] = {}
    outputs: dict[str, int] = {}
    planned: list[PlannedRow] = []
    out_root = out_dir.resolve()
    for row in rows:
        before = len(problems)

        def bad(message: str, row: Row = row) -> None:
            problems.append(Problem(message, row=row.number, line=row.line))

        rec, n_fft, rec_error = recipe_for(row)
        if rec_error:
            bad(rec_error if not row.preset else f"preset {row.preset!r}: {rec_error}")
        # inputs
        seg_seconds: dict[str, float | None] = {}
        for role, path, offset, duration in (
            ("content", row.content, row.offset, row.duration),
            ("style", row.style, row.style_offset, row.style_duration),
        ):
            message = _check_input(path, role)
            if message:
                bad(message)
                continue
            if path not in lengths:
                lengths[path] = _audio_length(path)
            length, message = lengths[path]
            if message:
                bad(f"{role} file {str(path)!r} {message}")
                continue
            if length is None:
                seg_seconds[role] = None
                continue
            if offset >= length:
                bad(
                    f"{role} offset {offset:g} s is past the end of {str(path)!r} "
                    f"({length:.2f} s long)."
                )
                continue
            seg = length - offset if duration is None else min(duration, length - offset)
            seg_seconds[role] = seg
            if rec is not None and n_fft and seg * rec.sample_rate < n_fft:
                bad(
                    f"the {role} segment is {seg:.3f} s ({int(seg * rec.sample_rate)} samples "
                    f"at {rec.sample_rate} Hz), shorter than n_fft={n_fft}; use a longer "
                    "segment or a smaller --transform-opt n_fft."
                )
        # output
        out_rel = PurePosixPath(row.output.replace("\\", "/"))
        norm = normalize_output(row.output)
        out_path = out_dir / norm
        if out_rel.is_absolute() or Path(row.output).is_absolute():
            bad(f"output {row.output!r} must be a path relative to --out-dir.")
        elif norm == ".." or norm.startswith("../"):
            bad(f"output {row.output!r} leaves --out-dir; keep outputs inside it.")
        elif PurePosixPath(norm).suffix.lower() not in WRITE_FORMATS:
            bad(
                f"output {row.output!r}: unsupported extension "
                f"{PurePosixPath(norm).suffix or '(none)'!r}; use one of "
                f"{', '.join(WRITE_FORMATS)}."
            )
        elif norm in outputs:
            bad(f"output {norm!r} is also the output of row {outputs[norm]}; outputs must differ.")
        else:
            outputs[norm] = row.number
            resolved = out_path.resolve()
            if not resolved.is_relative_to(out_root):
                bad(f"output {row.output!r} leaves --out-dir (through a link).")
            elif resolved in (row.content.resolve(), row.style.resolve()):
                bad(f"output {row.output!r} is one of the row's inputs; it would overwrite it.")
            elif out_path.is_dir():
                bad(f"output {row.output!r} is a directory; give a file name.")
            else:
                for parent in out_path.relative_to(out_dir).parents:
                    p = out_dir / parent
                    if p.exists() and not p.is_dir():
                        bad(f"output {row.output!r}: {str(p)!r} is a file, not a directory.")
                        break
        if len(problems) != before or rec is None or row.invalid:
            continue
        content_fp = fingerprints.get(row.content)
        if content_fp is None:
            content_fp = file_fingerprint(row.content, ledger.fingerprints.get(str(row.content)))
            fingerprints[row.content] = content_fp
        style_fp = fingerprints.get(row.style)
        if style_fp is None:
            style_fp = file_fingerprint(row.style, ledger.fingerprints.get(str(row.style)))
            fingerprints[row.style] = style_fp
        key = row_key(rec, row, content_fp, style_fp)
        entry = ledger.entries.get(norm)
        exists = out_path.exists()
        ours = bool(entry) and exists and entry.get("output_size") == out_path.stat().st_size
        if entry and entry.get("key") == key and ours:
            status = "skipped"
        elif exists and not ours and not force:
            bad(
                f"output {norm!r} already exists and was not written by this batch; "
                "pass --force to overwrite it."
            )
            continue
        else:
            status = "todo"
        planned.append(
            PlannedRow(
                row=row,
                recipe=rec,
                key=key,
                content_fp=content_fp,
                style_fp=style_fp,
                path=out_path,
                output=norm,
                status=status,
                audio_seconds=seg_seconds.get("content"),
            )
        )
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.line or 0))
        raise ManifestError(manifest, problems)
    return BatchPlan(
        manifest=manifest, out_dir=out_dir, rows=planned, recipe=base_recipe, ledger=ledger
    )


# -- the worker side ---------------------------------------------------------------------
@dataclass(frozen=True)
class RowTask:
    """What a worker needs for one row (picklable)."""

    number: int
    content: str
    style: str
    recipe: Any
    offset: float = 0.0
    duration: float | None = None
    style_offset: float = 0.0
    style_duration: float | None = None


@dataclass
class RowOutput:
    """What a worker sends back: the audio and how it was made."""

    audio: Any
    sample_rate: int
    timings: dict[str, float]
    final_losses: dict[str, float]
    steps_done: int
    evaluations: int
    threads: int
    notes: list[str] = field(default_factory=list)
    initial_losses: dict[str, float] = field(default_factory=dict)
    history: list[dict[str, float]] = field(default_factory=list)


def run_row(task: RowTask) -> RowOutput:
    """Compute one row (runs on a worker): :func:`audiostyle.api.transfer`, no file written."""
    import torch

    from audiostyle.api import transfer

    result = transfer(
        task.content,
        task.style,
        recipe=task.recipe,
        offset=task.offset,
        duration=task.duration,
        style_offset=task.style_offset,
        style_duration=task.style_duration,
        progress=False,
    )
    if result.partial:
        raise NumericalError(
            f"the optimisation stopped at step {result.nonfinite_step} of "
            f"{result.recipe.steps} with NaN/Inf losses; nothing was written. Lower the "
            "learning rate or the loss weights for this row."
        )
    return RowOutput(
        audio=result.audio,
        sample_rate=result.sample_rate,
        timings=result.timings,
        final_losses=result.final_losses,
        steps_done=result.steps_done,
        evaluations=result.evaluations,
        threads=torch.get_num_threads(),
        notes=list(result.notes),
        initial_losses=dict(result.initial_losses),
        history=list(result.history),
    )


# -- running ---------------------------------------------------------------------------
@dataclass
class RowOutcome:
    """What happened to one row in this run."""

    number: int
    line: int
    output: str
    status: str  # done, skipped, failed, cancelled (in flight at Ctrl-C), pending
    error: str | None = None
    traceback: str | None = None
    audio_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0
    finished_at: float | None = None  # seconds since the batch started
    worker: str = ""
    threads: int | None = None
    timings: dict[str, float] = field(default_factory=dict)
    # Losses of a row done in this run (for the HTML report; not in the JSON report).
    final_losses: dict[str, float] = field(default_factory=dict, repr=False)
    initial_losses: dict[str, float] = field(default_factory=dict, repr=False)
    history: list[dict[str, float]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for the JSON report."""
        return {
            "row": self.number,
            "line": self.line,
            "output": self.output,
            "status": self.status,
            "error": self.error,
            "audio_seconds": round(self.audio_seconds, 4),
            "compute_seconds": round(self.compute_seconds, 4),
            "write_seconds": round(self.write_seconds, 4),
            "finished_at": None if self.finished_at is None else round(self.finished_at, 3),
            "worker": self.worker,
            "threads": self.threads,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


@dataclass
class BatchStats:
    """Running totals, handed to the progress display."""

    total: int
    skipped: int
    done: int = 0
    failed: int = 0
    audio_seconds: float = 0.0
    elapsed: float = 0.0

    @property
    def throughput(self) -> float:
        """Seconds of audio produced per second of wall time."""
        return self.audio_seconds / self.elapsed if self.elapsed > 0 else 0.0


class BatchProgress(Protocol):
    """Receives the progress of a batch (the CLI draws one bar with it)."""

    def start(self, stats: BatchStats, *, executor: str) -> None:
        """The batch starts: ``stats.total`` rows to run, ``stats.skipped`` already done."""

    def advance(self, outcome: RowOutcome, stats: BatchStats) -> None:
        """One row finished (done or failed)."""

    def close(self) -> None:
        """The batch has ended."""


@dataclass
class BatchResult:
    """The outcome of :func:`run_batch`."""

    manifest: Path
    out_dir: Path
    executor: str
    rows: list[RowOutcome]
    wall_seconds: float
    interrupted: bool = False
    recipe: Any = None
    ledger_notes: list[str] = field(default_factory=list)
    plan: Any = field(default=None, repr=False)  # the BatchPlan (inputs, recipes per row)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status."""
        out = dict.fromkeys(("done", "skipped", "failed", "cancelled", "pending"), 0)
        for r in self.rows:
            out[r.status] += 1
        return out

    @property
    def failed(self) -> list[RowOutcome]:
        """Rows that failed in this run."""
        return [r for r in self.rows if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """True if every row is done (now or before) and nothing was interrupted."""
        return not self.interrupted and all(r.status in ("done", "skipped") for r in self.rows)

    @property
    def audio_seconds(self) -> float:
        """Seconds of audio written in this run."""
        return sum(r.audio_seconds for r in self.rows if r.status == "done")

    def summary(self) -> list[str]:
        """Human-readable lines: counts, throughput, failures."""
        c = self.counts
        done = c["done"]
        wall = self.wall_seconds
        lines = [
            f"batch {str(self.manifest)!r} -> {str(self.out_dir)!r}: {len(self.rows)} rows: "
            f"{done} done, {c['skipped']} skipped (already done), {c['failed']} failed"
            + (
                f", {c['cancelled']} cancelled, {c['pending']} not started"
                if self.interrupted
                else ""
            )
        ]
        if done:
            lines.append(
                f"  {self.audio_seconds:.1f} s of audio in {wall:.1f} s: "
                f"{self.audio_seconds / wall:.2f} audio-s/s, {done / wall * 3600:.0f} rows/h "
                f"on {self.executor}"
            )
        for r in self.failed:
            lines.append(f"  row {r.number} (line {r.line}) {r.output}: {r.error}")
        lines.extend(f"  note: {n}" for n in self.ledger_notes)
        if self.interrupted:
            lines.append(
                "  interrupted: finished rows are in the ledger; run the same command again "
                "to do the rest."
            )
        return lines

    def report(self) -> dict[str, Any]:
        """Everything about the run, with per-row timings (``--report``)."""
        from audiostyle.api import versions

        done = self.counts["done"]
        return {
            "manifest": str(self.manifest),
            "out_dir": str(self.out_dir),
            "executor": self.executor,
            "interrupted": self.interrupted,
            "wall_seconds": round(self.wall_seconds, 3),
            "counts": self.counts,
            "audio_seconds": round(self.audio_seconds, 3),
            "audio_seconds_per_second": (
                round(self.audio_seconds / self.wall_seconds, 4) if self.wall_seconds else None
            ),
            "rows_per_hour": round(done / self.wall_seconds * 3600, 1)
            if self.wall_seconds
            else None,
            "recipe": self.recipe.to_dict() if self.recipe is not None else None,
            "versions": versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "rows": [r.to_dict() for r in self.rows],
        }

    def save_report(self, path: str | Path) -> None:
        """Write :meth:`report` as JSON (atomically)."""
        from audiostyle.atomic import atomic_write_text

        atomic_write_text(path, json.dumps(self.report(), indent=2, default=str) + "\n")

    def to_html(
        self,
        path: str | Path,
        *,
        title: str | None = None,
        audio_format: str = "ogg",
        force: bool = False,
        embed: bool = False,
    ) -> Path:
        """Write the HTML report (see :mod:`audiostyle.report`): every row's inputs and
        output (done now or before) with players and spectrograms on one colour scale,
        its recipe and loss curves, and the sortable table of rows. Returns the page."""
        from audiostyle.report import write
        from audiostyle.report.build import from_batch

        report = from_batch(self, title=title)
        return write(report, path, audio_format=audio_format, force=force, embed=embed)


class _Interrupts:
    """Defer Ctrl-C while an output and its ledger line are written (main thread only)."""

    def __init__(self) -> None:
        self.critical = False
        self.pending = False
        self._old = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)

    def _handle(self, signum, frame) -> None:
        if self.critical:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def protect(self) -> Iterator[None]:
        self.critical = True
        try:
            yield
        finally:
            self.critical = False
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


def _clean_temporaries(plan: BatchPlan) -> None:
    """Remove temporary files a killed run left beside its outputs."""
    for p in plan.rows:
        for stale in p.path.parent.glob(f".{p.path.name}.*{p.path.suffix}"):
            with contextlib.suppress(OSError):
                stale.unlink()


def _feed(tasks: list[RowTask], handed: set[int]) -> Iterator[RowTask]:
    """Yield tasks, noting which ones the executor has taken."""
    for index, task in enumerate(tasks):
        handed.add(index)
        yield task


def _resources(plan: BatchPlan):
    from audiostyle.executors.base import Resources

    cuda = any(str(p.recipe.device).startswith("cuda") for p in plan.todo)
    return Resources(num_gpus=1.0 if cuda else 0.0)


def run_batch(
    manifest: str | Path,
    *,
    out_dir: str | Path,
    preset: str | None = None,
    recipe: Any = None,
    executor: Any = "local",
    executor_options: dict[str, Any] | None = None,
    force: bool = False,
    report: str | Path | None = None,
    progress: BatchProgress | None = None,
    **overrides: Any,
) -> BatchResult:
    """Run every row of ``manifest`` that is not already done; write outputs to ``out_dir``.

    Parameters
    ----------
    manifest : str or Path
        CSV or JSONL (see the module docstring).
    out_dir : str or Path
        Where outputs, the ledger and its lock go (created if missing).
    preset, recipe, **overrides
        The batch's recipe, as for :func:`audiostyle.api.transfer`; a row's ``preset``
        and ``seed`` columns take precedence.
    executor : str or Executor
        A registered executor name (``local``, ``ray``) or an executor object (left
        open, so a warm pool can be reused).
    executor_options : dict, optional
        Options of the named executor (``workers``, ``address``, ``threads`` ...).
    force : bool
        Overwrite output files that exist but were not written by this batch.
    report : path, optional
        Write a JSON report with per-row timings (overwritten on every run).
    progress : BatchProgress, optional
        Receives progress (rows done / failed, audio seconds).

    Returns
    -------
    BatchResult
        ``counts``, ``failed`` rows with reasons, ``summary()``, ``report()``.
        Failed rows do not raise; Ctrl-C returns with ``interrupted=True``.
    """
    from audiostyle import audio as audio_io
    from audiostyle.executors.base import Executor
    from audiostyle.plugins import create, get_backend

    if report is not None:
        parent = Path(report).parent
        if not parent.is_dir():
            raise ParameterError(f"directory {str(parent)!r} of --report does not exist.")
    owned = not isinstance(executor, Executor)
    if owned:
        impl = get_backend("executor", executor)
        options = impl.parse_options(executor_options or {})
    plan = plan_batch(
        manifest, out_dir=out_dir, preset=preset, recipe=recipe, force=force, **overrides
    )
    out_dir = plan.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    ex = create("executor", executor, options) if owned else executor
    outcomes: dict[int, RowOutcome] = {}
    for p in plan.rows:
        outcomes[p.row.number] = RowOutcome(
            number=p.row.number,
            line=p.row.line,
            output=p.output,
            status="skipped" if p.status == "skipped" else "pending",
        )
    todo = plan.todo
    stats = BatchStats(total=len(todo), skipped=len(plan.skipped))
    notes = []
    if plan.ledger.bad_lines:
        notes.append(
            f"{plan.ledger.bad_lines} unreadable ledger line(s) ignored (a run was cut short)"
        )
    start = time.perf_counter()
    interrupted = False
    handed: set[int] = set()
    description = ex.describe()
    try:
        with _dir_lock(out_dir), _Interrupts() as interrupts:
            _clean_temporaries(plan)
            for p in todo:
                p.path.parent.mkdir(parents=True, exist_ok=True)
            if todo:  # nothing to run: no workers, no cluster
                ex.start()
                description = ex.describe()
            if progress is not None:
                progress.start(stats, executor=description)
            tasks = [
                RowTask(
                    number=p.row.number,
                    content=str(p.row.content),
                    style=str(p.row.style),
                    recipe=p.recipe,
                    offset=p.row.offset,
                    duration=p.row.duration,
                    style_offset=p.row.style_offset,
                    style_duration=p.row.style_duration,
                )
                for p in todo
            ]
            running = contextlib.closing(
                ex.map(run_row, _feed(tasks, handed), resources=_resources(plan))
                if todo
                else _feed([], handed)
            )
            try:
                with running as results:
                    for res in results:
                        p = todo[res.index]
                        outcome = outcomes[p.row.number]
                        outcome.compute_seconds = res.seconds
                        outcome.worker = res.worker
                        if res.ok:
                            out: RowOutput = res.value
                            t = time.perf_counter()
                            try:
                                with interrupts.protect():
                                    audio_io.save(
                                        p.path, out.audio, sample_rate=out.sample_rate, force=True
                                    )
                                    plan.ledger.append(
                                        {
                                            "v": LEDGER_VERSION,
                                            "output": outcome.output,
                                            "key": p.key,
                                            "row": p.row.number,
                                            "content": {"path": str(p.row.content), **p.content_fp},
                                            "style": {"path": str(p.row.style), **p.style_fp},
                                            "output_size": p.path.stat().st_size,
                                            "audio_seconds": len(out.audio) / out.sample_rate,
                                            "compute_seconds": round(res.seconds, 4),
                                            "threads": out.threads,
                                            "worker": res.worker,
                                            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                        }
                                    )
                            except (AudiostyleError, OSError) as exc:
                                outcome.status = "failed"
                                outcome.error = f"writing the output failed: {exc}"
                            else:
                                outcome.status = "done"
                                outcome.audio_seconds = len(out.audio) / out.sample_rate
                                outcome.threads = out.threads
                                outcome.timings = dict(out.timings)
                                outcome.final_losses = dict(out.final_losses)
                                outcome.initial_losses = dict(out.initial_losses)
                                outcome.history = list(out.history)
                            outcome.write_seconds = time.perf_counter() - t
                        else:
                            outcome.status = "failed"
                            outcome.error = res.error
                            outcome.traceback = res.traceback
                        outcome.finished_at = time.perf_counter() - start
                        if outcome.status == "done":
                            stats.done += 1
                            stats.audio_seconds += outcome.audio_seconds
                        else:
                            stats.failed += 1
                        stats.elapsed = time.perf_counter() - start
                        if progress is not None:
                            progress.advance(outcome, stats)
            except KeyboardInterrupt:
                interrupted = True
    finally:
        if progress is not None:
            progress.close()
        if owned:
            ex.close()
    if interrupted:
        for index in handed:  # handed to the executor, not finished: cancelled
            o = outcomes[todo[index].row.number]
            if o.status == "pending":
                o.status = "cancelled"
    result = BatchResult(
        manifest=plan.manifest,
        out_dir=out_dir,
        executor=description,
        rows=[outcomes[n] for n in sorted(outcomes)],
        wall_seconds=time.perf_counter() - start,
        interrupted=interrupted,
        recipe=plan.recipe,
        ledger_notes=notes,
        plan=plan,
    )
    if report is not None:
        result.save_report(report)
    return result
