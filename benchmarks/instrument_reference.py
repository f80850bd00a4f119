"""Full-length ulyanov2016 runs (300 L-BFGS iterations, Griffin-Lim 500) for issue 20.

Each takes minutes per 10 s case; they are cached under ``--workdir`` by
``benchmarks/presets.py``'s store (a run's key is the hash of its spec and resolved
recipe), so ``benchmarks/instrument.py --workdir`` reuses every one that finished.
Order: music pairs and validation cases interleaved, seed 0 first.

    nice -n 19 python benchmarks/instrument_reference.py --workdir ~/.cache/audiostyle/bench20
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import zip_longest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import instrument_cases as ic  # noqa: E402
import presets as bench14  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workdir", required=True)
    p.add_argument("--seeds", default="0,1")
    p.add_argument("--halves", default="music,validation")
    args = p.parse_args()
    workdir = Path(args.workdir).expanduser()
    halves = args.halves.split(",")
    groups = []
    if "music" in halves:
        groups.append(ic.music_cases())
    suite = [c for c in ic.timbre_cases() if c["half"] in halves]
    groups.append(suite)
    order = [c for pair in zip_longest(*groups) for c in pair if c is not None]
    for seed in (int(s) for s in args.seeds.split(",")):
        for case in order:
            t = time.time()
            res = bench14.run_spec(ic.reference_spec(case, seed), workdir, resume=True)
            state = "reused" if res.get("reused") else ("error" if "error" in res else "done")
            print(
                f"{time.strftime('%H:%M:%S')} seed {seed} {case['half']} {case['name']}: "
                f"{state} in {time.time() - t:.0f} s {res.get('error', '')}",
                flush=True,
            )


if __name__ == "__main__":
    main()
