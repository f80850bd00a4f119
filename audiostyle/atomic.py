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
    parent = _parent(path)
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


def _fsync_file(path: Path) -> None:
    """Flush ``path``'s data to the disk (before the rename that publishes it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Flush ``directory``'s entries (after a rename into it); a no-op where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - e.g. Windows cannot open a directory
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse a directory fsync
        pass
    finally:
        os.close(fd)


def _parent(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _publish(tmp: Path, path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    _fsync_file(tmp)
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
        _fsync_dir(_parent(path))
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
        """Run every writer, then publish every file; return the targets.

        If a rename fails after others succeeded, those are rolled back (the previous
        file restored, or the new one removed), so the error's "nothing was written"
        holds; where even that fails, the message names the files that were replaced.
        """
        temps: list[tuple[Path, Path]] = []
        published: list[tuple[Path, Path | None]] = []  # target, a copy of its previous file
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
                    backup = _backup(path)
                    try:
                        _publish(tmp, path)
                    except BaseException:
                        _drop(backup)
                        raise
                    published.append((path, backup))
            for directory in dict.fromkeys(_parent(path) for _, path in temps):
                _fsync_dir(directory)
        except BaseException as exc:
            for tmp, _ in temps:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            with deferred_sigint():
                stuck = _roll_back(published)
            if isinstance(exc, OSError):
                done = (
                    "nothing was written"
                    if not stuck
                    else f"already replaced and not restored: {', '.join(map(str, stuck))}"
                )
                raise AudioError(
                    f"cannot write {str(current)!r}: {exc.strerror or exc}; {done}."
                ) from exc
            raise
        for _, backup in published:
            _drop(backup)
        return [path for path, _ in self._items]


def _backup(path: Path) -> Path | None:
    """A hidden copy of ``path``'s current file (a hard link where possible), or None."""
    if not path.exists():
        return None
    backup = _mkstemp_beside(path, ".bak")
    backup.unlink()
    try:
        os.link(path, backup)
    except OSError:
        import shutil

        shutil.copy2(path, backup)
    return backup


def _roll_back(published: list[tuple[Path, Path | None]]) -> list[Path]:
    """Put back what each published target replaced; return the targets that could not be."""
    stuck = []
    for path, backup in reversed(published):
        try:
            if backup is None:
                path.unlink()
            else:
                os.replace(backup, path)
        except OSError:
            stuck.append(path)
            _drop(backup)
    return stuck


def _drop(backup: Path | None) -> None:
    if backup is not None:
        with contextlib.suppress(OSError):
            backup.unlink()
