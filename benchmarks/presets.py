"""The published presets against ``default``, side by side, in one run (issue 14).

Every (preset, case, seed) runs in a fresh Python process, so its wall time is
process start to output file written (interpreter, imports, audio loading, the
recipe, writing). Published recipes too slow to finish optimise under a wall budget
(``--budget`` seconds of optimisation) and are reported as partial, with their
projected full time from the measured time per step. Their phase stage (Griffin-Lim)
runs in full. Every output is then scored with every registered metric (through the
registry, as ``audiostyle bench`` does) beside the do-nothing row (the content itself
as the output).

    python benchmarks/presets.py                      # everything (hours on a loaded box)
    python benchmarks/presets.py --quick              # voices + music, budget 30 s, 1 seed
    python benchmarks/presets.py --cases voice --presets ulyanov2016,default --seeds 0
    python benchmarks/presets.py --levers             # also the default's levers, one by one

It prints, per case: wall time end to end and per stage, time per optimisation step,
evaluations, peak memory, final losses, every metric; the ratio of every preset's
wall time to ``default``'s; the verdicts of issue 14 per seed; the float32 matmul rate
of this machine and the default network's forward+backward FLOP rate as a fraction of
it (FLOPs counted analytically), both measured in this run; time and memory for 5, 10,
20 and 40 s; and the start-up time of ``audiostyle --help`` / ``audiostyle plugins``
with the modules ``python -X importtime`` shows them importing.

Timings are figures, never asserted: the machine may be shared. Under load compare
ratios (measured in the same run), not seconds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"
PUBLISHED = ("ulyanov2016", "seed2020", "dipani2018", "mazzzystar2018")
RATE = 22_050  # Hz: every preset's processing rate
MALE = SHARED_AUDIO / "speech_male_3436.ogg"
FEMALE = SHARED_AUDIO / "speech_female_198.ogg"
TRUMPET = SHARED_AUDIO / "trumpet.ogg"
BRAHMS = SHARED_AUDIO / "brahms_hungarian_dance_5.ogg"
SCALING_CONTENT = BRAHMS  # 45 s: long enough for the 40 s point without looping
HEAVY_MODULES = ("torch", "torchaudio", "librosa", "numpy", "scipy")

# Default's lever variants (--levers): name -> overrides of api.transfer.
LEVERS: dict[str, dict] = {
    "default": {},
    "phase: fast-GL 32 from content phase": {
        "phase": "fast-griffin-lim",
        "phase_options": {"n_iter": 32, "init": "content", "momentum": 0.99},
    },
    "phase: GL 100 from random phase": {
        "phase_options": {"n_iter": 100, "init": "random", "momentum": 0.0},
    },
    "start: noise": {"init": "noise"},
    "gram: channels x channels": {"losses": {"style": {"form": "channels"}}},
    "optimizer: torch.optim.LBFGS": {"optimizer_options": {"implementation": "torch"}},
    "network: bfloat16": {"network_options": {"compute_dtype": "bfloat16"}},
    "network: 1024 filters": {"network_options": {"n_filters": 1024}},
    "transform: hop 256": {"transform_options": {"hop_length": 256}},
    "threads: 1": {"env": {"OMP_NUM_THREADS": "1"}},
}


# -- the worker: one run in a fresh process -----------------------------------------------------
def worker(spec_file: str) -> None:
    """Run one transfer as described by the JSON ``spec_file``; write its result JSON."""
    spec = json.loads(Path(spec_file).read_text())
    import torch  # noqa: F401 - timed here: process start to torch imported

    from audiostyle import api

    t_imp = time.time()

    stamps: list[tuple[int, float, int]] = []
    budget = spec.get("budget")

    def on_step(report) -> bool:
        stamps.append((report.step, report.elapsed, report.evaluations))
        return budget is not None and report.elapsed >= budget

    rss_before = _rss_kb()
    overrides = dict(spec.get("overrides") or {})
    losses = overrides.pop("losses", None)
    recipe = api.resolve_recipe(spec["preset"], seed=spec["seed"], device="cpu", **overrides)
    for term, opts in (losses or {}).items():
        recipe.losses[term].options.update(opts)
    full_steps = recipe.steps
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
    steps = [b[1] - a[1] for a, b in zip(stamps, stamps[1:], strict=False)]
    out = {
        "preset": spec["preset"],
        "e2e": t_written - spec["t0"],
        "start_to_imported": t_imp - spec["t0"],
        "timings": r.timings,
        "steps_done": r.steps_done,
        "steps_full": full_steps,
        "evaluations": r.evaluations,
        "step_s": statistics.median(steps) if steps else (stamps[0][1] if stamps else 0.0),
        "partial": r.steps_done < full_steps,
        "final_losses": r.final_losses,
        "initial_losses": r.initial_losses,
        "cpu_s": _cpu_seconds(),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "run_peak_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024,
        "segments": r.segments,
        "threads": _torch_threads(),
    }
    Path(spec["result"]).write_text(json.dumps(out, default=float))


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (all threads)."""
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def spawn(spec: dict, workdir: Path, env: dict | None = None) -> dict:
    """Run ``spec`` in a fresh interpreter; return its result (with ``e2e`` seconds)."""
    tag = f"{len(list(workdir.glob('spec-*.json'))):04d}"
    spec = dict(spec, result=str(workdir / f"result-{tag}.json"))
    spec_file = workdir / f"spec-{tag}.json"
    spec["t0"] = time.time()  # the process starts right after this write
    spec_file.write_text(json.dumps(spec))
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", str(spec_file)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-6:])
        return {"preset": spec["preset"], "error": tail}
    return json.loads(Path(spec["result"]).read_text())


