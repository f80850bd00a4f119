"""Speed (and a quality check) of ``mel-cnn`` against the built-in ``random-cnn``.

Runs the same transfer (default recipe, same clips, same steps and seed) with each
network and prints time per objective evaluation, total optimisation time, their
ratio, and quality figures from metrics neither network optimises: ``mfcc-timbre``
(distance of MFCC statistics to the style: lower = more of the style's timbre) and
``lsd`` (log-spectral distance to the content, dB: lower = more of the content).

    python plugins/audiostyle-mel/benchmarks/compare_networks.py --seconds 10 --steps 10

Needs the plugin importable (pip install ./plugins/audiostyle-mel, or run from the
repository: the script adds the plugin's directory to sys.path).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1]))
SHARED = HERE.parents[4] / "shared" / "audio"


def _clips(seconds: float, sample_rate: int):
    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    content = SHARED / "speech_male_3436.ogg"
    style = SHARED / "speech_female_198.ogg"
    if not (content.exists() and style.exists()):  # the bundled 5 s clips
        content, style = demo_clip("content"), demo_clip("style")
    return (
        load(content, sample_rate=sample_rate, duration=seconds),
        load(style, sample_rate=sample_rate, duration=seconds),
        content.name,
        style.name,
    )


def main() -> None:
    """Run the comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--sample-rate", type=int, default=22_050)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--repeats", type=int, default=5, help="timed evaluations per network")
    parser.add_argument(
        "--no-transfers", dest="transfers", action="store_false", help="only the timing"
    )
    args = parser.parse_args()

    import audiostyle_mel
    import torch

    import audiostyle
    from audiostyle.plugins import create, registry

    if args.threads:
        torch.set_num_threads(args.threads)
    registry.register_plugin(audiostyle_mel, name="mel", distribution="audiostyle-mel")
    content, style, cname, sname = _clips(args.seconds, args.sample_rate)
    print(
        f"content {cname} / style {sname}: {content.shape[0] / args.sample_rate:.1f} s at "
        f"{args.sample_rate} Hz, default recipe, {args.steps} L-BFGS steps, "
        f"torch threads {torch.get_num_threads()}"
    )
    # 1. One objective evaluation (network forward + content and style losses +
    # backward) on the clip's real spectrogram, the networks interleaved, best of
    # --repeats: robust to other load on the machine.
    from audiostyle.losses.gram import ContentLoss, StyleLoss
    from audiostyle.transforms.options import STFTOptions
    from audiostyle.transforms.torch_stft import TorchSTFT

    stft = TorchSTFT(STFTOptions(), sample_rate=args.sample_rate)
    rep_c = torch.log1p(stft.stft(torch.from_numpy(content)).abs()).unsqueeze(0)
    rep_s = torch.log1p(stft.stft(torch.from_numpy(style)).abs()).unsqueeze(0)
    nets, losses = {}, {}
    for network in ("random-cnn", "mel-cnn"):
        net = create(
            "network", network, n_bins=stft.n_bins, optional={"sample_rate": args.sample_rate}
        )
        with torch.no_grad():
            fc, fs = net(rep_c), net(rep_s)
        c, s = ContentLoss(network=net), StyleLoss(network=net)
        c.prepare(content=fc, style=fs)
        s.prepare(content=fc, style=fs)
        nets[network], losses[network] = net, (c, s)
    best = {n: float("inf") for n in nets}
    for _ in range(args.repeats):
        for network, net in nets.items():
            x = rep_c.clone().requires_grad_(True)
            t = time.perf_counter()
            feats = net(x)
            c, s = losses[network]
            (c(feats) + s(feats)).backward()
            best[network] = min(best[network], time.perf_counter() - t)
    print(
        f"one evaluation, best of {args.repeats}: random-cnn {best['random-cnn']:.3f} s, "
        f"mel-cnn {best['mel-cnn']:.3f} s -> mel-cnn {best['random-cnn'] / best['mel-cnn']:.1f}x "
        "faster"
    )
    if args.repeats and not args.transfers:
        return

    # 2. The whole transfer with each, judged by metrics neither optimises.
    timbre = create("metric", "mfcc-timbre")
    lsd = create("metric", "lsd")
    rows = {}
    for network in ("random-cnn", "mel-cnn"):
        t0 = time.perf_counter()
        result = audiostyle.transfer(
            content,
            style,
            sample_rate=args.sample_rate,
            network=network,
            steps=args.steps,
            device="cpu",
            progress=False,
        )
        wall = time.perf_counter() - t0
        out = result.audio
        rows[network] = {
            "wall": wall,
            "optimize": result.timings["optimize"],
            "evals": result.evaluations,
            "per_eval": result.timings["optimize"] / max(1, result.evaluations),
            "style_loss_drop": result.initial_losses["style"]
            / max(1e-30, result.final_losses["style"]),
            "timbre_to_style": timbre(out, sample_rate=args.sample_rate, style=style)["to_style"],
            "lsd_to_content": lsd(out, sample_rate=args.sample_rate, content=content)["to_content"],
        }
    base_timbre = timbre(content, sample_rate=args.sample_rate, style=style)["to_style"]
    print(
        f"{'network':<12} {'wall s':>8} {'optim s':>8} {'evals':>6} {'s/eval':>8} "
        f"{'style x':>9} {'timbre->style':>14} {'LSD->content':>13}"
    )
    for name, r in rows.items():
        print(
            f"{name:<12} {r['wall']:>8.2f} {r['optimize']:>8.2f} {r['evals']:>6d} "
            f"{r['per_eval']:>8.3f} {r['style_loss_drop']:>9.1f} {r['timbre_to_style']:>14.3f} "
            f"{r['lsd_to_content']:>13.2f}"
        )
    print(f"(content itself: timbre->style {base_timbre:.3f}, LSD->content 0)")
    ratio = rows["random-cnn"]["per_eval"] / rows["mel-cnn"]["per_eval"]
    print(
        f"mel-cnn is {ratio:.1f}x faster per evaluation than random-cnn "
        f"({rows['random-cnn']['wall'] / rows['mel-cnn']['wall']:.1f}x wall clock)"
    )


if __name__ == "__main__":
    main()
