"""``benchmarks/presets.py`` (issue 14's harness): keys, the store, --resume, --json, budgets.

The transfers and the metrics are replaced by fakes (``spawn`` writes a real sine as the
output; ``score_output`` measures it), so these tests check the harness, not the
recipes, in well under a second each. One ``slow`` test runs a real worker.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]


def _load_harness():
    spec = importlib.util.spec_from_file_location(
        "benchmarks_presets_harness", ROOT / "benchmarks" / "presets.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclass-free, but keep pickling/tracebacks sane
    spec.loader.exec_module(module)
    return module


H = _load_harness()
RATE = 8_000
# What a published recipe scores against the true target here (lower is better);
# the do-nothing row scores 5.0: default and seed2020 beat it, ulyanov2016 does not.
LSD = {"default": 2.0, "ulyanov2016": 7.0, "seed2020": 4.0}


class Fakes:
    """Counting stand-ins for the worker process and the metrics."""

    def __init__(self) -> None:
        self.specs: list[dict] = []
        self.scored: list[str | None] = []
        self.interrupt_on: str | None = None  # a preset whose run is "killed" mid-way

    def spawn(self, spec: dict, env: dict | None = None) -> dict:
        self.specs.append({**spec, "env": env})
        freq = 220.0 * (1 + spec["seed"]) * (2 if spec["preset"] == "default" else 1)
        t = np.arange(int(0.25 * RATE)) / RATE
        sf.write(spec["output"], 0.3 * np.sin(2 * np.pi * freq * t), RATE, subtype="FLOAT")
        if spec["preset"] == self.interrupt_on:
            Path(spec["result"]).write_text('{"preset": "trun')  # a half-written result
            raise KeyboardInterrupt
        steps_full = 40 if spec["preset"] == "default" else 300
        steps_done = steps_full if spec["budget"] is None else 30
        return {
            "preset": spec["preset"],
            "e2e": 3.0 + len(self.specs),
            "start_to_imported": 1.0,
            "timings": {"setup": 0.1, "analysis": 0.1, "optimize": 1.5, "phase": 0.2},
            "steps_done": steps_done,
            "steps_full": steps_full,
            "evaluations": steps_done + 5,
            "step_s": 0.05,
            "cpu_step_s": 0.09,
            "gl_iters": 100,
            "gl_iter_s": 0.002,
            "partial": steps_done < steps_full,
            "final_losses": {"style": 0.5, "content": 0.25},
            "initial_losses": {"style": 1.0, "content": 0.0},
            "cpu_s": 4.0,
            "peak_mb": 300.0,
            "run_peak_mb": 100.0,
            "segments": 1,
            "threads": 2,
        }

    def score_output(self, path, case, notes):
        self.scored.append(path)
        if path is None:
            rms = float(np.sqrt(np.mean(sf.read(case["content"])[0] ** 2)))
            lsd = 5.0
        else:
            y, _ = sf.read(path)
            rms = float(np.sqrt(np.mean(y**2)))
            preset = json.loads(Path(path).with_suffix(".json").read_text())["preset"]
            lsd = LSD[preset]
        out = {"mfcc-timbre.to_style": rms, "pitch": math.nan}
        if case.get("target"):
            out["lsd.to_target"] = lsd
        notes.append("wer: skipped (fake)")
        return out


@pytest.fixture
def fakes(monkeypatch, tmp_path):
    f = Fakes()
    monkeypatch.setattr(H.one_run, "spawn", f.spawn)
    monkeypatch.setattr(H.metrics, "score_output", f.score_output)
    monkeypatch.setattr(H.metrics, "metric_set", lambda: [["fake", {}]])
    rate = {"matmul_gflops": 50.0, "gflop": 1.0, "seconds": 0.05, "gflops": 20.0}
    monkeypatch.setattr(H, "machine_rates", lambda: {**rate, "shape": "fake", "fraction": 0.4})
    # Real audio as the cases: a chirp content, a noise style, the content as target.
    t = np.arange(RATE // 2) / RATE
    files = {}
    for name, y in {
        "content": 0.3 * np.sin(2 * np.pi * (200 + 800 * t) * t),
        "style": 0.1 * np.random.default_rng(0).standard_normal(t.size),
        "other": 0.2 * np.sin(2 * np.pi * 660 * t),
    }.items():
        files[name] = tmp_path / f"{name}.wav"
        sf.write(files[name], y, RATE)

    def build_cases(names, *, duration, suite_size):
        a, b, c = (str(files[k]) for k in ("content", "style", "other"))
        groups = {  # a run's spec is its content, style and durations: three different ones
            "voice": [
                {"name": "a->b", "content": a, "style": b},
                {"name": "b->a", "content": b, "style": a, "text": "hi"},
            ],
            "timbre": [{"name": "t0", "content": a, "style": c, "target": c}],
        }
        groups = {g: c for g, c in groups.items() if g in names}
        for cases in groups.values():
            for c in cases:
                c.update(duration=duration, style_duration=duration)
        return groups

    monkeypatch.setattr(H, "build_cases", build_cases)
    return f


def run_main(tmp_path, *extra: str) -> None:
    H.main(
        [
            "--cases",
            "voice,timbre",
            "--presets",
            "ulyanov2016,seed2020,default",
            "--seeds",
            "0,1",
            "--duration",
            "0.25",
            "--scaling",
            "",
            "--startup-repeat",
            "0",
            "--cli-repeat",
            "0",
            "--workdir",
            str(tmp_path / "work"),
            *extra,
        ]
    )


# -- keys and the store --------------------------------------------------------------------
SPEC = {
    "preset": "ulyanov2016",
    "seed": 0,
    "content": "/a.wav",
    "style": "/b.wav",
    "duration": 10.0,
    "style_duration": 10.0,
    "budget": 60.0,
}


def test_spec_key_is_stable_and_names_everything_that_changes_a_run():
    key = H.spec_key(SPEC)
    assert key == H.spec_key(dict(reversed(list(SPEC.items()))))  # order does not matter
    assert key == H.spec_key({**SPEC, "output": "/x.wav", "result": "/x.json", "t0": 1.0})
    changed = [
        H.spec_key({**SPEC, "seed": 1}),
        H.spec_key({**SPEC, "budget": 30.0}),
        H.spec_key({**SPEC, "duration": 5.0}),
        H.spec_key({**SPEC, "preset": "default"}),
        H.spec_key({**SPEC, "overrides": {"steps": 3}}),
        H.spec_key(SPEC, env={"OMP_NUM_THREADS": "1"}),
    ]
    assert len({key, *changed}) == len(changed) + 1
    # The resolved recipe is part of the key: an override that changes it changes the key.
    assert H.recipe_fingerprint({**SPEC, "overrides": {"steps": 3}})["steps"] == 3


def test_a_setting_the_run_ignores_is_not_in_its_key():
    # ulyanov2016 has no envelope: its loudness classes change nothing, nor its key.
    assert "envelope_classes" not in H.recipe_fingerprint(SPEC)
    one = {"overrides": {"envelope_classes": 1}}
    assert H.recipe_fingerprint(SPEC) == H.recipe_fingerprint({**SPEC, **one})
    default = {**SPEC, "preset": "default"}  # envelope auto: the classes count
    assert H.recipe_fingerprint(default)["envelope_classes"] == 3
    assert H.recipe_fingerprint(default) != H.recipe_fingerprint({**default, **one})


def test_write_json_never_leaves_a_half_written_file(tmp_path):
    path = tmp_path / "r.json"
    H.write_json(path, {"a": 1})
    with pytest.raises(TypeError):
        H.write_json(path, {"a": object()})  # fails while serialising
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_a_truncated_or_altered_result_is_not_trusted(fakes, tmp_path):
    res = H.run_spec(SPEC, tmp_path)
    path = tmp_path / "runs" / f"{res['key']}.json"
    assert H.load_finished(path, key=res["key"])["output_sha256"] == res["output_sha256"]
    assert H.run_spec(SPEC, tmp_path, resume=True)["reused"] is True
    assert len(fakes.specs) == 1

    text = path.read_text()
    path.write_text(text[: len(text) // 2])  # killed mid-write (without the atomic rename)
    again = H.run_spec(SPEC, tmp_path, resume=True)
    assert again["reused"] is False and len(fakes.specs) == 2

    wav = path.with_suffix(".wav")
    wav.write_bytes(wav.read_bytes()[:100])  # the output changed after its result
    assert H.load_finished(path, key=again["key"]) is None
    assert H.run_spec(SPEC, tmp_path, resume=True)["reused"] is False
    assert len(fakes.specs) == 3
    assert H.load_finished(path, key="0" * 16) is None  # another spec's key


def test_an_interrupted_run_leaves_nothing_a_resume_trusts(fakes, tmp_path):
    first = H.run_spec(SPEC, tmp_path)  # finished once ...
    fakes.interrupt_on = "ulyanov2016"
    with pytest.raises(KeyboardInterrupt):  # ... then re-run without --resume, and killed
        H.run_spec(SPEC, tmp_path)
    runs = tmp_path / "runs"
    assert sorted(p.name for p in runs.iterdir()) == [f"{first['key']}.wav"]  # no result, no tmp
    fakes.interrupt_on = None
    assert H.run_spec(SPEC, tmp_path, resume=True)["reused"] is False


def test_a_changed_recipe_is_run_again_and_says_why(fakes, tmp_path, monkeypatch, capsys):
    first = H.run_spec(SPEC, tmp_path)
    original = H.recipe_fingerprint

    def with_new_field(spec):  # what a colleague's new Recipe field does to every preset
        return {**original(spec), "a_new_field": 0.0, "steps": 200}

    monkeypatch.setattr(H.store, "recipe_fingerprint", with_new_field)
    again = H.run_spec(SPEC, tmp_path, resume=True)
    assert again["reused"] is False and again["key"] != first["key"] and len(fakes.specs) == 2
    said = capsys.readouterr().out
    assert "ulyanov2016's resolved recipe changed: a_new_field (new), steps 300 -> 200" in said
    assert H.run_spec(SPEC, tmp_path, resume=True)["reused"] is True


def test_a_reused_run_says_which_sources_changed_since(fakes, tmp_path, monkeypatch, capsys):
    digest, files = H.code_fingerprint()
    assert "engine.py" in files and digest == H.code_fingerprint()[0]
    first = H.run_spec(SPEC, tmp_path)
    assert first["code"] == digest
    assert H.run_spec(SPEC, tmp_path, resume=True)["code_changed"] == []
    edited = {**files, "engine.py": "0" * 64}
    monkeypatch.setattr(H.store, "code_fingerprint", lambda: (H.digest(edited), edited))
    again = H.run_spec(SPEC, tmp_path, resume=True)  # reused, but it says so
    assert again["reused"] is True and again["code_changed"] == ["engine.py"]
    assert len(fakes.specs) == 1
    note = H.reuse_footnote({"ulyanov2016": [again]})
    assert note and note[0].endswith("audiostyle changed since: engine.py")


# -- main(): resume, JSON, budgets, summary --------------------------------------------------
def test_resume_reuses_every_run_and_score(fakes, tmp_path, capsys):
    out = tmp_path / "all.json"
    run_main(tmp_path, "--resume", "--json", str(out))  # nothing to resume yet: all run
    first = capsys.readouterr().out
    n_runs = 2 * 3 * 3  # seeds x cases x presets
    assert len(fakes.specs) == n_runs and "reused" not in first and "*" not in first
    # The do-nothing row is scored once per case, whatever the seed.
    assert fakes.scored.count(None) == 3 and len(fakes.scored) == 3 + n_runs
    report = json.loads(out.read_text())
    assert report["complete"] is True
    assert len(report["records"]) == 2 * 3 * 4  # seeds x cases x (presets + none)

    run_main(tmp_path, "--resume", "--json", str(out))
    second = capsys.readouterr().out
    assert len(fakes.specs) == n_runs and len(fakes.scored) == 3 + n_runs  # nothing new
    assert second.count(" reused (measured ") == n_runs
    assert "default*" in second and "ulyanov2016 (partial)*" in second
    assert (
        "reused from an earlier run, measured 20" in second
        and "Z, load average" in second
        and "load average" in second
    )
    again = json.loads(out.read_text())
    assert all(r["result"]["reused"] for r in again["records"] if r["result"])
    assert again["summary"]["0"]["voice"]["default"]["reused"] == 2

    run_main(tmp_path)  # without --resume: everything runs again
    third = capsys.readouterr().out
    assert len(fakes.specs) == 2 * n_runs and "reused" not in third and "*" not in third


def test_suite_budget_and_default_unbudgeted(fakes, tmp_path, capsys):
    def budgets():
        by: dict[tuple[str, str], set] = {}
        for s in fakes.specs:  # the timbre case is the only one styled by other.wav
            group = "timbre" if s["style"].endswith("other.wav") else "voice"
            by.setdefault((s["preset"], group), set()).add(s["budget"])
        fakes.specs.clear()
        return by

    run_main(tmp_path, "--budget", "20", "--suite-budget", "7", "--seeds", "0")
    assert budgets() == {
        ("default", "voice"): {None},
        ("default", "timbre"): {None},
        **{(p, "voice"): {20.0} for p in ("ulyanov2016", "seed2020")},
        **{(p, "timbre"): {7.0} for p in ("ulyanov2016", "seed2020")},
    }
    run_main(tmp_path, "--budget", "20", "--seeds", "0")  # --suite-budget defaults to --budget
    found = budgets()
    assert found[("seed2020", "timbre")] == {20.0} and found[("default", "timbre")] == {None}
    assert "budget 20 s (suites 20 s)" in capsys.readouterr().out


def test_summary_names_the_presets_that_beat_doing_nothing(fakes, tmp_path, capsys):
    out = tmp_path / "all.json"
    run_main(tmp_path, "--json", str(out))
    text = capsys.readouterr().out
    summary = text[text.index("== summary (group means") :]
    for seed in (0, 1):
        assert f"== summary: voice, seed {seed}, mean over 2 cases" in summary
        assert (
            f"timbre (seed {seed}): presets beating do-nothing on mean LSD to target "
            "(5.00 dB): seed2020, default" in summary
        )
    assert "steps" in summary and "30/300" in summary and "40/40" in summary
    report = json.loads(out.read_text())
    assert report["beating_nothing"]["0"]["timbre"]["presets"] == ["seed2020", "default"]
    voice = report["summary"]["0"]["voice"]
    assert voice["none"]["cases"] == 2 and voice["default"]["steps_done"] == 40
    # The mean of the measured RMS of the two outputs (a real number from the fake wav).
    assert voice["default"]["mfcc-timbre.to_style"] == pytest.approx(0.3 / math.sqrt(2), rel=0.02)
    assert voice["default"]["pitch"] is None  # NaN everywhere: no mean, not NaN
    assert report["verdicts"]["0"][0]["what"].startswith("case 1")


def test_quick_fills_in_only_what_is_not_given(fakes, tmp_path, capsys):
    run_main(tmp_path, "--quick", "--cases", "voice", "--budget", "5")
    assert {s["budget"] for s in fakes.specs} == {None, 5.0}
    assert {s["seed"] for s in fakes.specs} == {0, 1}  # --seeds 0,1 given by run_main
    assert "cases voice; seeds [0, 1]; budget 5 s (suites 5 s)" in capsys.readouterr().out


def test_resume_needs_a_workdir(capsys):
    with pytest.raises(SystemExit) as exc:
        H.main(["--resume"])
    assert exc.value.code == 2 and "--resume needs --workdir" in capsys.readouterr().err


@pytest.mark.slow
def test_a_real_worker_run_is_kept_and_reused(tmp_path):
    """One real transfer in a fresh process (tiny settings), then reused by --resume."""
    from tests.conftest import SHARED_AUDIO

    spec = {
        **SPEC,
        "preset": "default",
        "content": str(SHARED_AUDIO / "speech_male_3436.ogg"),
        "style": str(SHARED_AUDIO / "speech_female_198.ogg"),
        "duration": 0.5,
        "style_duration": 0.5,
        "budget": None,
        "overrides": {
            "steps": 2,
            "transform_options": {"n_fft": 256},
            "network_options": {"n_filters": 32},
        },
    }
    res = H.run_spec(spec, tmp_path, env={"OMP_NUM_THREADS": "1"})
    assert "error" not in res, res.get("error")
    y, rate = sf.read(res["output"])
    assert rate == 22_050 and abs(y.size - 0.5 * rate) <= 512 and np.isfinite(y).all()
    assert res["steps_done"] == 2 and res["e2e"] > res["start_to_imported"] > 0
    assert res["measured_at"].endswith("+00:00") and res["load"] >= 0
    again = H.run_spec(spec, tmp_path, env={"OMP_NUM_THREADS": "1"}, resume=True)
    assert again["reused"] is True and again["e2e"] == res["e2e"]
    assert sorted(p.suffix for p in (tmp_path / "runs").iterdir()) == [".json", ".wav"]
