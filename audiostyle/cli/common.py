"""Recipe flags shared by every command that runs a recipe (transfer, texture, batch ...).

``@recipe_options`` adds the flags to a command and hands it one :class:`RecipeFlags`.
"""

import functools
import inspect
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from audiostyle.options import parse_pairs
from audiostyle.recipe import Device

DEVICES = typing.get_args(Device)  # auto, cpu, cuda


def _names(stage: str, *also: str):
    def complete(incomplete: str):
        from audiostyle.plugins import available

        return [n for n in [*also, *sorted(available(stage))] if n.startswith(incomplete)]

    return complete


def _presets(incomplete: str):
    from audiostyle.presets import PRESETS

    return [n for n in PRESETS if n.startswith(incomplete)]


@dataclass
class RecipeFlags:
    """The recipe-related flags of a command, as given."""

    preset: str | None = None
    recipe: Path | None = None
    transform: str | None = None
    network: str | None = None
    optimizer: str | None = None
    phase: str | None = None
    transform_opt: list[str] | None = None
    network_opt: list[str] | None = None
    optimizer_opt: list[str] | None = None
    phase_opt: list[str] | None = None
    init: str | None = None
    init_opt: list[str] | None = None
    loss: list[str] | None = None
    steps: int | None = None
    content_weight: float | None = None
    style_weight: float | None = None
    seed: int | None = None
    sample_rate: int | None = None
    device: str | None = None
    domain: str | None = None
    clamp: str | None = None
    loss_norm: str | None = None
    wave_scale: float | None = None
    envelope: str | None = None
    envelope_classes: int | None = None
    analysis: str | None = None
    analysis_opt: list[str] | None = None
    conditioner: list[str] | None = None
    conditioner_opt: list[str] | None = None
    matcher: str | None = None
    matcher_opt: list[str] | None = None
    vocoder: str | None = None
    vocoder_opt: list[str] | None = None

    def overrides(self) -> dict[str, Any]:
        """Keyword overrides for :func:`audiostyle.resolve.resolve_recipe`."""
        out: dict[str, Any] = {}
        for stage in ("transform", "network", "optimizer", "phase", "init"):
            out[stage] = getattr(self, stage)
            pairs = getattr(self, f"{stage}_opt")
            if pairs:
                out[f"{stage}_options"] = parse_pairs(pairs, flag=f"--{stage}-opt")
        for key in (
            "steps",
            "content_weight",
            "style_weight",
            "seed",
            "sample_rate",
            "device",
            "domain",
            "clamp",
            "loss_norm",
            "wave_scale",
            "envelope",
            "envelope_classes",
        ):
            out[key] = getattr(self, key)
        if self.loss:
            out["losses"] = parse_loss_flags(self.loss)
        for key in ("analysis", "matcher", "vocoder"):
            out[key] = getattr(self, key)
            pairs = getattr(self, f"{key}_opt")
            if pairs:
                out[f"{key}_options"] = parse_pairs(pairs, flag=f"--{key}-opt")
        if self.conditioner:
            names = [n for n in self.conditioner if n.lower() != "none"]
            out["conditioners"] = names
        if self.conditioner_opt:
            out["conditioner_options"] = parse_conditioner_flags(self.conditioner_opt)
        return out

    def resolve(self):
        """The resolved (unvalidated) recipe."""
        from audiostyle.resolve import resolve_recipe

        return resolve_recipe(self.preset, self.recipe, **self.overrides())


def parse_loss_flags(items: list[str]) -> dict[str, dict[str, Any]]:
    """``--loss autocorrelation=0.5`` (a weight) or ``--loss style.normalize=elements``."""
    from audiostyle.errors import ParameterError

    out: dict[str, dict[str, Any]] = {}
    for key, value in parse_pairs(items, flag="--loss").items():
        term, _, opt = key.partition(".")
        spec = out.setdefault(
            term.replace("_", "-") if term not in ("content", "style") else term, {}
        )
        if not opt:
            try:
                spec["weight"] = float(value)
            except ValueError:
                raise ParameterError(
                    f"--loss {key}={value!r}: a weight must be a number."
                ) from None
        else:
            spec.setdefault("options", {})[opt] = value
    return out


