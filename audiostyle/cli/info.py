"""``plugins`` and ``presets``: what is installed, without importing torch."""

from typing import Annotated

import typer

from audiostyle.cli.errors import handle_errors


def _default(v) -> str:
    if isinstance(v, tuple):
        return ",".join(map(str, v))
    return repr(v) if isinstance(v, str) else str(v)


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""

    @app.command()
    @handle_errors
    def plugins(
        stage: Annotated[
            str | None,
            typer.Argument(
                help="only this stage (transform, network, optimizer, phase, loss, ...)"
            ),
        ] = None,
        options: Annotated[
            bool, typer.Option("--options/--no-options", help="list each implementation's options")
        ] = True,
    ) -> None:
        """List every registered implementation per stage, and plugins that failed."""
        from audiostyle.options import describe
        from audiostyle.plugins import STAGES, available, failures

        stages = [stage] if stage else list(STAGES)
        for key in stages:
            found = available(key)
            if not found and stage is None:
                continue
            typer.echo(f"{key}s ({STAGES[key].title}):" if key in STAGES else key)
            for name, impl in sorted(found.items()):
                typer.echo(f"  {name:<18} {impl.description}  [{impl.distribution or impl.plugin}]")
                if options:
                    for opt, tp, default, help_ in describe(impl.options):
                        typer.echo(
                            f"      {opt}: {tp} = {_default(default)}"
                            f"{'  ' + help_ if help_ else ''}"
                        )
            typer.echo("")
        broken = failures()
        if broken:
            typer.echo("plugins that failed to load:")
            for f in broken:
                typer.echo(f"  {f.plugin} ({f.distribution or 'unknown distribution'}): {f.error}")

    @app.command()
    @handle_errors
    def presets(
        name: Annotated[str | None, typer.Argument(help="show this preset's full recipe")] = None,
    ) -> None:
        """List the named recipes, or print one as TOML."""
        from audiostyle.presets import PRESETS, get_preset

        if name:
            typer.echo(get_preset(name).to_toml(), nl=False)
            return
        for p in PRESETS.values():
            typer.echo(f"  {p.name:<16} {p.description}")
