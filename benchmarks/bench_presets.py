"""Wall time of every preset at full size: seconds per optimisation step and per
Griffin-Lim iteration on 10 s of speech at 22.05 kHz, extrapolated to the published
step counts. Ratios are against the ``default`` preset measured in the same run.

    python benchmarks/bench_presets.py                 # every preset, 3 steps each
    python benchmarks/bench_presets.py --presets seed2020 --steps 5

Timings are figures, never asserted: the machine may be shared.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"


def measure(name: str, *, content, style, steps: int, gl_iters: int) -> dict[str, float]:
    """Per-step and per-GL-iteration seconds of preset ``name`` at full size."""
    from audiostyle import engine
    from audiostyle.presets import get_preset

    recipe = get_preset(name)
    published_steps = recipe.steps
    published_gl = recipe.validate()["phase"].n_iter
    recipe.steps = steps
    recipe.device = "cpu"
    recipe.set_stage("phase", None, {"n_iter": gl_iters})
    stamps: list[float] = []
    cpu: list[float] = []
    evals: list[int] = []

    def on_step(report) -> None:
        stamps.append(report.elapsed)
        cpu.append(time.process_time())
        evals.append(report.evaluations)

    out = engine.run(recipe, style=style, content=content, callback=on_step)
    # The first step pays one-off costs (optimizer state, allocator): leave it out.
    per_step = [b - a for a, b in zip(stamps, stamps[1:], strict=False)] or stamps
    step_s = statistics.median(per_step)
    cpu_steps = [b - a for a, b in zip(cpu, cpu[1:], strict=False)] or [float("nan")]
    evals_per_step = (evals[-1] - evals[0]) / max(len(evals) - 1, 1)
    gl_s = out.timings["phase"] / max(gl_iters, 1)
    return {
        "step_s": step_s,
        "cpu_step_s": statistics.median(cpu_steps),
        "evals_per_step": evals_per_step,
        "gl_iter_s": gl_s,
        "setup_s": out.timings["setup"] + out.timings["analysis"],
        "published_steps": published_steps,
        "published_gl": published_gl,
        "total_s": published_steps * step_s + published_gl * gl_s,
    }


def main() -> None:
    from audiostyle.audio import load
    from audiostyle.presets import PRESETS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="*", default=list(PRESETS))
    parser.add_argument("--steps", type=int, default=3, help="steps timed per preset")
    parser.add_argument("--gl-iters", type=int, default=10, help="Griffin-Lim iterations timed")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    names = list(dict.fromkeys(["default", *args.presets]))
    rate = 22_050
    content = load(SHARED_AUDIO / "speech_male_3436.ogg", sample_rate=rate, duration=args.seconds)
    style = load(SHARED_AUDIO / "speech_female_198.ogg", sample_rate=rate, duration=args.seconds)
    print(
        f"content {content.shape[0] / rate:.1f} s, style {style.shape[0] / rate:.1f} s at {rate} Hz"
    )
    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU")
    rows = {}
    for name in names:
        t = time.perf_counter()
        rows[name] = measure(
            name, content=content, style=style, steps=args.steps, gl_iters=args.gl_iters
        )
        rows[name]["wall_s"] = time.perf_counter() - t
        print(f"  measured {name} in {rows[name]['wall_s']:.0f} s", flush=True)
    ref = rows["default"]["step_s"]
    head = (
        f"{'preset':<16}{'s/step':>9}{'cpu s/step':>11}{'evals/step':>11}{'x default':>10}"
        f"{'s/GL iter':>10}"
        f"{'steps':>7}{'GL':>5}{'full run (h)':>14}"
    )
    print(head)
    for name, r in rows.items():
        print(
            f"{name:<16}{r['step_s']:>9.3f}{r['cpu_step_s']:>11.3f}{r['evals_per_step']:>11.1f}"
            f"{r['step_s'] / ref:>10.1f}"
            f"{r['gl_iter_s']:>10.3f}{r['published_steps']:>7}{r['published_gl']:>5}"
            f"{r['total_s'] / 3600:>14.2f}"
        )


if __name__ == "__main__":
    main()