def parse_conditioner_flags(items: list[str]) -> dict[str, dict[str, Any]]:
    """``--conditioner-opt colour.strength=0.5``: options per conditioner name."""
    from audiostyle.errors import ParameterError

    out: dict[str, dict[str, Any]] = {}
    for key, value in parse_pairs(items, flag="--conditioner-opt").items():
        name, _, opt = key.partition(".")
        if not opt:
            raise ParameterError(
                f"--conditioner-opt {key}={value}: write NAME.KEY=VALUE, "
                "e.g. --conditioner-opt colour.strength=0.5."
            )
        out.setdefault(name, {})[opt] = value
    return out


_STAGE_HELP = {
    "transform": "spectral transform (see 'audiostyle plugins')",
    "network": "feature network",
    "optimizer": "optimizer",
    "phase": "phase reconstructor",
    "init": "where the optimisation starts: auto (content for a transfer, noise for a "
    "texture) or an initializer",
}
_PANEL = "Recipe"
_STAGES = "Stages"
_LOSSES = "Losses"

_PARAMS: list[inspect.Parameter] = []


def _p(name: str, annotation: Any) -> None:
    _PARAMS.append(
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
    )


_p(
    "preset",
    Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="named recipe ('audiostyle presets')",
            autocompletion=_presets,
            rich_help_panel=_PANEL,
        ),
    ],
)
_p(
    "recipe",
    Annotated[
        Path | None,
        typer.Option(
            "--recipe",
            help="TOML recipe file (as written by --save-recipe)",
            rich_help_panel=_PANEL,
        ),
    ],
)


def _stage_flags(stage: str, help: str, panel: str, *also: str) -> None:  # noqa: A002
    """``--STAGE NAME`` and the repeatable ``--STAGE-opt KEY=VALUE`` (``also``: names
    besides the registered ones, e.g. ``auto``)."""
    _p(
        stage,
        Annotated[
            str | None,
            typer.Option(
                f"--{stage}",
                help=help,
                autocompletion=_names(stage, *also),
                rich_help_panel=panel,
            ),
        ],
    )
    _OPT_PARAMS.append((stage, panel))


_OPT_PARAMS: list[tuple[str, str]] = []


def _opt_flags() -> None:
    """The ``--STAGE-opt`` flags, after every ``--STAGE`` flag (as help lists them)."""
    for stage, panel in _OPT_PARAMS:
        _p(
            f"{stage}_opt",
            Annotated[
                list[str] | None,
                typer.Option(
                    f"--{stage}-opt",
                    help=f"{stage} option key=value (repeatable)",
                    metavar="KEY=VALUE",
                    rich_help_panel=panel,
                ),
            ],
        )
    _OPT_PARAMS.clear()


for _stage in ("transform", "network", "optimizer", "phase"):
    _stage_flags(_stage, _STAGE_HELP[_stage], _STAGES)
