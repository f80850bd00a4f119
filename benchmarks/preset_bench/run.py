"""The run: the shared Bench, every preset on every case, scaling, levers, the CLI end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from preset_bench.config import FEMALE, LEVERS, MALE, SCALING_CONTENT, SUITES
from preset_bench.metrics import Scorer
from preset_bench.printing import (
    TIME_HEADER,
    _files,
    _mean,
    print_table,
    projected,
    reuse_footnote,
    reused_mark,
    time_rows,
)
from preset_bench.store import _now, run_spec, write_json
from preset_bench.verdicts import verdicts


def budget_for(args, preset: str, group: str) -> float | None:
    """Optimisation seconds allowed: none for ``default``, --suite-budget on the suites."""
    if preset == "default":
        return None
    return args.suite_budget if group in SUITES else args.budget


class Bench:
    """What one benchmark shares: settings, the store, the scorer and the JSON report."""

    def __init__(self, args, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.scorer = Scorer(workdir, resume=args.resume)
        self.json_path = Path(args.json) if args.json else None
        self.records: list[dict] = []  # one per (seed, group, case, preset or "none")
        self.report: dict = {
            "settings": {
                k: v for k, v in vars(args).items() if k not in ("worker",) and v is not None
            },
            "workdir": str(workdir),
            "started_at": _now(),
            "load_start": os.getloadavg()[0],
            "complete": False,
        }

    def run(self, spec: dict, label: str, *, env: dict | None = None) -> dict:
        """Run (or reuse) ``spec``; print one line; return its result."""
        res = run_spec(spec, self.workdir, env=env, resume=self.args.resume)
        if "error" in res:
            line = "error: " + res["error"]
        else:
            line = f"{res['e2e']:.1f} s" + (" (partial)" if res.get("partial") else "")
            if res.get("reused"):
                line += (
                    f" reused (measured {res.get('measured_at')}, load {res.get('load', 0):.1f})"
                )
                if res.get("code_changed"):
                    line += "; audiostyle changed since: " + _files(res["code_changed"])
        print(f"  [{label}] {spec['preset']}: {line}", flush=True)
        return res

    def save(self, *, complete: bool = False) -> None:
        """Write the JSON report (atomically; again at every checkpoint)."""
        if self.json_path is None:
            return
        self.report["records"] = self.records
        self.report["complete"] = complete
        self.report["saved_at"] = _now()
        write_json(self.json_path, self.report)


def run_cases(bench: Bench, groups, seed: int) -> tuple[dict, list[tuple]]:
    """Every preset on every case for ``seed``; print the tables; return the verdicts."""
    args = bench.args
    all_verdicts = []
    e2e: dict[str, list[float]] = {}
    for group, cases in groups.items():
        per_case_scores = []
        for case in cases:
            notes: list[str] = []
            results = {}
            for preset in args.presets:
                spec = {
                    "preset": preset,
                    "seed": seed,
                    "content": case["content"],
                    "style": case["style"],
                    "duration": case["duration"],
                    "style_duration": case["style_duration"],
                    "budget": budget_for(args, preset, group),
                }
                results[preset] = bench.run(spec, f"{group} {case['name']} seed {seed}")
                if "error" not in results[preset]:
                    e2e.setdefault(preset, []).append(projected(results[preset]))
                    e2e.setdefault(preset + " (measured)", []).append(results[preset]["e2e"])
            where = {"seed": seed, "group": group, "case": case["name"]}
            scores = {}
            scores["none"], again = bench.scorer(case, None, notes)
            bench.records.append(
                {**where, "preset": "none", "result": None, "scores": scores["none"]}
            )
            for preset, res in results.items():
                rec = {**where, "preset": preset, "result": res, "scores": None}
                if "error" not in res:
                    scores[preset], again = bench.scorer(case, res, notes)
                    rec.update(scores=scores[preset], scores_reused=again)
                bench.records.append(rec)
            per_case_scores.append(scores)
            title = f"== {group}: {case['name']} (seed {seed}, {case['duration']:g} s)"
            print_table(title + " - time", TIME_HEADER, time_rows(results))
            for line in reuse_footnote({p: [r] for p, r in results.items()}):
                print(line)
            keys = sorted({k for s in scores.values() for k in s})
            print_table(
                title + " - metrics",
                ["preset", *keys],
                [[p, *[scores[p].get(k) for k in keys]] for p in scores],
            )
            for n in sorted(set(notes)):
                print(f"  note: {n}")
            bench.save()
        if len(cases) > 1:
            keys = sorted({k for s in per_case_scores for p in s.values() for k in p})
            rows = []
            for p in ["none", *args.presets]:
                row = [p]
                for k in keys:
                    row.append(_mean(s[p].get(k) for s in per_case_scores if p in s))
                rows.append(row)
            print_table(
                f"== {group}: mean over {len(cases)} cases (seed {seed})", ["preset", *keys], rows
            )
        all_verdicts += verdicts(group, per_case_scores, list(args.presets))
    return e2e, all_verdicts


def scaling(bench: Bench) -> list[list]:
    """Default's time and memory for 5, 10, 20, 40 s of content."""
    rows = []
    results = {}
    for seconds in bench.args.scaling:
        spec = {
            "preset": "default",
            "seed": 0,
            "content": str(SCALING_CONTENT),
            "style": str(FEMALE),
            "duration": seconds,
            "style_duration": 10.0,
            "budget": None,
        }
        r = results[f"{seconds:g} s"] = bench.run(spec, f"scaling {seconds:g} s")
        if "error" in r:
            rows.append([f"{seconds:g} s", "error"] + [None] * 7)
            continue
        t = r["timings"]
        rows.append(
            [
                f"{seconds:g} s" + reused_mark([r]),
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
    for line in reuse_footnote({k: [v] for k, v in results.items()}):
        print(line)
    bench.report["scaling"] = {"header": header, "rows": rows, "results": results}
    return rows


def levers(bench: Bench, groups) -> list[list]:
    """The default's levers one at a time on the voice and music cases (seed 0)."""
    cases = groups.get("voice", []) + groups.get("music", [])
    rows = []
    keys = [
        "e2e",
        "optimize",
        "speaker-similarity.to_style",
        "wer.vs_content",
        "dnsmos.ovrl",
        "mfcc-timbre.to_style",
        "mfcc-timbre.to_content",
    ]
    for name, overrides in LEVERS.items():
        overrides = dict(overrides)
        env = overrides.pop("env", None)
        vals: dict[str, list[float]] = {}
        runs = []
        for case in cases:
            spec = {
                "preset": "default",
                "seed": 0,
                "content": case["content"],
                "style": case["style"],
                "duration": case["duration"],
                "style_duration": case["style_duration"],
                "budget": None,
                "overrides": overrides,
            }
            r = bench.run(spec, f"lever {name}: {case['name']}", env=env)
            runs.append(r)
            if "error" in r:
                continue
            notes: list[str] = []
            s, _ = bench.scorer(case, r, notes)
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
        rows.append([name + reused_mark(runs), *[_mean(vals.get(k, [])) for k in keys]])
        bench.report.setdefault("levers", []).append(
            {
                "lever": name,
                "overrides": overrides,
                "env": env,
                "means": dict(zip(keys, rows[-1][1:], strict=True)),
            }
        )
        bench.save()
    print_table(
        "== default's levers (mean over the voice cases; music for MFCC), seed 0",
        ["lever", "e2e s", "optim s", "spk sim", "WER", "DNSMOS", "MFCC style", "MFCC content"],
        rows,
    )
    return rows


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
