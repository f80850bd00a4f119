"""Files of the presets benchmark: stable digests, atomic JSON, file hashes, UTC stamps."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path


def digest(material) -> str:
    """A stable 16-hex-digit key of a JSON-able value (key order does not matter)."""
    text = json.dumps(material, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_json(path: Path, data) -> None:
    """Write ``data`` as JSON atomically: a temporary file beside ``path``, then a rename.

    An interruption leaves the previous file or none, never a truncated one.
    """
    from audiostyle.atomic import atomic_write_text

    text = json.dumps(data, default=float, indent=1)  # a value that cannot be saved fails here
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    from audiostyle.batch import file_fingerprint

    return file_fingerprint(path)["sha256"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
