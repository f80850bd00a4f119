"""What a run did: per-row outcomes, running totals, the result and its reports."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


@dataclass
class RowOutcome:
    """What happened to one row in this run."""

    number: int
    line: int
    output: str
    status: str  # done, skipped, failed, cancelled (in flight at Ctrl-C), pending
    error: str | None = None
    traceback: str | None = None
    audio_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0
    finished_at: float | None = None  # seconds since the batch started
    worker: str = ""
    threads: int | None = None
    timings: dict[str, float] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # CPU time of the worker process while it ran the row
    attempts: int = 0  # times the row was started (> 1: its worker or node died, retried)
    warm: bool = False  # the worker had the row's stages and style targets built already
    adopted: bool = False  # skipped: a killed run's output, verified by its hash
    # Losses of a row done in this run (for the HTML report; not in the JSON report).
    final_losses: dict[str, float] = field(default_factory=dict, repr=False)
    initial_losses: dict[str, float] = field(default_factory=dict, repr=False)
    history: list[dict[str, float]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for the JSON report."""
        return {
            "row": self.number,
            "line": self.line,
            "output": self.output,
            "status": self.status,
            "error": self.error,
            "audio_seconds": round(self.audio_seconds, 4),
            "compute_seconds": round(self.compute_seconds, 4),
            "write_seconds": round(self.write_seconds, 4),
            "finished_at": None if self.finished_at is None else round(self.finished_at, 3),
            "worker": self.worker,
            "threads": self.threads,
            "cpu_seconds": round(self.cpu_seconds, 4),
            "attempts": self.attempts,
            "warm": self.warm,
            "adopted": self.adopted,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


@dataclass
class BatchStats:
    """Running totals, handed to the progress display."""

    total: int
    skipped: int
    done: int = 0
    failed: int = 0
    audio_seconds: float = 0.0
    elapsed: float = 0.0

    @property
    def throughput(self) -> float:
        """Seconds of audio produced per second of wall time."""
        return self.audio_seconds / self.elapsed if self.elapsed > 0 else 0.0


class BatchProgress(Protocol):
    """Receives the progress of a batch (the CLI draws one bar with it)."""

    def start(self, stats: BatchStats, *, executor: str) -> None:
        """The batch starts: ``stats.total`` rows to run, ``stats.skipped`` already done."""

    def advance(self, outcome: RowOutcome, stats: BatchStats) -> None:
        """One row finished (done or failed)."""

    def close(self) -> None:
        """The batch has ended."""


@dataclass
class BatchResult:
    """The outcome of :func:`run_batch`."""

    manifest: Path
    out_dir: Path
    executor: str
    rows: list[RowOutcome]
    wall_seconds: float
    interrupted: bool = False
    recipe: Any = None
    ledger_notes: list[str] = field(default_factory=list)
    plan: Any = field(default=None, repr=False)  # the BatchPlan (inputs, recipes per row)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status."""
        out = dict.fromkeys(("done", "skipped", "failed", "cancelled", "pending"), 0)
        for r in self.rows:
            out[r.status] += 1
        return out

    @property
    def failed(self) -> list[RowOutcome]:
        """Rows that failed in this run."""
        return [r for r in self.rows if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """True if every row is done (now or before) and nothing was interrupted."""
        return not self.interrupted and all(r.status in ("done", "skipped") for r in self.rows)

    @property
    def retries(self) -> int:
        """Rows restarted after their worker or node died, counted once per restart."""
        return sum(max(0, r.attempts - 1) for r in self.rows)

    @property
    def audio_seconds(self) -> float:
        """Seconds of audio written in this run."""
        return sum(r.audio_seconds for r in self.rows if r.status == "done")

    def summary(self) -> list[str]:
        """Human-readable lines: counts, throughput, failures."""
        c = self.counts
        done = c["done"]
        wall = self.wall_seconds
        lines = [
            f"batch {str(self.manifest)!r} -> {str(self.out_dir)!r}: {len(self.rows)} rows: "
            f"{done} done, {c['skipped']} skipped (already done), {c['failed']} failed"
            + (
                f", {c['cancelled']} cancelled, {c['pending']} not started"
                if self.interrupted
                else ""
            )
        ]
        if done:
            lines.append(
                f"  {self.audio_seconds:.1f} s of audio in {wall:.1f} s: "
                f"{self.audio_seconds / wall:.2f} audio-s/s, {done / wall * 3600:.0f} rows/h "
                f"on {self.executor}"
            )
        if self.retries:
            lines.append(
                f"  {self.retries} retr{'ies' if self.retries != 1 else 'y'}: a worker or "
                "node died and its row was started again"
            )
        for r in self.failed:
            lines.append(f"  row {r.number} (line {r.line}) {r.output}: {r.error}")
        lines.extend(f"  note: {n}" for n in self.ledger_notes)
        if self.interrupted:
            lines.append(
                "  interrupted: finished rows are in the ledger; run the same command again "
                "to do the rest."
            )
        return lines

    def report(self) -> dict[str, Any]:
        """Everything about the run, with per-row timings (``--report``)."""
        from audiostyle.provenance import versions

        done = self.counts["done"]
        return {
            "manifest": str(self.manifest),
            "out_dir": str(self.out_dir),
            "executor": self.executor,
            "interrupted": self.interrupted,
            "wall_seconds": round(self.wall_seconds, 3),
            "counts": self.counts,
            "retries": self.retries,
            "audio_seconds": round(self.audio_seconds, 3),
            "audio_seconds_per_second": (
                round(self.audio_seconds / self.wall_seconds, 4) if self.wall_seconds else None
            ),
            "rows_per_hour": round(done / self.wall_seconds * 3600, 1)
            if self.wall_seconds
            else None,
            "recipe": self.recipe.to_dict() if self.recipe is not None else None,
            "versions": versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "rows": [r.to_dict() for r in self.rows],
        }

    def save_report(self, path: str | Path) -> None:
        """Write :meth:`report` as JSON (atomically)."""
        from audiostyle.atomic import atomic_write_text

        atomic_write_text(path, json.dumps(self.report(), indent=2, default=str) + "\n")

    def to_html(
        self,
        path: str | Path,
        *,
        title: str | None = None,
        audio_format: str = "ogg",
        force: bool = False,
        embed: bool = False,
    ) -> Path:
        """Write the HTML report (see :mod:`audiostyle.report`): every row's inputs and
        output (done now or before) with players and spectrograms on one colour scale,
        its recipe and loss curves, and the sortable table of rows. Returns the page."""
        from audiostyle.report import write
        from audiostyle.report.build import from_batch

        report = from_batch(self, title=title)
        return write(report, path, audio_format=audio_format, force=force, embed=embed)