_stage_flags("init", _STAGE_HELP["init"], _STAGES, "auto")
_opt_flags()
_p(
    "loss",
    Annotated[
        list[str] | None,
        typer.Option(
            "--loss",
            help="loss term weight NAME=W or option NAME.KEY=VALUE (repeatable)",
            metavar="TERM[.KEY]=VALUE",
            rich_help_panel=_LOSSES,
        ),
    ],
)
_p(
    "steps",
    Annotated[
        int | None, typer.Option("--steps", help="optimisation steps", rich_help_panel=_PANEL)
    ],
)
_p(
    "content_weight",
    Annotated[
        float | None,
        typer.Option(
            "--content-weight", help="weight of the content loss", rich_help_panel=_LOSSES
        ),
    ],
)
_p(
    "style_weight",
    Annotated[
        float | None,
        typer.Option("--style-weight", help="weight of the style loss", rich_help_panel=_LOSSES),
    ],
)
_p(
    "seed",
    Annotated[
        int | None,
        typer.Option(
            "--seed", help="random seed (network weights, noise, phase)", rich_help_panel=_PANEL
        ),
    ],
)
_p(
    "sample_rate",
    Annotated[
        int | None,
        typer.Option("--sample-rate", help="processing sample rate in Hz", rich_help_panel=_PANEL),
    ],
)
_p(
    "device",
    Annotated[
        str | None,
        typer.Option(
            "--device", help=f"{', '.join(DEVICES[:-1])} or {DEVICES[-1]}", rich_help_panel=_PANEL
        ),
    ],
)
_p(
    "domain",
    Annotated[
        str | None,
        typer.Option(
            "--domain",
            help="what the optimizer changes: spectrogram or waveform",
            rich_help_panel=_PANEL,
        ),
    ],
)
_p(
    "clamp",
    Annotated[
        str | None,
        typer.Option(
            "--clamp",
            help="clamp the log-magnitude to [0, CLAMP] (published-recipe behaviour); "
            "'none' turns a preset's clamp off",
            metavar="CLAMP|none",
            rich_help_panel=_PANEL,
        ),
    ],
)
_p(
    "loss_norm",
    Annotated[
        str | None,
        typer.Option(
            "--loss-norm",
            help="auto, none, or initial = the optimizer sees the loss divided by its start "
            "value (auto: initial for --domain waveform)",
            rich_help_panel=_LOSSES,
        ),
    ],
)
_p(
    "wave_scale",
    Annotated[
        float | None,
        typer.Option(
            "--wave-scale",
            help="--domain waveform: the optimizer moves wave / WAVE_SCALE (default: the "
            "input's RMS, so step sizes are relative to its level)",
            rich_help_panel=_PANEL,
        ),
    ],
)
_p(
    "envelope",
    Annotated[
        str | None,
        typer.Option(
            "--envelope",
            help="0..1 or auto: colour the content toward the style's long-term spectral "
            "envelope before optimising (0 off, 1 the style's; auto, the default preset's: "
            "0.6 if both clips are speech, else 0.32)",
            rich_help_panel=_PANEL,
        ),
    ],
)

_p(
    "envelope_classes",
    Annotated[
        int | None,
        typer.Option(
            "--envelope-classes",
            help="loudness classes coloured separately: 3 (default) gives the content's "
            "quiet, middle and loud frames the colour of the style's; 1 one colour for all",
            rich_help_panel=_PANEL,
        ),
    ],
)

_CONVERT_PANEL = "Conversion (before the optimisation)"
for _stage, _help in (
    ("analysis", "analysis/synthesis the conversion works in (world, stft, spectrum); none: off"),
    ("matcher", "builds the output's frames from the style's; none: off"),
    ("vocoder", "rebuilds the wave from the analysis (hifigan); none: the analysis's own"),
):
    _stage_flags(_stage, _help, _CONVERT_PANEL)
    _opt_flags()
_p(
    "conditioner",
    Annotated[
        list[str] | None,
        typer.Option(
            "--conditioner",
            help="conditioners in order (repeatable; replaces the preset's; none: no "
            "conditioner): f0, colour, ...",
            autocompletion=_names("conditioner"),
            rich_help_panel=_CONVERT_PANEL,
        ),
    ],
)
_p(
    "conditioner_opt",
    Annotated[
        list[str] | None,
        typer.Option(
            "--conditioner-opt",
            help="a conditioner's option NAME.KEY=VALUE (repeatable)",
            metavar="NAME.KEY=VALUE",
            rich_help_panel=_CONVERT_PANEL,
        ),
    ],
)

FLAG_NAMES = [p.name for p in _PARAMS]


def recipe_options(fn):
    """Add the recipe flags to a Typer command; it receives ``flags: RecipeFlags``."""
    sig = inspect.signature(fn)
    own = [p for p in sig.parameters.values() if p.name != "flags"]

    @functools.wraps(fn)
    def wrapper(**kwargs):
        flags = RecipeFlags(**{k: kwargs.pop(k, None) for k in FLAG_NAMES})
        return fn(flags=flags, **kwargs)

    params = own + [p for p in _PARAMS]
    wrapper.__signature__ = sig.replace(parameters=params)
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    del wrapper.__wrapped__
    return wrapper
