"""The published presets against ``default``, side by side, in one run (issue 14).

Every (preset, case, seed) runs in a fresh Python process, so its wall time is
process start to output file written (interpreter, imports, audio loading, the
recipe, writing). Published recipes too slow to finish optimise under a wall budget
(``--budget`` seconds of optimisation; ``--suite-budget`` on the timbre and voices
suites; ``default`` never has one) and are reported as partial, with their projected
full time from the measured time per step. Their phase stage (Griffin-Lim)
runs in full. Every output is then scored with every registered metric (through the
registry, as ``audiostyle bench`` does) beside the do-nothing row (the content itself
as the output).

    python benchmarks/presets.py                      # everything (hours on a loaded box)
    python benchmarks/presets.py --quick              # voice + music, budget 30 s, 1 seed
    python benchmarks/presets.py --cases voice --presets ulyanov2016,default --seeds 0
    python benchmarks/presets.py --levers             # also the default's levers, one by one

It prints, per case: wall time end to end and per stage, time per optimisation step
(wall and CPU) and per Griffin-Lim iteration, evaluations, peak memory, final losses,
every metric; at the end, per group and seed, the group means of the key metrics for
every preset and doing nothing, and which presets beat doing nothing on the mean
log-spectral distance to the true target; the ratio of every preset's
wall time to ``default``'s; the verdicts of issue 14 per seed; the float32 matmul rate
of this machine and the default network's forward+backward FLOP rate as a fraction of
it (FLOPs counted analytically), both measured in this run; time and memory for 5, 10,
20 and 40 s; and the start-up time of ``audiostyle --help`` / ``audiostyle plugins``
with the modules ``python -X importtime`` shows them importing.

A long run can be resumed. With ``--workdir DIR`` every run (its spec: preset, seed,
content, style, durations, budget, overrides, environment and the resolved recipe) is
kept in ``DIR/runs/KEY.json`` + ``KEY.wav`` under a hash of that spec, and every set of
scores in ``DIR/scores/``. ``--resume`` reuses what an earlier run finished (the line
says "reused"; tables mark such rows with ``*`` and a footnote giving when they were
measured, the load average then, and which of audiostyle's source files changed
since); what it did not finish, or whose resolved recipe changed, runs again. Files are
written to a temporary name and renamed, so an interrupted run never leaves a result a
later ``--resume`` would trust. ``--json PATH`` keeps every result, score and verdict.

    python benchmarks/presets.py --workdir ~/bench14 --resume --json ~/bench14/all.json

Timings are figures, never asserted: the machine may be shared. Under load compare
ratios (measured in the same run), not seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The harness's modules live in benchmarks/preset_bench/ (one job each); this script
# is their command line and keeps every name they define importable from here.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from preset_bench import metrics, one_run, store  # noqa: E402, F401 - tests patch these
from preset_bench.cases import (  # noqa: E402, F401
    build_cases,
)
from preset_bench.config import (  # noqa: E402, F401
    BRAHMS,
    CASE_FIELDS,
    FEMALE,
    HEAVY_MODULES,
    KEY_VERSION,
    LEVERS,
    MALE,
    PUBLISHED,
    RATE,
    SCALING_CONTENT,
    SHARED_AUDIO,
    SPEC_FIELDS,
    SUITES,
    SUMMARY_KEYS,
    TRUMPET,
)
from preset_bench.metrics import (  # noqa: E402, F401
    Scorer,
    metric_set,
    score_output,
)
from preset_bench.one_run import (  # noqa: E402, F401
    _cpu_seconds,
    _torch_threads,
    resolve,
    spawn,
    worker,
)
from preset_bench.printing import (  # noqa: E402, F401
    TIME_HEADER,
    _files,
    _mean,
    beating_nothing,
    fmt,
    print_summary,
    print_table,
    projected,
    reuse_footnote,
    reused_mark,
    summarize,
    time_rows,
)
from preset_bench.rates import (  # noqa: E402, F401
    machine_rates,
    matmul_rate,
    network_rate,
    startup,
)
from preset_bench.run import (  # noqa: E402, F401
    Bench,
    budget_for,
    cli_e2e,
    levers,
    run_cases,
    scaling,
)
from preset_bench.store import (  # noqa: E402, F401
    INERT_SETTINGS,
    _flat,
    _now,
    code_changes,
    code_fingerprint,
    digest,
    file_sha256,
    key_material,
    load_finished,
    recipe_changes,
    recipe_fingerprint,
    run_spec,
    spec_key,
    write_json,
)
from preset_bench.verdicts import (  # noqa: E402, F401
    _get,
    verdicts,
)


def _interrupt(signum, frame) -> None:
    """SIGTERM / SIGHUP (session end) stop like Ctrl-C: the running worker is killed."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the benchmark."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--presets", default=",".join((*PUBLISHED, "default")))
    p.add_argument("--cases", help="groups to run (default: voice,music,timbre,voices)")
    p.add_argument("--duration", type=float, default=10.0, help="seconds of content per case")
    p.add_argument("--suite-size", type=int, default=8)
    p.add_argument("--seeds", help="seeds to run (default: 0,1)")
    p.add_argument(
        "--budget",
        type=float,
        help="seconds of optimisation before a published recipe stops (partial; default 60)",
    )
    p.add_argument(
        "--suite-budget",
        type=float,
        help="the same on the timbre and voices suites (default: --budget); "
        "'default' is never budgeted",
    )
    p.add_argument("--scaling", default="5,10,20,40", help="durations for time/memory ('' skips)")
    p.add_argument("--levers", action="store_true", help="also compare the default's levers")
    p.add_argument(
        "--quick",
        action="store_true",
        help="voice + music, budget 30 s, seed 0 (what --cases, --budget, --seeds do not set)",
    )
    p.add_argument("--startup-repeat", type=int, default=5, help="runs per start-up figure")
    p.add_argument("--cli-repeat", type=int, default=3, help="'audiostyle transfer' runs")
    p.add_argument("--workdir", help="keep outputs here (default: a temporary directory)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="reuse the runs and scores an earlier run finished in --workdir",
    )
    p.add_argument("--json", metavar="PATH", help="also write every result, score and verdict")
    args = p.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return
    if args.resume and not args.workdir:
        p.error("--resume needs --workdir DIR (the directory of the run to resume)")
    quick = {"cases": "voice,music", "budget": 30.0, "seeds": "0"}
    full = {"cases": "voice,music,timbre,voices", "budget": 60.0, "seeds": "0,1"}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:  # options given explicitly win over --quick
            setattr(args, name, value)
    if args.suite_budget is None:
        args.suite_budget = args.budget
    args.presets = [x for x in args.presets.split(",") if x]
    args.scaling = [float(x) for x in args.scaling.split(",") if x]
    seeds = [int(s) for s in args.seeds.split(",") if s]
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="audiostyle-presets-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.json and not Path(args.json).resolve().parent.is_dir():
        p.error(f"--json {args.json}: its directory does not exist; create it first")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    bench = Bench(args, workdir)
    try:
        _run(bench, seeds)
    except KeyboardInterrupt:
        bench.save()
        print(
            f"\ninterrupted: finished runs and scores are kept in {workdir}; run the same "
            "command with --resume to go on",
            file=sys.stderr,
        )
        raise SystemExit(130) from None


