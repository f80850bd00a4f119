"""Batch: the local pool against Ray (a local instance and a two-node cluster), cold and
warm, and planning a 10,000-row manifest.

Prints, all measured in this run:

- per executor, for ``--rows`` rows of ``--seconds`` s each (one recipe, two styles, the
  contents cut from long recordings by the manifest's offset column), the first batch
  on fresh workers (cold) and a second batch on the same workers (warm): wall seconds
  per row per slot, median compute and CPU seconds per row on a worker, the idle time
  per row the executor adds, and how many rows found their stages and style targets
  already built (warm);
- Ray's overhead per row against the local pool in the same phase, as a share of a
  row's compute (target once warm: under 5 %);
- the time and memory to plan ``--plan-rows`` rows (the driver's side of a big batch).

The two-node cluster is Ray's own ``ray.cluster_utils.Cluster`` (a head node and a
worker node, one CPU each, on 127.0.0.1, its sessions in a private RAY_TMPDIR); it runs
with inputs shipped through the object store (no shared disk). Every executor has two
slots: on a machine with two cores they compare like with like.

    python benchmarks/batch.py                          # 40 rows of 10 s: long on 2 cores
    python benchmarks/batch.py --rows 12 --seconds 3    # a quick look
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

# The cluster's processes listen on 127.0.0.1 only and keep their sessions to themselves
# (read by Ray when it is imported).
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
OWN_TMPDIR = "RAY_TMPDIR" not in os.environ
if OWN_TMPDIR:
    os.environ["RAY_TMPDIR"] = tempfile.mkdtemp(prefix="asbench-", dir="/tmp")

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"
SLOTS = 2


def long_clip(names: list[str], fallback: str, *, seconds: float, sample_rate: int):
    """The first of ``names`` found in the shared audio folder (else the demo clip
    ``fallback`` repeated), at least ``seconds`` long, mono at ``sample_rate``."""
    import numpy as np

    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    for name in names:
        path = SHARED_AUDIO / name
        if path.exists():
            y = load(path, sample_rate=sample_rate)
            break
    else:
        y = load(demo_clip(fallback), sample_rate=sample_rate)
    reps = int(np.ceil(seconds * sample_rate / len(y)))
    return np.tile(y, reps)[: int(seconds * sample_rate) + 1]


def make_inputs(folder: Path, *, rows: int, seconds: float, sample_rate: int) -> Path:
    """Two long contents, two styles, and a manifest of ``rows`` rows of ``seconds`` s."""
    import soundfile as sf

    span = seconds * (rows // 2 + 1)
    clips = {
        "music.wav": long_clip(
            ["brahms_hungarian_dance_5.ogg", "vibe_ace.ogg"],
            "content",
            seconds=span,
            sample_rate=sample_rate,
        ),
        "band.wav": long_clip(
            ["vibe_ace.ogg", "trumpet.ogg"], "style", seconds=span, sample_rate=sample_rate
        ),
        "male.wav": long_clip(
            ["speech_male_3436.ogg"], "content", seconds=seconds, sample_rate=sample_rate
        ),
        "female.wav": long_clip(
            ["speech_female_198.ogg"], "style", seconds=seconds, sample_rate=sample_rate
        ),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, y in clips.items():
        sf.write(folder / name, y, sample_rate)
    lines = ["content,style,output,offset,duration,style_duration"]
    for i in range(rows):
        content = ("music.wav", "band.wav")[i % 2]
        style = ("male.wav", "female.wav")[(i // 2) % 2]
        lines.append(f"{content},{style},r{i:03d}.wav,{(i // 2) * seconds:g},{seconds},{seconds}")
    manifest = folder / "rows.csv"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def measure(ex, manifest: Path, out: Path, recipe: dict) -> dict:
    """One batch on an open executor: per-row wall (x slots), compute, CPU, idle, warm."""
    from audiostyle.batch import run_batch

    t = time.perf_counter()
    result = run_batch(manifest, out_dir=out, executor=ex, **recipe)
    wall = time.perf_counter() - t
    if not result.ok:
        sys.exit("a benchmark batch failed:\n" + "\n".join(result.summary()))
    rows = [r for r in result.rows if r.status == "done"]
    compute = [r.compute_seconds for r in rows]
    return {
        "wall_row": wall * ex.slots / len(rows),
        "compute": statistics.median(compute),
        "cpu": statistics.median(r.cpu_seconds for r in rows),
        "idle": (wall * ex.slots - sum(compute)) / len(rows),
        "warm": sum(r.warm for r in rows),
        "rows": len(rows),
        "retries": result.retries,
    }


def run_executors(args, manifest: Path, work: Path, recipe: dict) -> dict:
    from audiostyle.plugins import create

    configs = [("local pool", "local", {"workers": SLOTS, "threads": 1})]
    if not args.no_ray:
        configs += [
            ("ray, local instance", "ray", {"address": "local", "workers": SLOTS}),
            ("ray, 2-node cluster", "ray-cluster", {"inputs": "ship"}),
        ]
    out: dict[str, dict] = {}
    for label, name, options in configs:
        cluster = None
        if name == "ray-cluster":
            from ray.cluster_utils import Cluster

            t = time.perf_counter()
            cluster = Cluster(
                initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
            )
            cluster.add_node(num_cpus=1)
            options = {**options, "address": cluster.address}
            name = "ray"
            up = time.perf_counter() - t
        else:
            up = 0.0
        try:
            with create("executor", name, options) as ex:
                t = time.perf_counter()
                ex.start()
                start = time.perf_counter() - t + up
                cold = measure(ex, manifest, work / f"{label}-cold", recipe)
                warm = measure(ex, manifest, work / f"{label}-warm", recipe)
                out[label] = {"start": start, "cold": cold, "warm": warm, "desc": ex.describe()}
        finally:
            if cluster is not None:
                cluster.shutdown()
        print(f"  measured {label}: {out[label]['desc']}", flush=True)
    return out


def plan_figures(n: int, work: Path) -> tuple[float, float, float]:
    """Seconds to plan ``n`` rows (20 distinct inputs), the peak of Python allocations
    while planning (MB, a separate traced run) and the process's peak RSS (MB)."""
    import resource

    import numpy as np
    import soundfile as sf

    from audiostyle.api import resolve_recipe
    from audiostyle.batch import plan_batch

    folder = work / "plan"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(20):
        sf.write(folder / f"c{i}.wav", 0.1 * rng.standard_normal(16_000), 16_000)
    lines = ["content,style,output,seed"]
    lines += [f"c{i % 20}.wav,c{(i + 1) % 20}.wav,o/r{i:05d}.wav,{i % 7}" for i in range(n)]
    (folder / "rows.csv").write_text("\n".join(lines) + "\n")
    resolve_recipe(None, None).validate()  # imports and registry outside the timing
    (folder / "one.csv").write_text("content,style,output\nc0.wav,c1.wav,x.wav\n")
    plan_batch(folder / "one.csv", out_dir=work / "plan-warmup")  # its imports too
    t = time.perf_counter()
    plan = plan_batch(folder / "rows.csv", out_dir=work / "plan-out")
    seconds = time.perf_counter() - t
    assert len(plan.todo) == n
    del plan
    tracemalloc.start()
    plan_batch(folder / "rows.csv", out_dir=work / "plan-out")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return seconds, peak, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=40, help="rows per batch")
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds of audio per row")
    ap.add_argument("--sample-rate", type=int, default=16_000)
    ap.add_argument("--n-fft", type=int, default=512)
    ap.add_argument("--filters", type=int, default=256)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--plan-rows", type=int, default=10_000)
    ap.add_argument("--no-ray", action="store_true", help="the local pool only")
    args = ap.parse_args()

    from audiostyle.executors.base import cpu_count

    recipe = {
        "sample_rate": args.sample_rate,
        "transform_options": {"n_fft": args.n_fft},
        "network_options": {"n_filters": args.filters},
        "steps": args.steps,
        "device": "cpu",
    }
    work = Path(tempfile.mkdtemp(prefix="audiostyle-bench-batch-"))
    try:
        t, peak, rss = plan_figures(args.plan_rows, work)
        print(
            f"planning {args.plan_rows:,} rows (20 distinct inputs, 7 recipes): {t:.2f} s "
            f"({t / args.plan_rows * 1e6:.0f} us/row; target < 5 s: "
            f"{'met' if t < 5 else 'NOT met'}); Python allocations peak {peak:.1f} MB while "
            f"planning, process peak RSS {rss:.0f} MB"
        )
        manifest = make_inputs(
            work / "in", rows=args.rows, seconds=args.seconds, sample_rate=args.sample_rate
        )
        print(
            f"\nmachine: {cpu_count()} cores (load {os.getloadavg()[0]:.1f}); {args.rows} rows "
            f"of {args.seconds:g} s at {args.sample_rate} Hz, n_fft {args.n_fft}, "
            f"{args.filters} filters, {args.steps} steps, default preset otherwise; "
            f"{SLOTS} slots x 1 torch thread everywhere"
        )
        figures = run_executors(args, manifest, work, recipe)
        print(
            f"\n{'executor':22} {'phase':5} {'start s':>7} {'wall s/row':>10} "
            f"{'compute s':>9} {'cpu s':>6} {'idle s/row':>10} {'warm rows':>9}"
        )
        for label, f in figures.items():
            for phase in ("cold", "warm"):
                m = f[phase]
                start = f"{f['start']:7.1f}" if phase == "cold" else " " * 7
                print(
                    f"{label:22} {phase:5} {start} {m['wall_row']:10.2f} {m['compute']:9.2f} "
                    f"{m['cpu']:6.2f} {m['idle']:10.3f} {m['warm']:5d}/{m['rows']}"
                )
        print(
            "  wall s/row = wall x slots / rows; compute and cpu s = median per row on a "
            "worker; idle s/row = (wall x slots - compute) / rows; warm rows = rows whose "
            "worker had the recipe's stages and the style's targets built"
        )
        local = figures.get("local pool")
        for label, f in figures.items():
            if f is local or local is None:
                continue
            for phase in ("cold", "warm"):
                mine, base = f[phase], local[phase]
                extra = mine["idle"] - base["idle"]
                share = extra / mine["compute"] * 100
                verdict = ""
                if phase == "warm":
                    verdict = f" (target < 5 %: {'met' if share < 5 else 'NOT met'})"
                print(
                    f"{label} vs local pool, {phase}: idle {extra:+.3f} s per row = "
                    f"{share:+.1f} % of a row's compute{verdict}; wall per row "
                    f"{mine['wall_row'] - base['wall_row']:+.2f} s, CPU per row "
                    f"{mine['cpu'] - base['cpu']:+.2f} s"
                )
        print(
            "  Ray's overhead = its idle time per row minus the local pool's, both measured "
            "against the compute of the same batch, so a change of the machine's load between "
            "batches (which moves wall and compute alike) cancels out; wall differences do not."
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if OWN_TMPDIR:
            ray = sys.modules.get("ray")
            if ray is not None and ray.is_initialized():
                ray.shutdown()
            shutil.rmtree(os.environ["RAY_TMPDIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
