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

import argparse
import hashlib
import json
import math
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
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
SUITES = ("timbre", "voices")  # ground-truth groups: --suite-budget, LSD to the target
KEY_VERSION = 1  # bump when a result or score file changes meaning: old ones are not reused
SPEC_FIELDS = ("preset", "seed", "content", "style", "duration", "style_duration", "budget")
CASE_FIELDS = ("content", "style", "target", "text", "duration", "style_duration")
# The summary's columns: (metric key, short header).
SUMMARY_KEYS = (
    ("lsd.to_target", "LSD tgt"),
    ("mfcc-timbre.to_style", "MFCC sty"),
    ("mfcc-timbre.to_content", "MFCC cnt"),
    ("pitch", "pitch"),
    ("speaker-similarity.to_style", "spk sty"),
    ("speaker-similarity.to_target", "spk tgt"),
    ("wer.vs_content", "WER"),
    ("dnsmos.ovrl", "DNSMOS"),
)

# Default's lever variants (--levers): name -> overrides of api.transfer.
LEVERS: dict[str, dict] = {
    "default": {},
    "envelope: off (before it: 40 steps, content weight 0.1)": {
        "envelope": 0.0,
        "steps": 40,
        "content_weight": 0.1,
    },
    "envelope: 0.6 for every pair (not auto)": {"envelope": 0.6},
    "envelope: 0.32 for every pair (not auto)": {"envelope": 0.32},
    "envelope: 1.0 (the style's)": {"envelope": 1.0},
    "steps: 0 (envelope only)": {"steps": 0},
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
def resolve(spec: dict):
    """The recipe ``spec`` runs: its preset resolved with its seed and overrides."""
    from audiostyle import api

    overrides = dict(spec.get("overrides") or {})
    losses = overrides.pop("losses", None)
    recipe = api.resolve_recipe(spec["preset"], seed=spec["seed"], device="cpu", **overrides)
    for term, opts in (losses or {}).items():
        recipe.losses[term].options.update(opts)
    return recipe


def worker(spec_file: str) -> None:
    """Run one transfer as described by the JSON ``spec_file``; write its result JSON."""
    spec = json.loads(Path(spec_file).read_text())
    import torch  # noqa: F401 - timed here: process start to torch imported

    from audiostyle import api

    t_imp = time.time()

    stamps: list[tuple[int, float, int, float]] = []
    budget = spec.get("budget")

    def on_step(report) -> bool:
        stamps.append((report.step, report.elapsed, report.evaluations, time.process_time()))
        return budget is not None and report.elapsed >= budget

    rss_before = _rss_kb()
    recipe = resolve(spec)
    full_steps = recipe.steps
    try:
        gl_iters = getattr(recipe.validate().get("phase"), "n_iter", None)
    except Exception:  # noqa: BLE001 - a phase stage without iterations
        gl_iters = None
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
    # The first step pays one-off costs (optimizer state, allocator): medians of the rest.
    steps = [b[1] - a[1] for a, b in zip(stamps, stamps[1:], strict=False)]
    cpu_steps = [b[3] - a[3] for a, b in zip(stamps, stamps[1:], strict=False)]
    out = {
        "preset": spec["preset"],
        "e2e": t_written - spec["t0"],
        "start_to_imported": t_imp - spec["t0"],
        "timings": r.timings,
        "steps_done": r.steps_done,
        "steps_full": full_steps,
        "evaluations": r.evaluations,
        "step_s": statistics.median(steps) if steps else (stamps[0][1] if stamps else 0.0),
        "cpu_step_s": statistics.median(cpu_steps) if cpu_steps else None,
        "gl_iters": gl_iters,
        "gl_iter_s": r.timings.get("phase", 0.0) / gl_iters if gl_iters else None,
        "partial": r.steps_done < full_steps,
        "final_losses": r.final_losses,
        "initial_losses": r.initial_losses,
        "cpu_s": _cpu_seconds(),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "run_peak_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024,
        "segments": r.segments,
        "threads": _torch_threads(),
    }
    write_json(Path(spec["result"]), out)


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


def spawn(spec: dict, env: dict | None = None) -> dict:
    """Run ``spec`` in a fresh interpreter; return its result (with ``e2e`` seconds).

    The worker writes its output to ``spec["output"]`` and its result to
    ``spec["result"]``; on failure the result is ``{"preset": ..., "error": tail}``.
    """
    result = Path(spec["result"])
    spec_file = result.with_name(result.stem + ".spec.json")
    spec = dict(spec, t0=time.time())  # the process starts right after this write
    spec_file.write_text(json.dumps(spec))
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", str(spec_file)],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
        )
    finally:
        spec_file.unlink(missing_ok=True)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-6:])
        return {"preset": spec["preset"], "error": tail or f"exit {proc.returncode}"}
    return json.loads(result.read_text())


