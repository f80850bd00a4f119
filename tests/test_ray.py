"""The ``ray`` executor on a local Ray instance and on a real two-node cluster on this
machine (``ray.cluster_utils.Cluster``, 127.0.0.1 only), started by the tests (marker
``ray``)."""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import tempfile
import time

import numpy as np
import pytest
import soundfile as sf

from audiostyle.batch import run_batch
from audiostyle.plugins import create
from tests.conftest import SR, TINY
from tests.test_batch import MANIFEST, invoke, ledger_lines, write_clips

pytestmark = pytest.mark.ray
# Every Ray process of these tests on the loopback address only, and their sessions (and
# Ray's "current cluster" file) in a folder of their own: other Ray users on the machine
# neither see these clusters nor are seen. Both are read when ray is imported.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
OWN_TMPDIR = "RAY_TMPDIR" not in os.environ
if OWN_TMPDIR:
    os.environ["RAY_TMPDIR"] = tempfile.mkdtemp(prefix="asray-", dir="/tmp")
ray = pytest.importorskip("ray", reason='needs the ray extra: pip install -e ".[ray]"')


@pytest.fixture(scope="module", autouse=True)
def ray_tmpdir():
    """Remove the Ray sessions of this module's clusters when it is done."""
    yield
    if ray.is_initialized():
        ray.shutdown()
    if OWN_TMPDIR:
        shutil.rmtree(os.environ["RAY_TMPDIR"], ignore_errors=True)


def test_executor_starts_and_stops_its_own_local_instance():
    assert not ray.is_initialized()
    with create("executor", "ray", {"workers": 2}) as ex:
        results = {r.index: r for r in ex.map(math.sqrt, [4.0, -1.0, 9.0])}
        assert ray.cluster_resources()["CPU"] == 2
        assert "ray on a local instance" in ex.describe()
    assert not ray.is_initialized()  # it started Ray, so it stopped it
    assert results[0].value == 2.0 and results[2].value == 3.0
    assert not results[1].ok and results[1].error == "ValueError: math domain error"


