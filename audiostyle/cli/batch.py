"""``audiostyle batch``: many transfers from a manifest, thin over :mod:`audiostyle.batch`."""

import functools
from pathlib import Path
from typing import Annotated

import typer

from audiostyle.cli.common import RecipeFlags, recipe_options
from audiostyle.cli.errors import handle_errors

_EXEC_PANEL = "Executor"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def _executors(incomplete: str):
    from audiostyle.plugins import available

    return [n for n in sorted(available("executor")) if n.startswith(incomplete)]


Executor = Annotated[
    str,
    typer.Option(
        "--executor",
        help="where the rows run: local (a process pool) or ray ('audiostyle plugins')",
        autocompletion=_executors,
        rich_help_panel=_EXEC_PANEL,
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-j",
        help="local: worker processes (default: one per core); ray: tasks in flight at most",
        rich_help_panel=_EXEC_PANEL,
    ),
]
Address = Annotated[
    str | None,
    typer.Option(
        "--address",
        help="ray: cluster address (host:port, ray://host:port, auto, or local for a new "
        "local instance); default: RAY_ADDRESS, else a 'ray start' cluster on this machine, "
        "else a new local instance",
        rich_help_panel=_EXEC_PANEL,
    ),
]
ExecutorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--executor-opt",
        help="executor option key=value (repeatable), e.g. threads=2, cpus_per_task=2, "
        "inputs=ship, outputs=workers, runtime_env=env.yaml ('audiostyle plugins')",
        metavar="KEY=VALUE",
        rich_help_panel=_EXEC_PANEL,
    ),
]


def _exit_code(fn):
    """Turn the command's return value into its exit code (outside the error handler)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        code = fn(*args, **kwargs)
        if code:
            raise typer.Exit(code)

    return wrapper


def executor_settings(
    executor: str, workers: int | None, address: str | None, executor_opt: list[str] | None
) -> dict:
    """Validated executor options from the executor flags (shared with other commands)."""
    from audiostyle.cli.executors import executor_options
    from audiostyle.options import parse_pairs

    pairs = parse_pairs(executor_opt or [], flag="--executor-opt")
    return executor_options(executor, workers=workers, address=address, pairs=pairs)


class BatchBar:
    """One rich progress bar: rows done / failed / total, audio-s/s, ETA."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress = None
        self._task = None

    def start(self, stats, *, executor: str) -> None:  # noqa: D102
        if not self.enabled:
            return
        typer.echo(
            f"{stats.total + stats.skipped} rows: {stats.skipped} already done (skipped), "
            f"{stats.total} to run on {executor}",
            err=True,
        )
        if not stats.total:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TextColumn("{task.fields[rate]} audio-s/s"),
            TimeElapsedColumn(),
            TextColumn("ETA {task.fields[eta]}"),
            console=Console(stderr=True),
        )
        self._progress.start()
        self._task = self._progress.add_task(
            "batch", total=stats.total, failed=0, rate="-", eta="-"
        )

    def advance(self, outcome, stats) -> None:  # noqa: D102
        if self._progress is None:
            return
        finished = stats.done + stats.failed
        left = stats.total - finished
        eta = stats.elapsed / finished * left if finished else 0.0
        self._progress.update(
            self._task,
            completed=finished,
            failed=stats.failed,
            rate=f"{stats.throughput:.2f}",
            eta=f"{int(eta) // 60}:{int(eta) % 60:02d}",
        )
        if outcome.status == "failed":
            self._progress.console.print(
                f"row {outcome.number} (line {outcome.line}) {outcome.output} failed: "
                f"{outcome.error}"
            )

    def close(self) -> None:  # noqa: D102
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def register(app: typer.Typer) -> None:
    """Add ``batch`` to ``app``."""

    @app.command()
    @_exit_code
    @handle_errors
    @recipe_options
    def batch(
        manifest: Annotated[
            Path,
            typer.Argument(
                help="CSV or JSONL with columns content, style, output and optional "
                "preset, seed, duration, offset, style_offset, style_duration"
            ),
        ],
        out_dir: Annotated[
            Path, typer.Option("--out-dir", "-d", help="where outputs and the ledger go")
        ],
        flags: RecipeFlags,
        executor: Executor = "local",
        workers: Workers = None,
        address: Address = None,
        executor_opt: ExecutorOpt = None,
        report: Annotated[
            Path | None,
            typer.Option("--report", help="write a JSON report with per-row timings"),
        ] = None,
        force: Annotated[
            bool,
            typer.Option(
                "--force", "-f", help="overwrite outputs that exist but this batch did not write"
            ),
        ] = False,
        html: Annotated[
            Path | None,
            typer.Option(
                "--html",
                help="write an HTML report of every row: players, spectrograms, recipes, "
                "timings (audio and pictures in PAGE_files/ beside it); rewritten on every run",
                metavar="PAGE.html",
            ),
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="validate and show what would run; run nothing")
        ] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
    ) -> int:
        """Run every row of MANIFEST (content, style, output) into --out-dir.

        Rows already done and unchanged are skipped (a ledger in --out-dir records
        them), so the same command resumes an interrupted batch. Exit code 1 if a row
        failed, 130 if interrupted.
        """
        from audiostyle.batch import ManifestError, plan_batch, run_batch

        settings = executor_settings(executor, workers, address, executor_opt)
        if html is not None and not dry_run:
            from audiostyle.errors import ParameterError
            from audiostyle.report import check_page

            page_dir = html.parent if str(html.parent) else Path(".")
            if page_dir.exists() or page_dir.resolve() != out_dir.resolve():
                check_page(html, force=True)  # like --report: rewritten on every run
            elif html.suffix.lower() not in (".html", ".htm"):  # in the --out-dir batch makes
                raise ParameterError(f"--html {str(html)!r}: give a file name ending in .html.")
        recipe_kwargs = {"preset": flags.preset, "recipe": flags.recipe, **flags.overrides()}
        try:
            if dry_run:
                plan = plan_batch(manifest, out_dir=out_dir, force=force, **recipe_kwargs)
                typer.echo(
                    f"{len(plan.rows)} rows valid: {len(plan.todo)} to run, "
                    f"{len(plan.skipped)} already done.",
                    err=True,
                )
                for p in plan.todo:
                    typer.echo(f"  row {p.row.number}: {p.row.output}")
                return 0
            result = run_batch(
                manifest,
                out_dir=out_dir,
                executor=executor,
                executor_options=settings,
                force=force,
                report=report,
                progress=BatchBar(enabled=not quiet),
                **recipe_kwargs,
            )
        except ManifestError as exc:  # one line per problem (the generic handler folds lines)
            typer.echo(f"error: {exc}", err=True)
            return exc.exit_code
        typer.echo("\n".join(result.summary()), err=True)
        if html is not None and not result.interrupted:
            result.to_html(html, force=True)
            typer.echo(f"wrote {html}", err=True)
        if result.interrupted:
            return EXIT_INTERRUPTED
        if result.failed:
            typer.echo(
                f"error: {len(result.failed)} of {len(result.rows)} rows failed (see above); "
                "fix them and run the same command again: done rows are skipped.",
                err=True,
            )
            return 1
        return 0


OptionalExecutor = Annotated[
    str | None,
    typer.Option(
        "--executor",
        help="run on this executor: local (a process pool) or ray; default: one after "
        "another in this process",
        autocompletion=_executors,
        rich_help_panel=_EXEC_PANEL,
    ),
]
