"""A rich progress bar for the optimisation and phase stages."""

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

_TITLES = {"optimize": "optimising", "phase": "phase"}


class RichProgress:
    """Implements :class:`audiostyle.engine.Progress` with one bar per stage."""

    def __init__(self, console: Console | None = None, *, enabled: bool = True) -> None:
        self.console = console or Console(stderr=True)
        self.enabled = enabled
        self._progress: Progress | None = None
        self._tasks: dict[str, int] = {}

    def start(self, stage: str, total: int) -> None:  # noqa: D102
        if not self.enabled:
            return
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description:>10}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[info]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._progress.start()
        self._tasks[stage] = self._progress.add_task(
            _TITLES.get(stage, stage), total=max(total, 1), info=""
        )

    def update(self, stage: str, done: int, info: dict) -> None:  # noqa: D102
        if self._progress is None or stage not in self._tasks:
            return
        text = f"loss {info['loss']:.4g}" if "loss" in info else ""
        self._progress.update(self._tasks[stage], completed=done, info=text)

    def finish(self, stage: str) -> None:  # noqa: D102
        if self._progress is None or stage not in self._tasks:
            return
        task = self._progress.tasks[self._tasks[stage]]
        self._progress.update(self._tasks[stage], completed=task.total)

    def close(self) -> None:
        """Stop drawing."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
