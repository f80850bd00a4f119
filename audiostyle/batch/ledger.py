"""The ledger of finished rows, the row key that says whether one is up to date, the lock."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
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
