"""Atomic file writes: a temporary file beside the target, then a rename.

A failure or an interruption (Ctrl-C) at any point leaves either the previous file
untouched or no file, never a partial one. :class:`AtomicGroup` extends this to
several files written together (the audio, ``--save-recipe`` and ``--report``):
every file is written to a temporary name first and they are renamed into place
only when all of them are complete, with Ctrl-C held back during the renames.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from audiostyle.errors import AudioError


def _mkstemp_beside(path: Path, suffix: str | None) -> Path:
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=suffix or path.suffix, dir=parent
        )
    except OSError as exc:
        raise AudioError(
            f"cannot write {str(path)!r}: {exc.strerror or exc}; check that the directory "
            "exists, is writable and has free space."
        ) from None
    os.close(fd)
    return Path(tmp)


def _publish(tmp: Path, path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


@contextlib.contextmanager
def atomic_path(path: str | Path, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    On any exception (Ctrl-C included) the temporary file is removed and ``path``
    is left as it was. An ``OSError`` (disk full, permissions) becomes an
    :class:`~audiostyle.errors.AudioError` naming ``path``.
    """
    path = Path(path)
    tmp_path = _mkstemp_beside(path, suffix)
    try:
        yield tmp_path
        with deferred_sigint():
            _publish(tmp_path, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(exc, OSError):
            raise AudioError(
                f"cannot write {str(path)!r}: {exc.strerror or exc}; nothing was written."
            ) from exc
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def deferred_sigint() -> Iterator[None]:
    """Ignore Ctrl-C (SIGINT) and SIGTERM for the duration of the block.

    Used around the renames that publish finished files (microseconds), so a set
    of files appears all together; once they are renamed they are complete, so a
    Ctrl-C pressed meanwhile has nothing left to stop. Outside the main thread
    this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        # SIGTERM too: the CLI makes it abort like a second Ctrl-C.
        previous_term = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    except (ValueError, OSError):  # pragma: no cover - no signal support
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)


class AtomicGroup:
    """Write several files so that either all of them appear or none does.

    Register each output with :meth:`add` (a writer called with a temporary path
    beside the target), then :meth:`commit`: every writer runs first; the
    renames happen only once all succeeded, with Ctrl-C held back. Any failure
    or interruption before that removes every temporary file and leaves the
    targets as they were.

    >>> group = AtomicGroup()
    >>> group.add("out.json", lambda tmp: tmp.write_text("{}"))  # doctest: +SKIP
    >>> group.commit()  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._items: list[tuple[Path, Callable[[Path], None]]] = []

    def add(self, path: str | Path, writer: Callable[[Path], None]) -> None:
        """Schedule ``writer(tmp_path)`` to produce ``path``."""
        self._items.append((Path(path), writer))

    def commit(self) -> list[Path]:
        """Run every writer, then publish every file; return the targets."""
        temps: list[tuple[Path, Path]] = []
        current = None
        try:
            for path, writer in self._items:
                current = path
                tmp = _mkstemp_beside(path, None)
                temps.append((tmp, path))
                writer(tmp)
            with deferred_sigint():
                for tmp, path in temps:
                    current = path
                    _publish(tmp, path)
        except BaseException as exc:
            for tmp, _ in temps:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            if isinstance(exc, OSError):
                raise AudioError(
                    f"cannot write {str(current)!r}: {exc.strerror or exc}; nothing was written."
                ) from exc
            raise
        return [path for path, _ in self._items]
