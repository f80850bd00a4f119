"""Spectrogram domain vs waveform domain at the same step budget.

For each pair (speech: speech_male_3436 -> speech_female_198; music: trumpet ->
Brahms) and each variant (the spectrogram domain written with the content's phase and
no Griffin-Lim, the spectrogram domain with fast Griffin-Lim, the waveform domain),
runs the same recipe for the same number of optimizer steps and prints:

- wall time per stage (setup, analysis, init, optimize, phase) and per evaluation;
- the spectral convergence ``||M_opt - |STFT(written)| ||_F / ||M_opt||_F`` between
  the magnitude the optimizer reached and the magnitude of the wave actually written
  (peak scaling undone): how much the phase guess loses. In the waveform domain the
  optimizer's magnitude *is* the written wave's, so it is ~0 by construction;
- the style loss before, at the end of the optimisation (of what the optimizer holds)
  and of the wave actually written (``style_written``: the same network and term on
  the written wave, peak scaling undone), the content loss, and the bench's metrics
  (``audiostyle``'s ``metric`` plugins: lsd, mfcc-timbre, and for speech
  speaker-similarity and dnsmos when the eval extra is installed).

Run::

    python benchmarks/domains.py                    # 5 s excerpts, 100 steps, 16 kHz
    python benchmarks/domains.py --seconds 10 --steps 200 --sample-rate 22050
    python benchmarks/domains.py --quick            # 2 s, 10 steps: a smoke run
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"

# content file, content offset (s), style file, style offset (s)
PAIRS = {
    "speech": ("speech_male_3436.ogg", 1.0, "speech_female_198.ogg", 1.0),
    "trumpet->brahms": ("trumpet.ogg", 0.0, "brahms_hungarian_dance_5.ogg", 10.0),
}
VARIANTS = {
    "spec+content-phase": {"domain": "spectrogram"},
    "spec+fast-GL32": {
        "domain": "spectrogram",
        "phase": "fast-griffin-lim",
        "phase_options": {"n_iter": 32, "init": "random"},
    },
    "waveform": {"domain": "waveform"},
}
SPECTRAL_METRICS = ("lsd", "mfcc-timbre")
SPEECH_METRICS = ("speaker-similarity", "dnsmos")
STAGES = ("setup", "analysis", "init", "optimize", "phase")


def spectral_convergence(reached, written: np.ndarray, *, transform, scale: float) -> float:
    """``||M - |STFT(written / scale)| ||_F / ||M||_F`` (``scale``: the peak scaling)."""
    import torch

    with torch.no_grad():
        wave = torch.from_numpy(np.ascontiguousarray(written / scale, dtype=np.float32))
        mag = transform.stft(wave.to(transform.device)).abs()
        reached = reached.to(mag.device)
        frames = min(mag.shape[-1], reached.shape[-1])
        diff = reached[..., :frames] - mag[..., :frames]
        return float(torch.linalg.norm(diff) / torch.linalg.norm(reached[..., :frames]))


def written_style_loss(recipe, out, *, style: np.ndarray) -> float:
    """The recipe's style loss of the wave written (same network, seed and term)."""
    from audiostyle import engine

    probe = recipe.copy()
    probe.domain, probe.steps, probe.init = "waveform", 0, "content"
    probe.set_weight("content", 0.0)
    wave = np.ascontiguousarray(out.audio / out.peak_scale, dtype=np.float32)
    return engine.run(probe, style=style, content=wave).initial_losses["style"]


