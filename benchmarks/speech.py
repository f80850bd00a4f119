"""The speech detector: silero-vad stepped chunk by chunk against run as one batch.

``audiostyle.speech`` used to step silero-vad's model through a clip one 32 ms chunk at
a time, as silero-vad's own loop does, and to find the clip's active chunks at torch's
full thread count ("before": its ``_probability`` of then, :data:`BEFORE` below). Only
the model's LSTM cell carries state from chunk to chunk, so it now runs the rest on all
the chunks at once and the recurrence as one LSTM call, all on one thread ("after":
``speech._probability``). This prints, in one run:

1. where a run's detector time goes, each in a fresh process (as a run meets it), the
   two ways alternating, median of ``--repeats``: torch's import, silero_vad's import,
   the model's load, and the two demo clips (22.05 kHz, as ``audiostyle demo``): the
   first call carries TorchScript's first-call passes;
2. every clip under the shared audio folder (speech and music, LibriSpeech and its
   ``single/`` folder included), at each ``--rates``: the probability both ways, their
   difference, whether the two fall on different sides of the 0.5 threshold, and the
   median time of each (warm, in this process, alternating order), with the totals'
   ratio;
3. with ``--demo N``: ``audiostyle demo`` N times each way in fresh processes
   (alternating), the median wall time and "speech" time of each, and their ratio.

    python benchmarks/speech.py                      # 3 repeats, rates 22050 16000 8000
    python benchmarks/speech.py --demo 5 --rates 22050
    python benchmarks/speech.py --audio /work/shared/audio
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXTENSIONS = (".flac", ".ogg", ".wav")

# audiostyle.speech._probability before the change, as it was (it runs in the module's
# namespace: speech.py's imports and _CHUNK, _model, DETECTOR_THREADS).
BEFORE = """
def _probability(y: np.ndarray, sample_rate: int) -> float:
    import torch

    from audiostyle.dsp import active_frames

    model = _model()
    rate = sample_rate
    if rate not in _CHUNK:
        from audiostyle.audio import resample

        y, rate = resample(y, rate, 16000), 16000
    chunk = _CHUNK[rate]
    n = len(y) // chunk
    if n == 0:
        return math.nan
    x = torch.from_numpy(np.ascontiguousarray(y[: n * chunk].reshape(n, chunk)))
    if not bool(x.abs().max() > 0):
        return math.nan
    active = active_frames(x.double().T ** 2).numpy()  # pauses (40 dB down) do not count
    probs = np.empty(n)
    before = torch.get_num_threads()
    torch.set_num_threads(DETECTOR_THREADS)
    try:
        with torch.inference_mode():
            model.reset_states()
            for i in range(n):  # the model is recurrent: chunks in order
                probs[i] = float(model(x[i], rate))
    finally:
        torch.set_num_threads(before)
    return float(probs[active].mean())
"""


def before_probability(speech):
    """The :data:`BEFORE` function, in the namespace of the module ``speech``."""
    namespace = dict(vars(speech))
    exec(BEFORE, namespace)  # noqa: S102 - our own source, above
    return namespace["_probability"]


# A fresh process's detector costs: imports, load, the demo clips (first and second).
COLD = """
import json, sys, time
mode = sys.argv[1]
out = {}
t = time.perf_counter(); import torch; out["import torch"] = time.perf_counter() - t
from audiostyle import speech
from audiostyle.audio import load
from audiostyle.data import demo_clip
if mode == "before":
    speech._probability = before_probability(speech)
clips = [load(demo_clip(w), sample_rate=22050) for w in ("content", "style")]
t = time.perf_counter(); import silero_vad; out["import silero_vad"] = time.perf_counter() - t
t = time.perf_counter(); speech._model(); out["load the model"] = time.perf_counter() - t
for name, y in zip(("content (first clip)", "style (second clip)"), clips):
    t = time.perf_counter()
    speech.speech_probability(y, sample_rate=22050)
    out[name] = time.perf_counter() - t
print(json.dumps(out))
"""

# `audiostyle demo` with the detector one way or the other.
DEMO = """
import sys
mode = sys.argv.pop(1)
from audiostyle import speech
if mode == "before":
    speech._probability = before_probability(speech)