# -- cases ---------------------------------------------------------------------------------------
def build_cases(names: list[str], *, duration: float, suite_size: int) -> dict[str, list[dict]]:
    """Groups of cases: ``{"voice": [...], "music": [...], "timbre": [...], ...}``."""
    groups: dict[str, list[dict]] = {}
    if "voice" in names:
        groups["voice"] = [
            {"name": "male->female", "content": str(MALE), "style": str(FEMALE)},
            {"name": "female->male", "content": str(FEMALE), "style": str(MALE)},
        ]
    if "music" in names:
        # The trumpet clip is 5.3 s: Brahms (strings) is the 10 s content.
        groups["music"] = [
            {"name": "brahms->trumpet", "content": str(BRAHMS), "style": str(TRUMPET)}
        ]
    for suite in ("timbre", "voices"):
        if suite not in names:
            continue
        from audiostyle.bench.cases import suite_cases

        try:
            found = suite_cases(suite, size=suite_size, seed=0, duration=duration, sample_rate=RATE)
        except Exception as exc:  # noqa: BLE001 - a missing synthesizer: say so, carry on
            print(f"suite {suite}: not run ({type(exc).__name__}: {exc})")
            continue
        groups[suite] = [
            {
                "name": c.name,
                "content": c.content,
                "style": c.style,
                "target": c.target,
                "text": c.text,
            }
            for c in found
        ]
    for cases in groups.values():
        for c in cases:
            c.setdefault("duration", duration)
            c.setdefault("style_duration", duration)
    return groups


# -- metrics -----------------------------------------------------------------------------------
def score_output(path: str | None, case: dict, notes: list[str]) -> dict[str, float]:
    """Every registered metric of ``path`` (None: the content itself, the do-nothing row)."""
    from audiostyle.audio import load
    from audiostyle.bench.runner import default_metrics, score

    content = load(case["content"], sample_rate=RATE, duration=case["duration"])
    style = load(case["style"], sample_rate=RATE, duration=case["style_duration"])
    target = None
    if case.get("target"):
        target = load(case["target"], sample_rate=RATE, duration=case["duration"])
    output = content if path is None else load(path, sample_rate=RATE)
    return score(
        default_metrics(),
        output,
        sample_rate=RATE,
        content=content,
        style=style,
        target=target,
        text=case.get("text"),
        notes=notes,
    )


# -- machine rates -----------------------------------------------------------------------------
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


# -- start-up ----------------------------------------------------------------------------------
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


