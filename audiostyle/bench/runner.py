"""Plan the cells of a bench and run them, each as one picklable call.

A bench is a list of :class:`CellSpec`; :func:`run_cell` (a top-level function)
turns one into one result row, so any executor that can map a function over
picklable items can run a bench::

    result = run(cells, map_fn=pool.map)     # local pool, Ray, ... (default: map)

Three kinds of cells:

``transfer``
    One recipe on one case, ``repeat`` times (after ``warmup`` untimed runs): wall
    time per stage (median and spread), peak memory, final losses, and the quality
    metrics of the output (from the first timed run) against the content, the
    style, the target and the text.
``baseline``
    "Do nothing": the content itself scored as the output, once per case, so every
    metric reads against it.
``transform``
    No optimisation: STFT and iSTFT time, round-trip error, and the quality of the
    phase reconstruction of the content's own magnitude after the phase stage's
    ``n_iter`` iterations (spectral convergence and SNR of the re-analysed
    magnitude).

Timings are the median and the spread (interquartile range) of ``repeat`` runs.
Before timing, a cell primes its backends (imports, JIT compilation, FFT plans on
a short signal), so the first cell of a process does not pay for them; ``warmup``
adds whole untimed runs.

Peak memory is the growth of the resident set during a run: the kernel's
high-water mark ``VmHWM`` in ``/proc/self/status`` after the run minus the RSS
before it. Before the run, free heap is handed back to the OS (``gc.collect`` and
glibc's ``malloc_trim(0)``, so memory freed by an earlier run is not silently
reused) and ``VmHWM`` is reset to the current RSS by writing ``5`` to
``/proc/self/clear_refs`` (Linux >= 4.0). Unlike :mod:`tracemalloc` this counts
torch's and numpy's native buffers. Where the reset is refused (another OS, a
locked-down kernel) it falls back to ``resource.getrusage`` ``ru_maxrss``
deltas, which are only exact in a fresh process: use :func:`isolated_map` (one
new process per cell, ``audiostyle bench --isolate``) there.
"""

from __future__ import annotations

import dataclasses
import math
import re
import statistics
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audiostyle.bench.grid import Axis, apply_point, expand, label
from audiostyle.bench.results import BenchResult
from audiostyle.errors import AudiostyleError, ParameterError
from audiostyle.provenance import TIMING_ORDER, versions
from audiostyle.recipe import STAGE_KEYS, Recipe
from audiostyle.scoring import (  # noqa: F401 - MetricSpec, default_metrics: old home
    MetricSpec,
    check_metrics,
    default_metrics,
    metric_directions,
    score,
)

#: Grid axes that change what a transform-level cell measures.
TRANSFORM_KEYS = ("transform", "phase", "sample_rate", "seed", "device")
MAX_SNR_DB = 240.0  # SNRs are capped here (an exact round trip has infinite SNR)
MB = 1024.0  # kB per MB in /proc/self/status
PHASE_REPEAT_MAX = 3  # transform cells time phase reconstruction at most this often


# -- specs ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseSpec:
    """One (content, style[, target]) case: file paths and the excerpt to use."""

    name: str
    content: str
    style: str
    target: str | None = None
    text: str | None = None
    offset: float = 0.0
    duration: float | None = None
    style_offset: float = 0.0
    style_duration: float | None = None

    @classmethod
    def from_case(cls, case: Any, **excerpt: Any) -> CaseSpec:
        """From a suite's :class:`~audiostyle.suites.base.Case` (paths as strings)."""
        return cls(
            name=case.name,
            content=str(case.content),
            style=str(case.style),
            target=None if case.target is None else str(case.target),
            text=case.text,
            **excerpt,
        )


