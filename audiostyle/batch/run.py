"""Running a plan on an executor: tasks out, outputs and ledger lines in."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from audiostyle.batch.ledger import LEDGER_VERSION, dir_lock
from audiostyle.batch.plan import BatchPlan, plan_batch
from audiostyle.batch.result import BatchProgress, BatchResult, BatchStats, RowOutcome
from audiostyle.batch.signals import Interrupts
from audiostyle.batch.worker import RowOutput, RowTask, run_row
from audiostyle.errors import AudiostyleError, ParameterError


def _clean_temporaries(plan: BatchPlan) -> None:
    """Remove temporary files a killed run left beside its outputs."""
    for p in plan.rows:
        for stale in p.path.parent.glob(f".{p.path.name}.*{p.path.suffix}"):
            with contextlib.suppress(OSError):
                stale.unlink()


def _feed(tasks: list[RowTask], handed: set[int]) -> Iterator[RowTask]:
    """Yield tasks, noting which ones the executor has taken."""
    for index, task in enumerate(tasks):
        handed.add(index)
        yield task


def _resources(plan: BatchPlan):
    from audiostyle.executors.base import Resources

    cuda = any(str(p.recipe.device).startswith("cuda") for p in plan.todo)
    return Resources(num_gpus=1.0 if cuda else 0.0)


def run_batch(
    manifest: str | Path,
    *,
    out_dir: str | Path,
    preset: str | None = None,
    recipe: Any = None,
    executor: Any = "local",
    executor_options: dict[str, Any] | None = None,
    force: bool = False,
    report: str | Path | None = None,
    progress: BatchProgress | None = None,
    **overrides: Any,
) -> BatchResult:
    """Run every row of ``manifest`` that is not already done; write outputs to ``out_dir``.

    Parameters
    ----------
    manifest : str or Path
        CSV or JSONL (see the module docstring).
    out_dir : str or Path
        Where outputs, the ledger and its lock go (created if missing).
    preset, recipe, **overrides
        The batch's recipe, as for :func:`audiostyle.api.transfer`; a row's ``preset``
        and ``seed`` columns take precedence.
    executor : str or Executor
        A registered executor name (``local``, ``ray``) or an executor object (left
        open, so a warm pool can be reused).
    executor_options : dict, optional
        Options of the named executor (``workers``, ``address``, ``threads`` ...).
    force : bool
        Overwrite output files that exist but were not written by this batch.
    report : path, optional
        Write a JSON report with per-row timings (overwritten on every run).
    progress : BatchProgress, optional
        Receives progress (rows done / failed, audio seconds).

    Returns
    -------
    BatchResult
        ``counts``, ``failed`` rows with reasons, ``summary()``, ``report()``.
        Failed rows do not raise; Ctrl-C returns with ``interrupted=True``.
    """
    from audiostyle import audio as audio_io
    from audiostyle.executors.base import Executor
    from audiostyle.plugins import create, get_backend

    if report is not None:
        parent = Path(report).parent
        if not parent.is_dir():
            raise ParameterError(f"directory {str(parent)!r} of --report does not exist.")
    owned = not isinstance(executor, Executor)
    if owned:
        impl = get_backend("executor", executor)
        options = impl.parse_options(executor_options or {})
    plan = plan_batch(
        manifest, out_dir=out_dir, preset=preset, recipe=recipe, force=force, **overrides
    )
    out_dir = plan.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    ex = create("executor", executor, options) if owned else executor
    outcomes: dict[int, RowOutcome] = {}
    for p in plan.rows:
        outcomes[p.row.number] = RowOutcome(
            number=p.row.number,
            line=p.row.line,
            output=p.output,
            status="skipped" if p.status == "skipped" else "pending",
        )
    todo = plan.todo
    stats = BatchStats(total=len(todo), skipped=len(plan.skipped))
    notes = []
    if plan.ledger.bad_lines:
        notes.append(
            f"{plan.ledger.bad_lines} unreadable ledger line(s) ignored (a run was cut short)"
        )
    start = time.perf_counter()
    interrupted = False
    handed: set[int] = set()
    description = ex.describe()
    try:
        with dir_lock(out_dir), Interrupts() as interrupts:
            _clean_temporaries(plan)
            for p in todo:
                p.path.parent.mkdir(parents=True, exist_ok=True)
            if todo:  # nothing to run: no workers, no cluster
                ex.start()
                description = ex.describe()
            if progress is not None:
                progress.start(stats, executor=description)
            tasks = [
                RowTask(
                    number=p.row.number,
                    content=str(p.row.content),
                    style=str(p.row.style),
                    recipe=p.recipe,
                    offset=p.row.offset,
                    duration=p.row.duration,
                    style_offset=p.row.style_offset,
                    style_duration=p.row.style_duration,
                )
                for p in todo
            ]
            running = contextlib.closing(
                ex.map(run_row, _feed(tasks, handed), resources=_resources(plan))
                if todo
                else _feed([], handed)
            )
            try:
                with running as results:
                    for res in results:
                        p = todo[res.index]
                        outcome = outcomes[p.row.number]
                        outcome.compute_seconds = res.seconds
                        outcome.worker = res.worker
                        if res.ok:
                            out: RowOutput = res.value
                            t = time.perf_counter()
                            try:
                                with interrupts.protect():
                                    audio_io.save(
                                        p.path, out.audio, sample_rate=out.sample_rate, force=True
                                    )
                                    plan.ledger.append(
                                        {
                                            "v": LEDGER_VERSION,
                                            "output": outcome.output,
                                            "key": p.key,
                                            "row": p.row.number,
                                            "content": {"path": str(p.row.content), **p.content_fp},
                                            "style": {"path": str(p.row.style), **p.style_fp},
                                            "output_size": p.path.stat().st_size,
                                            "audio_seconds": len(out.audio) / out.sample_rate,
                                            "compute_seconds": round(res.seconds, 4),
                                            "threads": out.threads,
                                            "worker": res.worker,
                                            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                        }
                                    )
                            except (AudiostyleError, OSError) as exc:
                                outcome.status = "failed"
                                outcome.error = f"writing the output failed: {exc}"
                            else:
                                outcome.status = "done"
                                outcome.audio_seconds = len(out.audio) / out.sample_rate
                                outcome.threads = out.threads
                                outcome.timings = dict(out.timings)
                                outcome.final_losses = dict(out.final_losses)
                                outcome.initial_losses = dict(out.initial_losses)
                                outcome.history = list(out.history)
                            outcome.write_seconds = time.perf_counter() - t
                        else:
                            outcome.status = "failed"
                            outcome.error = res.error
                            outcome.traceback = res.traceback
                        outcome.finished_at = time.perf_counter() - start
                        if outcome.status == "done":
                            stats.done += 1
                            stats.audio_seconds += outcome.audio_seconds
                        else:
                            stats.failed += 1
                        stats.elapsed = time.perf_counter() - start
                        if progress is not None:
                            progress.advance(outcome, stats)
            except KeyboardInterrupt:
                interrupted = True
    finally:
        if progress is not None:
            progress.close()
        if owned:
            ex.close()
    if interrupted:
        for index in handed:  # handed to the executor, not finished: cancelled
            o = outcomes[todo[index].row.number]
            if o.status == "pending":
                o.status = "cancelled"
    result = BatchResult(
        manifest=plan.manifest,
        out_dir=out_dir,
        executor=description,
        rows=[outcomes[n] for n in sorted(outcomes)],
        wall_seconds=time.perf_counter() - start,
        interrupted=interrupted,
        recipe=plan.recipe,
        ledger_notes=notes,
        plan=plan,
    )
    if report is not None:
        result.save_report(report)
    return result
