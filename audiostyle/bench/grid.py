"""The variant grid: which settings take several values, and every combination.

An axis is ``KEY=V1,V2,...`` where KEY is

- a stage name: ``transform``, ``network``, ``optimizer``, ``phase``
  (``transform=librosa,torchaudio``);
- a stage option: ``STAGE.OPTION`` (``transform.n_fft=512,1024``);
- a recipe setting: ``steps``, ``seed``, ``content_weight``, ``style_weight``,
  ``domain``, ``init``, ``clamp``, ``noise_scale``, ``peak``, ``sample_rate``,
  ``device``;
- a loss term's weight ``loss.TERM`` or option ``loss.TERM.OPTION``.

Values are split on commas; when a value itself holds commas (a list option such as
``network.kernel_sizes``), separate the values with ``;`` instead
(``network.kernel_sizes=3,5;11``). The grid is the Cartesian product of the axes,
the first axis varying slowest. Stage names are applied before stage options, so
``phase=griffin-lim,fast-griffin-lim`` × ``phase.n_iter=16,64`` sets the iterations
of both. Light module: no torch, numpy or librosa.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from audiostyle.errors import ParameterError
from audiostyle.options import closest_hint
from audiostyle.recipe import STAGE_KEYS, Recipe

#: Recipe settings an axis may vary (besides stages, their options and losses).
SETTINGS = (
    "steps",
    "seed",
    "content_weight",
    "style_weight",
    "domain",
    "init",
    "clamp",
    "noise_scale",
    "peak",
    "sample_rate",
    "device",
)


@dataclass(frozen=True)
class Axis:
    """One grid axis: a setting and the values it takes (as given, strings)."""

    key: str
    values: tuple[str, ...]

    @property
    def kind(self) -> str:
        """``stage``, ``stage-option``, ``setting``, ``loss-weight`` or ``loss-option``."""
        return _kind(self.key)


def _kind(key: str) -> str:
    parts = key.split(".")
    if parts[0] in STAGE_KEYS:
        return "stage" if len(parts) == 1 else "stage-option"
    if parts[0] == "loss" and len(parts) in (2, 3):
        return "loss-weight" if len(parts) == 2 else "loss-option"
    if len(parts) == 1 and parts[0] in SETTINGS:
        return "setting"
    valid = [*STAGE_KEYS, *SETTINGS]
    hint = closest_hint(parts[0], valid)
    raise ParameterError(
        f"--grid {key!r}: unknown setting.{hint} Use a stage ({', '.join(STAGE_KEYS)}), "
        f"STAGE.OPTION (e.g. transform.n_fft), loss.TERM[.OPTION], or one of "
        f"{', '.join(SETTINGS)}."
    )


def _normalise_key(key: str) -> str:
    key = key.strip()
    parts = key.split(".")
    # CLI users write --content-weight and n-fft; recipe keys use underscores.
    head = parts[0].replace("-", "_")
    if head == "losses":
        head = "loss"
    if head in STAGE_KEYS or head in SETTINGS or head == "loss":
        parts[0] = head
    if parts[0] in STAGE_KEYS and len(parts) == 2:
        parts[1] = parts[1].replace("-", "_")
    if parts[0] == "loss" and len(parts) == 3:
        parts[2] = parts[2].replace("-", "_")
    return ".".join(parts)


def parse_axis(spec: str) -> Axis:
    """Parse ``KEY=V1,V2`` (or ``KEY=V1;V2`` when values hold commas).

    >>> parse_axis("transform.n-fft=512, 1024")
    Axis(key='transform.n_fft', values=('512', '1024'))
    >>> parse_axis("network.kernel_sizes=3,5;11").values
    ('3,5', '11')
    """
    key, sep, raw = spec.partition("=")
    if not sep or not key.strip():
        raise ParameterError(
            f"--grid {spec!r} is not KEY=V1,V2 (e.g. transform=librosa,torchaudio)."
        )
    key = _normalise_key(key)
    separator = ";" if ";" in raw else ","
    values = tuple(v.strip() for v in raw.split(separator) if v.strip())
    if not values:
        raise ParameterError(f"--grid {spec!r} gives no values; e.g. {key}=A,B.")
    if len(set(values)) != len(values):
        raise ParameterError(f"--grid {spec!r} repeats a value; give each value once.")
    _kind(key)
    return Axis(key, values)


def parse_grid(specs: Iterable[str] | Mapping[str, Iterable] = ()) -> list[Axis]:
    """Parse every ``--grid`` spec (or a mapping KEY -> list of values, from TOML).

    A key given twice is an error naming it.
    """
    if isinstance(specs, Mapping):
        specs = [
            f"{k}={';'.join(_as_text(v) for v in (vs if isinstance(vs, list) else [vs]))}"
            for k, vs in specs.items()
        ]
    axes: list[Axis] = []
    for spec in specs:
        axis = parse_axis(spec)
        if any(a.key == axis.key for a in axes):
            raise ParameterError(
                f"--grid {axis.key} is given twice; put every value in one --grid {axis.key}=A,B."
            )
        axes.append(axis)
    return axes


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(_as_text(v) for v in value)
    return str(value)


def merge(base: list[Axis], override: list[Axis]) -> list[Axis]:
    """``base`` axes with those of ``override`` replacing any of the same key."""
    keys = {a.key for a in override}
    return [a for a in base if a.key not in keys] + list(override)


def expand(axes: list[Axis]) -> list[dict[str, str]]:
    """Every combination, the first axis varying slowest (one empty point if no axes).

    >>> expand([Axis("transform", ("librosa", "torch")), Axis("steps", ("5", "10"))])
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'transform': 'librosa', 'steps': '5'}, {'transform': 'librosa', 'steps': '10'},
     {'transform': 'torch', 'steps': '5'}, {'transform': 'torch', 'steps': '10'}]
    """
    keys = [a.key for a in axes]
    return [
        dict(zip(keys, combo, strict=True))
        for combo in itertools.product(*(a.values for a in axes))
    ]


_ORDER = {"stage": 0, "stage-option": 1, "loss-weight": 2, "loss-option": 3, "setting": 4}


def apply_point(recipe: Recipe, point: Mapping[str, str]) -> Recipe:
    """A copy of ``recipe`` with one grid point applied (stage names first).

    >>> from audiostyle.presets import get_preset
    >>> r = apply_point(get_preset("default"), {"transform.n_fft": "512",
    ...                                         "transform": "librosa", "steps": "7"})
    >>> r.transform.name, r.transform.options["n_fft"], r.steps
    ('librosa', '512', 7)
    """
    out = recipe.copy()
    for key in sorted(point, key=lambda k: _ORDER[_kind(k)]):
        value = point[key]
        kind = _kind(key)
        parts = key.split(".")
        if kind == "stage":
            out.set_stage(key, value)
        elif kind == "stage-option":
            out.set_stage(parts[0], None, {parts[1]: value})
        elif kind == "loss-weight":
            out.apply({"losses": {parts[1]: {"weight": value}}}, source=f"--grid {key}")
        elif kind == "loss-option":
            out.apply(
                {"losses": {parts[1]: {"options": {parts[2]: value}}}}, source=f"--grid {key}"
            )
        elif key in ("content_weight", "style_weight"):
            from audiostyle.options import convert

            out.set_weight(key.split("_")[0], convert(value, float, name=f"--grid {key}"))
        else:
            out.apply({key: value}, source=f"--grid {key}")
    return out


def label(point: Mapping[str, str]) -> str:
    """A short human label of a grid point (``-`` for the single empty point).

    >>> label({"transform": "librosa", "phase.n_iter": "32"})
    'transform=librosa phase.n_iter=32'
    """
    return " ".join(f"{k}={v}" for k, v in point.items()) or "-"
