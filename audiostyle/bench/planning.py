"""Plan a bench: validate every grid point's recipe and lay out its cells."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from audiostyle.bench.grid import Axis, apply_point, expand, label
from audiostyle.bench.specs import TRANSFORM_KEYS, CaseSpec, CellSpec, Plan
from audiostyle.errors import AudiostyleError, ParameterError
from audiostyle.recipe import STAGE_KEYS, Recipe
from audiostyle.scoring import MetricSpec, check_metrics


def normalise(recipe: Recipe) -> Recipe:
    """Validate ``recipe`` and store its given options converted to their types.

    Raises :class:`ParameterError` / :class:`UnknownBackendError` when a name or an
    option is wrong.
    """
    from audiostyle.options import as_dict

    built = recipe.validate()
    out = recipe.copy()
    for key in STAGE_KEYS:
        values = as_dict(built[key])
        choice = out.stage(key)
        choice.options = {k: values[k] for k in choice.options}
    for term, choice in out.losses.items():
        values = as_dict(built["losses"][term])
        choice.options = {k: values[k] for k in choice.options}
    return out


def plan(
    cases: list[CaseSpec],
    axes: list[Axis],
    base: Recipe,
    *,
    mode: str = "transfer",
    repeat: int = 1,
    warmup: int = 0,
    transform_repeat: int | None = None,
    transform_warmup: int | None = None,
    metrics: Iterable[MetricSpec] = (),
    baseline: bool = True,
    plot_dir: str | Path | None = None,
    audio_dir: str | Path | None = None,
    threads: int | None = None,
    keep_outputs: bool = False,
) -> Plan:
    """Every cell of the bench, validated before anything runs.

    Parameters
    ----------
    cases : list of CaseSpec
    axes : list of Axis
        The grid (:func:`audiostyle.bench.grid.parse_grid`).
    base : Recipe
        The recipe every grid point modifies.
    mode : {"transfer", "transform", "both"}
    repeat, warmup : int
        Timed and untimed runs per transfer cell.
    transform_repeat, transform_warmup : int, optional
        The same for transform cells (default: 5 and 1; they take milliseconds).
    metrics : MetricSpec
        Metrics to score transfer and baseline outputs with.
    baseline : bool
        Add the do-nothing row per case.
    plot_dir, audio_dir : path, optional
        Write each transfer's figure (spectrograms and loss curves) / output audio.
    threads : int, optional
        torch intra-op threads in each cell (default: torch's own choice).
    keep_outputs : bool
        Send each transfer's output audio, inputs and loss history back with its row
        (kept in :attr:`BenchResult.outputs`, not in JSON/CSV) so that
        :meth:`BenchResult.to_html` can show them.
    """
    if mode not in ("transfer", "transform", "both"):
        raise ParameterError(f"mode={mode!r} is not one of transfer, transform, both.")
    if not cases:
        raise ParameterError(
            "no cases to bench: give --pair CONTENT STYLE, --cases FILE.toml or --suite NAME."
        )
    if repeat < 1 or warmup < 0:
        raise ParameterError(f"repeat={repeat} must be >= 1 and warmup={warmup} >= 0.")
    if threads is not None and threads < 1:
        raise ParameterError(f"threads={threads} must be >= 1 (or unset for torch's default).")
    metrics = tuple(check_metrics(metrics))
    points = expand(axes)
    recipes = []
    for point in points:
        try:
            recipes.append(normalise(apply_point(base, point)))
        except AudiostyleError as exc:
            where = f"grid point {label(point)}: " if point else ""
            raise type(exc)(f"{where}{exc}") from None
    names = [c.name for c in cases]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParameterError(f"case name {dupes[0]!r} is used twice; give every case its own name.")
    cells: list[CellSpec] = []
    notes: list[str] = []
    plot = None if plot_dir is None else str(plot_dir)
    audio = None if audio_dir is None else str(audio_dir)
    if mode in ("transfer", "both"):
        notes += _identical_notes(points, recipes)
        for case in cases:
            if baseline:
                cells.append(
                    CellSpec(
                        len(cells), "baseline", case, recipes[0], metrics=metrics, threads=threads
                    )
                )
            for point, recipe in zip(points, recipes, strict=True):
                cells.append(
                    CellSpec(
                        len(cells),
                        "transfer",
                        case,
                        recipe,
                        point=tuple(point.items()),
                        repeat=repeat,
                        warmup=warmup,
                        metrics=metrics,
                        plot_dir=plot,
                        audio_dir=audio,
                        threads=threads,
                        keep_output=keep_outputs,
                    )
                )
    if mode in ("transform", "both"):
        t_repeat = transform_repeat if transform_repeat is not None else max(repeat, 5)
        t_warmup = transform_warmup if transform_warmup is not None else max(warmup, 1)
        seen: set[str] = set()
        unique = []
        for point, recipe in zip(points, recipes, strict=True):
            sub = {k: v for k, v in point.items() if k.split(".")[0] in TRANSFORM_KEYS}
            key = repr(_transform_key(recipe))
            if key not in seen:
                seen.add(key)
                unique.append((sub, recipe))
        for case in cases:
            for sub, recipe in unique:
                cells.append(
                    CellSpec(
                        len(cells),
                        "transform",
                        case,
                        recipe,
                        point=tuple(sub.items()),
                        repeat=t_repeat,
                        warmup=t_warmup,
                        threads=threads,
                    )
                )
    return Plan(cells, [a.key for a in axes], notes)


def _transform_key(recipe: Recipe) -> tuple:
    return (
        recipe.transform.name,
        sorted(recipe.transform.options.items()),
        recipe.phase.name,
        sorted(recipe.phase.options.items()),
        recipe.sample_rate,
        recipe.seed,
        recipe.device,
    )


def _identical_notes(points: list[dict], recipes: list[Recipe]) -> list[str]:
    """Grid points whose recipes give the same output (a wasted, misleading variant).

    Besides equal recipes, a phase stage with 0 iterations only applies its initial
    phase: which reconstructor (and momentum) it is then does not matter.
    """
    notes = []
    first: dict[str, int] = {}
    for i, recipe in enumerate(recipes):
        data = recipe.to_dict()
        data.pop("description", None)
        built = recipe.validate()["phase"]
        if recipe.domain == "spectrogram" and getattr(built, "n_iter", None) == 0:
            data["phase"] = {"n_iter": 0, "init": getattr(built, "init", None)}
        key = repr(data)
        if key in first:
            notes.append(
                f"grid points '{label(points[first[key]])}' and '{label(points[i])}' give "
                "identical outputs (the same recipe, or phase n_iter=0, which only applies "
                "the initial phase); vary phase.n_iter too to compare phase stages."
            )
        else:
            first[key] = i
    return notes
