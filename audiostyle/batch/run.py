"""Running a plan on an executor: tasks out, outputs and ledger lines in."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from audiostyle.batch.commit import adopt, commit, write_temporary
from audiostyle.batch.ledger import dir_lock
from audiostyle.batch.plan import BatchPlan, PlannedRow, plan_batch
from audiostyle.batch.result import BatchProgress, BatchResult, BatchStats, RowOutcome
from audiostyle.batch.signals import Interrupts
from audiostyle.batch.worker import RowOutput, RowTask, run_row, stack_versions
from audiostyle.errors import AudiostyleError, ParameterError


def _clean_temporaries(plan: BatchPlan) -> None:
    """Remove temporary files a killed run left beside its outputs."""
    for p in plan.rows:
        for stale in p.path.parent.glob(f".{p.path.name}.*{p.path.suffix}"):
            with contextlib.suppress(OSError):
                stale.unlink()


def _feed(tasks: Iterable[RowTask], handed: set[int]) -> Iterator[RowTask]:
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
        Options of the named executor (``workers``, ``address``, ``threads``,
        ``inputs``, ``outputs``, ``runtime_env`` ...).
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
    ex = create("executor", executor, options) if owned else executor
    try:
        return _run(ex, manifest, out_dir, preset, recipe, force, report, progress, overrides)
    finally:
        if owned:
            ex.close()


def _entry(p: PlannedRow, **fields: Any) -> dict[str, Any]:
    """A row's ledger fields (the final line adds size, hash and time)."""
    return {
        "output": p.output,
        "key": p.key,
        "row": p.row.number,
        "content": {"path": str(p.row.content), **p.content_fp},
        "style": {"path": str(p.row.style), **p.style_fp},
        **fields,
    }


def _run(ex, manifest, out_dir, preset, recipe, force, report, progress, overrides):
    shipped: dict[str, Any] = {}  # sha256 -> the executor's handle of the bytes
    keep = None
    if ex.may_ship_inputs():
        ex.start()  # connect first: whether inputs are shipped depends on the cluster
        if ex.ships_inputs():

            def keep(path: Path, sha: str, data: bytes) -> None:
                shipped[sha] = ex.ship(data, name=str(path), sha256=sha)

    plan = plan_batch(
        manifest,
        out_dir=out_dir,
        preset=preset,
        recipe=recipe,
        force=force,
        keep=keep,
        **overrides,
    )
    out_dir = plan.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    outcomes: dict[int, RowOutcome] = {}
    for p in plan.rows:
        outcomes[p.row.number] = RowOutcome(
            number=p.row.number,
            line=p.row.line,
            output=p.output,
            status="pending" if p.status == "todo" else "skipped",
            adopted=p.status == "adopted",
        )
    todo = plan.todo
    # Shipped inputs are released when the last row that needs them is finished.
    uses: dict[str, int] = {}
    for p in todo:
        for fp in (p.content_fp, p.style_fp):
            uses[fp["sha256"]] = uses.get(fp["sha256"], 0) + 1
    for sha in [s for s in shipped if s not in uses]:
        ex.unship(shipped.pop(sha))
    stats = BatchStats(total=len(todo), skipped=len(plan.skipped))
    notes = []
    if plan.ledger.bad_lines:
        notes.append(
            f"{plan.ledger.bad_lines} unreadable ledger line(s) ignored (a run was cut short)"
        )
    if plan.adopted:
        notes.append(
            f"{len(plan.adopted)} output(s) a killed run had finished were verified "
            "(sha256) and adopted"
        )
    start = time.perf_counter()
    interrupted = False
    handed: set[int] = set()
    description = ex.describe()
    versions = stack_versions()
    workers_write = ex.workers_write
    try:
        with dir_lock(out_dir), Interrupts() as interrupts:
            _clean_temporaries(plan)
            for p in plan.adopted:
                adopt(plan.ledger, _entry(p))
            for p in todo:
                p.path.parent.mkdir(parents=True, exist_ok=True)
            if todo:  # nothing to run: no workers, no cluster
                ex.start()
                description = ex.describe()
            if progress is not None:
                progress.start(stats, executor=description)
            # Built as they are handed out (a shipped input is freed after its last row).
            tasks = (
                RowTask(
                    number=p.row.number,
                    content=shipped.get(p.content_fp["sha256"], str(p.row.content)),
                    style=shipped.get(p.style_fp["sha256"], str(p.row.style)),
                    recipe=p.recipe,
                    offset=p.row.offset,
                    duration=p.row.duration,
                    style_offset=p.row.style_offset,
                    style_duration=p.row.style_duration,
                    style_sha256=p.style_fp["sha256"],
                    versions=versions,
                    write_to=str(p.path.resolve()) if workers_write else None,
                )
                for p in todo
            )
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
                        outcome.cpu_seconds = res.cpu_seconds
                        outcome.attempts = res.attempts
                        outcome.worker = res.worker
                        if res.ok:
                            _finish(plan, p, res.value, outcome, interrupts)
                        else:
                            outcome.status = "failed"
                            outcome.error = res.error
                            outcome.traceback = res.traceback
                        for fp in (p.content_fp, p.style_fp):
                            uses[fp["sha256"]] -= 1
                            if not uses[fp["sha256"]] and fp["sha256"] in shipped:
                                ex.unship(shipped.pop(fp["sha256"]))
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
        for handle in shipped.values():
            with contextlib.suppress(Exception):
                ex.unship(handle)
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


def _finish(
    plan: BatchPlan, p: PlannedRow, out: RowOutput, outcome: RowOutcome, interrupts
) -> None:
    """Write a computed row's output and ledger lines (see :mod:`audiostyle.batch.commit`)."""
    t = time.perf_counter()
    seconds = out.frames / out.sample_rate
    try:
        with interrupts.protect():
            if out.written is not None:
                tmp = Path(out.written)
                if not tmp.exists():
                    raise AudiostyleError(
                        f"the worker wrote {str(tmp)!r} but this machine does not see it: "
                        "outputs=workers needs --out-dir on a disk shared by every node"
                    )
            else:
                tmp = write_temporary(p.path, out.audio, sample_rate=out.sample_rate)
            commit(
                plan.ledger,
                tmp,
                p.path,
                _entry(
                    p,
                    audio_seconds=seconds,
                    compute_seconds=round(outcome.compute_seconds, 4),
                    threads=out.threads,
                    worker=outcome.worker,
                    attempts=outcome.attempts,
                ),
            )
    except (AudiostyleError, OSError) as exc:
        outcome.status = "failed"
        outcome.error = f"writing the output failed: {exc}"
    else:
        outcome.status = "done"
        outcome.audio_seconds = seconds
        outcome.threads = out.threads
        outcome.warm = out.warm
        outcome.timings = dict(out.timings)
        outcome.final_losses = dict(out.final_losses)
        outcome.initial_losses = dict(out.initial_losses)
        outcome.history = list(out.history)
    outcome.write_seconds = time.perf_counter() - t
