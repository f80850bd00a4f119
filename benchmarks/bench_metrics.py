"""What each quality metric costs: first call (imports, model loading) and then
seconds per second of audio, as a real-time factor, on LibriSpeech speech.

The reference is ``lsd`` (pure numpy) measured in the same run: the table shows
how many times slower each metric is. A bench scores every output once per
metric, so these figures say which metrics a large grid can afford.

    python benchmarks/bench_metrics.py                   # 5 s at 22.05 kHz
    python benchmarks/bench_metrics.py --seconds 10 --metrics lsd mfcc-timbre dnsmos

Figures, never asserted: the machine may be shared.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"
REFERENCE = "lsd"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--sample-rate", type=int, default=22_050)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--metrics", nargs="+", default=None)
    args = parser.parse_args()

    from audiostyle.audio import load
    from audiostyle.errors import DependencyError
    from audiostyle.plugins import available, create

    sr = args.sample_rate
    male = SHARED_AUDIO / "speech_male_3436.ogg"
    female = SHARED_AUDIO / "speech_female_198.ogg"
    names = args.metrics or sorted(available("metric"))
    if REFERENCE not in names:
        names.insert(0, REFERENCE)
    rows = {}
    for i, name in enumerate(names):
        # Fresh excerpts per metric, so no metric reuses another's cached transcript.
        offset = 1.0 + 0.01 * i
        content = load(male, sample_rate=sr, offset=offset, duration=args.seconds)
        style = load(female, sample_rate=sr, offset=offset, duration=args.seconds)
        outputs = [
            load(male, sample_rate=sr, offset=offset + 0.001 * (k + 1), duration=args.seconds)
            for k in range(args.repeat)
        ]
        metric = create("metric", name)
        try:
            t = time.perf_counter()
            metric(outputs[0], sample_rate=sr, content=content, style=style)
            first = time.perf_counter() - t
            times = []
            for out in outputs[1:] or outputs:
                t = time.perf_counter()
                value = metric(out, sample_rate=sr, content=content, style=style)
                times.append(time.perf_counter() - t)
        except DependencyError as exc:
            print(f"{name}: skipped ({exc})")
            continue
        rows[name] = (first, statistics.median(times), value)

    ref = rows[REFERENCE][1]
    print(f"{args.seconds:g} s clips at {sr} Hz; ratios against '{REFERENCE}' in this run\n")
    print(
        f"{'metric':<22} {'first call s':>12} {'then s':>8} {'x real time':>11} "
        f"{'x ' + REFERENCE:>8}  value"
    )
    for name, (first, then, value) in rows.items():
        shown = (
            value
            if not isinstance(value, dict)
            else ", ".join(f"{k}={v:.3g}" for k, v in value.items())
        )
        print(
            f"{name:<22} {first:>12.2f} {then:>8.3f} {then / args.seconds:>11.3f} "
            f"{then / ref:>8.1f}  {shown}"
        )


if __name__ == "__main__":
    main()
