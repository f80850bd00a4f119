"""The ``ray`` executor on a local Ray instance started by the test (marker ``ray``)."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
import soundfile as sf

from audiostyle.batch import run_batch
from audiostyle.plugins import create
from tests.conftest import TINY
from tests.test_batch import MANIFEST, ledger_lines, write_clips

pytestmark = pytest.mark.ray
ray = pytest.importorskip("ray", reason='needs the ray extra: pip install -e ".[ray]"')


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