# -- printing ----------------------------------------------------------------------------------
def fmt(v, width: int = 8) -> str:
    """A number in ``width`` characters."""
    if v is None:
        return "-".rjust(width)
    if isinstance(v, str):
        return v.rjust(width)
    if not math.isfinite(v):
        return str(v).rjust(width)
    a = abs(v)
    s = f"{v:.3g}" if a >= 1000 or a < 0.01 else f"{v:.2f}" if a < 100 else f"{v:.1f}"
    return s.rjust(width)


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    """A plain fixed-width table."""
    widths = [max(len(h), 8) for h in header]
    widths[0] = max([len(str(r[0])) for r in rows] + [len(header[0])])
    print(f"\n{title}")
    print(
        "  ".join(
            h.rjust(w) if i else h.ljust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    for r in rows:
        cells = [str(r[0]).ljust(widths[0])] + [
            fmt(v, w) for v, w in zip(r[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))


def projected(res: dict) -> float:
    """End-to-end seconds had the run done every step (its own rate per step)."""
    if not res.get("partial") or not res.get("steps_done"):
        return res["e2e"]
    per_step = res["timings"]["optimize"] / res["steps_done"]
    return res["e2e"] + per_step * (res["steps_full"] - res["steps_done"])


def time_rows(results: dict[str, dict]) -> list[list]:
    """One row per preset: e2e, projected, stages, steps, s/step, evals, memory, losses."""
    rows = []
    for name, r in results.items():
        if "error" in r:
            rows.append([name, "error"] + [None] * 13)
            continue
        t = r["timings"]
        rows.append(
            [
                name + (" (partial)" if r["partial"] else ""),
                r["e2e"],
                projected(r),
                r.get("cpu_s"),
                r["start_to_imported"],
                t.get("setup", 0) + t.get("analysis", 0) + t.get("init", 0),
                t.get("optimize"),
                t.get("phase"),
                f"{r['steps_done']}/{r['steps_full']}",
                r["step_s"],
                r["evaluations"],
                r["peak_mb"],
                r["final_losses"].get("style"),
                r["final_losses"].get("content"),
            ]
        )
    return rows


TIME_HEADER = [
    "preset",
    "e2e s",
    "full e2e s",
    "CPU s",
    "import s",
    "prep s",
    "optim s",
    "phase s",
    "steps",
    "s/step",
    "evals",
    "peak MB",
    "style L",
    "content L",
]


# -- verdicts ----------------------------------------------------------------------------------
def _get(scores: dict, preset: str, key: str):
    return scores.get(preset, {}).get(key)


def verdicts(group: str, per_case: list[dict[str, dict]], presets: list[str]) -> list[tuple]:
    """Issue 14's checks for one case group: (what, default's value, bar, met)."""
    out = []
    pubs = [p for p in presets if p in PUBLISHED]
    if "default" not in presets:
        return out

    def avg(preset: str, key: str):
        vals = [_get(s, preset, key) for s in per_case]
        vals = [v for v in vals if v is not None and math.isfinite(v)]
        return statistics.fmean(vals) if vals else None

    def check(what, mine, others, better):
        others = [o for o in others if o is not None]
        if mine is None or not others:
            out.append((what, mine, None, None))
            return
        bar = max(others) if better == "higher" else min(others)
        met = mine >= bar if better == "higher" else mine <= bar
        out.append((what, mine, bar, met))

    if group == "voice":
        for i, s in enumerate(per_case):
            tag = f"case {i + 1}"
            sim = "speaker-similarity.to_style"
            check(
                f"{tag} speaker similarity >= best published",
                _get(s, "default", sim),
                [_get(s, p, sim) for p in pubs],
                "higher",
            )
            none = _get(s, "none", sim)
            mine = _get(s, "default", sim)
            out.append(
                (
                    f"{tag} speaker similarity > do-nothing",
                    mine,
                    none,
                    None if mine is None or none is None else mine > none,
                )
            )
            check(
                f"{tag} WER vs content <= best published",
                _get(s, "default", "wer.vs_content"),
                [_get(s, p, "wer.vs_content") for p in pubs],
                "lower",
            )
            check(
                f"{tag} DNSMOS ovrl >= best published",
                _get(s, "default", "dnsmos.ovrl"),
                [_get(s, p, "dnsmos.ovrl") for p in pubs],
                "higher",
            )
    elif group == "music":
        for i, s in enumerate(per_case):
            tag = f"case {i + 1}"
            check(
                f"{tag} MFCC distance to style < every published",
                _get(s, "default", "mfcc-timbre.to_style"),
                [_get(s, p, "mfcc-timbre.to_style") for p in pubs],
                "lower",
            )
            check(
                f"{tag} MFCC distance to content <= best published",
                _get(s, "default", "mfcc-timbre.to_content"),
                [_get(s, p, "mfcc-timbre.to_content") for p in pubs],
                "lower",
            )
    else:
        mine = avg("default", "lsd.to_target")
        check(
            f"{group}: mean LSD to target < every published",
            mine,
            [avg(p, "lsd.to_target") for p in pubs],
            "lower",
        )
        none = avg("none", "lsd.to_target")
        out.append(
            (
                f"{group}: mean LSD to target < do-nothing",
                mine,
                none,
                None if mine is None or none is None else mine < none,
            )
        )
        pitch = avg("default", "pitch")
        out.append(
            (
                f"{group}: mean pitch agreement >= 0.9",
                pitch,
                0.9,
                None if pitch is None else pitch >= 0.9,
            )
        )
    return out


# -- the run -----------------------------------------------------------------------------------
def run_cases(args, groups, workdir: Path, seed: int) -> tuple[dict, list[tuple]]:
    """Every preset on every case for ``seed``; print the tables; return the verdicts."""
    all_verdicts = []
    e2e: dict[str, list[float]] = {}
    for group, cases in groups.items():
        per_case_scores = []
        per_case_times = []
        for case in cases:
            notes: list[str] = []
            results = {}
            for preset in args.presets:
                out = workdir / f"{group}-{case['name']}-{preset}-s{seed}.wav".replace("/", "_")
                spec = {
                    "preset": preset,
                    "seed": seed,
                    "content": case["content"],
                    "style": case["style"],
                    "duration": case["duration"],
                    "style_duration": case["style_duration"],
                    "output": str(out),
                    "budget": None if preset == "default" else args.budget,
                }
                results[preset] = spawn(spec, workdir)
                results[preset]["output"] = str(out)
                if "error" not in results[preset]:
                    e2e.setdefault(preset, []).append(projected(results[preset]))
                    e2e.setdefault(preset + " (measured)", []).append(results[preset]["e2e"])
                print(
                    f"  [{group} {case['name']} seed {seed}] {preset}: "
                    + (
                        f"{results[preset]['e2e']:.1f} s"
                        if "error" not in results[preset]
                        else "error: " + results[preset]["error"]
                    ),
                    flush=True,
                )
            scores = {"none": score_output(None, case, notes)}
            for preset, res in results.items():
                if "error" not in res:
                    scores[preset] = score_output(res["output"], case, notes)
            per_case_scores.append(scores)
            per_case_times.append(results)
            title = f"== {group}: {case['name']} (seed {seed}, {case['duration']:g} s)"
            print_table(title + " - time", TIME_HEADER, time_rows(results))
            keys = sorted({k for s in scores.values() for k in s})
            print_table(
                title + " - metrics",
                ["preset", *keys],
                [[p, *[scores[p].get(k) for k in keys]] for p in scores],
            )
            for n in sorted(set(notes)):
                print(f"  note: {n}")
        if len(cases) > 1:
            keys = sorted({k for s in per_case_scores for p in s.values() for k in p})
            rows = []
            for p in ["none", *args.presets]:
                row = [p]
                for k in keys:
                    vals = [s[p][k] for s in per_case_scores if p in s and k in s[p]]
                    row.append(statistics.fmean(vals) if vals else None)
                rows.append(row)
            print_table(
                f"== {group}: mean over {len(cases)} cases (seed {seed})", ["preset", *keys], rows
            )
        all_verdicts += verdicts(group, per_case_scores, list(args.presets))
    return e2e, all_verdicts


def scaling(args, workdir: Path) -> None:
    """Default's time and memory for 5, 10, 20, 40 s of content."""
    rows = []
    for seconds in args.scaling:
        out = workdir / f"scaling-{seconds:g}.wav"
        spec = {
            "preset": "default",
            "seed": 0,
            "content": str(SCALING_CONTENT),
            "style": str(FEMALE),
            "duration": seconds,
            "style_duration": 10.0,
            "output": str(out),
            "budget": None,
        }
        r = spawn(spec, workdir)
        if "error" in r:
            rows.append([f"{seconds:g} s", "error"] + [None] * 6)
            continue
        t = r["timings"]
        rows.append(
            [
                f"{seconds:g} s",
                r["e2e"],
                t["total"],
                t["total"] / seconds,
                t.get("optimize"),
                r["evaluations"],
                r["peak_mb"],
                r["run_peak_mb"] / seconds,
                r.get("segments", 1),
            ]
        )
    header = [
        "content",
        "e2e s",
        "engine s",
        "engine s/s",
        "optim s",
        "evals",
        "peak MB",
        "run MB/s",
        "segments",
    ]
    print_table("== default: time and memory against duration (Brahms content)", header, rows)


def levers(args, groups, workdir: Path) -> None:
    """The default's levers one at a time on the voice and music cases (seed 0)."""
    cases = groups.get("voice", []) + groups.get("music", [])
    rows = []
    for name, overrides in LEVERS.items():
        overrides = dict(overrides)
        env = overrides.pop("env", None)
        vals: dict[str, list[float]] = {}
        for case in cases:
            out = workdir / f"lever-{len(rows)}-{case['name']}.wav".replace(">", "_")
            spec = {
                "preset": "default",
                "seed": 0,
                "content": case["content"],
                "style": case["style"],
                "duration": case["duration"],
                "style_duration": case["style_duration"],
                "output": str(out),
                "budget": None,
                "overrides": overrides,
            }
            r = spawn(spec, workdir, env=env)
            if "error" in r:
                print(f"  lever {name}: error {r['error']}")
                continue
            notes: list[str] = []
            s = score_output(str(out), case, notes)
            kind = "voice" if case in groups.get("voice", []) else "music"
            for k in ("e2e", "optimize"):
                vals.setdefault(k, []).append(r["e2e"] if k == "e2e" else r["timings"]["optimize"])
            for k in ("speaker-similarity.to_style", "wer.vs_content", "dnsmos.ovrl"):
                if kind == "voice" and k in s:
                    vals.setdefault(k, []).append(s[k])
            if kind == "music":
                for k in ("mfcc-timbre.to_style", "mfcc-timbre.to_content"):
                    if k in s:
                        vals.setdefault(k, []).append(s[k])
        keys = [
            "e2e",
            "optimize",
            "speaker-similarity.to_style",
            "wer.vs_content",
            "dnsmos.ovrl",
            "mfcc-timbre.to_style",
            "mfcc-timbre.to_content",
        ]
        rows.append([name, *[statistics.fmean(vals[k]) if vals.get(k) else None for k in keys]])
        print(f"  lever {name}: done", flush=True)
    print_table(
        "== default's levers (mean over the voice cases; music for MFCC), seed 0",
        ["lever", "e2e s", "optim s", "spk sim", "WER", "DNSMOS", "MFCC style", "MFCC content"],
        rows,
    )


def cli_e2e(workdir: Path, repeat: int = 3) -> list[float]:
    """``audiostyle transfer`` (the user's command) on 10 s of speech: start to exit."""
    exe = shutil.which("audiostyle") or str(Path(sys.executable).parent / "audiostyle")
    times = []
    for i in range(repeat):
        out = workdir / f"cli-{i}.wav"
        t = time.perf_counter()
        subprocess.run(
            [
                exe,
                "transfer",
                str(MALE),
                str(FEMALE),
                "-o",
                str(out),
                "-f",
                "-q",
                "--duration",
                "10",
                "--style-duration",
                "10",
            ],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t)
    return times


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the benchmark."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--presets", default=",".join((*PUBLISHED, "default")))
    p.add_argument("--cases", default="voice,music,timbre,voices")
    p.add_argument("--duration", type=float, default=10.0, help="seconds of content per case")
    p.add_argument("--suite-size", type=int, default=8)
    p.add_argument("--seeds", default="0,1")
    p.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds of optimisation before a published recipe stops (partial)",
    )
    p.add_argument("--scaling", default="5,10,20,40", help="durations for time/memory ('' skips)")
    p.add_argument("--levers", action="store_true", help="also compare the default's levers")
    p.add_argument("--quick", action="store_true", help="voice + music, budget 30 s, seed 0")
    p.add_argument("--startup-repeat", type=int, default=5, help="runs per start-up figure")
    p.add_argument("--cli-repeat", type=int, default=3, help="'audiostyle transfer' runs")
    p.add_argument("--workdir", help="keep outputs here (default: a temporary directory)")
    args = p.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return
    if args.quick:
        args.cases, args.budget, args.seeds = "voice,music", 30.0, "0"
    args.presets = [x for x in args.presets.split(",") if x]
    args.scaling = [float(x) for x in args.scaling.split(",") if x]
    seeds = [int(s) for s in args.seeds.split(",") if s]
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="audiostyle-presets-"))
    workdir.mkdir(parents=True, exist_ok=True)
    t_all = time.perf_counter()
    print(
        f"benchmarks/presets.py: {', '.join(args.presets)}; cases {args.cases}; seeds {seeds}; "
        f"budget {args.budget:g} s; load average {os.getloadavg()[0]:.1f}; outputs in {workdir}"
    )

    print("\n== start-up (target <= 0.5 s, no torch import)")
    for row in startup(args.startup_repeat) if args.startup_repeat > 0 else []:
        print(
            f"{row['command']:<20} median {row['median_s']:.2f} s (min {row['min_s']:.2f} s, "
            f"CPU {row['cpu_s']:.2f} s; "
            f"bare python {row['python_s']:.2f} s); heavy imports: {row['heavy'] or 'none'}"
        )
        print(f"{'':<20} slowest imports (cumulative): {', '.join(row['top'])}")

    rates = [machine_rates()]
    print(
        f"\n== machine: float32 matmul {rates[0]['matmul_gflops']:.1f} GFLOP/s; default network "
        f"({rates[0]['shape']}) fwd+bwd {rates[0]['gflop']:.2f} GFLOP in "
        f"{rates[0]['seconds']:.3f} s"
        f" = {rates[0]['gflops']:.1f} GFLOP/s = {100 * rates[0]['fraction']:.0f}% of matmul"
    )

    if "default" in args.presets and args.cli_repeat > 0:
        times = cli_e2e(workdir, args.cli_repeat)
        print(
            f"\n== 'audiostyle transfer' (default, 10 s speech at 22.05 kHz), start to exit: "
            f"{', '.join(f'{t:.2f}' for t in times)} s (median {statistics.median(times):.2f})"
        )

    groups = build_cases(args.cases.split(","), duration=args.duration, suite_size=args.suite_size)
    summary = {}
    for seed in seeds:
        e2e, verdict_rows = run_cases(args, groups, workdir, seed)
        summary[seed] = verdict_rows
        if "default" in e2e:
            base = statistics.fmean(e2e["default"])
            rows = [[p, statistics.fmean(v), statistics.fmean(v) / base] for p, v in e2e.items()]
            print_table(
                f"== wall time, mean over cases, against default (seed {seed})",
                ["preset", "e2e s", "x default"],
                rows,
            )
            if "ulyanov2016" in e2e:
                ratio = statistics.fmean(e2e["ulyanov2016"]) / base
                verdict_rows.append(
                    ("ulyanov2016 full time / default >= 30", ratio, 30.0, ratio >= 30)
                )
            verdict_rows.append(("default e2e (10 s clips) <= 10 s", base, 10.0, base <= 10))
    if args.scaling:
        scaling(args, workdir)
    if args.levers:
        levers(args, groups, workdir)
    rates.append(machine_rates())
    print(
        f"\n== machine again: matmul {rates[1]['matmul_gflops']:.1f} GFLOP/s, network "
        f"{rates[1]['gflops']:.1f} GFLOP/s = {100 * rates[1]['fraction']:.0f}% (target >= 60%)"
    )
    for seed, rows in summary.items():
        rows = [
            *rows,
            (
                "network fwd+bwd >= 60% of matmul",
                max(r["fraction"] for r in rates),
                0.6,
                max(r["fraction"] for r in rates) >= 0.6,
            ),
        ]
        print(f"\n== verdicts, seed {seed}")
        for what, mine, bar, met in rows:
            flag = "n/a " if met is None else ("MET " if met else "MISS")
            print(f"  {flag} {what}: default {fmt(mine, 0).strip()} vs {fmt(bar, 0).strip()}")
    print(
        f"\nbenchmark wall time {time.perf_counter() - t_all:.0f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
