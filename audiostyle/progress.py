"""Progress bars for the Python API: one updating tqdm bar per stage.

:func:`auto_progress` is what ``transfer(..., progress="auto")`` uses: a
``tqdm.auto`` bar (a widget in Jupyter when ipywidgets is installed, else one line
redrawn in place) in notebooks and terminals, and nothing when output goes to a
file or pipe (no flood of lines in logs) or when tqdm is not installed (it comes
with the ``notebook`` extra).

This module is light: tqdm is imported when a bar starts.

>>> import io
>>> buf = io.StringIO()
>>> bar = TqdmProgress(file=buf)
>>> bar.start("optimize", 3)
>>> for i in (1, 2, 3):
...     bar.update("optimize", i, {"loss": 1.0 / i})
>>> bar.finish("optimize")
>>> "3/3" in buf.getvalue(), buf.getvalue().count("\\n")
(True, 1)
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from audiostyle.errors import DependencyError, ParameterError

TITLES = {"optimize": "optimising", "phase": "phase"}


def tqdm_available() -> bool:
    """True if tqdm can be imported."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def in_notebook() -> bool:
    """True inside a Jupyter kernel (notebook, lab, VS Code, Colab)."""
    return "ipykernel" in sys.modules or "IPython.utils._process_emscripten" in sys.modules


def _interactive(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


class TqdmProgress:
    """Implements :class:`audiostyle.engine.Progress` with one tqdm bar per stage.

    Parameters
    ----------
    file : file-like, optional
        Where a text bar is drawn (default: standard error). Giving one forces the
        text bar (``tqdm.std``) instead of a notebook widget.
    leave : bool
        Keep the finished bars on screen.
    """

    def __init__(self, *, file: IO[str] | None = None, leave: bool = True) -> None:
        self.file = file
        self.leave = leave
        self._bars: dict[str, Any] = {}

    def _bar_class(self):
        if self.file is not None:
            from tqdm.std import tqdm
        else:
            from tqdm.auto import tqdm
        return tqdm

    def start(self, stage: str, total: int) -> None:
        """Open the bar of ``stage`` (a previous bar of that stage is closed).

        A stage of 0 steps (e.g. no Griffin-Lim iterations) gets no bar.
        """
        self.finish(stage)
        if total <= 0:
            return
        kwargs: dict[str, Any] = {
            "total": max(int(total), 1),
            "desc": TITLES.get(stage, stage),
            "leave": self.leave,
            "dynamic_ncols": True,
            "mininterval": 0.2,  # redraw at most 5 times a second
        }
        if self.file is not None:
            kwargs["file"] = self.file
        self._bars[stage] = self._bar_class()(**kwargs)

    def update(self, stage: str, done: int, info: dict[str, float]) -> None:
        """Move the bar of ``stage`` to ``done`` steps, showing the current loss."""
        bar = self._bars.get(stage)
        if bar is None:
            return
        if "loss" in info:
            bar.set_postfix_str(f"loss {info['loss']:.4g}", refresh=False)
        bar.update(max(int(done) - bar.n, 0))

    def finish(self, stage: str) -> None:
        """Fill and close the bar of ``stage``."""
        bar = self._bars.pop(stage, None)
        if bar is None:
            return
        if bar.total is not None and bar.n < bar.total:
            bar.update(bar.total - bar.n)
        bar.close()

    def close(self) -> None:
        """Close every open bar."""
        for stage in list(self._bars):
            self.finish(stage)


def auto_progress() -> TqdmProgress | None:
    """A progress bar where one can be seen, else ``None``.

    A :class:`TqdmProgress` in a Jupyter kernel or when standard error is a
    terminal; ``None`` when tqdm is missing, when standard error is a file or pipe,
    or when ``AUDIOSTYLE_PROGRESS=0`` is set. ``transfer(..., progress=True)``
    forces a bar.
    """
    if os.environ.get("AUDIOSTYLE_PROGRESS", "") == "0" or not tqdm_available():
        return None
    if in_notebook() or _interactive(sys.stderr):
        return TqdmProgress()
    return None


def make_progress(progress: Any) -> Any:
    """The Progress a ``progress=`` argument asks for.

    ``"auto"``: a bar in notebooks and terminals (:func:`auto_progress`); ``True``:
    always a tqdm bar; ``False`` or ``None``: none; anything with ``start``, ``update``
    and ``finish`` (an :class:`audiostyle.engine.Progress`) is used as is.
    """
    if progress is None or progress is False:
        return None
    if isinstance(progress, str):
        if progress != "auto":
            raise ParameterError(f"progress={progress!r}: use 'auto', True, False or a Progress.")
        return auto_progress()
    if progress is True:
        if not tqdm_available():
            raise DependencyError(
                "progress=True needs tqdm: pip install 'audiostyle[notebook]' "
                "(or pass progress=False)."
            )
        return TqdmProgress()
    if all(callable(getattr(progress, m, None)) for m in ("start", "update", "finish")):
        return progress
    raise ParameterError(
        f"progress={progress!r} is not 'auto', True, False or an object with "
        "start/update/finish methods (audiostyle.engine.Progress)."
    )
