"""Transform variants without optimisation, through ``audiostyle.bench``.

For 10 s of LibriSpeech speech at 22.05 kHz: STFT and iSTFT time of every
transform backend at several FFT sizes, as ratios to the pure-torch backend
measured in the same run, and the phase-reconstruction quality of classic against
fast Griffin-Lim after the same number of iterations from a random phase.

    python benchmarks/bench_transforms.py
    python benchmarks/bench_transforms.py --n-fft 1024 --iters 16 64 --repeat 9

Figures, never asserted: the machine may be shared (use --threads 1 there).
"""

from __future__ import annotations

import argparse
from pathlib import Path

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"
REFERENCE = "torch"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", default=str(SHARED_AUDIO / "speech_male_3436.ogg"))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--n-fft", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--transforms", nargs="+", default=["torch", "torchaudio", "librosa"])
    parser.add_argument("--iters", type=int, nargs="+", default=[32])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    from audiostyle import bench
    from audiostyle.api import resolve_recipe

    case = bench.CaseSpec("speech", args.clip, args.clip, offset=1.0, duration=args.seconds)
    axes = bench.parse_grid(
        [
            f"transform={','.join(args.transforms)}",
            f"transform.n_fft={','.join(map(str, args.n_fft))}",
            "phase=griffin-lim,fast-griffin-lim",
            f"phase.n_iter={','.join(map(str, args.iters))}",
        ]
    )
    recipe = resolve_recipe(device="cpu", phase_options={"init": "random"})
    plan = bench.plan(
        [case],
        axes,
        recipe,
        mode="transform",
        transform_repeat=args.repeat,
        threads=args.threads,
    )
    result = bench.run(plan)
    if result.errors:
        print(result.table())
        raise SystemExit(1)
    rows = result.rows

    print(
        f"{args.seconds:g} s of {Path(args.clip).name} at {recipe.sample_rate} Hz, "
        f"{args.repeat} timed runs (median); ratios against '{REFERENCE}' in this run\n"
    )
    print(
        f"{'n_fft':>5}  {'transform':<10} {'stft ms':>8} {'x ref':>6} {'istft ms':>9} "
        f"{'x ref':>6} {'round-trip dB':>13}"
    )
    seen = set()
    for n_fft in args.n_fft:
        ref = next(
            r for r in rows if r["transform"] == REFERENCE and r["transform.n_fft"] == str(n_fft)
        )
        for name in args.transforms:
            row = next(
                r for r in rows if r["transform"] == name and r["transform.n_fft"] == str(n_fft)
            )
            if (name, n_fft) in seen:
                continue
            seen.add((name, n_fft))
            print(
                f"{n_fft:>5}  {name:<10} {1000 * row['time.stft']:>8.2f} "
                f"{row['time.stft'] / ref['time.stft']:>6.2f} "
                f"{1000 * row['time.istft']:>9.2f} {row['time.istft'] / ref['time.istft']:>6.2f} "
                f"{row['roundtrip.snr_db']:>13.1f}"
            )
    print(f"\nphase reconstruction from a random phase ({REFERENCE} transform)")
    print(
        f"{'n_fft':>5} {'iters':>5}  {'classic SC':>10} {'fast SC':>8} "
        f"{'classic dB':>10} {'fast dB':>8} {'classic s':>9} {'fast s':>7}"
    )
    for n_fft in args.n_fft:
        for n_iter in args.iters:
            pick = {
                r["phase"]: r
                for r in rows
                if r["transform"] == REFERENCE
                and r["transform.n_fft"] == str(n_fft)
                and r["phase.n_iter"] == n_iter
            }
            c, f = pick["griffin-lim"], pick["fast-griffin-lim"]
            print(
                f"{n_fft:>5} {n_iter:>5}  {c['phase.spectral_convergence']:>10.3f} "
                f"{f['phase.spectral_convergence']:>8.3f} {c['phase.snr_db']:>10.1f} "
                f"{f['phase.snr_db']:>8.1f} {c['time.phase']:>9.2f} {f['time.phase']:>7.2f}"
            )


if __name__ == "__main__":
    main()
