"""The ledger of finished rows, the row key that says whether one is up to date, the lock."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from audiostyle.batch.manifest import Row
from audiostyle.errors import AudiostyleError

LEDGER_NAME = ".audiostyle-batch.jsonl"
LOCK_NAME = ".audiostyle-batch.lock"
HASH_CHUNK = 1 << 20  # bytes read at a time when hashing an input
# Bump when the same key would now give a different output (a changed algorithm whose
# settings stay the same): every finished row is then redone once.
LEDGER_VERSION = 2


class BatchLockedError(AudiostyleError):
    """Another batch is writing to the same output directory."""


def normalize_output(output: str) -> str:
    """An output path as the ledger keys it: relative, ``/``-separated, normalised."""
    return posixpath.normpath(output.replace("\\", "/"))


def file_fingerprint(
    path: Path,
    known: dict[str, Any] | None = None,
    *,
    keep: Callable[[str, bytes], None] | None = None,
) -> dict[str, Any]:
    """``{"size", "mtime_ns", "sha256"}`` of a file; the hash is reused from ``known``
    when size and mtime are the same (a touched but unchanged file still matches).

    ``keep(sha256, data)``, if given, receives the file's bytes when they are read for
    the hash (the shipping mode hands them to the object store in the same read).
    """
    st = path.stat()
    if known and known.get("size") == st.st_size and known.get("mtime_ns") == st.st_mtime_ns:
        sha = known.get("sha256")
        if isinstance(sha, str):
            return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha}
    if keep is not None:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        keep(sha, data)
        return {"size": len(data), "mtime_ns": st.st_mtime_ns, "sha256": sha}
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest.hexdigest()}


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def recipe_key(recipe) -> dict[str, Any]:
    """The part of a row's key that depends on its recipe alone (computed once per recipe
    when planning: ``envelope="auto"`` looks up the detector's version)."""
    recipe_dict = recipe.to_dict()
    recipe_dict.pop("description", None)
    data: dict[str, Any] = {"version": LEDGER_VERSION, "recipe": recipe_dict}
    if recipe.envelope == "auto":  # the strength is decided at run time: key its rule
        from audiostyle.envelope import auto_rule

        data["envelope_auto"] = auto_rule()
    detects = any("auto" in c.options.values() for c in recipe.conditioners)
    if recipe.route:  # the run picks a preset by the detector: key each one it may take
        from audiostyle.presets import get_preset

        data["route"] = {k: get_preset(p).to_dict() for k, p in sorted(recipe.route.items())}
        detects = True
    if detects and "envelope_auto" not in data:
        from audiostyle.envelope import auto_rule

        data["detector"] = auto_rule()
    return data


def row_key(
    recipe,
    row: Row,
    content: dict[str, Any],
    style: dict[str, Any],
    *,
    recipe_part: dict[str, Any] | None = None,
) -> str:
    """The hash that says whether a finished row is still up to date.

    ``recipe_part`` is :func:`recipe_key` of ``recipe``, if already computed.
    """
    if recipe_part is None:
        recipe_part = recipe_key(recipe)
    data = {
        "segment": [row.offset, row.duration, row.style_offset, row.style_duration],
        "content": content["sha256"],
        "style": style["sha256"],
        "format": posixpath.splitext(row.output)[1].lower(),
    }
    # The bytes of json.dumps({**recipe_part, **data}, sort_keys=True), with the
    # recipe's part encoded once per recipe (see _template).
    pieces = _template(recipe_part, tuple(data))
    blob = "".join(
        json.dumps(data[p[1:]], default=str) if p.startswith("\0") else p for p in pieces
    )
    return hashlib.sha256(blob.encode()).hexdigest()


_TEMPLATES: dict[tuple[int, tuple[str, ...]], tuple[dict[str, Any], list[str]]] = {}


def _template(recipe_part: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    """The JSON of ``recipe_part`` merged with ``keys`` (sorted), cut where each of those
    keys' values goes (pieces ``"\0key"``); remembered while ``recipe_part`` lives."""
    hit = _TEMPLATES.get((id(recipe_part), keys))
    if hit is not None and hit[0] is recipe_part:
        return hit[1]
    merged = {k: v for k, v in recipe_part.items() if k not in keys}
    names = sorted({*merged, *keys})
    pieces, text = [], "{"
    for i, name in enumerate(names):
        text += ("" if i == 0 else ", ") + json.dumps(name) + ": "
        if name in keys:
            pieces += [text, "\0" + name]
            text = ""
        else:
            text += json.dumps(merged[name], sort_keys=True, default=str)
    pieces.append(text + "}")
    if len(_TEMPLATES) > 64:
        _TEMPLATES.clear()
    _TEMPLATES[id(recipe_part), keys] = (recipe_part, pieces)
    return pieces


class Ledger:
    """The JSONL record of finished rows in ``out_dir`` (last entry per output wins).

    A row's output is committed in three steps, each durable before the next: a
    *pending* line (``"pending": true``, the output's key, size and sha256), the rename
    of the complete output into place, then the row's final line. A run killed between
    the rename and the final line leaves an output that the pending line vouches for:
    the next plan adopts it if its bytes hash the same (:attr:`pending`).
    """

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / LEDGER_NAME
        self.entries: dict[str, dict[str, Any]] = {}
        self.pending: dict[str, dict[str, Any]] = {}  # output -> pending line, not final
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
            if entry.get("pending"):
                self.pending[entry["output"]] = entry
                continue
            self.entries[entry["output"]] = entry
            self.pending.pop(entry["output"], None)
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
        if entry.get("pending"):
            self.pending[entry["output"]] = entry
        else:
            self.entries[entry["output"]] = entry
            self.pending.pop(entry["output"], None)


@contextlib.contextmanager
def dir_lock(out_dir: Path) -> Iterator[None]:
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
