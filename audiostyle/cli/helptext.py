"""Help that lists what is installed and reads cleanly.

Help is drawn in rich's panels (options grouped by ``rich_help_panel``) while errors stay
one plain line: the app keeps ``rich_markup_mode=None`` and these classes render their
own help with rich. The choices of stage options are read from the registry when help
is shown (so start-up imports nothing and loads no plugin for them); flags show no
``<bool>`` type; the usage line names the arguments as ``CONTENT STYLE``.
"""

from typing import Any

from typer.core import TyperCommand, TyperGroup

# Options whose value names a registered implementation: option name -> registry stage.
STAGE_OPTIONS = {
    "transform": "transform",
    "network": "network",
    "optimizer": "optimizer",
    "phase": "phase",
    "init": "init",
    "executor": "executor",
    "metric": "metric",
    "suite": "suite",
}


def fill_choices(params: list[Any]) -> None:
    """Append ``installed: a, b, ...`` to the help of every stage option in ``params``."""
    from audiostyle.plugins import available

    for param in params:
        stage = STAGE_OPTIONS.get(param.name or "")
        if stage is None or param.param_type_name != "option" or not param.help:
            continue
        base = getattr(param, "_help_without_choices", None) or param.help
        param._help_without_choices = base
        names = sorted(available(stage))
        param.help = f"{base}; installed: {', '.join(names) or 'none'}"


def _tidy(params: list[Any]) -> None:
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""  # a flag takes no value: no "<bool>"


def usage_name(param: Any) -> str:
    """An argument as the usage line shows it: ``CONTENT``, ``[NAME]``, ``FILES...``."""
    name = (param.metavar or param.name or "").upper()
    if param.nargs != 1:
        name += "..."
    return name if param.required else f"[{name}]"


def _rich_help(command: Any, ctx: Any, formatter: Any, plain: Any) -> None:
    try:
        from typer import rich_utils
    except ImportError:  # pragma: no cover - rich is a dependency
        return plain(ctx, formatter)
    return rich_utils.rich_format_help(obj=command, ctx=ctx, markup_mode="rich")


class ChoicesCommand(TyperCommand):
    """A command whose help lists the installed implementations of its stage options."""

    def format_help(self, ctx, formatter) -> None:  # noqa: D102
        params = self.get_params(ctx)
        fill_choices(params)
        _tidy(params)
        return _rich_help(self, ctx, formatter, super().format_help)

    def collect_usage_pieces(self, ctx) -> list[str]:  # noqa: D102
        pieces = [self.options_metavar] if self.options_metavar else []
        pieces += [usage_name(p) for p in self.get_params(ctx) if p.param_type_name == "argument"]
        return pieces


class TidyGroup(TyperGroup):
    """The ``audiostyle`` group: help in panels, flags without ``<bool>``."""

    def format_help(self, ctx, formatter) -> None:  # noqa: D102
        _tidy(self.get_params(ctx))
        return _rich_help(self, ctx, formatter, super().format_help)
