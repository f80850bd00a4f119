"""Planning: every row validated, keyed and marked to run or skip before any work."""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audiostyle.batch.ledger import (
    Ledger,
    file_fingerprint,
    normalize_output,
    recipe_key,
    row_key,
    sha256_of,
)
from audiostyle.batch.manifest import ManifestError, Problem, Row, read_manifest
from audiostyle.errors import AudiostyleError, ParameterError


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
    status: str  # "todo", "skipped", or "adopted" (output complete, final ledger line missing)
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
        """Rows already done and unchanged (adopted ones included)."""
        return [r for r in self.rows if r.status in ("skipped", "adopted")]

    @property
    def adopted(self) -> list[PlannedRow]:
        """Rows whose output a killed run renamed into place without its final ledger
        line; its bytes match the pending line, so it is kept (the line is written)."""
        return [r for r in self.rows if r.status == "adopted"]


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
    keep: Callable[[Path, str, bytes], None] | None = None,
    **overrides: Any,
) -> BatchPlan:
    """Read and validate a manifest completely; decide which rows run.

    ``keep(path, sha256, data)``, if given, receives the bytes of every distinct input
    of the rows to run, each read once (the shipping mode puts them in the object store).

    Raises
    ------
    ManifestError
        Listing every problem with its row number.
    ParameterError, UnknownBackendError
        If the recipe given by ``preset``/``recipe``/``overrides`` itself is invalid.
    """
    from audiostyle.audio import WRITE_FORMATS
    from audiostyle.resolve import resolve_recipe

    manifest = Path(manifest)
    out_dir = Path(out_dir)
    base_recipe = resolve_recipe(preset, recipe, **overrides)
    base_recipe.validate()
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"--out-dir {str(out_dir)!r} is a file; give a directory.")
    rows, problems = read_manifest(manifest)
    ledger = Ledger(out_dir)

    recipes: dict[tuple, tuple[Any, int | None, str | None]] = {}
    recipe_parts: dict[int, dict[str, Any]] = {}  # id(recipe) -> its part of the row key

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
                recipe_parts[id(r)] = recipe_key(r)
            except AudiostyleError as exc:
                recipes[key] = (None, None, str(exc))
        return recipes[key]

    checked: dict[tuple[Path, str], str | None] = {}
    resolved_paths: dict[Path, str] = {}

    def real(path: Path) -> str:
        if path not in resolved_paths:
            resolved_paths[path] = str(path.resolve())
        return resolved_paths[path]

    parents_ok: dict[Path, str | None] = {}  # an output's folder -> problem, if any

    def parent_problem(out_path: Path) -> str | None:
        folder = out_path.parent
        if folder not in parents_ok:
            parents_ok[folder] = None
            for parent in out_path.relative_to(out_dir).parents:
                q = out_dir / parent
                if q.exists() and not q.is_dir():
                    parents_ok[folder] = f"{str(q)!r} is a file, not a directory."
                    break
        return parents_ok[folder]

    kept: set[str] = set()

    def keep_once(path: Path, sha: str, data: bytes) -> None:
        if keep is not None and sha not in kept:
            kept.add(sha)
            keep(path, sha, data)

    lengths: dict[Path, tuple[float | None, str | None]] = {}
    fingerprints: dict[Path, dict[str, Any]] = {}
    outputs: dict[str, int] = {}
    planned: list[PlannedRow] = []
    out_root = str(out_dir.resolve())
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
            if (path, role) not in checked:
                checked[path, role] = _check_input(path, role)
            message = checked[path, role]
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
        # output (string operations and one lstat: this loop runs once per row)
        norm = normalize_output(row.output)
        out_path = out_dir / norm
        suffix = posixpath.splitext(norm)[1].lower()
        st = None
        if row.output.replace("\\", "/").startswith("/") or os.path.isabs(row.output):
            bad(f"output {row.output!r} must be a path relative to --out-dir.")
        elif norm == ".." or norm.startswith("../"):
            bad(f"output {row.output!r} leaves --out-dir; keep outputs inside it.")
        elif suffix not in WRITE_FORMATS:
            bad(
                f"output {row.output!r}: unsupported extension "
                f"{suffix or '(none)'!r}; use one of {', '.join(WRITE_FORMATS)}."
            )
        elif norm in outputs:
            bad(f"output {norm!r} is also the output of row {outputs[norm]}; outputs must differ.")
        else:
            outputs[norm] = row.number
            try:
                st = os.lstat(out_path)
            except FileNotFoundError:
                st = None
            except NotADirectoryError:
                st = None  # a parent is a file: reported below
            # The folder resolved once; the file itself only if it is a link.
            if st is not None and stat.S_ISLNK(st.st_mode):
                resolved = str(out_path.resolve())
                st = os.stat(out_path) if out_path.exists() else None
            else:
                resolved = os.path.join(real(out_path.parent), out_path.name)
            if resolved != out_root and not resolved.startswith(out_root + os.sep):
                bad(f"output {row.output!r} leaves --out-dir (through a link).")
            elif resolved in (real(row.content), real(row.style)):
                bad(f"output {row.output!r} is one of the row's inputs; it would overwrite it.")
            elif st is not None and stat.S_ISDIR(st.st_mode):
                bad(f"output {row.output!r} is a directory; give a file name.")
            elif message := parent_problem(out_path):
                bad(f"output {row.output!r}: {message}")
        if len(problems) != before or rec is None or row.invalid:
            continue
        fps = []
        for path in (row.content, row.style):
            fp = fingerprints.get(path)
            if fp is None:
                known = ledger.fingerprints.get(str(path))
                fp = file_fingerprint(
                    path,
                    known,
                    keep=(lambda sha, data, path=path: keep_once(path, sha, data))
                    if keep
                    else None,
                )
                fingerprints[path] = fp
            fps.append(fp)
        content_fp, style_fp = fps
        key = row_key(rec, row, content_fp, style_fp, recipe_part=recipe_parts[id(rec)])
        entry = ledger.entries.get(norm)
        pending = ledger.pending.get(norm)
        exists = st is not None
        size = st.st_size if exists else None
        ours = bool(entry) and exists and entry.get("output_size") == size
        if entry and entry.get("key") == key and ours:
            status = "skipped"
        elif exists and pending is not None:
            # A run was killed after renaming this output into place and before its
            # final ledger line: keep it if it is the complete output of this key.
            complete = pending.get("output_size") == size and pending.get("sha256") == sha256_of(
                out_path
            )
            status = "adopted" if complete and pending.get("key") == key else "todo"
        elif exists and not ours and not force:
            bad(
                f"output {norm!r} already exists and was not written by this batch; "
                "pass --force to overwrite it."
            )
            continue
        else:
            status = "todo"
        if status == "todo" and keep is not None:
            for role, path, fp in (
                ("content", row.content, content_fp),
                ("style", row.style, style_fp),
            ):
                if fp["sha256"] not in kept:  # its hash came from the ledger: read it now
                    data = path.read_bytes()
                    if hashlib.sha256(data).hexdigest() != fp["sha256"]:
                        bad(f"{role} file {str(path)!r} changed while planning; run again.")
                        break
                    keep_once(path, fp["sha256"], data)
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
