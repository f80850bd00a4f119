"""One run in a fresh process: the transfer a spec describes, timed from process start.

The process comes from :func:`audiostyle.bench.process.isolated_map` (the bench's own
isolation: a new interpreter per run), its memory from the same ``/proc`` reading."""

from __future__ import annotations

import json
import resource
import statistics
import time
import traceback
from pathlib import Path

from audiostyle.bench.process import status_kb
from preset_bench.files import write_json


def resolve(spec: dict):
    """The recipe ``spec`` runs: its preset resolved with its seed and overrides."""
    from audiostyle import api

    overrides = dict(spec.get("overrides") or {})
    losses = overrides.pop("losses", None)
    recipe = api.resolve_recipe(spec["preset"], seed=spec["seed"], device="cpu", **overrides)
    for term, opts in (losses or {}).items():
        recipe.losses[term].options.update(opts)
    return recipe


def worker(spec_file: str) -> None:
    """Run one transfer as described by the JSON ``spec_file``; write its result JSON."""
    spec = json.loads(Path(spec_file).read_text())
    import torch  # noqa: F401 - timed here: process start to torch imported

    from audiostyle import api

    t_imp = time.time()

    stamps: list[tuple[int, float, int, float]] = []
    budget = spec.get("budget")

    def on_step(report) -> bool:
        stamps.append((report.step, report.elapsed, report.evaluations, time.process_time()))
        return budget is not None and report.elapsed >= budget

    rss_before = status_kb("VmRSS") or 0
    recipe = resolve(spec)
    try:
        gl_iters = getattr(recipe.validate().get("phase"), "n_iter", None)
    except Exception:  # noqa: BLE001 - a phase stage without iterations
        gl_iters = None
    r = api.transfer(
        spec["content"],
        spec["style"],
        recipe=recipe,
        duration=spec.get("duration"),
        style_duration=spec.get("style_duration"),
        callback=on_step,
        progress=False,
        output=spec["output"],
        force=True,
    )
    t_written = time.time()
    # The recipe the run took: a routing recipe (``default``) runs its route's preset.
    full_steps = r.recipe.steps
    # The first step pays one-off costs (optimizer state, allocator): medians of the rest.
    steps = [b[1] - a[1] for a, b in zip(stamps, stamps[1:], strict=False)]
    cpu_steps = [b[3] - a[3] for a, b in zip(stamps, stamps[1:], strict=False)]
    out = {
        "preset": spec["preset"],
        "e2e": t_written - spec["t0"],
        "start_to_imported": t_imp - spec["t0"],
        "timings": r.timings,
        "steps_done": r.steps_done,
        "steps_full": full_steps,
        "evaluations": r.evaluations,
        "step_s": statistics.median(steps) if steps else (stamps[0][1] if stamps else 0.0),
        "cpu_step_s": statistics.median(cpu_steps) if cpu_steps else None,
        "gl_iters": gl_iters,
        "gl_iter_s": r.timings.get("phase", 0.0) / gl_iters if gl_iters else None,
        "partial": r.steps_done < full_steps,
        "final_losses": r.final_losses,
        "initial_losses": r.initial_losses,
        "cpu_s": _cpu_seconds(),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "run_peak_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024,
        "segments": r.segments,
        "threads": _torch_threads(),
    }
    write_json(Path(spec["result"]), out)


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (all threads)."""
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def spawn(spec: dict, env: dict | None = None) -> dict:
    """Run ``spec`` in a fresh interpreter; return its result (with ``e2e`` seconds).

    The process is the bench's (:func:`audiostyle.bench.process.isolated_map`), with
    ``env`` set before anything is imported there. The worker writes its output to
    ``spec["output"]`` and its result to ``spec["result"]``; on failure the result is
    ``{"preset": ..., "error": tail}``.
    """
    from audiostyle.bench.process import isolated_map

    result = Path(spec["result"])
    spec_file = result.with_name(result.stem + ".spec.json")
    spec = dict(spec, t0=time.time())  # the process starts right after this write
    spec_file.write_text(json.dumps(spec))
    try:
        next(isolated_map(worker, [str(spec_file)], env=env))
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the run's failure (or its process's death)
        text = "".join(traceback.format_exception_only(exc)).strip()
        remote = getattr(exc.__cause__, "tb", "") or ""
        tail = "\n".join((remote.strip() + "\n" + text).strip().splitlines()[-6:])
        return {"preset": spec["preset"], "error": tail or type(exc).__name__}
    finally:
        spec_file.unlink(missing_ok=True)
    return json.loads(result.read_text())
