"""Planning: every row validated, keyed and marked to run or skip before any work."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from audiostyle.batch.ledger import Ledger, file_fingerprint, normalize_output, row_key
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