# -- the store: finished runs and scores, by the hash of what produced them --------------------
def digest(material) -> str:
    """A stable 16-hex-digit key of a JSON-able value (key order does not matter)."""
    text = json.dumps(material, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_json(path: Path, data) -> None:
    """Write ``data`` as JSON atomically: a temporary file beside ``path``, then a rename.

    An interruption leaves the previous file or none, never a truncated one.
    """
    from audiostyle.atomic import atomic_write_text

    text = json.dumps(data, default=float, indent=1)  # a value that cannot be saved fails here
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    from audiostyle.batch import file_fingerprint

    return file_fingerprint(path)["sha256"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def code_fingerprint() -> tuple[str, dict[str, str]]:
    """A digest of audiostyle's Python sources now, and the SHA-256 of each file."""
    import audiostyle

    root = Path(audiostyle.__file__).resolve().parent
    files = {
        str(f.relative_to(root)): file_sha256(f)
        for f in sorted(root.rglob("*.py"))
        if "__pycache__" not in f.parts
    }
    return digest(files), files


def code_changes(workdir: Path, old: str | None) -> list[str]:
    """audiostyle's source files that changed since the code ``old`` ran (``[]``: none)."""
    now, files = code_fingerprint()
    if old is None or old == now:
        return []
    try:
        before = json.loads((workdir / "code" / f"{old}.json").read_text())
    except (OSError, ValueError):
        return ["(unknown files)"]
    return sorted(f for f in set(before) | set(files) if before.get(f) != files.get(f))


# Settings a run does not use, by the recipe that ignores them: they stay out of its key,
# so adding such a setting to audiostyle does not make finished runs stale.
INERT_SETTINGS = {"envelope_classes": lambda r: r.get("envelope") == 0}


def recipe_fingerprint(spec: dict):
    """The resolved recipe of ``spec`` as a dict: a changed preset changes the key.

    Settings the run ignores (:data:`INERT_SETTINGS`) are left out.
    """
    try:
        d = resolve(spec).to_dict()
    except Exception as exc:  # noqa: BLE001 - the run will report it; the key stays stable
        return f"unresolved: {type(exc).__name__}: {exc}"
    return {k: v for k, v in d.items() if not (k in INERT_SETTINGS and INERT_SETTINGS[k](d))}


def key_material(spec: dict, env: dict | None = None) -> dict:
    """What a run's key is the hash of: spec fields, overrides, environment, recipe."""
    return {
        "version": KEY_VERSION,
        "rate": RATE,
        **{k: spec.get(k) for k in SPEC_FIELDS},
        "overrides": spec.get("overrides") or {},
        "env": env or {},
        "recipe": recipe_fingerprint(spec),
    }


def spec_key(spec: dict, env: dict | None = None) -> str:
    """The key of a run: its spec fields, overrides, environment and resolved recipe."""
    return digest(key_material(spec, env))


def _flat(d, prefix: str = "") -> dict:
    if not isinstance(d, dict):
        return {prefix: d}
    out = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}{k}."))
    return out or {prefix: d}


def recipe_changes(runs: Path, material: dict) -> str | None:
    """Why an earlier finished run of the same spec is not reused: the recipe changed.

    Returns e.g. ``"envelope (new), steps 300 -> 200"`` or None (no such run).
    """
    same = {k: v for k, v in material.items() if k != "recipe"}
    for path in sorted(runs.glob("*.json")):
        try:
            old = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(old, dict) or not old.get("finished") or "material" not in old:
            continue
        if {k: v for k, v in old["material"].items() if k != "recipe"} != same:
            continue
        before, now = _flat(old["material"]["recipe"]), _flat(material["recipe"])
        diff = [
            f"{k.rstrip('.')} (new)"
            if k not in before
            else f"{k.rstrip('.')} (gone)"
            if k not in now
            else f"{k.rstrip('.')} {before[k]!r} -> {now[k]!r}"
            for k in sorted(set(before) | set(now))
            if before.get(k, object) != now.get(k, object)
        ]
        if diff:
            more = f" and {len(diff) - 4} more" if len(diff) > 4 else ""
            return f"{', '.join(diff[:4])}{more} (run of {old.get('measured_at')})"
    return None


def load_finished(path: Path, *, key: str, sha_field: str | None = "output_sha256") -> dict | None:
    """The finished record at ``path`` if it can be trusted, else None.

    Trusted: it parses, says ``finished``, carries ``key``, and (for a run) its output
    file beside it has the recorded SHA-256.
    """
    try:
        rec = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(rec, dict) or rec.get("finished") is not True or rec.get("key") != key:
        return None
    if sha_field is not None:
        wav = path.with_suffix(".wav")
        if not wav.is_file() or file_sha256(wav) != rec.get(sha_field):
            return None
        rec["output"] = str(wav)
    return rec


def run_spec(spec: dict, workdir: Path, *, env: dict | None = None, resume: bool = False) -> dict:
    """Run ``spec`` (or, with ``resume``, reuse its finished result); return the result.

    The output is ``workdir/runs/KEY.wav`` and the result ``KEY.json``: both are
    written under temporary names and renamed into place only when the run has
    finished, the result last, so a result on disk always describes its output.
    """
    material = key_material(spec, env)
    key = digest(material)
    runs = workdir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    result_path, wav = runs / f"{key}.json", runs / f"{key}.wav"
    if resume:
        done = load_finished(result_path, key=key)
        if done is not None:
            return {**done, "reused": True, "code_changed": code_changes(workdir, done.get("code"))}
        if result_path.exists():
            print(f"  (an unfinished or altered result {result_path.name} is ignored: run again)")
        else:
            changed = recipe_changes(runs, material)
            if changed:
                print(f"  ({spec['preset']}'s resolved recipe changed: {changed}; run again)")
    result_path.unlink(missing_ok=True)  # its output is about to change
    tag = f".{key}.partial-{os.getpid()}"
    tmp_wav, tmp_json = runs / f"{tag}.wav", runs / f"{tag}.json"
    started = time.time()
    load_start = os.getloadavg()[0]
    code, files = code_fingerprint()  # the sources the worker is about to import
    if not (workdir / "code" / f"{code}.json").exists():
        write_json(workdir / "code" / f"{code}.json", files)
    try:
        res = spawn(dict(spec, output=str(tmp_wav), result=str(tmp_json)), env)
        if "error" in res:
            return {**res, "key": key, "reused": False}
        os.replace(tmp_wav, wav)
        res.update(
            key=key,
            spec={k: spec.get(k) for k in (*SPEC_FIELDS, "overrides")},
            env=env or {},
            material=material,
            code=code,
            output=str(wav),
            output_sha256=file_sha256(wav),
            measured_at=_now(),
            started_at=datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
            load=os.getloadavg()[0],
            load_start=load_start,
            finished=True,
        )
        write_json(result_path, res)
        return {**res, "reused": False}
    finally:
        tmp_wav.unlink(missing_ok=True)
        tmp_json.unlink(missing_ok=True)


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


def metric_set() -> list[list]:
    """The metrics score_output measures, with their options (part of a score's key)."""
    from audiostyle.bench.runner import default_metrics

    return [[m.name, dict(m.options)] for m in default_metrics()]


class Scorer:
    """score_output with a memory and, under ``workdir/scores``, a disk cache.

    A score's key is the case, the output (its run key and file hash; None for the
    do-nothing row, so that one is scored once per case whatever the seed) and the
    metric set. The disk cache is read only with ``resume``; it is always written.
    """

    def __init__(self, workdir: Path, *, resume: bool) -> None:
        self.dir = workdir / "scores"
        self.resume = resume
        self.memo: dict[str, tuple[dict, list[str], dict]] = {}
        self._metrics: list[list] | None = None

    def key(self, case: dict, result: dict | None) -> str:
        """The key of ``result``'s scores on ``case`` (``None``: the content itself)."""
        if self._metrics is None:
            self._metrics = metric_set()
        output = None if result is None else [result["key"], result["output_sha256"]]
        return digest(
            {
                "version": KEY_VERSION,
                "rate": RATE,
                "case": {k: case.get(k) for k in CASE_FIELDS},
                "output": output,
                "metrics": self._metrics,
            }
        )

    def __call__(self, case: dict, result: dict | None, notes: list[str]) -> tuple[dict, bool]:
        """``(scores, reused)``: every metric of ``result``'s output (None: do nothing)."""
        key = self.key(case, result)
        if key in self.memo:
            scores, found, _ = self.memo[key]
            notes += found
            return scores, False
        path = self.dir / f"{key}.json"
        if self.resume:
            rec = load_finished(path, key=key, sha_field=None)
            if rec is not None:
                self.memo[key] = (rec["scores"], rec["notes"], rec)
                notes += rec["notes"]
                return rec["scores"], True
        found: list[str] = []
        t = time.perf_counter()
        scores = score_output(None if result is None else result["output"], case, found)
        rec = {
            "key": key,
            "finished": True,
            "scores": scores,
            "notes": found,
            "seconds": time.perf_counter() - t,
            "measured_at": _now(),
            "load": os.getloadavg()[0],
        }
        write_json(path, rec)
        self.memo[key] = (scores, found, rec)
        notes += found
        return scores, False


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


def reused_mark(results) -> str:
    """``"*"`` if any of ``results`` was reused from an earlier run."""
    return "*" if any(r.get("reused") for r in results) else ""


def _files(names: list[str], most: int = 4) -> str:
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def reuse_footnote(named: dict[str, list[dict]]) -> list[str]:
    """Footnotes for reused rows: when they were measured and the load average then.

    Rows measured alike share one line: ``* a, b: reused ..., measured T, load L``.
    """
    lines: dict[str, list[str]] = {}
    for name, results in named.items():
        old = [r for r in results if r.get("reused")]
        if not old:
            continue
        when = sorted(str(r.get("measured_at", "?")).replace("+00:00", "Z") for r in old)
        loads = [r["load"] for r in old if r.get("load") is not None]
        span = when[0] if when[0] == when[-1] else f"{when[0]} to {when[-1]}"
        load = ""
        if loads:
            load = f", load average {min(loads):.1f}"
            if max(loads) - min(loads) >= 0.05:
                load += f"-{max(loads):.1f}"
        count = f"{len(old)} of {len(results)} runs " if len(results) > 1 else ""
        changed = sorted({f for r in old for f in r.get("code_changed") or []})
        code = f"; audiostyle changed since: {_files(changed)}" if changed else ""
        lines.setdefault(
            f"{count}reused from an earlier run, measured {span}{load}{code}", []
        ).append(name)
    return [f"  * {', '.join(names)}: {text}" for text, names in lines.items()]


def time_rows(results: dict[str, dict]) -> list[list]:
    """One row per preset: e2e, projected, stages, steps, s/step, evals, memory, losses."""
    rows = []
    for name, r in results.items():
        if "error" in r:
            rows.append([name, "error"] + [None] * (len(TIME_HEADER) - 2))
            continue
        t = r["timings"]
        rows.append(
            [
                name + (" (partial)" if r["partial"] else "") + reused_mark([r]),
                r["e2e"],
                projected(r),
                r.get("cpu_s"),
                r["start_to_imported"],
                # prep: default's speech detector (envelope auto), stages, targets, start
                t.get("speech", 0) + t.get("setup", 0) + t.get("analysis", 0) + t.get("init", 0),
                t.get("optimize"),
                t.get("phase"),
                f"{r['steps_done']}/{r['steps_full']}",
                r["step_s"],
                r.get("cpu_step_s"),
                r.get("gl_iter_s"),
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
    "CPU s/step",
    "s/GL it",
    "evals",
    "peak MB",
    "style L",
    "content L",
]


def _mean(values) -> float | None:
    vals = [v for v in values if isinstance(v, int | float) and math.isfinite(v)]
    return statistics.fmean(vals) if vals else None


def summarize(records: list[dict], presets: list[str]) -> dict:
    """Group means per seed: ``{seed: {group: {row: {...}}}}``, rows "none" + presets.

    Each row holds the mean of every SUMMARY_KEYS metric over the group's cases, the
    mean steps done, the full step count, the mean projected e2e seconds, how many
    cases it covers, and (``runs``) its run results for the reuse footnote.
    """
    out: dict = {}
    for rec in records:
        group = out.setdefault(rec["seed"], {}).setdefault(rec["group"], {})
        row = group.setdefault(rec["preset"], {"scores": [], "runs": []})
        if rec.get("scores") is not None:
            row["scores"].append(rec["scores"])
        if rec.get("result") is not None:
            row["runs"].append(rec["result"])
    for groups in out.values():
        for name, rows in groups.items():
            ordered = {p: rows[p] for p in ["none", *presets] if p in rows}
            for row in ordered.values():
                scores, runs = row.pop("scores"), row["runs"]
                ok = [r for r in runs if "error" not in r]
                row["cases"] = len(scores)
                row["errors"] = len(runs) - len(ok)
                for key, _ in SUMMARY_KEYS:
                    row[key] = _mean(s.get(key) for s in scores)
                row["steps_done"] = _mean(r["steps_done"] for r in ok)
                row["steps_full"] = max((r["steps_full"] for r in ok), default=None)
                row["e2e_projected"] = _mean(projected(r) for r in ok)
            groups[name] = ordered
    return out


def beating_nothing(rows: dict) -> tuple[list[str], float | None]:
    """Presets whose mean LSD to the target is below doing nothing's; and that bar."""
    bar = rows.get("none", {}).get("lsd.to_target")
    if bar is None:
        return [], None
    return [
        p
        for p, row in rows.items()
        if p != "none" and row.get("lsd.to_target") is not None and row["lsd.to_target"] < bar
    ], bar


def print_summary(summary: dict, n_cases: dict[str, int]) -> None:
    """The compact closing tables: per group and seed, the means of the key metrics."""
    for seed, groups in summary.items():
        for group, rows in groups.items():
            keys = [
                (k, h) for k, h in SUMMARY_KEYS if any(r.get(k) is not None for r in rows.values())
            ]
            table = []
            for p, row in rows.items():
                steps = (
                    "-"
                    if p == "none" or row["steps_done"] is None
                    else f"{row['steps_done']:.0f}/{row['steps_full']}"
                )
                label = p + reused_mark(row["runs"])
                if row["errors"] or row["cases"] < n_cases.get(group, row["cases"]):
                    label += f" ({row['cases']}/{n_cases.get(group, row['cases'])} cases)"
                table.append(
                    [
                        label,
                        *[row.get(k) for k, _ in keys],
                        steps,
                        None if p == "none" else row["e2e_projected"],
                    ]
                )
            print_table(
                f"== summary: {group}, seed {seed}, mean over {n_cases.get(group, '?')} cases",
                ["preset", *[h for _, h in keys], "steps", "full e2e s"],
                table,
            )
            for line in reuse_footnote({p: r["runs"] for p, r in rows.items() if p != "none"}):
                print(line)
            if group in SUITES or "lsd.to_target" in {k for k, _ in keys}:
                winners, bar = beating_nothing(rows)
                if bar is not None:
                    print(
                        f"  {group} (seed {seed}): presets beating do-nothing on mean LSD to "
                        f"target ({bar:.2f} dB): {', '.join(winners) or 'none'}"
                    )


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
