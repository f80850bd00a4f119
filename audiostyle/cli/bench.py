"""``bench``: run a grid of recipe variants on cases; a table, JSON and CSV of the results."""

from pathlib import Path
from typing import Annotated, Any

import typer

from audiostyle.cli.aliases import merge
from audiostyle.cli.batch import (
    Address,
    ExecutorOpt,
    OptionalExecutor,
    Workers,
    executor_settings,
)
from audiostyle.cli.common import RecipeFlags, recipe_options
from audiostyle.cli.errors import handle_errors, one_line
from audiostyle.cli.helptext import ChoicesCommand

_IN = "Inputs"
_GRID = "Grid and measurements"
_OUT = "Outputs"

DEFAULT_SUITE_SIZE = 4
DEFAULT_SUITE_DURATION = 5.0  # seconds per suite file when --duration is not given


def _check_file_output(path: Path | None, force: bool, what: str) -> None:
    from audiostyle.errors import ParameterError

    if path is None:
        return
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ParameterError(f"{what}: directory {str(parent)!r} does not exist; create it first.")
    if path.is_dir():
        raise ParameterError(f"{what}: {str(path)!r} is a directory; give a file name.")
    if path.exists() and not force:
        raise ParameterError(f"{what}: {str(path)!r} already exists; pass --force to overwrite it.")


def _metric_specs(names: list[str] | None, pairs: list[str] | None):
    from audiostyle.bench import MetricSpec, default_metrics
    from audiostyle.errors import ParameterError
    from audiostyle.options import parse_pairs

    opts: dict[str, dict[str, str]] = {}
    for key, value in parse_pairs(pairs or [], flag="--metric-opt").items():
        name, dot, opt = key.partition(".")
        name = name.replace("_", "-")
        if not dot or not opt:
            raise ParameterError(
                f"--metric-opt {key}={value}: use METRIC.OPTION=VALUE (e.g. lsd.floor_db=60)."
            )
        opts.setdefault(name, {})[opt] = value
    if names and [n.lower() for n in names] == ["none"]:
        specs = []
    elif names:
        specs = [MetricSpec(n, opts.get(n, {})) for n in names]
    else:
        specs = [MetricSpec(m.name, opts.get(m.name, {})) for m in default_metrics()]
    chosen = {s.name for s in specs}
    stray = sorted(set(opts) - chosen)
    if stray:
        raise ParameterError(
            f"--metric-opt names metric {stray[0]!r}, which is not measured; "
            f"add --metric {stray[0]} (measured: {', '.join(sorted(chosen)) or 'none'})."
        )
    return specs


class _BenchCommand(ChoicesCommand):
    """Typer cannot declare a repeatable two-value option: make ``--pair`` one here."""

    def __init__(self, *args: Any, params: list[Any] | None = None, **kwargs: Any):
        # typer vendors its own click (no ``click`` import: a base install has none).
        for param in params or []:
            if param.name == "pair":
                param.nargs = 2
                param.multiple = True
        super().__init__(*args, params=params, **kwargs)