@dataclass(frozen=True)
class CellSpec:
    """Everything one cell needs; picklable (plain data and a :class:`Recipe`)."""

    index: int
    kind: str  # "transfer", "baseline" or "transform"
    case: CaseSpec
    recipe: Recipe
    point: tuple[tuple[str, str], ...] = ()
    repeat: int = 1
    warmup: int = 0
    metrics: tuple[MetricSpec, ...] = ()
    plot_dir: str | None = None
    audio_dir: str | None = None
    threads: int | None = None  # torch intra-op threads (None: torch's default)
    keep_output: bool = False  # send the output audio and loss history back (HTML report)

    @property
    def variant(self) -> str:
        """The grid point as a label (``baseline`` for the do-nothing row)."""
        if self.kind == "baseline":
            return "baseline (content as output)"
        return label(dict(self.point))


@dataclass
class Plan:
    """The cells of a bench and what was noticed while planning them."""

    cells: list[CellSpec]
    axes: list[str]
    notes: list[str] = field(default_factory=list)


# -- planning ---------------------------------------------------------------------------
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


# -- running ----------------------------------------------------------------------------
def run(
    cells: list[CellSpec] | Plan,
    *,
    map_fn: Callable[[Callable, list], Iterable[dict]] | None = None,
    on_row: Callable[[dict, int, int], None] | None = None,
) -> BenchResult:
    """Run every cell and collect the rows.

    Parameters
    ----------
    cells : list of CellSpec, or a Plan
    map_fn : callable(fn, items) -> iterable of rows, optional
        How to run the cells: the built-in ``map`` by default (one after the
        other, in this process); :func:`isolated_map` runs each in a fresh
        process; a pool's or a cluster's ``map`` runs them in parallel (timings
        then share the CPUs).
    on_row : callable(row, done, total), optional
        Called as each row arrives (progress).
    """
    notes: list[str] = []
    axes: list[str] = []
    if isinstance(cells, Plan):
        notes, axes, cells = list(cells.notes), list(cells.axes), cells.cells
    mapper = map_fn or map
    rows = []
    total = len(cells)
    for row in mapper(run_cell, list(cells)):
        rows.append(row)
        if on_row is not None:
            on_row(row, len(rows), total)
    rows.sort(key=lambda r: r["cell"])
    outputs, inputs = _take_outputs(rows)
    meta = {
        "versions": versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "memory": MEMORY_METHOD,
        "higher_is_better": metric_directions({m.name for c in cells for m in c.metrics}),
        "cases": {c.case.name: dataclasses.asdict(c.case) for c in cells},
    }
    return BenchResult(rows=rows, axes=axes, notes=notes, meta=meta, outputs=outputs, inputs=inputs)


def _take_outputs(rows: list[dict]) -> tuple[dict[int, dict], dict[str, dict]]:
    """Move kept outputs (``keep_output`` cells) out of the rows: per cell, and the
    inputs once per case."""
    outputs: dict[int, dict] = {}
    inputs: dict[str, dict] = {}
    for row in rows:
        payload = row.pop("_output", None)
        if payload is None:
            continue
        case = inputs.setdefault(row["case"], {"sample_rate": payload["sample_rate"]})
        for role in ("content", "style", "target"):
            value = payload.pop(role, None)
            if value is not None and role not in case:
                case[role] = value
        outputs[row["cell"]] = payload
    return outputs, inputs