@pytest.fixture(scope="module")
def ray_session():
    """A local Ray instance: two CPUs, no dashboard."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_a_dead_worker_fails_only_its_task(ray_session):
    with create("executor", "ray", {"max_retries": 0}) as ex:
        results = {r.index: r for r in ex.map(os._exit, [3])}
        assert not results[0].ok and "Crashed" in results[0].error
        assert [r.value for r in ex.map(abs, [-1, -2, -3])] != []
    assert ray.is_initialized()  # a session it did not start is left running


def test_gpu_request_on_a_cpu_cluster_is_refused(ray_session):
    from audiostyle.executors.ray_executor import ExecutorError

    with create("executor", "ray", {"gpus_per_task": 1}) as ex:
        with pytest.raises(ExecutorError, match="asks for 1 GPU but the Ray cluster has 0"):
            list(ex.map(abs, [1]))


def test_ray_rows_equal_local_rows(ray_session, tmp_path):
    write_clips(tmp_path / "in")
    manifest = tmp_path / "in" / "rows.csv"
    manifest.write_text(MANIFEST)
    results = {}
    for name, options in (("local", {"workers": 2}), ("ray", {})):
        results[name] = run_batch(
            manifest,
            out_dir=tmp_path / name,
            executor=name,
            executor_options=options,
            report=tmp_path / f"{name}.json",
            **TINY,
        )
    for result in results.values():
        assert result.counts == {"done": 3, "skipped": 0, "failed": 1, "cancelled": 0, "pending": 0}
        (failed,) = result.failed
        assert failed.number == 4 and "digital silence" in failed.error
    assert "ray on a local instance" in results["ray"].executor
    for out in ("a.wav", "seeded/b.wav", "c.flac"):
        local, remote = sf.read(tmp_path / "local" / out)[0], sf.read(tmp_path / "ray" / out)[0]
        assert len(local) > 0
        np.testing.assert_array_equal(local, remote)
    workers = {r["worker"] for r in json.loads((tmp_path / "ray.json").read_text())["rows"]}
    assert os.getpid() not in {int(w.rsplit(":", 1)[1]) for w in workers}
    ledger = ledger_lines(tmp_path / "ray")
    assert sorted(e["output"] for e in ledger) == ["a.wav", "c.flac", "seeded/b.wav"]
    assert {e["threads"] for e in ledger} == {1}
    # Resumed on Ray: nothing to redo.
    again = run_batch(manifest, out_dir=tmp_path / "ray", executor="ray", **TINY)
    assert again.counts["skipped"] == 3 and again.counts["done"] == 0


@pytest.fixture
def no_session():
    """No Ray session in this process (the module's shared one, if any, is stopped)."""
    if ray.is_initialized():
        ray.shutdown()
    yield
    if ray.is_initialized():
        ray.shutdown()


# -- connecting as Ray's tools do ------------------------------------------------------------------
def test_the_address_comes_from_the_option_ray_address_or_a_started_cluster(monkeypatch):
    from audiostyle.executors import ray_executor
    from audiostyle.executors.ray_executor import ExecutorError

    def target(address=None):
        return create("executor", "ray", {"address": address} if address else {}).target()

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(ray_executor, "_started_cluster", lambda: None)
    assert target() == (None, "local")
    with pytest.raises(ExecutorError, match="--address auto found no Ray cluster"):
        target("auto")
    monkeypatch.setattr(ray_executor, "_started_cluster", lambda: "10.0.0.5:6379")
    assert target() == ("10.0.0.5:6379", "the cluster 'ray start' started on this machine")
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.9:6379")
    assert target() == ("10.0.0.9:6379", "RAY_ADDRESS")
    assert target("auto") == ("10.0.0.9:6379", "RAY_ADDRESS")
    assert target("1.2.3.4:1") == ("1.2.3.4:1", "--address")
    assert target("local") == (None, "local")


def test_an_address_that_does_not_answer_fails_at_once_naming_it(no_session, monkeypatch, tmp_path):
    from audiostyle.executors.ray_executor import ExecutorError

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{port}")
    t = time.perf_counter()
    with pytest.raises(ExecutorError) as info:
        create("executor", "ray").start()
    assert time.perf_counter() - t < 10
    text = str(info.value)
    assert f"cannot reach Ray at '127.0.0.1:{port}' (from RAY_ADDRESS)" in text
    assert "\n" not in text and not ray.is_initialized()
    write_clips(tmp_path)
    (tmp_path / "m.csv").write_text("content,style,output\nmale.wav,female.wav,a.wav\n")
    r = invoke("batch", tmp_path / "m.csv", "-d", tmp_path / "o", "--executor", "ray")
    assert r.exit_code == 1 and f"cannot reach Ray at '127.0.0.1:{port}'" in r.output


# -- a real two-node cluster on this machine ------------------------------------------------
@pytest.fixture(scope="module")
def cluster():
    """A head node and a worker node, one CPU each, on 127.0.0.1; no driver connected."""
    from ray.cluster_utils import Cluster

    if ray.is_initialized():
        ray.shutdown()
    if ray._private.ray_constants.ENABLE_RAY_CLUSTER:  # it would bind the node's address
        pytest.fail(
            "ray was imported before tests/test_ray.py set RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0; "
            "the cluster would not stay on 127.0.0.1"
        )
    c = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "include_dashboard": False},
    )
    c.add_node(num_cpus=1)
    yield c
    c.shutdown()


@pytest.fixture
def on_cluster(cluster, monkeypatch):
    """RAY_ADDRESS names the cluster, as a Ray user's shell would."""
    monkeypatch.setenv("RAY_ADDRESS", cluster.address)
    yield cluster.address
    if ray.is_initialized():
        ray.shutdown()


class DeleteInputs:
    """A progress display that deletes the batch's input files when the run starts
    (after planning): the workers cannot read them any more."""

    def __init__(self, files):
        self.files = files
        self.described = ""

    def start(self, stats, *, executor):
        self.described = executor
        for f in self.files:
            f.unlink()

    def advance(self, outcome, stats):
        pass

    def close(self):
        pass


