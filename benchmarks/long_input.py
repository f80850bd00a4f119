"""Long inputs: time and peak memory per minute of content, in segments.

Builds contents of 1, 2 and 4 minutes (and a 10-minute one for the memory limit) by
concatenating the clips in ../shared/audio, and runs each through
``audiostyle.transfer`` with the default recipe in a fresh child process, so the
peak memory (``getrusage(RUSAGE_SELF).ru_maxrss`` of the child, read at its end)
belongs to that size alone. Prints seconds and peak MiB per size, time per minute
of audio, and the ratios to the 1-minute run (linear time: the time ratio follows
the duration ratio; bounded memory: the memory ratio stays near 1).

    python benchmarks/long_input.py                 # default recipe (60 L-BFGS steps)
    python benchmarks/long_input.py --steps 2       # same memory profile, ~30x faster
    python benchmarks/long_input.py --minutes 1 2 --big 0 --segment 0   # no segments

The peak of an L-BFGS run also grows with its history (``history_size`` pairs of
vectors the size of one segment's spectrogram); with ``--steps`` below
``history_size`` that part is not reached, so it is printed as a computed bound and
added to the measured peak for the verdict on the 10-minute run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"
LIMIT_GIB = 4.0


def build_content(minutes: float, path: Path, *, sample_rate: int) -> float:
    """Concatenate the shared clips (cycling) to ``minutes`` of audio; return seconds."""
    import numpy as np
    import soundfile as sf

    from audiostyle.audio import load

    clips = [load(p, sample_rate=sample_rate) for p in sorted(SHARED_AUDIO.glob("*.ogg"))]
    if not clips:
        sys.exit(f"no .ogg clips in {SHARED_AUDIO}")
    need = int(minutes * 60 * sample_rate)
    out = np.empty(need, dtype=np.float32)
    pos, i = 0, 0
    while pos < need:
        clip = clips[i % len(clips)][: need - pos]
        out[pos : pos + clip.shape[0]] = clip
        pos += clip.shape[0]
        i += 1
    sf.write(path, out, sample_rate, subtype="FLOAT")
    return need / sample_rate


def child(spec: dict) -> None:
    """Run one transfer and print its figures as JSON (runs in a fresh process)."""
    import torch

    if spec.get("threads"):
        torch.set_num_threads(spec["threads"])
    from audiostyle import api

    overrides = {"device": "cpu"}
    for key in ("steps", "segment"):
        if spec.get(key) is not None:
            overrides[key] = spec[key]
    t = time.perf_counter()
    result = api.transfer(
        spec["content"],
        spec["style"],
        preset="default",
        progress=False,
        output=spec["output"],
        force=True,
        **overrides,
    )
    seconds = time.perf_counter() - t
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    recipe = result.recipe
    built = recipe.validate()
    seg = recipe.segment if recipe.segment else result.duration
    frames = built["transform"].n_frames(int(min(seg, result.duration) * recipe.sample_rate))
    bins = built["transform"].n_fft // 2 + 1
    history = getattr(built["optimizer"], "history_size", 0)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak_kib / 1024,
                "segments": result.segments,
                "steps": recipe.steps,
                "duration": result.duration,
                "optimize": result.timings.get("optimize", 0.0),
                "lbfgs_history_mib": 2 * history * bins * frames * 4 / 2**20,
                "stopped": result.stopped,
            }
        )
    )


def run_size(minutes: float, args, workdir: Path, style: Path) -> dict:
    content = workdir / f"content_{minutes:g}min.wav"
    build_content(minutes, content, sample_rate=args.rate)
    spec = {
        "content": str(content),
        "style": str(style),
        "output": str(workdir / f"out_{minutes:g}min.wav"),
        "steps": args.steps,
        "segment": args.segment,
        "threads": args.threads,
    }
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"{minutes} min run failed:\n{proc.stderr[-4000:]}")
    content.unlink()
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["minutes"] = minutes
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 2, 4])
    parser.add_argument("--big", type=float, default=10, help="memory check size (0: skip)")
    parser.add_argument("--steps", type=int, default=None, help="default: the recipe's (60)")
    parser.add_argument("--segment", type=float, default=None, help="default: the recipe's")
    parser.add_argument("--threads", type=int, default=None, help="torch threads per run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    from audiostyle.presets import get_preset

    args.rate = get_preset("default").sample_rate  # the files are at the recipe's rate

    from audiostyle.api import demo_clip

    style = demo_clip("style")
    print(
        f"default recipe, steps={args.steps or 'recipe default'}, segment="
        f"{args.segment if args.segment is not None else 'recipe default'} s, "
        f"style {style.name}, CPU, {os.cpu_count()} cores (load {os.getloadavg()[0]:.1f})"
    )
    header = (
        f"{'minutes':>7} {'segments':>8} {'seconds':>9} {'s/min':>8} {'peak MiB':>9} "
        f"{'MiB/min':>8} {'time x':>7} {'mem x':>6}"
    )
    print(header)
    rows = []
    with tempfile.TemporaryDirectory(prefix="audiostyle-long-") as tmp:
        sizes = list(args.minutes) + ([args.big] if args.big else [])
        for minutes in sizes:
            f = run_size(minutes, args, Path(tmp), style)
            rows.append(f)
            ref = rows[0]
            print(
                f"{minutes:>7g} {f['segments']:>8} {f['seconds']:>9.1f} "
                f"{f['seconds'] / minutes:>8.1f} {f['peak_mib']:>9.0f} "
                f"{f['peak_mib'] / minutes:>8.0f} {f['seconds'] / ref['seconds']:>7.2f} "
                f"{f['peak_mib'] / ref['peak_mib']:>6.2f}",
                flush=True,
            )
    base = rows[0]
    print(
        "time x / mem x: ratio to the first size (linear time: time x = duration ratio; "
        "bounded memory: mem x ~ 1)"
    )
    for f in rows[1:]:
        print(
            f"  {f['minutes']:g} min: duration x{f['minutes'] / base['minutes']:.1f}, "
            f"time x{f['seconds'] / base['seconds']:.2f}, "
            f"memory x{f['peak_mib'] / base['peak_mib']:.2f}"
        )
    if args.big:
        big = rows[-1]
        history = big["lbfgs_history_mib"]
        bound = big["peak_mib"] + (history if big["steps"] < 20 else 0.0)
        verdict = "OK" if bound / 1024 < LIMIT_GIB else "OVER"
        print(
            f"{args.big:g}-minute run: peak {big['peak_mib']:.0f} MiB measured; L-BFGS history "
            f"bound {history:.0f} MiB per segment; peak bound {bound:.0f} MiB "
            f"({bound / 1024:.2f} GiB) vs limit {LIMIT_GIB} GiB: {verdict}"
        )


if __name__ == "__main__":
    main()
