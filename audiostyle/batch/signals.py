"""Ctrl-C held back while an output and its ledger line are written."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Interrupts:
    """Defer Ctrl-C while an output and its ledger line are written (main thread only)."""

    def __init__(self) -> None:
        self.critical = False
        self.pending = False
        self._old = None

    def __enter__(self) -> Interrupts:
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