def run_metrics(names, output, *, sample_rate, content, style) -> tuple[dict, list[str]]:
    """Values of the metric plugins ``names`` that are installed and can run."""
    from audiostyle import plugins
    from audiostyle.errors import AudiostyleError

    found = plugins.available("metric")
    values, notes = {}, []
    for name in names:
        if name not in found:
            notes.append(f"{name}: not installed")
            continue
        try:
            metric = plugins.create("metric", name)
            v = metric(output, sample_rate=sample_rate, content=content, style=style)
        except AudiostyleError as exc:  # a missing extra, a model that cannot load
            notes.append(f"{name}: skipped ({exc})")
            continue
        if isinstance(v, dict):
            values.update({f"{name}.{k}": float(x) for k, x in v.items()})
        else:
            values[name] = float(v)
    return values, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="excerpt length")
    parser.add_argument("--steps", type=int, default=100, help="optimizer steps (all variants)")
    parser.add_argument("--sample-rate", type=int, default=16_000)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--optimizer", default=None, help="override the preset's optimizer")
    parser.add_argument("--hop-length", type=int, default=None, help="override the hop")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's)")
    parser.add_argument("--pairs", default=",".join(PAIRS))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--no-metrics", action="store_true")
    parser.add_argument("--quick", action="store_true", help="2 s excerpts, 10 steps")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.steps = 2.0, 10

    import torch

    from audiostyle import engine, plugins
    from audiostyle.api import resolve_recipe
    from audiostyle.audio import load

    if args.threads:
        torch.set_num_threads(args.threads)
    sr = args.sample_rate
    print(
        f"# domains: {args.seconds:g} s excerpts at {sr} Hz, {args.steps} steps, "
        f"preset {args.preset}, torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
    common = {"steps": args.steps, "sample_rate": sr, "device": "cpu"}
    if args.hop_length:
        common["transform_options"] = {"hop_length": args.hop_length}
    base = resolve_recipe(args.preset, **common)
    print(
        f"# recipe: transform {base.transform}, network {base.network}, optimizer "
        f"{args.optimizer or base.optimizer}, loss_norm {base.loss_norm}, losses "
        + ", ".join(f"{k}={c.weight:g}" for k, c in base.losses.items())
    )
    # Warm-up: one-time costs (lazy imports, allocator, kernels) out of the first row.
    warm = load(SHARED_AUDIO / PAIRS["speech"][0], sample_rate=sr, duration=1.0)
    for variant in VARIANTS.values():
        engine.run(
            resolve_recipe(args.preset, steps=2, sample_rate=sr, device="cpu", **variant),
            style=warm,
            content=warm,
        )
    rows = []
    for pair in args.pairs.split(","):
        c_file, c_off, s_file, s_off = PAIRS[pair]
        content = load(SHARED_AUDIO / c_file, sample_rate=sr, offset=c_off, duration=args.seconds)
        style = load(SHARED_AUDIO / s_file, sample_rate=sr, offset=s_off, duration=args.seconds)
        for variant in args.variants.split(","):
            overrides = dict(VARIANTS[variant])
            if args.optimizer:
                overrides["optimizer"] = args.optimizer
            recipe = resolve_recipe(args.preset, **common, **overrides)
            t = time.perf_counter()
            out = engine.run(recipe, style=style, content=content)
            wall = time.perf_counter() - t
            transform = plugins.create(
                "transform",
                recipe.transform.name,
                recipe.validate()["transform"],
                sample_rate=sr,
            )
            sc = spectral_convergence(
                out.magnitude, out.audio, transform=transform, scale=out.peak_scale
            )
            style_written = written_style_loss(recipe, out, style=style)
            row = {
                "pair": pair,
                "variant": variant,
                "wall": wall,
                **{f"t_{k}": out.timings.get(k, 0.0) for k in STAGES},
                "evals": out.evaluations,
                "ms_per_eval": 1e3 * out.timings["optimize"] / max(out.evaluations, 1),
                "sc_reached_vs_written": sc,
                "style0": out.initial_losses.get("style", float("nan")),
                "style": out.final_losses.get("style", float("nan")),
                "style_written": style_written,
                "content": out.final_losses.get("content", float("nan")),
                "peak_scale": out.peak_scale,
            }
            if not args.no_metrics:
                names = SPECTRAL_METRICS + (SPEECH_METRICS if pair == "speech" else ())
                values, notes = run_metrics(
                    names, out.audio, sample_rate=sr, content=content, style=style
                )
                row.update(values)
                for n in notes:
                    print(f"  note [{pair} {variant}]: {n}", file=sys.stderr)
            rows.append(row)
            print(
                f"  done {pair:>16} {variant:<19} {wall:6.1f} s  "
                f"style {row['style0']:.3g} -> {row['style']:.3g} "
                f"(written {style_written:.3g})  SC {sc:.3f}",
                file=sys.stderr,
                flush=True,
            )
    print_table(rows)
    return 0


def print_table(rows: list[dict]) -> None:
    """A plain-text table, then the per-evaluation time ratio to the spectrogram run."""
    fixed = ["pair", "variant", *(f"t_{k}" for k in STAGES), "evals", "ms_per_eval"]
    fixed += ["sc_reached_vs_written", "style0", "style", "style_written", "content"]
    fixed += ["peak_scale"]
    extra = sorted({k for r in rows for k in r} - set(fixed) - {"wall"})
    cols = fixed + extra

    def fmt(v) -> str:
        if isinstance(v, str):
            return v
        if isinstance(v, int):
            return str(v)
        return f"{v:.3g}" if abs(v) < 1e4 else f"{v:.0f}"

    table = [cols] + [[fmt(r.get(c, float("nan"))) for c in cols] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(cols))]
    print()
    for i, line in enumerate(table):
        print("  ".join(x.rjust(w) for x, w in zip(line, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for pair in dict.fromkeys(r["pair"] for r in rows):
        ref = next((r for r in rows if r["pair"] == pair and r["variant"].startswith("spec")), None)
        wav = next((r for r in rows if r["pair"] == pair and r["variant"] == "waveform"), None)
        if ref and wav:
            print(
                f"{pair}: waveform / spectrogram time per evaluation "
                f"{wav['ms_per_eval'] / ref['ms_per_eval']:.2f}x, total "
                f"{wav['wall'] / ref['wall']:.2f}x; final style loss ratio "
                f"{wav['style'] / ref['style']:.2f}, of the written waves "
                f"{wav['style_written'] / ref['style_written']:.2f}"
            )


if __name__ == "__main__":
    raise SystemExit(main())