def _run(bench: Bench, seeds: list[int]) -> None:
    args, workdir = bench.args, bench.workdir
    t_all = time.perf_counter()
    print(
        f"benchmarks/presets.py: {', '.join(args.presets)}; cases {args.cases}; seeds {seeds}; "
        f"budget {args.budget:g} s (suites {args.suite_budget:g} s); "
        f"load average {os.getloadavg()[0]:.1f}; outputs in {workdir}"
        + ("; resuming" if args.resume else "")
    )

    bench.report["startup"] = startup(args.startup_repeat) if args.startup_repeat > 0 else []
    if bench.report["startup"]:
        print("\n== start-up (target <= 0.5 s, no torch import)")
    for row in bench.report["startup"]:
        print(
            f"{row['command']:<20} median {row['median_s']:.2f} s (min {row['min_s']:.2f} s, "
            f"CPU {row['cpu_s']:.2f} s; "
            f"bare python {row['python_s']:.2f} s); heavy imports: {row['heavy'] or 'none'}"
        )
        print(f"{'':<20} slowest imports (cumulative): {', '.join(row['top'])}")

    rates = bench.report["machine"] = [machine_rates()]
    print(
        f"\n== machine: float32 matmul {rates[0]['matmul_gflops']:.1f} GFLOP/s; default network "
        f"({rates[0]['shape']}) fwd+bwd {rates[0]['gflop']:.2f} GFLOP in "
        f"{rates[0]['seconds']:.3f} s"
        f" = {rates[0]['gflops']:.1f} GFLOP/s = {100 * rates[0]['fraction']:.0f}% of matmul"
    )

    if "default" in args.presets and args.cli_repeat > 0:
        times = bench.report["cli_e2e"] = cli_e2e(workdir, args.cli_repeat)
        print(
            f"\n== 'audiostyle transfer' (default, 10 s speech at 22.05 kHz), start to exit: "
            f"{', '.join(f'{t:.2f}' for t in times)} s (median {statistics.median(times):.2f})"
        )

    groups = build_cases(args.cases.split(","), duration=args.duration, suite_size=args.suite_size)
    bench.report["cases"] = groups
    summary = {}
    bench.report["wall_time"] = {}
    for seed in seeds:
        e2e, verdict_rows = run_cases(bench, groups, seed)
        summary[seed] = verdict_rows
        if "default" in e2e:
            base = statistics.fmean(e2e["default"])
            rows = [[p, statistics.fmean(v), statistics.fmean(v) / base] for p, v in e2e.items()]
            print_table(
                f"== wall time, mean over cases, against default (seed {seed})",
                ["preset", "e2e s", "x default"],
                rows,
            )
            bench.report["wall_time"][seed] = {r[0]: {"e2e": r[1], "x_default": r[2]} for r in rows}
            if "ulyanov2016" in e2e:
                ratio = statistics.fmean(e2e["ulyanov2016"]) / base
                verdict_rows.append(
                    ("ulyanov2016 full time / default >= 30", ratio, 30.0, ratio >= 30)
                )
            verdict_rows.append(("default e2e (10 s clips) <= 10 s", base, 10.0, base <= 10))
    if args.scaling:
        scaling(bench)
    if args.levers:
        levers(bench, groups)
    rates.append(machine_rates())
    print(
        f"\n== machine again: matmul {rates[1]['matmul_gflops']:.1f} GFLOP/s, network "
        f"{rates[1]['gflops']:.1f} GFLOP/s = {100 * rates[1]['fraction']:.0f}% (target >= 60%)"
    )
    bench.report["verdicts"] = {}
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
        bench.report["verdicts"][seed] = [
            {"what": what, "default": mine, "bar": bar, "met": met} for what, mine, bar, met in rows
        ]

    reused = any((r.get("result") or {}).get("reused") for r in bench.records)
    print(
        "\n== summary (group means"
        + ("; '*': reused from an earlier run, see the footnotes)" if reused else ")")
    )
    table = summarize(bench.records, list(args.presets))
    print_summary(table, {g: len(c) for g, c in groups.items()})
    bench.report["summary"] = {
        seed: {
            group: {
                p: {
                    **{k: v for k, v in row.items() if k != "runs"},
                    "reused": sum(bool(r.get("reused")) for r in row["runs"]),
                }
                for p, row in rows.items()
            }
            for group, rows in groups_.items()
        }
        for seed, groups_ in table.items()
    }
    bench.report["beating_nothing"] = {
        seed: {
            group: dict(zip(("presets", "none_lsd_to_target"), beating_nothing(rows), strict=True))
            for group, rows in groups_.items()
            if beating_nothing(rows)[1] is not None
        }
        for seed, groups_ in table.items()
    }
    wall = time.perf_counter() - t_all
    bench.report.update(wall_time_s=wall, load_end=os.getloadavg()[0], finished_at=_now())
    bench.save(complete=True)
    print(
        f"\nbenchmark wall time {wall:.0f} s; load average {os.getloadavg()[0]:.1f}"
        + (f"; wrote {bench.json_path}" if bench.json_path else "")
    )


if __name__ == "__main__":
    main()
