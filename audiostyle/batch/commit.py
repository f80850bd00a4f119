"""Committing a finished row: its output file and its ledger lines, crash-safe.

The steps, each durable before the next (a driver killed between any two leaves a
state the next plan resolves without refusing the batch):

1. the output is complete in a temporary file beside its place (written here from
   the audio a worker sent back, or by the worker itself into a shared folder);
2. a *pending* ledger line records the output's key, size and sha256;
3. the temporary file is renamed into place;
4. the row's final ledger line is written.

Killed before 2: the temporary file is removed and the row redone. Between 2 and 3:
the same (no output yet). Between 3 and 4: the output hashes as the pending line
says, so it is adopted (see :func:`audiostyle.batch.plan.plan_batch`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from audiostyle.batch.ledger import LEDGER_VERSION, Ledger, sha256_of


def write_temporary(path: Path, audio, *, sample_rate: int) -> Path:
    """Write ``audio`` to a temporary file beside ``path`` (step 1)."""
    from audiostyle.audio import write_to

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write_to(tmp, audio, sample_rate=sample_rate, ext=path.suffix)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def publish(tmp: Path, path: Path) -> None:
    """Rename the complete temporary file into place (step 3), with the umask's mode."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def commit(ledger: Ledger, tmp: Path, path: Path, entry: dict[str, Any]) -> dict[str, Any]:
    """Steps 2 to 4 for a complete temporary file; returns the final ledger line.

    ``entry`` holds the row's fields (``output``, ``key``, ``row`` ...); the size and
    hash of the output are added here.
    """
    try:
        size = tmp.stat().st_size
        pending = {
            "v": LEDGER_VERSION,
            "pending": True,
            "output": entry["output"],
            "key": entry["key"],
            "output_size": size,
            "sha256": sha256_of(tmp),
        }
        ledger.append(pending)
        publish(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    final = {
        "v": LEDGER_VERSION,
        **entry,
        "output_size": size,
        "sha256": pending["sha256"],
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    ledger.append(final)
    return final


def adopt(ledger: Ledger, entry: dict[str, Any]) -> dict[str, Any]:
    """Write the final line of an output that a killed run renamed into place (its
    bytes match the pending line), so it counts as done from now on."""
    pending = dict(ledger.pending[entry["output"]])
    pending.pop("pending", None)
    entry = {
        **pending,
        **entry,
        "adopted": True,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    ledger.append(entry)
    return entry
