"""``audiostyle batch`` and the executors: real short clips, a tiny recipe, two workers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from audiostyle.batch import LEDGER_NAME, ManifestError, plan_batch, run_batch
from audiostyle.cli.app import build_app
from audiostyle.errors import DependencyError, ParameterError
from audiostyle.plugins import available, create
from tests.conftest import SR, TINY, chirp, tiny_flags

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]


def invoke(*args):
    return runner.invoke(build_app(), [str(a) for a in args])


# Module-level functions the workers import (spawned workers get the parent's sys.path).
def crash_on_negative(x: int) -> int:
    """Kill the worker for a negative task (like an out-of-memory kill)."""
    if x < 0:
        os._exit(7)
    return 2 * x


def fail_on_odd(x: int) -> int:
    if x % 2:
        raise ValueError(f"odd task {x}")
    return x


def sleep_for(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@pytest.fixture
def one_thread():
    """Compute in this process with one torch thread, as batch tasks do by default."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def write_clips(folder: Path) -> dict[str, Path]:
    """Real short clips: male and female speech (0.5 s), a chirp, digital silence."""
    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    folder.mkdir(parents=True, exist_ok=True)
    clips = {
        "male.wav": load(demo_clip("content"), sample_rate=SR, offset=0.5, duration=0.5),
        "female.wav": load(demo_clip("style"), sample_rate=SR, offset=0.5, duration=0.5),
        "chirp.wav": chirp(200, 2000, seconds=0.5),
        "silence.wav": np.zeros(SR // 2, dtype=np.float32),
    }
    for name, y in clips.items():
        sf.write(folder / name, y, SR)
    return {name: folder / name for name in clips}


MANIFEST = """content,style,output,seed,offset,duration
male.wav,female.wav,a.wav,,,
male.wav,female.wav,seeded/b.wav,3,,
chirp.wav,female.wav,c.flac,,0.1,0.3
male.wav,silence.wav,d.wav,,,
"""


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One batch on the local executor with two workers (row 4 fails: silent style)."""
    root = tmp_path_factory.mktemp("batch")
    write_clips(root / "in")
    (root / "in" / "rows.csv").write_text(MANIFEST)
    r = invoke(
        "batch",
        root / "in" / "rows.csv",
        "--out-dir",
        root / "out",
        "--workers",
        "2",
        "--report",
        root / "report.json",
        *tiny_flags(),
    )
    return root, r


def ledger_lines(out_dir: Path, *, pending: bool = False) -> list[dict]:
    """The ledger's final lines (``pending=True``: its pending lines)."""
    path = out_dir / LEDGER_NAME
    if not path.exists():
        return []
    lines = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    return [e for e in lines if bool(e.get("pending")) == pending]


def test_local_two_workers_writes_rows_and_reports_failure(first_run):
    root, r = first_run
    out = root / "out"
    assert r.exit_code == 1, r.output  # one row failed
    assert "row 4 (line 5)" in r.output and "silence" in r.output
    assert "2 workers x 1 torch thread" in r.output
    assert "3 done, 0 skipped (already done), 1 failed" in r.output
    for name, frames in (("a.wav", SR // 2), ("seeded/b.wav", SR // 2), ("c.flac", 0.3 * SR)):
        data, rate = sf.read(out / name)
        assert rate == SR and len(data) == int(frames) and np.abs(data).max() > 0.01
    assert not (out / "d.wav").exists()
    entries = ledger_lines(out)
    assert sorted(e["output"] for e in entries) == ["a.wav", "c.flac", "seeded/b.wav"]
    assert all(e["threads"] == 1 and e["output_size"] > 0 for e in entries)
    report = json.loads((root / "report.json").read_text())
    rows = {row["row"]: row for row in report["rows"]}
    assert [rows[n]["status"] for n in (1, 2, 3, 4)] == ["done", "done", "done", "failed"]
    assert "digital silence" in rows[4]["error"]
    assert rows[1]["compute_seconds"] > 0 and "optimize" in rows[1]["timings"]
    assert report["counts"]["failed"] == 1 and report["audio_seconds"] == pytest.approx(1.3)
    # Both workers took rows.
    assert len({rows[n]["worker"] for n in (1, 2, 3, 4)}) == 2


def test_rows_equal_transfer_sample_for_sample(first_run, one_thread, tmp_path):
    root, _ = first_run
    clips, out = root / "in", root / "out"
    cases = [
        ("a.wav", []),
        ("seeded/b.wav", ["--seed", "3"]),
    ]
    results = {}
    for name, extra in cases:
        ref = tmp_path / Path(name).name
        r = invoke(
            "transfer", clips / "male.wav", clips / "female.wav", "-o", ref, *tiny_flags(), *extra
        )
        assert r.exit_code == 0, r.output
        got, want = sf.read(out / name)[0], sf.read(ref)[0]
        np.testing.assert_array_equal(got, want)
        results[name] = got
    assert not np.array_equal(results["a.wav"], results["seeded/b.wav"])  # the seed column acts
    ref = tmp_path / "c.flac"
    r = invoke(
        "transfer", clips / "chirp.wav", clips / "female.wav", "-o", ref, "--offset", "0.1",
        "--duration", "0.3", *tiny_flags(),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    np.testing.assert_array_equal(sf.read(out / "c.flac")[0], sf.read(ref)[0])


def copy_run(root: Path, dest: Path) -> tuple[Path, Path]:
    shutil.copytree(root / "in", dest / "in")
    shutil.copytree(root / "out", dest / "out")
    return dest / "in", dest / "out"


def test_rerun_skips_unchanged_and_redoes_changed(first_run, tmp_path):
    root, _ = first_run
    clips, out = copy_run(root, tmp_path)
    before = {p: (out / p).stat().st_mtime_ns for p in ("a.wav", "seeded/b.wav", "c.flac")}
    # Same bytes, new mtime: still unchanged (content hash). New seed for row 2: changed.
    (clips / "male.wav").write_bytes((clips / "male.wav").read_bytes())
    (clips / "rows.csv").write_text(MANIFEST.replace("seeded/b.wav,3", "seeded/b.wav,4"))
    # Row 4's style is fixed: it runs now.
    shutil.copy(clips / "chirp.wav", clips / "silence.wav")
    report = tmp_path / "r.json"
    r = invoke(
        "batch", clips / "rows.csv", "--out-dir", out, "--workers", "1", "--report", report,
        *tiny_flags(),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = {row["row"]: row["status"] for row in json.loads(report.read_text())["rows"]}
    assert rows == {1: "skipped", 2: "done", 3: "skipped", 4: "done"}
    assert (out / "a.wav").stat().st_mtime_ns == before["a.wav"]
    assert (out / "c.flac").stat().st_mtime_ns == before["c.flac"]
    assert (out / "seeded/b.wav").stat().st_mtime_ns != before["seeded/b.wav"]
    assert sf.info(out / "d.wav").frames == SR // 2
    # Nothing left to do: no workers are started, every row is skipped.
    r = invoke("batch", clips / "rows.csv", "--out-dir", out, *tiny_flags())
    assert r.exit_code == 0 and "4 already done (skipped), 0 to run" in r.output


def test_bad_manifest_lists_every_problem_before_starting(tmp_path):
    clips = write_clips(tmp_path / "in")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "taken.wav").write_bytes(b"not ours")
    manifest = tmp_path / "in" / "rows.csv"
    manifest.write_text(
        "content,style,output,seed,duration,preset,colour\n"
        "male.wav,female.wav,ok.wav,,,,\n"
        "missing.wav,female.wav,x.wav,,,,\n"
        "male.wav,female.wav,ok.wav,,,,\n"
        "male.wav,female.wav,y.mp3,,,,\n"
        "male.wav,female.wav,z.wav,three,-1,,\n"
        "male.wav,female.wav,p.wav,,,ulyanov,\n"
        "male.wav,female.wav,../escape.wav,,,,\n"
        "male.wav,female.wav,taken.wav,,,,\n"
        "male.wav,,w.wav,,,,\n"
    )
    (tmp_path / "in" / "broken.wav").write_bytes(b"RIFF....not audio")
    r = invoke("batch", manifest, "--out-dir", tmp_path / "out", *tiny_flags())
    assert r.exit_code == 2, r.output
    expected = [
        "line 1: unknown column 'colour'",
        "row 2 (line 3): content file",
        "does not exist",
        "row 3 (line 4): output 'ok.wav' is also the output of row 1",
        "row 4 (line 5): output 'y.mp3': unsupported extension '.mp3'",
        "row 5 (line 6): seed='three' is not an integer",
        "row 5 (line 6): duration=-1 must be > 0 seconds",
        "row 6 (line 7): preset 'ulyanov': no preset named 'ulyanov'. Did you mean 'ulyanov2016'?",
        "row 7 (line 8): output '../escape.wav' leaves --out-dir",
        "row 8 (line 9): output 'taken.wav' already exists and was not written by this batch",
        "row 9 (line 10): 'style' is empty",
        "has 10 problems; nothing was run",
    ]
    for text in expected:
        assert text in r.output, text
    assert "Traceback" not in r.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["taken.wav"]
    # JSONL: bad JSON, a non-object, an unknown key, an unreadable file, an offset too late.
    jsonl = tmp_path / "in" / "rows.jsonl"
    jsonl.write_text(
        '{"content": "male.wav", "style": "female.wav", "output": "a.wav"}\n'
        '{"content": "male.wav", "style": \n'
        "[1, 2]\n"
        '{"content": "male.wav", "style": "female.wav", "output": "b.wav", "sed": 1}\n'
        '{"content": "broken.wav", "style": "female.wav", "output": "c.wav"}\n'
        '{"content": "male.wav", "style": "female.wav", "output": "d.wav", "offset": 9}\n'
    )
    with pytest.raises(ManifestError) as info:
        plan_batch(jsonl, out_dir=tmp_path / "out2", **TINY)
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 5, problems
    assert problems[0].startswith("row 2 (line 2): not valid JSON")
    assert problems[1].startswith("row 3 (line 3): each line must be a JSON object")
    assert "row 4 (line 4): unknown column 'sed'. Did you mean 'seed'?" in problems[2]
    assert "row 5 (line 5)" in problems[3] and "cannot be read as audio" in problems[3]
    assert "row 6 (line 6): content offset 9 s is past the end" in problems[4]
    assert not (tmp_path / "out2").exists()
    assert clips["male.wav"].exists()


def test_segment_shorter_than_window_and_empty_manifest(tmp_path):
    write_clips(tmp_path)
    m = tmp_path / "m.jsonl"
    m.write_text(
        '{"content": "male.wav", "style": "female.wav", "output": "a.wav", "duration": 0.01}\n'
    )
    with pytest.raises(ManifestError, match=r"shorter than n_fft=256"):
        plan_batch(m, out_dir=tmp_path / "o", **TINY)
    (tmp_path / "m.csv").write_text("content,style,output\n")
    with pytest.raises(ManifestError, match="no rows"):
        plan_batch(tmp_path / "m.csv", out_dir=tmp_path / "o", **TINY)
    with pytest.raises(ParameterError, match="does not exist"):
        plan_batch(tmp_path / "nope.csv", out_dir=tmp_path / "o", **TINY)


def test_executor_flags_are_checked(tmp_path, monkeypatch):
    write_clips(tmp_path)
    (tmp_path / "m.csv").write_text("content,style,output\nmale.wav,female.wav,a.wav\n")
    r = invoke("batch", tmp_path / "m.csv", "--out-dir", tmp_path / "o", "--address", "auto")
    assert r.exit_code == 2 and "--address does not apply to the 'local' executor" in r.output
    r = invoke("batch", tmp_path / "m.csv", "--out-dir", tmp_path / "o", "--executor", "rai")
    assert r.exit_code == 2 and "Did you mean 'ray'" in r.output
    r = invoke("batch", tmp_path / "m.csv", "--out-dir", tmp_path / "o", "--workers", "0")
    assert r.exit_code == 2 and "workers=0 must be >= 1" in r.output
    # Without ray installed: a clear DependencyError naming the extra.
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(DependencyError, match=r'pip install -e "\.\[ray\]"'):
        create("executor", "ray")
    r = invoke(
        "batch", tmp_path / "m.csv", "--out-dir", tmp_path / "o", "--executor", "ray", *tiny_flags()
    )
    assert r.exit_code == 1 and 'pip install -e ".[ray]"' in r.output
    assert not (tmp_path / "o" / "a.wav").exists()
    assert {"local", "ray"} <= set(available("executor"))
    # bench takes the same executor options as batch, checked before any cell runs.
    bench = ["bench", "--pair", tmp_path / "male.wav", tmp_path / "female.wav", "--metric", "none"]
    r = invoke(*bench, "--executor", "local", "--executor-opt", "cpus_per_task=2", *tiny_flags())
    assert r.exit_code == 2 and "unknown option 'cpus_per_task'" in r.output, r.output
    r = invoke(*bench, "--executor", "ray", "--executor-opt", "inputs=disk", *tiny_flags())
    assert r.exit_code == 2 and "='disk' is not one of auto, ship, paths" in r.output


def test_one_batch_per_out_dir(tmp_path):
    import fcntl

    write_clips(tmp_path)
    (tmp_path / "m.csv").write_text("content,style,output\nmale.wav,female.wav,a.wav\n")
    (tmp_path / "o").mkdir()
    with open(tmp_path / "o" / ".audiostyle-batch.lock", "a") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        r = invoke("batch", tmp_path / "m.csv", "--out-dir", tmp_path / "o", *tiny_flags())
    assert r.exit_code == 1 and "another batch is writing to" in r.output


# -- the local executor itself ----------------------------------------------------------------
def test_local_pool_captures_failures_and_survives_a_dead_worker():
    with create("executor", "local", {"workers": 2}) as ex:
        results = {r.index: r for r in ex.map(fail_on_odd, range(5))}
        assert sorted(results) == [0, 1, 2, 3, 4]
        assert [results[i].value for i in (0, 2, 4)] == [0, 2, 4]
        assert not results[1].ok and results[1].error == "ValueError: odd task 1"
        assert "Traceback" in results[3].traceback
        results = {r.index: r for r in ex.map(crash_on_negative, [1, -1, 2, 3])}
        assert [results[i].value for i in (0, 2, 3)] == [2, 4, 6]
        assert not results[1].ok and "exited with code 7" in results[1].error
        assert len(ex._pool) == 2 and all(w.process.is_alive() for w in ex._pool)
        seen = []
        for r in ex.map(abs, [-1, -2], on_result=seen.append):
            assert r in seen
    assert not ex._pool


def test_local_pool_cancels_on_early_exit():
    ex = create("executor", "local", {"workers": 2})
    results = ex.map(sleep_for, [0.0, 60.0, 60.0, 60.0])
    first = next(results)
    assert first.ok and first.value == 0.0
    processes = [w.process for w in ex._pool]
    t = time.perf_counter()
    results.close()  # what Ctrl-C or an exception in the caller does
    assert time.perf_counter() - t < 10
    assert not any(p.is_alive() for p in processes)


def test_run_batch_api_reuses_an_open_executor(first_run, tmp_path):
    root, _ = first_run
    clips = tmp_path / "in"
    shutil.copytree(root / "in", clips)
    (clips / "one.jsonl").write_text(
        '{"content": "chirp.wav", "style": "male.wav", "output": "x.ogg", "seed": 1}\n'
    )
    with create("executor", "local", {"workers": 1}) as ex:
        result = run_batch(clips / "one.jsonl", out_dir=tmp_path / "o", executor=ex, **TINY)
        assert ex._pool  # left open for the caller
    assert result.ok and result.counts["done"] == 1, result.summary()
    assert sf.info(tmp_path / "o" / "x.ogg").samplerate == SR
    assert "1 done" in result.summary()[0]


# -- interrupted and killed, then resumed -------------------------------------------------------
def slow_flags() -> list[str]:
    """The tiny recipe with more steps: rows slow enough to stop a batch midway."""
    flags = tiny_flags()
    flags[flags.index("--steps") + 1] = "30"
    return flags


def start_batch(manifest: Path, out: Path) -> subprocess.Popen:
    code = "from audiostyle.cli import main; main()"
    args = ["batch", str(manifest), "--out-dir", str(out), "--workers", "1", "-q", *slow_flags()]
    env = dict(os.environ, AUDIOSTYLE_LOAD_PLUGINS="")
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_ledger(out: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(ledger_lines(out)) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.02)


@pytest.mark.slow
def test_interrupted_and_killed_batch_resumes_without_redoing(tmp_path):
    write_clips(tmp_path / "in")
    rows = ["content,style,output,seed"]
    rows += [f"male.wav,female.wav,r{i}.wav,{i}" for i in range(8)]
    manifest = tmp_path / "in" / "rows.csv"
    manifest.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"

    # Ctrl-C: the driver stops its workers, keeps finished rows, exits 130.
    proc = start_batch(manifest, out)
    wait_for_ledger(out, 1, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "run the same command again" in err
    after_int = len(ledger_lines(out))
    assert 1 <= after_int < 8

    # SIGKILL: no clean-up at all; the orphaned worker exits by itself.
    proc = start_batch(manifest, out)
    wait_for_ledger(out, after_int + 1, proc)
    proc.kill()
    proc.communicate(timeout=30)
    done_before = {e["output"]: e for e in ledger_lines(out)}
    assert after_int < len(done_before) < 8
    mtimes = {name: (out / name).stat().st_mtime_ns for name in done_before}

    report = tmp_path / "r.json"
    r = invoke(
        "batch", manifest, "--out-dir", out, "--workers", "2", "--report", report, *slow_flags()
    )
    assert r.exit_code == 0, r.output
    statuses = {row["output"]: row["status"] for row in json.loads(report.read_text())["rows"]}
    assert {n for n, s in statuses.items() if s == "skipped"} == set(done_before)
    assert {n for n, s in statuses.items() if s == "done"} == {f"r{i}.wav" for i in range(8)} - set(
        done_before
    )
    # Every output complete, none redone, each in the ledger once, no temporary files left.
    for i in range(8):
        assert sf.info(out / f"r{i}.wav").frames == SR // 2
    assert all((out / n).stat().st_mtime_ns == t for n, t in mtimes.items())
    entries = ledger_lines(out)
    assert sorted(e["output"] for e in entries) == sorted(f"r{i}.wav" for i in range(8))
    assert not [p for p in out.iterdir() if p.name.startswith(".r")]


# -- bench grids on the same executors ----------------------------------------------------------
@pytest.mark.slow
def test_bench_grid_on_local_pool_matches_in_process(tmp_path, one_thread):
    clips = write_clips(tmp_path / "in")
    common = [
        "bench", "--pair", clips["male.wav"], clips["female.wav"], "--grid", "seed=0,1,2",
        "--metric", "none", "--no-baseline", "--threads", "1", *tiny_flags(),
    ]  # fmt: skip
    rows = {}
    for name, extra in (("seq", []), ("pool", ["--executor", "local", "--workers", "2"])):
        r = invoke(*common, *extra, "--json", tmp_path / f"{name}.json")
        assert r.exit_code == 0, r.output
        rows[name] = json.loads((tmp_path / f"{name}.json").read_text())["rows"]
    assert "running the cells on local pool: 2 workers" in r.output
    assert len(rows["pool"]) == 3 and not any(row["error"] for row in rows["pool"])
    for seq, pool in zip(rows["seq"], rows["pool"], strict=True):
        assert seq["variant"] == pool["variant"]
        assert seq["losses.total"] == pool["losses.total"] > 0
    r = invoke(*common, "--executor", "local", "--isolate")
    assert r.exit_code == 2 and "--isolate and --executor exclude each other" in r.output
    r = invoke(*common, "--address", "auto", "--executor", "local")
    assert r.exit_code == 2 and "--address does not apply to the 'local' executor" in r.output


# -- the worker side: versions, paths, warm stages ------------------------------------------------
def tiny_task(clips: dict[str, Path], **fields):
    from audiostyle.api import resolve_recipe
    from audiostyle.batch import RowTask

    recipe = resolve_recipe(**TINY).resolved()
    return RowTask(
        number=1,
        content=str(clips["male.wav"]),
        style=str(clips["female.wav"]),
        recipe=recipe,
        style_sha256="female",
        **fields,
    )


def test_a_worker_with_other_versions_fails_the_row_naming_both(tmp_path):
    from audiostyle.batch import run_row
    from audiostyle.batch.worker import VersionMismatchError, stack_versions

    clips = write_clips(tmp_path)
    mine = stack_versions()
    driver = {**mine, "audiostyle": "0.0.1-driver", "audiostyle-example-plugin": "9.9"}
    with pytest.raises(VersionMismatchError) as info:
        run_row(tiny_task(clips, versions=driver))
    text = str(info.value)
    assert f"audiostyle {mine['audiostyle']} here, 0.0.1-driver on the driver" in text
    assert "audiostyle-example-plugin not installed here, 9.9 on the driver" in text
    assert "runtime_env" in text


def test_a_missing_input_on_a_worker_names_its_node(tmp_path):
    from audiostyle.batch import run_row
    from audiostyle.batch.worker import MissingInputError
    from audiostyle.executors.base import worker_name

    clips = write_clips(tmp_path)
    clips["male.wav"].unlink()
    with pytest.raises(MissingInputError) as info:
        run_row(tiny_task(clips))
    assert "does not exist on the worker's node" in str(info.value)
    assert worker_name() in str(info.value) and "inputs=ship" in str(info.value)


def test_warm_rows_reuse_stages_and_give_the_same_samples(tmp_path, one_thread):
    from audiostyle.api import transfer
    from audiostyle.batch import run_row
    from audiostyle.batch import worker as worker_mod

    clips = write_clips(tmp_path)
    worker_mod._WARM.clear()
    built = []
    real = worker_mod._warm_state

    def spy(task):
        state, warm = real(task)
        # the run keeps its state per recipe actually run (audiostyle.run): look inside
        kept = [state, *(v for v in state.values() if isinstance(v, dict))]
        built.append((warm, any("stages" in s for s in kept)))
        return state, warm

    worker_mod._warm_state = spy
    try:
        first = run_row(tiny_task(clips))
        second = run_row(tiny_task(clips))
    finally:
        worker_mod._warm_state = real
    assert built == [(False, False), (True, True)]  # the second found the built stages
    assert not first.warm and second.warm
    cold = transfer(clips["male.wav"], clips["female.wav"], progress=False, **TINY)
    np.testing.assert_array_equal(first.audio, cold.audio)
    np.testing.assert_array_equal(second.audio, cold.audio)


# -- a driver killed at each stage of a row's life, then resumed ---------------------------------
CRASH_AT = {
    # stage -> code run in the driver before main(): os._exit(9) right after that step
    "computed": "import audiostyle.batch.run as m; f = m._finish\n"
    "m._finish = lambda *a, **k: os._exit(9)",
    "pending": "import audiostyle.batch.commit as m; f = m.Ledger.append\n"
    "def g(self, e):\n    f(self, e)\n    if e.get('pending'): os._exit(9)\n"
    "m.Ledger.append = g",
    "renamed": "import audiostyle.batch.commit as m; f = m.publish\n"
    "def g(*a):\n    f(*a)\n    os._exit(9)\nm.publish = g",
    "logged": "import audiostyle.batch.commit as m; f = m.Ledger.append\n"
    "def g(self, e):\n    f(self, e)\n    if not e.get('pending'): os._exit(9)\n"
    "m.Ledger.append = g",
}


@pytest.mark.slow
@pytest.mark.parametrize("stage", list(CRASH_AT))
def test_resume_after_the_driver_is_killed_at_each_stage_of_a_row(tmp_path, stage):
    write_clips(tmp_path / "in")
    manifest = tmp_path / "in" / "rows.csv"
    manifest.write_text("content,style,output\nmale.wav,female.wav,a.wav\n")
    out = tmp_path / "out"
    code = f"import os\n{CRASH_AT[stage]}\nfrom audiostyle.cli import main\nmain()"
    args = ["batch", manifest, "--out-dir", out, "--workers", "1", "-q", *tiny_flags()]
    env = dict(os.environ, AUDIOSTYLE_LOAD_PLUGINS="", PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], cwd=REPO, env=env, capture_output=True
    )
    assert done.returncode == 9, done.stderr.decode()[-2000:]
    left = {p.name for p in out.iterdir()}
    final, pending = ledger_lines(out), ledger_lines(out, pending=True)
    expected = {
        "computed": (False, 0, 0),  # (output in place, pending lines, final lines)
        "pending": (False, 1, 0),
        "renamed": (True, 1, 0),
        "logged": (True, 1, 1),
    }[stage]
    assert ("a.wav" in left, len(pending), len(final)) == expected, left
    if stage == "pending":  # the complete temporary file was left beside its place
        assert [n for n in left if n.startswith(".a.wav.")]
    report = tmp_path / "r.json"
    r = invoke("batch", manifest, "--out-dir", out, "--report", report, *tiny_flags())
    assert r.exit_code == 0, r.output
    row = json.loads(report.read_text())["rows"][0]
    if stage in ("computed", "pending"):
        assert row["status"] == "done"  # redone
    else:
        assert row["status"] == "skipped" and row["adopted"] == (stage == "renamed")
        if stage == "renamed":
            assert "verified (sha256) and adopted" in r.output
    assert sf.info(out / "a.wav").frames == SR // 2
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["a.wav", LEDGER_NAME, ".audiostyle-batch.lock"]
    )
    (entry,) = ledger_lines(out)
    assert entry["output"] == "a.wav" and entry["sha256"] and entry["output_size"] > 0
    again = invoke("batch", manifest, "--out-dir", out, *tiny_flags())
    assert again.exit_code == 0 and "1 already done (skipped), 0 to run" in again.output


def test_an_adopted_output_that_does_not_hash_as_logged_is_redone(tmp_path):
    write_clips(tmp_path / "in")
    manifest = tmp_path / "in" / "rows.csv"
    manifest.write_text("content,style,output\nmale.wav,female.wav,a.wav\n")
    out = tmp_path / "out"
    first = run_batch(manifest, out_dir=out, executor_options={"workers": 1}, **TINY)
    assert first.ok
    # As if killed after the rename, and the file changed since (same size, other bytes).
    lines = (out / LEDGER_NAME).read_text().splitlines()
    (out / LEDGER_NAME).write_text(lines[0] + "\n")  # the pending line only
    data = bytearray((out / "a.wav").read_bytes())
    data[-1] ^= 0xFF
    (out / "a.wav").write_bytes(bytes(data))
    plan = plan_batch(manifest, out_dir=out, **TINY)
    assert [p.status for p in plan.rows] == ["todo"]  # redone, not refused
    again = run_batch(manifest, out_dir=out, executor_options={"workers": 1}, **TINY)
    assert again.counts["done"] == 1
    assert (out / "a.wav").read_bytes() != bytes(data)


# -- shipping inputs (the executor contract, without Ray) -----------------------------------------
class BytesInput:
    """A shipped input that carries its bytes (what an object-store reference stands for)."""

    def __init__(self, data: bytes, name: str, sha256: str) -> None:
        self.data, self.name, self.sha256 = data, name, sha256

    def read(self) -> bytes:
        return self.data


def test_shipped_inputs_are_read_once_and_workers_never_open_the_paths(tmp_path):
    from audiostyle.executors.local import LocalExecutor
    from audiostyle.executors.options import LocalOptions

    shipped = []

    class Shipping(LocalExecutor):
        def may_ship_inputs(self):
            return True

        def ships_inputs(self):
            return True

        def ship(self, data, *, name, sha256):
            shipped.append(Path(name).name)
            return BytesInput(data, name, sha256)

    clips = write_clips(tmp_path / "in")
    manifest = tmp_path / "in" / "rows.csv"
    rows = ["content,style,output,seed"] + [f"male.wav,female.wav,r{i}.wav,{i}" for i in range(4)]
    manifest.write_text("\n".join(rows + ["chirp.wav,female.wav,c.wav,"]) + "\n")

    class DeleteInputs:  # runs after planning, before any row: the paths are gone
        def start(self, stats, *, executor):
            for name in ("male.wav", "female.wav", "chirp.wav"):
                clips[name].unlink()

        def advance(self, outcome, stats):
            pass

        def close(self):
            pass

    with Shipping(LocalOptions(workers=2)) as ex:
        result = run_batch(
            manifest, out_dir=tmp_path / "out", executor=ex, progress=DeleteInputs(), **TINY
        )
    assert result.ok, result.summary()
    assert sorted(shipped) == ["chirp.wav", "female.wav", "male.wav"]  # each once, 5 rows
    assert sf.info(tmp_path / "out" / "c.wav").frames == SR // 2
    # A failure names the input as the manifest does, not the worker's copy.
    write_clips(tmp_path / "in")
    manifest.write_text("content,style,output\nmale.wav,silence.wav,s.wav\n")
    with Shipping(LocalOptions(workers=1)) as ex:
        result = run_batch(manifest, out_dir=tmp_path / "out", executor=ex, **TINY)
    (failed,) = result.failed
    assert f"{tmp_path / 'in' / 'silence.wav'} (shipped)" in failed.error, failed.error