def isolated_map(fn: Callable, items: list) -> Iterator:
    """Run ``fn`` on each item in a fresh process, one at a time, in order.

    Every cell then pays its own imports and starts with an empty allocator, so
    timings of the first run and peak memory are not shaped by earlier cells.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    for item in items:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            yield pool.submit(fn, item).result()


def run_cell(spec: CellSpec) -> dict[str, Any]:
    """Run one cell and return its row (a flat dict; see :mod:`audiostyle.bench`).

    Errors are caught and reported in the row's ``error`` field, so one bad cell
    does not lose the others; Ctrl-C still stops the bench.
    """
    row: dict[str, Any] = {
        "cell": spec.index,
        "kind": spec.kind,
        "case": spec.case.name,
        "variant": spec.variant,
        **dict(spec.point),
    }
    notes: list[str] = []
    try:
        if spec.threads is not None:
            import torch

            torch.set_num_threads(spec.threads)
        if spec.kind == "transfer":
            row.update(_transfer(spec, notes))
        elif spec.kind == "baseline":
            row.update(_baseline(spec, notes))
        elif spec.kind == "transform":
            row.update(_transform(spec, notes))
        else:
            raise ParameterError(f"cell kind {spec.kind!r} is not transfer, baseline, transform.")
        row["error"] = None
    except KeyboardInterrupt:
        raise
    except AudiostyleError as exc:
        row["error"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken cell must not lose the others
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
        row["error"] = f"{type(exc).__name__}: {exc}{where}"
    row["notes"] = notes
    row["recipe"] = spec.recipe.to_dict()
    return row


def failed_row(spec: CellSpec, error: str) -> dict[str, Any]:
    """The row of a cell whose worker died or could not run it (for executors).

    Pass it as ``on_error`` to :func:`audiostyle.executors.base.map_function` so a
    lost worker becomes one failed row instead of stopping the bench.
    """
    return {
        "cell": spec.index,
        "kind": spec.kind,
        "case": spec.case.name,
        "variant": spec.variant,
        **dict(spec.point),
        "error": error,
        "notes": [],
        "recipe": spec.recipe.to_dict(),
    }


# -- memory -----------------------------------------------------------------------------
MEMORY_METHOD = (
    "peak_mb = growth of the resident set during one run: VmHWM after the run minus "
    "VmRSS before it, with VmHWM reset by writing 5 to /proc/self/clear_refs "
    "(falls back to getrusage ru_maxrss deltas where that is refused)"
)


def _status_kb(field_name: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            text = f.read()
    except OSError:
        return None
    match = re.search(rf"^{field_name}:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def _release_free_memory() -> None:
    """Return freed heap to the OS (gc, then glibc's malloc_trim where there is one)."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


class PeakMemory:
    """Measure the peak growth of this process's resident memory over a block (MB)."""

    def __init__(self) -> None:
        self.peak_mb: float | None = None
        self.method = "none"

    def __enter__(self) -> PeakMemory:
        _release_free_memory()
        self._start_rss = _status_kb("VmRSS")
        self._reset = False
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
                f.write("5")
            self._reset = _status_kb("VmHWM") is not None
        except OSError:
            self._reset = False
        if not self._reset:
            import resource

            self._start_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB (Linux)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._reset and self._start_rss is not None:
            hwm = _status_kb("VmHWM")
            if hwm is not None:
                self.peak_mb = max(hwm - self._start_rss, 0) / MB
                self.method = "vmhwm"
                return
        import resource

        end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.peak_mb = max(end - self._start_max, 0) / MB
        self.method = "maxrss"


# -- cells ------------------------------------------------------------------------------
def spread(samples: list[float]) -> float:
    """Interquartile range (0 for a single sample).

    >>> spread([1.0]), spread([1.0, 3.0]), spread([1.0, 2.0, 3.0, 4.0, 100.0])
    (0.0, 1.0, 2.0)
    """
    if len(samples) < 2:
        return 0.0
    q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return q3 - q1


def _summary(prefix: str, samples: list[float], out: dict[str, Any]) -> None:
    out[prefix] = statistics.median(samples)
    out[f"{prefix}.spread"] = spread(samples)


def _load(path: str, *, sample_rate: int, offset: float, duration: float | None, role: str):
    from audiostyle.audio import load

    return load(path, sample_rate=sample_rate, offset=offset, duration=duration, role=role)


def _target(case: CaseSpec, sample_rate: int):
    if case.target is None:
        return None
    return _load(
        case.target,
        sample_rate=sample_rate,
        offset=case.offset,
        duration=case.duration,
        role="target",
    )


def _transfer(spec: CellSpec, notes: list[str]) -> dict[str, Any]:
    from audiostyle import api

    case, recipe = spec.case, spec.recipe
    kwargs = dict(
        recipe=recipe,
        offset=case.offset,
        duration=case.duration,
        style_offset=case.style_offset,
        style_duration=case.style_duration,
        progress=False,
    )
    _prime(recipe)
    for _ in range(spec.warmup):
        api.transfer(case.content, case.style, **kwargs)
    timings: dict[str, list[float]] = {}
    peaks: list[float] = []
    first = None
    for _ in range(spec.repeat):
        with PeakMemory() as mem:
            result = api.transfer(case.content, case.style, **kwargs)
        if mem.peak_mb is not None:
            peaks.append(mem.peak_mb)
        for stage, seconds in result.timings.items():
            timings.setdefault(stage, []).append(seconds)
        if first is None:
            first = result
    out: dict[str, Any] = {"repeats": spec.repeat}
    for stage in TIMING_ORDER:
        if stage in timings:
            _summary(f"time.{stage}", timings[stage], out)
    for stage, samples in timings.items():
        if f"time.{stage}" not in out:
            _summary(f"time.{stage}", samples, out)
    out["peak_mb"] = statistics.median(peaks) if peaks else None
    out["steps"] = first.steps_done
    out["evaluations"] = first.evaluations
    out["stopped"] = first.stopped
    for term, value in first.final_losses.items():
        out[f"losses.{term}"] = value
    for term, value in first.initial_losses.items():
        out[f"losses.{term}.initial"] = value
    notes.extend(first.notes)
    target = _target(case, recipe.sample_rate)
    out.update(
        score(
            spec.metrics,
            first.audio,
            sample_rate=first.sample_rate,
            content=first.content,
            style=first.style,
            target=target,
            text=case.text,
            notes=notes,
        )
    )
    if spec.keep_output:
        out["_output"] = {
            "audio": first.audio,
            "sample_rate": first.sample_rate,
            "history": first.history,
            "initial_losses": first.initial_losses,
            "recipe_toml": first.recipe.to_toml(),
            "content": first.content,
            "style": first.style,
            "target": target,
        }
    stem = _stem(spec)
    if spec.audio_dir is not None:
        path = first.save(Path(spec.audio_dir) / f"{stem}.wav", force=True)
        out["audio"] = str(path)
    if spec.plot_dir is not None:
        try:
            from audiostyle.plotting import plot_result

            path = Path(spec.plot_dir) / f"{stem}.png"
            plot_result(first, path)
            out["plot"] = str(path)
        except AudiostyleError as exc:  # e.g. matplotlib missing: the numbers still count
            notes.append(f"no plot: {exc}")
    return out


PRIME_FRAMES = 32  # frames of noise in the priming run


def _prime(recipe: Recipe) -> None:
    """Run the recipe once, one step, on a fraction of a second of noise.

    The first use of a backend imports its library (librosa alone takes seconds),
    compiles or plans its FFTs, and torch sets up autograd on the first backward
    pass (seconds here): timings and memory of the measured runs should not
    include that.
    """
    import numpy as np

    from audiostyle import engine

    built = recipe.validate()
    n_fft = built["transform"].n_fft
    hop = built["transform"].resolved_hop_length
    primer = recipe.copy()
    primer.steps = min(recipe.steps, 1)
    if hasattr(built["phase"], "n_iter"):
        primer.set_stage("phase", None, {"n_iter": min(built["phase"].n_iter, 1)})
    rng = np.random.default_rng(0)
    wave = (0.1 * rng.standard_normal(n_fft + PRIME_FRAMES * hop)).astype(np.float32)
    engine.run(primer, style=wave, content=wave)


def _stem(spec: CellSpec) -> str:
    text = f"{spec.index:03d}-{spec.case.name}-{spec.variant}"
    return re.sub(r"[^A-Za-z0-9_.=+-]+", "_", text).strip("_")[:120]


def _baseline(spec: CellSpec, notes: list[str]) -> dict[str, Any]:
    case, sr = spec.case, spec.recipe.sample_rate
    content = _load(
        case.content, sample_rate=sr, offset=case.offset, duration=case.duration, role="content"
    )
    style = _load(
        case.style,
        sample_rate=sr,
        offset=case.style_offset,
        duration=case.style_duration,
        role="style",
    )
    return score(
        spec.metrics,
        content,
        sample_rate=sr,
        content=content,
        style=style,
        target=_target(case, sr),
        text=case.text,
        notes=notes,
    )


def _transform(spec: CellSpec, notes: list[str]) -> dict[str, Any]:
    import torch

    from audiostyle.engine import resolve_device
    from audiostyle.plugins import create

    case, recipe = spec.case, spec.recipe
    built = recipe.validate()
    device = resolve_device(recipe.device)
    sr = recipe.sample_rate
    content = _load(
        case.content, sample_rate=sr, offset=case.offset, duration=case.duration, role="content"
    )
    if content.shape[0] < built["transform"].n_fft:
        raise ParameterError(
            f"content of case {case.name!r} has {content.shape[0]} samples, fewer than "
            f"n_fft={built['transform'].n_fft}; use a longer excerpt."
        )
    transform = create(
        "transform", recipe.transform.name, built["transform"], sample_rate=sr, device=device
    )
    phase_opts = built["phase"]
    if getattr(phase_opts, "init", None) == "content":
        import dataclasses

        phase_opts = dataclasses.replace(phase_opts, init="random")
        notes.append(
            "phase init 'content' would hand the phase stage the true answer; "
            "transform cells start from a random phase"
        )
    phase = create("phase", recipe.phase.name, phase_opts)
    x = torch.from_numpy(content).to(device)
    n = x.shape[-1]

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
        sync()
        t = time.perf_counter()
        value = fn()
        sync()
        return value, time.perf_counter() - t

    with torch.no_grad():
        for _ in range(spec.warmup):
            transform.istft(transform.stft(x), length=n)
        t_stft, t_istft = [], []
        for _ in range(spec.repeat):
            spec_c, dt = timed(lambda: transform.stft(x))
            t_stft.append(dt)
            y, dt = timed(lambda spec_c=spec_c: transform.istft(spec_c, length=n))
            t_istft.append(dt)
        err = float(torch.linalg.norm(x - y))
        ref = float(torch.linalg.norm(x))
        magnitude = spec_c.abs()
        t_phase = []
        rebuilt = None
        for i in range(min(spec.repeat, PHASE_REPEAT_MAX)):  # Griffin-Lim is the slow part
            generator = torch.Generator().manual_seed(recipe.seed)
            wave, dt = timed(
                lambda generator=generator: phase.reconstruct(
                    magnitude,
                    transform=transform,
                    length=n,
                    content_phase=None,
                    generator=generator,
                )
            )
            t_phase.append(dt)
            if i == 0:
                rebuilt = wave
        again = transform.stft(rebuilt).abs()
        distance = float(torch.linalg.norm(magnitude - again))
        norm = float(torch.linalg.norm(magnitude))
    out: dict[str, Any] = {"repeats": spec.repeat, "samples": n}
    _summary("time.stft", t_stft, out)
    _summary("time.istft", t_istft, out)
    out["roundtrip.rel_error"] = err / ref if ref > 0 else 0.0
    out["roundtrip.snr_db"] = _snr_db(ref, err)
    out["phase.n_iter"] = getattr(phase_opts, "n_iter", None)
    out["phase.momentum"] = getattr(phase_opts, "momentum", None)
    out["phase.init"] = getattr(phase_opts, "init", None)
    _summary("time.phase", t_phase, out)
    out["phase.spectral_convergence"] = distance / norm if norm > 0 else 0.0
    out["phase.snr_db"] = _snr_db(norm, distance)
    return out


def _snr_db(signal: float, error: float) -> float:
    if signal <= 0:
        return 0.0
    if error <= signal * 10 ** (-MAX_SNR_DB / 20):
        return MAX_SNR_DB
    return 20 * math.log10(signal / error)