import audiostyle.cli as cli
sys.argv[0] = "audiostyle"
cli.main()
"""


def shared_audio() -> Path:
    """``$AUDIOSTYLE_SHARED_AUDIO``, else ``shared/audio`` beside a parent of this file."""
    env = os.environ.get("AUDIOSTYLE_SHARED_AUDIO")
    if env:
        return Path(env).expanduser()
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "audio").is_dir():
            return parent / "shared" / "audio"
    return Path("shared/audio")


def child(code: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``code`` (which may call :func:`before_probability`) in a fresh process."""
    prelude = f"BEFORE = {BEFORE!r}\n" + inspect.getsource(before_probability)
    done = subprocess.run(
        [sys.executable, "-c", prelude + code, *args], capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        sys.exit(f"child {args} failed:\n{done.stderr}")
    return done


def cold(repeats: int) -> None:
    print(f"1. A fresh process's detector costs (s), median of {repeats}, demo clips at 22050 Hz")
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for i in range(repeats):
        for mode in ("before", "after") if i % 2 == 0 else ("after", "before"):
            runs[mode].append(json.loads(child(COLD, mode).stdout.strip().splitlines()[-1]))
    med = {m: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for m, rs in runs.items()}
    print(f"   {'':24}{'before':>9}{'after':>9}{'ratio':>8}")
    for key in med["before"]:
        b, a = med["before"][key], med["after"][key]
        print(f"   {key:24}{b:9.3f}{a:9.3f}{b / a:8.1f}")
    detector = [k for k in med["before"] if k != "import torch"]
    b, a = (sum(med[m][k] for k in detector) for m in ("before", "after"))
    print(f"   {'the detector (no torch)':24}{b:9.3f}{a:9.3f}{b / a:8.1f}\n")


def clips(repeats: int, rates: list[int], root: Path) -> bool:
    import numpy as np

    from audiostyle import speech
    from audiostyle.audio import load

    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in EXTENSIONS)
    if not paths:
        sys.exit(f"no audio under {root}")
    ways = {"before": before_probability(speech), "after": speech._probability}
    print(f"2. {len(paths)} clips under {root} (their first {speech.MAX_SECONDS:g} s), ")
    print(f"   time: median of {repeats} (warm, this process, alternating order)")
    speech._model()
    ok = True
    for rate in rates:
        print(
            f"\n   {rate} Hz {'clip':<44}{'s':>6}{'before':>9}{'after':>9}{'|diff|':>9}"
            f"{'ms before':>11}{'ms after':>10}  crosses 0.5"
        )
        diffs, totals, crossings = [], {"before": 0.0, "after": 0.0}, []
        for path in paths:
            y = load(path, sample_rate=rate, duration=speech.MAX_SECONDS)
            p, times = {}, {"before": [], "after": []}
            for i in range(repeats):
                for mode in ("before", "after") if i % 2 == 0 else ("after", "before"):
                    t = time.perf_counter()
                    p[mode] = ways[mode](y, rate)
                    times[mode].append(time.perf_counter() - t)
            b, a = p["before"], p["after"]
            diff = 0.0 if (math.isnan(b) and math.isnan(a)) else abs(a - b)
            crosses = speech.is_speech(b) != speech.is_speech(a)
            diffs.append(diff)
            if crosses or not diff < 0.02:
                crossings.append(path.name)
            ms = {m: 1000 * statistics.median(ts) for m, ts in times.items()}
            for m in totals:
                totals[m] += ms[m]
            name = str(path.relative_to(root))
            print(
                f"   {'':8}{name[-44:]:<44}{len(y) / rate:6.1f}{b:9.4f}{a:9.4f}{diff:9.1e}"
                f"{ms['before']:11.1f}{ms['after']:10.1f}  {'YES' if crosses else 'no'}"
            )
        print(
            f"   {rate} Hz: max |diff| {max(diffs):.1e} (mean {np.mean(diffs):.1e}); "
            f"{len(crossings)} clip(s) cross 0.5 or differ by 0.02 {crossings or ''}; total "
            f"{totals['before'] / 1000:.2f} s before, {totals['after'] / 1000:.2f} s after: "
            f"{totals['before'] / totals['after']:.1f}x faster"
        )
        ok = ok and not crossings
    print()
    return ok


def demo(repeats: int) -> None:
    print(f"3. audiostyle demo, fresh processes, median of {repeats}")
    runs: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            for mode in ("before", "after") if i % 2 == 0 else ("after", "before"):
                out = Path(tmp) / f"{mode}.wav"
                t = time.perf_counter()
                done = child(DEMO, mode, "demo", "-o", str(out), "--force")
                wall = time.perf_counter() - t
                stages = dict(re.findall(r"([\w-]+) ([0-9.]+)s", done.stderr.split("time:", 1)[-1]))
                runs[mode].append((wall, float(stages.get("speech", "nan"))))
    med = {m: [statistics.median(r[k] for r in rs) for k in (0, 1)] for m, rs in runs.items()}
    for k, what in enumerate(("wall time", "speech (detector)")):
        b, a = med["before"][k], med["after"][k]
        print(f"   {what:24}{b:9.2f}{a:9.2f}{b / a:8.1f}   (before, after s; ratio)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--repeats", type=int, default=3)
    parser.add_argument("--rates", type=int, nargs="+", default=[22050, 16000, 8000])
    parser.add_argument("--audio", type=Path, default=None, help="the shared clips")
    parser.add_argument("--demo", type=int, default=0, help="audiostyle demo N times each way")
    parser.add_argument("--no-cold", action="store_true", help="skip the fresh-process costs")
    args = parser.parse_args()
    root = args.audio or shared_audio()
    print(
        f"{os.cpu_count()} CPUs; load average before the run: {os.getloadavg()}; "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}\n"
    )
    if not args.no_cold:
        cold(args.repeats)
    ok = clips(args.repeats, args.rates, root)
    if args.demo:
        demo(args.demo)
    print("every clip within 0.02 and on the same side of 0.5" if ok else "SOME CLIPS CHANGED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
