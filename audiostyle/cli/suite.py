"""``suite``: build a generated suite's cases (cached) and copy them out to listen to."""

from pathlib import Path
from typing import Annotated

import typer

from audiostyle.cli.aliases import merge
from audiostyle.cli.errors import handle_errors

DEFAULT_SIZE = 8
DEFAULT_DURATION = 10.0  # seconds per file
DEFAULT_SAMPLE_RATE = 22_050
_ROLES = ("content", "style", "target")


def _suite_names(incomplete: str) -> list[str]:
    from audiostyle.plugins import available

    return [n for n in sorted(available("suite")) if n.startswith(incomplete)]


def register(app: typer.Typer) -> None:
    """Add the ``suite`` command to ``app``."""

    @app.command()
    @handle_errors
    def suite(
        name: Annotated[
            str | None,
            typer.Argument(
                help="suite to build (none: list the registered suites)",
                autocompletion=_suite_names,
            ),
        ] = None,
        size: Annotated[int, typer.Option("--size", "-n", help="number of cases")] = DEFAULT_SIZE,
        seed: Annotated[int, typer.Option("--seed", help="the suite's random seed")] = 0,
        duration: Annotated[
            float, typer.Option("--duration", help="seconds per file")
        ] = DEFAULT_DURATION,
        sample_rate: Annotated[int, typer.Option("--sample-rate", help="Hz")] = DEFAULT_SAMPLE_RATE,
        suite_opt: Annotated[
            list[str] | None,
            typer.Option(
                "--suite-opt", help="suite option key=value (repeatable)", metavar="KEY=VALUE"
            ),
        ] = None,
        out_dir: Annotated[
            Path | None,
            typer.Option(
                "--out-dir",
                "-d",
                help="copy the cases here (one folder per case: content, style, target, text)",
            ),
        ] = None,
        cache_dir: Annotated[
            Path | None,
            typer.Option(
                "--cache-dir",
                help="cache of generated suites (default $AUDIOSTYLE_CACHE_DIR or the user "
                "cache directory, ~/.cache/audiostyle/suites on Linux)",
            ),
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", "-f", help="write into a non-empty --out-dir")
        ] = False,
        old_opt: Annotated[list[str] | None, typer.Option("--opt", hidden=True)] = None,
        old_out: Annotated[Path | None, typer.Option("--out", "-o", hidden=True)] = None,
    ) -> None:
        """Build a ground-truth suite (content, style and the true target of each case).

        The cases are cached: the same name, size, seed, duration, rate and options
        give the same files, built once. 'audiostyle bench --suite NAME' uses the
        same cache.
        """
        from audiostyle.contracts.suite import default_cache_dir
        from audiostyle.errors import ParameterError
        from audiostyle.options import parse_pairs
        from audiostyle.plugins import available, create

        opt = merge(suite_opt, old_opt, new="--suite-opt", old="suite --opt")
        out = merge(out_dir, old_out, new="--out-dir/-d", old="suite --out/-o")
        if name is None:
            found = available("suite")
            if not found:
                typer.echo("no suites are registered.")
            for key, impl in sorted(found.items()):
                typer.echo(f"  {key:<12} {impl.description}")
            return
        if out is not None:
            if out.exists() and not out.is_dir():
                raise ParameterError(f"--out-dir {str(out)!r} is a file; give a directory.")
            if out.is_dir() and any(out.iterdir()) and not force:
                raise ParameterError(
                    f"--out-dir {str(out)!r} is not empty; pass --force to write into it."
                )
        options = parse_pairs(opt or [], flag="--suite-opt")
        built = create("suite", name, options)
        root = cache_dir if cache_dir is not None else default_cache_dir()
        typer.echo(
            f"building suite {name!r}: {size} cases × {duration:g} s (cache {root})", err=True
        )
        cases = built.cases(
            size=size, seed=seed, cache_dir=root, duration=duration, sample_rate=sample_rate
        )
        for case in cases:
            typer.echo(case.name)
            for role in _ROLES:
                typer.echo(f"  {role:<8} {getattr(case, role)}")
            if case.text:
                typer.echo(f"  text     {case.text}")
        if out is not None:
            _copy_out(cases, out)
            typer.echo(f"wrote {len(cases)} cases to {out}", err=True)


def _copy_out(cases, out: Path) -> None:
    """One folder per case: content.wav, style.wav, target.wav, text.txt, meta.json."""
    import json

    from audiostyle.atomic import atomic_write_bytes, atomic_write_text

    out.mkdir(parents=True, exist_ok=True)
    for case in cases:
        folder = out / case.name
        folder.mkdir(exist_ok=True)
        for role in _ROLES:
            path = getattr(case, role)
            if path is not None:
                atomic_write_bytes(folder / f"{role}.wav", Path(path).read_bytes())
        if case.text:
            atomic_write_text(folder / "text.txt", case.text + "\n")
        atomic_write_text(folder / "meta.json", json.dumps(case.meta, indent=1) + "\n")
