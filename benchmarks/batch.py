"""Batch throughput: local pool (1 and 2 workers) and Ray on this machine.

Prints rows per hour and seconds of audio per second for each executor, the
per-task overhead of Ray against the local pool (no-op tasks and real rows), and,
from the measured per-row time, what a cluster of N machines would do for a
10,000-row manifest and what limits it. Every figure is measured in this run;
ratios are against the sequential in-process reference measured here too.

    python benchmarks/batch.py                   # ~ a few minutes on 2 idle cores
    python benchmarks/batch.py --rows 16 --no-ray --default-row-seconds 0
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"


def make_clips(folder: Path, *, seconds: float, sample_rate: int) -> list[tuple[str, str]]:
    """Real clips cut to ``seconds``: (content, style) pairs for the manifest."""
    import soundfile as sf

    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    sources = {
        "male": demo_clip("content"),
        "female": demo_clip("style"),
    }
    for name in ("trumpet", "speech_male_3436", "speech_female_198"):
        p = SHARED_AUDIO / f"{name}.ogg"
        if p.exists():
            sources[name] = p
    names = []
    for name, path in sources.items():
        y = load(path, sample_rate=sample_rate, offset=0.0, duration=seconds)
        sf.write(folder / f"{name}.wav", y, sample_rate)
        names.append(f"{name}.wav")
    pairs = [(c, s) for c in names for s in names if c != s]
    return pairs


def write_manifest(path: Path, pairs: list[tuple[str, str]], rows: int, tag: str) -> None:
    lines = ["content,style,output,seed"]
    for i in range(rows):
        c, s = pairs[i % len(pairs)]
        lines.append(f"{c},{s},{tag}_{i:03d}.wav,{i}")
    path.write_text("\n".join(lines) + "\n")


def timed_batch(manifest: Path, out_dir: Path, executor, recipe: dict):
    from audiostyle.batch import run_batch

    t = time.perf_counter()
    result = run_batch(manifest, out_dir=out_dir, executor=executor, **recipe)
    wall = time.perf_counter() - t
    if not result.ok:
        sys.exit("benchmark batch failed:\n" + "\n".join(result.summary()))
    return result, wall


def noop_overhead(executor, n: int) -> float:
    """Seconds per no-op task, pipelined through the executor (after a warm-up)."""
    list(executor.map(abs, range(executor.slots)))
    t = time.perf_counter()
    done = sum(r.ok for r in executor.map(abs, range(n)))
    assert done == n
    return (time.perf_counter() - t) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=8, help="rows per measured batch")
    ap.add_argument("--seconds", type=float, default=2.0, help="seconds of audio per row")
    ap.add_argument("--sample-rate", type=int, default=16_000)
    ap.add_argument("--n-fft", type=int, default=512)
    ap.add_argument("--filters", type=int, default=256)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--noop-tasks", type=int, default=300)
    ap.add_argument("--no-ray", action="store_true", help="skip Ray")
    ap.add_argument(
        "--default-row-seconds",
        type=float,
        default=5.0,
        help="also time one row of the default preset on a clip this long (0: skip)",
    )
    ap.add_argument("--cores-per-machine", type=int, default=16, help="for the projection")
    ap.add_argument("--manifest-rows", type=int, default=10_000, help="for the projection")
    args = ap.parse_args()

    import torch

    from audiostyle.api import transfer
    from audiostyle.executors.base import cpu_count
    from audiostyle.plugins import create

    torch.set_num_threads(1)
    cores = cpu_count()
    recipe = {
        "sample_rate": args.sample_rate,
        "transform_options": {"n_fft": args.n_fft},
        "network_options": {"n_filters": args.filters},
        "steps": args.steps,
        "device": "cpu",
    }
    work = Path(tempfile.mkdtemp(prefix="audiostyle-bench-batch-"))
    try:
        pairs = make_clips(work, seconds=args.seconds, sample_rate=args.sample_rate)
        print(
            f"machine: {cores} cores; rows: {args.seconds:g} s clips at {args.sample_rate} Hz, "
            f"n_fft {args.n_fft}, {args.filters} filters, {args.steps} L-BFGS steps, "
            f"1 torch thread per task"
        )

        # Reference: the same rows one after another in this process (warm, 1 thread).
        c, s = pairs[0]
        transfer(work / c, work / s, progress=False, **recipe)  # warm-up
        times = []
        for i in range(min(args.rows, 4)):
            c, s = pairs[i % len(pairs)]
            t = time.perf_counter()
            transfer(work / c, work / s, progress=False, seed=i, **recipe)
            times.append(time.perf_counter() - t)
        t_row = statistics.median(times)
        print(
            f"\nreference, in-process sequential: {t_row:.2f} s per row (median of "
            f"{len(times)}), {3600 / t_row:.0f} rows/h, {args.seconds / t_row:.3f} audio-s/s"
        )

        configs = [
            ("local, 1 worker x 1 thread", "local", {"workers": 1, "threads": 1}),
            ("local, 1 worker x 2 threads", "local", {"workers": 1, "threads": 2}),
            ("local, 2 workers x 1 thread", "local", {"workers": 2, "threads": 1}),
        ]
        if not args.no_ray:
            configs.append(("ray, local instance, 2 CPUs", "ray", {"workers": 2}))
        rows_out = []
        overheads = {}
        for label, name, options in configs:
            if name == "ray":
                try:
                    ex = create("executor", name, options)
                except Exception as exc:  # noqa: BLE001 - report and go on
                    print(f"\n{label}: skipped ({exc})")
                    continue
            else:
                ex = create("executor", name, options)
            with ex:
                t = time.perf_counter()
                ex.start()
                warm_manifest = work / f"warm_{len(rows_out)}.csv"
                write_manifest(warm_manifest, pairs, ex.slots, f"warm{len(rows_out)}")
                timed_batch(warm_manifest, work / f"warm_out_{len(rows_out)}", ex, recipe)
                startup = time.perf_counter() - t
                manifest = work / f"m_{len(rows_out)}.csv"
                write_manifest(manifest, pairs, args.rows, f"r{len(rows_out)}")
                result, wall = timed_batch(manifest, work / f"out_{len(rows_out)}", ex, recipe)
                compute = [r.compute_seconds for r in result.rows]
                writes = [r.write_seconds for r in result.rows]
                per_row_overhead = (wall * ex.slots - sum(compute)) / len(compute)
                if options.get("threads", 1) == 1 and name not in overheads:
                    overheads[name] = noop_overhead(ex, args.noop_tasks)
                rows_out.append(
                    {
                        "label": label,
                        "startup": startup,
                        "wall": wall,
                        "rows_h": len(compute) / wall * 3600,
                        "audio_s": result.audio_seconds / wall,
                        "speedup": (t_row * len(compute)) / wall,
                        "compute": statistics.median(compute),
                        "overhead": per_row_overhead,
                        "write": statistics.median(writes),
                        "slots": ex.slots,
                    }
                )

        print(
            f"\n{'executor':34} {'start+warm s':>12} {'rows/h':>8} {'audio-s/s':>9} "
            f"{'x ref':>6} {'row s':>6} {'idle s/row':>10}"
        )
        for r in rows_out:
            print(
                f"{r['label']:34} {r['startup']:12.1f} {r['rows_h']:8.0f} {r['audio_s']:9.3f} "
                f"{r['speedup']:6.2f} {r['compute']:6.2f} {r['overhead']:10.3f}"
            )
        print(
            "  (x ref = throughput / in-process sequential; row s = median compute per row on "
            "a worker; idle s/row = (wall x slots - compute) / rows: what the executor adds)"
        )
        if overheads:
            print(f"\nno-op tasks ({args.noop_tasks}, pipelined, 2 slots):")
            for name, sec in overheads.items():
                print(f"  {name:6} {sec * 1000:8.2f} ms per task  ({1 / sec:8.0f} tasks/s)")
            if "ray" in overheads and "local" in overheads:
                print(
                    f"  ray / local per-task overhead: {overheads['ray'] / overheads['local']:.1f}x"
                    f" (+{(overheads['ray'] - overheads['local']) * 1000:.2f} ms per task)"
                )

        # A realistic row: the default preset.
        t_default = None
        if args.default_row_seconds > 0:
            t = time.perf_counter()
            res = transfer(
                _demo("content"),
                _demo("style"),
                duration=args.default_row_seconds,
                style_duration=args.default_row_seconds,
                progress=False,
            )
            t_default = time.perf_counter() - t
            print(
                f"\ndefault preset, {args.default_row_seconds:g} s clip at {res.sample_rate} Hz, "
                f"1 thread: {t_default:.1f} s per row ({args.default_row_seconds / t_default:.3f}"
                " audio-s/s per core)"
            )

        project(args, rows_out, overheads, t_row, t_default)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _demo(which: str):
    from audiostyle.api import demo_clip

    return demo_clip(which)


def project(args, rows_out, overheads, t_row: float, t_default: float | None) -> None:
    """On paper: N machines x C cores for a manifest of ``args.manifest_rows`` rows.

    Each core runs one single-threaded task at a time, so a slot finishes a row every
    ``compute + executor overhead`` seconds (Ray's idle time per row as measured here);
    the driver writes every output and its ledger line, which caps rows per second.
    """
    by = {r["label"]: r for r in rows_out}
    one = by.get("local, 1 worker x 1 thread")
    two = by.get("local, 2 workers x 1 thread")
    ray_row = by.get("ray, local instance, 2 CPUs")
    if one and two:
        scaling = two["rows_h"] / one["rows_h"]
        note = "  (above 2: the machine's load changed between runs)" if scaling > 2.05 else ""
        print(f"\nmeasured scaling, 1 -> 2 local workers: {scaling:.2f}x{note}")
    overhead = (ray_row or two or one or {"overhead": 0.0})["overhead"]
    overhead = max(overhead, 0.0)
    write = statistics.median([r["write"] for r in rows_out]) if rows_out else 0.0
    commit_rate = 1 / write if write > 0 else math.inf  # rows/s the driver can write + log
    n = args.manifest_rows
    cores = args.cores_per_machine
    print(
        f"\nprojection for {n:,} rows on N machines x {cores} cores (one 1-thread task per "
        f"core; per-row executor overhead {overhead:.2f} s as measured for "
        f"{'Ray' if ray_row else 'the local pool'}; driver write + ledger "
        f"{write * 1000:.1f} ms/row -> at most {commit_rate:,.0f} rows/s):"
    )
    for label, row_s in (("this bench's row", t_row), ("default-preset row", t_default)):
        if not row_s:
            continue
        slot_time = row_s + overhead
        print(f"  {label} ({row_s:.2f} s of compute + {overhead:.2f} s overhead per row):")
        print(f"    {'N':>5} {'hours':>8} {'rows/h':>10}  limited by")
        for machines in (1, 4, 16, 64, 256):
            slots = machines * cores
            waves = math.ceil(n / slots)  # the last wave leaves cores idle
            hours = max(waves * slot_time, n / commit_rate) / 3600
            if n / commit_rate > waves * slot_time:
                limit = "driver write + ledger"
            elif waves <= 2:
                limit = "compute; the tail (last wave) wastes cores"
            else:
                limit = "compute"
            print(f"    {machines:5d} {hours:8.2f} {n / hours:10,.0f}  {limit}")
    print(
        "  not measured here: Ray's scheduler on a real head node (thousands of tasks/s), "
        "shared-storage bandwidth for inputs and outputs, and node start-up time."
    )


if __name__ == "__main__":
    main()
