"""``plugins`` and ``presets``: what is installed, without importing torch."""

import json as _json
from typing import Annotated

import typer

from audiostyle.cli.errors import handle_errors

_PLURAL = {"loss": "losses", "analysis": "analyses"}


def _default(v) -> str:
    if isinstance(v, tuple):
        return ",".join(map(str, v))
    return repr(v) if isinstance(v, str) else str(v)


def _source(impl) -> str:
    dist = impl.distribution or "unknown distribution"
    if dist == "audiostyle":
        return "[audiostyle]"
    return f"[{dist}, plugin {impl.plugin}]"


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
        check: Annotated[
            bool,
            typer.Option(
                "--check",
                help="import every implementation and run the shared contract checks "
                "(slower: imports torch); exit 1 if one fails",
            ),
        ] = False,
        as_json: Annotated[
            bool,
            typer.Option(
                "--json", help="print JSON: stages, implementations, options, failed plugins"
            ),
        ] = False,
    ) -> None:
        """List every registered implementation per stage, and plugins that failed."""
        from audiostyle.options import describe
        from audiostyle.plugins import STAGES, available, failures

        stages = [stage] if stage else list(STAGES)
        if as_json:
            if check:
                from audiostyle.errors import ParameterError

                raise ParameterError("--check prints a report, not JSON: give one of them.")
            typer.echo(_json.dumps(_plugins_json(stages, options), indent=1, default=str))
            return
        for key in stages:
            found = available(key)
            if not found and stage is None:
                continue
            typer.echo(f"{_PLURAL.get(key, key + 's')} ({STAGES[key].title}):")
            for name, impl in sorted(found.items()):
                typer.echo(f"  {name:<18} {impl.description}  {_source(impl)}")
                if options and not check:
                    for opt, tp, default, help_ in describe(impl.options):
                        typer.echo(
                            f"      {opt}: {tp} = {_default(default)}"
                            f"{'  ' + help_ if help_ else ''}"
                        )
                if check:
                    _check_one(key, name)
            typer.echo("")
        broken = failures()
        if broken:
            typer.echo("plugins that failed to load:")
            for f in broken:
                typer.echo(f"  {f.plugin} ({f.distribution or 'unknown distribution'}): {f.error}")
        if check and (_CHECK_FAILED or broken):
            raise typer.Exit(1)

    @app.command()
    @handle_errors
    def presets(
        name: Annotated[str | None, typer.Argument(help="show this preset's full recipe")] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="print JSON (a list, or the preset's recipe)")
        ] = False,
    ) -> None:
        """List the named recipes, or print one as TOML."""
        from audiostyle.presets import PRESETS, get_preset

        if as_json:
            data = (
                get_preset(name).to_dict()
                if name
                else [{"name": p.name, "description": p.description} for p in PRESETS.values()]
            )
            typer.echo(_json.dumps(data, indent=1))
            return
        if name:
            typer.echo(get_preset(name).to_toml(), nl=False)
            return
        for p in PRESETS.values():
            typer.echo(f"  {p.name:<16} {p.description}")


def _plugins_json(stages: list[str], options: bool) -> dict:
    """What ``plugins`` lists, as a JSON-ready dict."""
    from audiostyle.options import describe
    from audiostyle.plugins import STAGES, available, failures

    out: dict = {"stages": {}, "failed": []}
    for key in stages:
        rows = []
        for name, impl in sorted(available(key).items()):
            row = {
                "name": name,
                "description": impl.description,
                "plugin": impl.plugin,
                "distribution": impl.distribution,
            }
            if options:
                row["options"] = [
                    {"name": o, "type": tp, "default": default, "help": help_}
                    for o, tp, default, help_ in describe(impl.options)
                ]
            rows.append(row)
        out["stages"][key] = {"title": STAGES[key].title, "implementations": rows}
    out["failed"] = [
        {"plugin": f.plugin, "distribution": f.distribution, "error": f.error} for f in failures()
    ]
    return out


_CHECK_FAILED: list[str] = []


def _check_one(stage: str, name: str) -> None:
    """Run the contract checks on one implementation and print one line."""
    from audiostyle.errors import AudiostyleError, DependencyError
    from audiostyle.testing.contracts import check

    try:
        passed = check(stage, name)
    except DependencyError as exc:
        typer.echo(f"      skipped: {exc}")
        return
    except (AssertionError, AudiostyleError) as exc:
        _CHECK_FAILED.append(f"{stage}:{name}")
        typer.echo(f"      FAILED: {exc}")
        return
    except Exception as exc:  # noqa: BLE001 - report any crash of a plugin's code
        _CHECK_FAILED.append(f"{stage}:{name}")
        typer.echo(f"      FAILED: {type(exc).__name__}: {exc}")
        return
    typer.echo(f"      ok: {', '.join(passed)}")
