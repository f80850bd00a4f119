"""This machine's rates (matmul, the default network) and the tool's start-up time."""

from __future__ import annotations

import math
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from preset_bench.config import HEAVY_MODULES, MALE, RATE


def matmul_rate(n: int = 2048, repeat: int = 5) -> float:
    """Best float32 GFLOP/s of an n x n x n matrix multiply (torch's default threads)."""
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e9


def network_rate(seconds: float = 10.0, repeat: int = 5) -> dict[str, float]:
    """The default network's forward + backward (to the input) on ``seconds`` of audio:
    FLOPs counted from the shapes, best time of ``repeat``."""
    import torch

    from audiostyle.audio import load
    from audiostyle.plugins import create
    from audiostyle.presets import get_preset

    recipe = get_preset("default")
    built = recipe.validate()
    transform = create("transform", recipe.transform.name, built["transform"], sample_rate=RATE)
    net = create("network", recipe.network.name, built["network"], n_bins=transform.n_bins, seed=0)
    y = torch.from_numpy(load(MALE, sample_rate=RATE, duration=seconds))
    rep = torch.log1p(transform.stft(y).abs())[None]
    conv = net.conv
    c_out, c_in, k = conv.weight.shape
    x = rep.clone().requires_grad_(True)
    frames_out = net(x)["conv"].shape[-1]
    # forward: 2 * out * in * k per output frame; backward to the input: the same again.
    flops = 2 * (2 * c_out * c_in * k * frames_out)
    best = math.inf
    for _ in range(repeat):
        x.grad = None
        t = time.perf_counter()
        f = net(x)["conv"]
        f.backward(torch.ones_like(f))
        best = min(best, time.perf_counter() - t)
    return {
        "gflop": flops / 1e9,
        "seconds": best,
        "gflops": flops / best / 1e9,
        "shape": f"Conv1d {c_in}->{c_out} k{k}, {frames_out} frames",
    }


def machine_rates(rounds: int = 3) -> dict[str, float]:
    """Matmul and network rates, interleaved (a loaded machine varies between calls)."""
    mm, net = [], []
    for _ in range(rounds):
        mm.append(matmul_rate())
        net.append(network_rate())
    best = max(net, key=lambda r: r["gflops"])
    return {"matmul_gflops": max(mm), **best, "fraction": best["gflops"] / max(mm)}


def startup(repeat: int = 5) -> list[dict]:
    """Wall time of ``audiostyle --help`` and ``audiostyle plugins``; heavy imports."""
    exe = shutil.which("audiostyle") or str(Path(sys.executable).parent / "audiostyle")
    rows = []
    for args in (["--help"], ["plugins"]):
        times, cpu = [], []
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([exe, *args], capture_output=True, check=True)
            times.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # CPU seconds: what the wall time is on a quiet machine (one thread).
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        bare = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
            bare.append(time.perf_counter() - t)
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", exe, *args], capture_output=True, text=True
        )
        imports = []
        for line in proc.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[0].startswith("import time:"):
                try:
                    imports.append((int(parts[1]), parts[2].strip()))
                except ValueError:
                    continue
        heavy = sorted({m for _, m in imports if m.split(".")[0] in HEAVY_MODULES})
        top = sorted(imports, reverse=True)[:6]
        rows.append(
            {
                "command": "audiostyle " + " ".join(args),
                "median_s": statistics.median(times),
                "min_s": min(times),
                "cpu_s": statistics.median(cpu),
                "python_s": statistics.median(bare),
                "heavy": heavy,
                "top": [f"{m} {us / 1e6:.2f}s" for us, m in top],
            }
        )
    return rows