@pytest.mark.slow
def test_shipping_completes_with_inputs_deleted_after_planning(on_cluster, tmp_path):
    clips = write_clips(tmp_path / "in")
    manifest = tmp_path / "in" / "rows.csv"
    rows = ["content,style,output,seed"]
    rows += [f"male.wav,female.wav,r{i}.wav,{i % 2}" for i in range(4)]
    rows += ["chirp.wav,female.wav,c.wav,", "male.wav,chirp.wav,m.wav,"]
    manifest.write_text("\n".join(rows) + "\n")
    progress = DeleteInputs([clips[n] for n in ("male.wav", "female.wav", "chirp.wav")])
    report = tmp_path / "r.json"
    result = run_batch(
        manifest,
        out_dir=tmp_path / "out",
        executor="ray",  # no address: RAY_ADDRESS is honoured
        report=report,
        progress=progress,
        **TINY,
    )
    assert result.ok, result.summary()
    assert f"ray on {on_cluster}" in progress.described
    assert "2 nodes" in progress.described and "inputs shipped" in progress.described
    assert not ray.is_initialized()  # it connected, so it disconnected
    rows = json.loads(report.read_text())["rows"]
    assert len({row["worker"] for row in rows}) == 2  # both nodes' workers took rows
    assert all(row["attempts"] == 1 and row["cpu_seconds"] > 0 for row in rows)
    assert any(row["warm"] for row in rows)  # a worker reused a recipe + style
    for i in range(4):
        assert sf.info(tmp_path / "out" / f"r{i}.wav").frames == SR // 2
    # The same samples as a row on the local pool (inputs by path).
    write_clips(tmp_path / "again")
    (tmp_path / "again" / "rows.csv").write_text(manifest.read_text())
    local = run_batch(
        tmp_path / "again" / "rows.csv",
        out_dir=tmp_path / "local",
        executor_options={"workers": 1},
        **TINY,
    )
    assert local.ok
    for name in ("r0.wav", "r3.wav", "m.wav"):
        np.testing.assert_array_equal(
            sf.read(tmp_path / "out" / name)[0], sf.read(tmp_path / "local" / name)[0]
        )


@pytest.mark.slow
def test_paths_mode_names_the_node_and_workers_write_a_shared_out_dir(on_cluster, tmp_path):
    clips = write_clips(tmp_path / "in")
    manifest = tmp_path / "in" / "rows.csv"
    manifest.write_text("content,style,output\nmale.wav,female.wav,a.wav\n")
    opts = {"inputs": "paths", "outputs": "workers"}
    progress = DeleteInputs([clips["male.wav"]])
    result = run_batch(
        manifest,
        out_dir=tmp_path / "out",
        executor="ray",
        executor_options=opts,
        progress=progress,
        **TINY,
    )
    (failed,) = result.failed
    assert "content file" in failed.error and "does not exist on the worker's node" in failed.error
    assert "inputs=ship" in failed.error
    write_clips(tmp_path / "in")
    result = run_batch(
        manifest, out_dir=tmp_path / "out", executor="ray", executor_options=opts, **TINY
    )
    assert result.ok and "outputs written by workers" in result.executor
    (row,) = result.rows
    assert int(row.worker.rsplit(":", 1)[1]) != os.getpid()
    assert sf.info(tmp_path / "out" / "a.wav").frames == SR // 2
    (entry,) = ledger_lines(tmp_path / "out")
    assert entry["output_size"] == (tmp_path / "out" / "a.wav").stat().st_size


class CrashOnce:
    """Wraps a task function: the first attempt of task 0 kills its worker process."""

    def __init__(self, fn, marker):
        self.fn, self.marker = fn, str(marker)

    def __call__(self, task):
        if task.number == 1 and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(9)
        return self.fn(task)


def test_a_killed_worker_is_retried_and_the_retry_is_reported(on_cluster, tmp_path):
    from audiostyle.executors.ray_executor import RayExecutor

    class Crashing(RayExecutor):
        def map(self, fn, tasks, **kwargs):
            return super().map(CrashOnce(fn, tmp_path / "crashed"), tasks, **kwargs)

    write_clips(tmp_path / "in")
    manifest = tmp_path / "in" / "rows.csv"
    manifest.write_text(MANIFEST)
    report = tmp_path / "r.json"
    with Crashing(create("executor", "ray").options) as ex:
        result = run_batch(manifest, out_dir=tmp_path / "out", executor=ex, report=report, **TINY)
    assert (tmp_path / "crashed").exists()
    assert result.counts["done"] == 3 and result.retries == 1
    assert any("1 retry: a worker or node died" in line for line in result.summary())
    data = json.loads(report.read_text())
    assert data["retries"] == 1
    assert {row["row"]: row["attempts"] for row in data["rows"]} == {1: 2, 2: 1, 3: 1, 4: 1}


def test_runtime_env_reaches_the_workers(on_cluster, tmp_path):
    env = tmp_path / "env.yaml"
    env.write_text("env_vars:\n  AUDIOSTYLE_RUNTIME_PROBE: shipped\n")
    with create("executor", "ray", {"runtime_env": str(env)}) as ex:
        (result,) = list(ex.map(os.getenv, ["AUDIOSTYLE_RUNTIME_PROBE"]))
    assert result.ok and result.value == "shipped"
    from audiostyle.errors import ParameterError

    with pytest.raises(ParameterError, match="neither JSON"):
        create("executor", "ray", {"runtime_env": "pip: [x]"})
