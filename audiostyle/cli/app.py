"""Build the Typer application: core commands plus those plugins add."""

from typing import Annotated

import typer

from audiostyle import __version__

# Modules of audiostyle.cli that each define register(app).
COMMAND_MODULES = ("run", "info", "batch", "bench", "suite")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"audiostyle {__version__}")
        raise typer.Exit()


def build_app() -> typer.Typer:
    """The ``audiostyle`` app; plugins' ``register_commands(cli)`` hooks run here."""
    from typer.core import TyperCommand

    from audiostyle.cli.helptext import ChoicesCommand, TidyGroup

    app = typer.Typer(
        name="audiostyle",
        cls=TidyGroup,
        help="Neural style transfer for audio with pluggable backends.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        # Errors stay one plain line; help is drawn in rich panels by cli.helptext
        # (rich is imported only when help is shown).
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def main(
        ctx: typer.Context,
        version: Annotated[
            bool | None,
            typer.Option("--version", callback=_version, is_eager=True, help="print the version"),
        ] = None,
        debug: Annotated[bool, typer.Option("--debug", help="show tracebacks of errors")] = False,
        disable_plugin: Annotated[
            list[str] | None,
            typer.Option(
                "--disable-plugin", help="do not load this plugin (repeatable)", metavar="NAME"
            ),
        ] = None,
    ) -> None:
        """Neural style transfer for audio with pluggable backends."""
        from audiostyle.cli.errors import DEBUG

        ctx.obj = {"debug": debug}
        DEBUG.set(debug)
        if disable_plugin:
            from audiostyle.plugins import registry

            for name in disable_plugin:
                registry.block(name)

    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(f"audiostyle.cli.{module}").register(app)
    _plugin_commands(app)
    for command in app.registered_commands:  # help with installed choices, plugins' too
        if command.cls in (None, TyperCommand):
            command.cls = ChoicesCommand
    return app


def _plugin_commands(app: typer.Typer) -> None:
    """Let plugins add sub-commands; a failing plugin is reported, not fatal."""
    from audiostyle.plugins import PluginFailure, registry

    registry.load()
    for impl in registry.pm.hook.register_commands.get_hookimpls():
        name = registry.pm.get_name(impl.plugin) or repr(impl.plugin)
        taken = _command_names(app)
        n_commands, n_groups = len(app.registered_commands), len(app.registered_groups)
        try:
            impl.function(**{a: app for a in impl.argnames})
        except Exception as exc:  # noqa: BLE001 - a plugin may raise anything
            registry.add_failure(
                PluginFailure(
                    name,
                    registry.distribution(name),
                    f"register_commands raised {type(exc).__name__}: {exc}",
                )
            )
        # A command whose name is taken would shadow (or be shadowed by) another one:
        # keep the first, drop the plugin's, and say so.
        clashes = []
        for kind, start in (("registered_commands", n_commands), ("registered_groups", n_groups)):
            entries = getattr(app, kind)
            kept = entries[:start]
            for entry in entries[start:]:
                (clashes if _entry_name(entry) in taken else kept).append(entry)
            setattr(app, kind, kept)
        if clashes:
            names = ", ".join(repr(_entry_name(e)) for e in clashes)
            registry.add_failure(
                PluginFailure(
                    name,
                    registry.distribution(name),
                    f"register_commands: command {names} is already taken by audiostyle or an "
                    "earlier plugin; not added (give it another name)",
                )
            )


def _entry_name(entry) -> str | None:
    """The name a Typer command or group entry is invoked by."""
    if getattr(entry, "name", None):
        return entry.name
    callback = getattr(entry, "callback", None)
    if callback is not None:
        return callback.__name__.lower().replace("_", "-")
    info = getattr(getattr(entry, "typer_instance", None), "info", None)
    return getattr(info, "name", None)


def _command_names(app: typer.Typer) -> set[str]:
    """Names of the sub-commands and groups ``app`` has so far."""
    return {n for e in [*app.registered_commands, *app.registered_groups] if (n := _entry_name(e))}
