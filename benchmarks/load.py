"""Wall time of a transfer on a busy machine: idle, and beside one and two CPU-bound processes.

torch's OpenMP threads spin-wait for work by default. On a machine whose cores are busy
the spinning threads fight the other processes for the cores and a 3 s transfer took
19-32 s instead of ~1 s (issue 22), most of it in the speech detector of
``envelope="auto"`` (a recurrent model stepped every 32 ms at full thread count). This
runs the same ``audiostyle transfer`` (default recipe, a ~2.9 s LibriSpeech clip onto
another speaker) in a fresh process under each thread setting and each load, in one
run, and prints the wall time, the detector's and the optimiser's time, and the ratios:

* ``before``: the settings audiostyle had (OpenMP's default wait policy, the detector
  at torch's thread count), reproduced by the child turning today's settings off;
* ``after``: what the CLI does now (``OMP_WAIT_POLICY=PASSIVE`` unless set, the
  detector on one thread);
* ``1 thread``: ``OMP_NUM_THREADS=1``, for reference.

The competing processes are ``while True: pass`` loops, started before the run and
killed after it.

    python benchmarks/load.py                   # 1 repeat per cell (median of N with -r N)
    python benchmarks/load.py --loads 0 1 --settings before after
    python benchmarks/load.py --audio /work/shared/audio   # clips elsewhere
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"
CONTENT = "librispeech/1998/1998-15444-0008.flac"  # 2.9 s, a male reader
STYLE = "librispeech/1688/1688-142285-0002.flac"  # 2.8 s, another speaker

# The child: the console script, with today's thread settings turned off for "before".
CHILD = """
import sys
before = sys.argv.pop(1) == "before"
import audiostyle.cli as cli
if before:
    import torch
    from audiostyle import speech
    cli.thread_settings = lambda: None  # OpenMP's default wait policy
    speech.DETECTOR_THREADS = torch.get_num_threads()  # the detector at full count
sys.argv[0] = "audiostyle"
cli.main()
"""

SETTINGS = {
    "before": ("before", {}),
    "after": ("after", {}),
    "1 thread": ("after", {"OMP_NUM_THREADS": "1"}),
}


def spinner() -> subprocess.Popen:
    """A CPU-bound competitor."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def run_once(setting: str, content: Path, style: Path, out: Path) -> dict[str, float]:
    mode, extra = SETTINGS[setting]
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    env.update(extra)
    args = [sys.executable, "-c", CHILD, mode, "transfer", str(content), str(style)]
    args += ["-o", str(out), "--force"]
    t = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=900)
    wall = time.perf_counter() - t
    if done.returncode != 0:
        sys.exit(f"{setting}: transfer failed:\n{done.stderr}")
    stages = dict(re.findall(r"(\w+) ([0-9.]+)s", done.stderr.split("time:", 1)[-1]))
    return {
        "wall": wall,
        "run": float(stages.get("total", "nan")),  # in the process, after its imports
        "speech": float(stages.get("speech", "nan")),
        "optimize": float(stages.get("optimize", "nan")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("-r", "--repeats", type=int, default=1)
    parser.add_argument("--audio", type=Path, default=SHARED_AUDIO, help="the shared clips")
    args = parser.parse_args()
    content, style = args.audio / CONTENT, args.audio / STYLE
    for p in (content, style):
        if not p.exists():
            sys.exit(f"missing {p}")
    print(f"{os.cpu_count()} CPUs; load average before the run: {os.getloadavg()}")
    print(f"content {CONTENT}, style {STYLE}, default recipe, {args.repeats} repeat(s)\n")
    results: dict[tuple[str, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.wav"
        run_once("after", content, style, out)  # warm the file cache and imports
        for load in args.loads:
            competitors = [spinner() for _ in range(load)]
            try:
                time.sleep(0.5 if load else 0)
                for setting in args.settings:
                    runs = [run_once(setting, content, style, out) for _ in range(args.repeats)]
                    results[setting, load] = {
                        k: statistics.median(r[k] for r in runs) for k in runs[0]
                    }
                    r = results[setting, load]
                    print(
                        f"  {setting:>8}, {load} competing: wall {r['wall']:6.2f} s, run "
                        f"{r['run']:6.2f} s (speech {r['speech']:.2f} s, optimise "
                        f"{r['optimize']:.2f} s)",
                        flush=True,
                    )
            finally:
                for c in competitors:
                    c.kill()
                    c.wait()
    for key, what in (("wall", "wall time of the process"), ("run", "the run after imports")):
        print(f"\n{what} (s)".ljust(30) + "".join(f"{f'{n} competing':>14}" for n in args.loads))
        for setting in args.settings:
            row = "".join(f"{results[setting, n][key]:14.2f}" for n in args.loads)
            print(f"{setting:<29}{row}")
        if 0 in args.loads:
            print("slow-down under load (/ idle, same setting)")
            for setting in args.settings:
                idle = results[setting, 0][key]
                row = "".join(f"{results[setting, n][key] / idle:14.2f}" for n in args.loads)
                print(f"{setting:<29}{row}")
        if "before" in args.settings:
            print("speed-up over before (before / it, same load)")
            for setting in args.settings:
                if setting == "before":
                    continue
                row = "".join(
                    f"{results['before', n][key] / results[setting, n][key]:14.2f}"
                    for n in args.loads
                )
                print(f"{setting:<29}{row}")


if __name__ == "__main__":
    main()