def _as_is(value: Any) -> Any:
    return value


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command(cls=_BenchCommand)
    @handle_errors
    @recipe_options
    def bench(
        flags: RecipeFlags,
        pair: Annotated[
            list[Any] | None,
            typer.Option(
                "--pair",
                help="a (content, style) pair of files (repeatable)",
                metavar="CONTENT STYLE",
                parser=_as_is,
                rich_help_panel=_IN,
            ),
        ] = None,
        cases: Annotated[
            Path | None,
            typer.Option(
                "--cases",
                help="TOML file of case entries (content, style, optional target and "
                "text) and an optional grid table (see README, Benchmarking)",
                rich_help_panel=_IN,
            ),
        ] = None,
        suite: Annotated[
            str | None,
            typer.Option(
                "--suite",
                help="take cases from this registered suite ('audiostyle plugins suite')",
                rich_help_panel=_IN,
            ),
        ] = None,
        suite_size: Annotated[
            int, typer.Option("--suite-size", help="cases from the suite", rich_help_panel=_IN)
        ] = DEFAULT_SUITE_SIZE,
        suite_seed: Annotated[
            int, typer.Option("--suite-seed", help="the suite's seed", rich_help_panel=_IN)
        ] = 0,
        suite_opt: Annotated[
            list[str] | None,
            typer.Option(
                "--suite-opt",
                help="suite option key=value (repeatable)",
                metavar="KEY=VALUE",
                rich_help_panel=_IN,
            ),
        ] = None,
        cache_dir: Annotated[
            Path | None,
            typer.Option(
                "--cache-dir",
                help="cache of generated suites (default $AUDIOSTYLE_CACHE_DIR or the user "
                "cache directory, ~/.cache/audiostyle/suites on Linux)",
                rich_help_panel=_IN,
            ),
        ] = None,
        offset: Annotated[
            float | None,
            typer.Option(help="start of each content, seconds", rich_help_panel=_IN),
        ] = None,
        duration: Annotated[
            float | None,
            typer.Option(help="seconds of each content (and target) to use", rich_help_panel=_IN),
        ] = None,
        style_offset: Annotated[
            float | None,
            typer.Option(help="start of each style, seconds", rich_help_panel=_IN),
        ] = None,
        style_duration: Annotated[
            float | None,
            typer.Option(help="seconds of each style to use", rich_help_panel=_IN),
        ] = None,
        grid: Annotated[
            list[str] | None,
            typer.Option(
                "--grid",
                help="a setting and its values (repeatable): a stage, STAGE.OPTION, a "
                "recipe setting or loss.TERM.OPTION, e.g. transform=librosa,torch, "
                "transform.n_fft=512,1024, steps=10,50",
                metavar="KEY=V1,V2",
                rich_help_panel=_GRID,
            ),
        ] = None,
        mode: Annotated[
            str,
            typer.Option(
                "--mode",
                help="transfer (run recipes), transform (STFT/iSTFT/phase only, no "
                "optimisation) or both",
                rich_help_panel=_GRID,
            ),
        ] = "transfer",
        repeat: Annotated[
            int,
            typer.Option(
                "--repeat", help="timed runs per cell (median and spread)", rich_help_panel=_GRID
            ),
        ] = 1,
        warmup: Annotated[
            int,
            typer.Option(
                "--warmup",
                help="untimed runs first (transform cells always warm up once)",
                rich_help_panel=_GRID,
            ),
        ] = 0,
        metric: Annotated[
            list[str] | None,
            typer.Option(
                "--metric",
                help="quality metric to measure (repeatable; default: every registered "
                "one; 'none' for none)",
                rich_help_panel=_GRID,
            ),
        ] = None,
        metric_opt: Annotated[
            list[str] | None,
            typer.Option(
                "--metric-opt",
                help="metric option METRIC.KEY=VALUE (repeatable)",
                metavar="METRIC.KEY=VALUE",
                rich_help_panel=_GRID,
            ),
        ] = None,
        baseline: Annotated[
            bool,
            typer.Option(
                "--baseline/--no-baseline",
                help="score the content itself as a do-nothing row per case",
                rich_help_panel=_GRID,
            ),
        ] = True,
        isolate: Annotated[
            bool,
            typer.Option(
                "--isolate",
                help="run every cell in a fresh process (first-run costs and memory "
                "not shaped by earlier cells; slower)",
                rich_help_panel=_GRID,
            ),
        ] = False,
        threads: Annotated[
            int | None,
            typer.Option(
                "--threads",
                help="torch threads per cell (default: torch's choice; 1 gives steadier "
                "timings on a busy machine)",
                rich_help_panel=_GRID,
            ),
        ] = None,
        executor: OptionalExecutor = None,
        workers: Workers = None,
        address: Address = None,
        executor_opt: ExecutorOpt = None,
        json_out: Annotated[
            Path | None,
            typer.Option("--json", help="write every row as JSON", rich_help_panel=_OUT),
        ] = None,
        csv_out: Annotated[
            Path | None,
            typer.Option("--csv", help="write every row as CSV", rich_help_panel=_OUT),
        ] = None,
        out_dir: Annotated[
            Path | None,
            typer.Option(
                "--out-dir",
                "-d",
                help="write bench.json and bench.csv (and bench.txt, the table) here",
                rich_help_panel=_OUT,
            ),
        ] = None,
        plot: Annotated[
            Path | None,
            typer.Option(
                "--plot",
                help="write a PNG per transfer: content / style / output spectrograms "
                "and loss curves",
                metavar="DIR",
                rich_help_panel=_OUT,
            ),
        ] = None,
        html: Annotated[
            Path | None,
            typer.Option(
                "--html",
                help="write an HTML report: players, spectrograms, loss curves, recipes and "
                "the sortable table (audio and pictures in PAGE_files/ beside it)",
                metavar="PAGE.html",
                rich_help_panel=_OUT,
            ),
        ] = None,
        audio_dir: Annotated[
            Path | None,
            typer.Option(
                "--audio-dir",
                help="write each transfer's output as WAV",
                metavar="DIR",
                rich_help_panel=_OUT,
            ),
        ] = None,
        force: Annotated[
            bool,
            typer.Option("--force", "-f", help="overwrite existing outputs", rich_help_panel=_OUT),
        ] = False,
        quiet: Annotated[
            bool,
            typer.Option("--quiet", "-q", help="no progress lines", rich_help_panel=_OUT),
        ] = False,
        old_suite_dir: Annotated[Path | None, typer.Option("--suite-dir", hidden=True)] = None,
    ) -> None:
        """Benchmark recipe variants: time, memory, losses and quality of each.

        Give cases (--pair, --cases or --suite) and a grid (--grid KEY=V1,V2, any
        number): every combination runs on every case. Prints a table; --json,
        --csv or --out-dir keep every number.
        """
        from audiostyle import bench as B
        from audiostyle.bench.cases import load_cases_file, pair_cases, suite_cases
        from audiostyle.errors import DependencyError, ParameterError
        from audiostyle.options import parse_pairs

        cache_dir = merge(cache_dir, old_suite_dir, new="--cache-dir", old="bench --suite-dir")
        if mode not in ("transfer", "transform", "both"):
            raise ParameterError(f"--mode {mode!r} is not one of transfer, transform, both.")
        if repeat < 1:
            raise ParameterError(f"--repeat {repeat} must be >= 1.")
        if warmup < 0:
            raise ParameterError(f"--warmup {warmup} must be >= 0.")
        if not (pair or cases or suite):
            raise ParameterError(
                "no cases: give --pair CONTENT STYLE (repeatable), --cases FILE.toml "
                "or --suite NAME."
            )
        outputs = {"--json": json_out, "--csv": csv_out}
        if out_dir is not None:
            if out_dir.exists() and not out_dir.is_dir():
                raise ParameterError(f"--out-dir {str(out_dir)!r} is a file; give a directory.")
            outputs.update(
                {
                    "--out-dir (bench.json)": out_dir / "bench.json",
                    "--out-dir (bench.csv)": out_dir / "bench.csv",
                    "--out-dir (bench.txt)": out_dir / "bench.txt",
                }
            )
        recipe = flags.resolve()
        recipe.validate()
        excerpt = {
            "offset": offset,
            "duration": duration,
            "style_offset": style_offset,
            "style_duration": style_duration,
        }
        given = {k: v for k, v in excerpt.items() if v is not None}
        case_list = []
        file_grid: dict = {}
        if pair:
            case_list += pair_cases([(Path(c), Path(s)) for c, s in pair], **given)
        if cases is not None:
            found, file_grid = load_cases_file(cases, **excerpt)
            case_list += found
        if suite is not None:
            try:
                case_list += suite_cases(
                    suite,
                    size=suite_size,
                    seed=suite_seed,
                    duration=duration or DEFAULT_SUITE_DURATION,
                    sample_rate=recipe.sample_rate,
                    options=parse_pairs(suite_opt or [], flag="--suite-opt"),
                    cache_dir=cache_dir,
                )
            except DependencyError as exc:  # its synthesizer is missing: say so, go on
                typer.echo(f"warning: suite {suite!r} skipped: {one_line(str(exc))}", err=True)
                if not case_list:
                    raise ParameterError(
                        f"nothing ran: suite {suite!r} was the only source of cases and it was "
                        "skipped: a synthesizer or sound font it needs is missing (see the "
                        "warning above); install it, or give other cases with --pair CONTENT "
                        "STYLE or --cases FILE.toml."
                    ) from None
        axes = B.grid.merge(B.parse_grid(file_grid), B.parse_grid(grid or []))
        the_plan = B.plan(
            case_list,
            axes,
            recipe,
            mode=mode,
            repeat=repeat,
            warmup=warmup,
            metrics=_metric_specs(metric, metric_opt) if mode != "transform" else (),
            baseline=baseline,
            plot_dir=plot,
            audio_dir=audio_dir,
            threads=threads,
            keep_outputs=html is not None,
        )
        if html is not None:
            from audiostyle.report import check_page

            check_page(html, force=force)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        for what, path in outputs.items():
            _check_file_output(path, force, what)
        for d in (plot, audio_dir):
            if d is not None:
                d.mkdir(parents=True, exist_ok=True)
        if not quiet:
            n_cases = len(case_list)
            typer.echo(
                f"bench: {len(the_plan.cells)} cells ({n_cases} case{'s' * (n_cases != 1)} × "
                f"{max(len(B.expand(axes)), 1)} variant(s), mode {mode})",
                err=True,
            )

        def progress(row: dict, done: int, total: int) -> None:
            if quiet:
                return
            took = row.get("time.total")
            extra = f" {took:.2f} s" if isinstance(took, float) else ""
            status = " ERROR" if row.get("error") else ""
            typer.echo(
                f"  [{done}/{total}] {row['case']} · {row['kind']} · {row['variant']}"
                f"{extra}{status}",
                err=True,
            )

        if executor is None and (workers is not None or address is not None or executor_opt):
            executor = "ray" if address is not None else "local"
        if executor is not None and isolate:
            raise ParameterError("--isolate and --executor exclude each other; choose one.")
        if executor is None:
            result = B.run(the_plan, map_fn=B.isolated_map if isolate else None, on_row=progress)
        else:  # cells in parallel on an executor (their timings then share the CPUs)
            from audiostyle.bench.cells import failed_row
            from audiostyle.executors.base import map_function
            from audiostyle.plugins import create

            settings = executor_settings(executor, workers, address, executor_opt)
            with create("executor", executor, settings) as ex:
                if not quiet:
                    typer.echo(f"running the cells on {ex.describe()}", err=True)
                result = B.run(
                    the_plan, map_fn=map_function(ex, on_error=failed_row), on_row=progress
                )
        table = result.table()
        typer.echo(table, nl=False)
        for path in outputs.values():
            if path is None:
                continue
            if path.suffix == ".csv":
                result.to_csv(path)
            elif path.suffix == ".txt":
                from audiostyle.atomic import atomic_write_text

                atomic_write_text(path, table)
            else:
                result.to_json(path)
            if not quiet:
                typer.echo(f"wrote {path}", err=True)
        if html is not None:
            result.to_html(html, force=force)
            if not quiet:
                typer.echo(f"wrote {html}", err=True)
        if result.errors:
            typer.echo(
                f"error: {len(result.errors)} of {len(result.rows)} cells failed (see above).",
                err=True,
            )
            raise typer.Exit(1)
