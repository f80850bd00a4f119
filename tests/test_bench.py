"""``audiostyle bench``: the grid, the runner, the results and the command line."""

import csv
import io
import json
import pickle

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from audiostyle import bench, plugins
from audiostyle.api import resolve_recipe
from audiostyle.bench.grid import apply_point, expand, label, parse_axis, parse_grid
from audiostyle.bench.results import BenchResult, format_value
from audiostyle.cli.app import build_app
from audiostyle.errors import ParameterError, UnknownBackendError
from audiostyle.suites.base import Case, Suite
from tests.conftest import SR, TINY, chirp

# Two Adam steps: the bench machinery, not the optimiser, is under test here.
FAST = {**TINY, "optimizer": "adam", "steps": 2}
FAST_FLAGS = [
    "--sample-rate",
    str(SR),
    "--transform-opt",
    "n_fft=256",
    "--network-opt",
    "n_filters=32",
    "--optimizer",
    "adam",
    "--steps",
    "2",
    "--device",
    "cpu",
    "--threads",
    "1",
]
CHEAP_METRICS = [bench.MetricSpec("lsd"), bench.MetricSpec("mfcc-timbre")]

runner = CliRunner()


def invoke(*args):
    return runner.invoke(build_app(), [str(a) for a in args])


# -- the grid ---------------------------------------------------------------------------
def test_parse_axes():
    assert parse_axis("transform=librosa, torchaudio").values == ("librosa", "torchaudio")
    assert parse_axis("transform.n-fft=512,1024").key == "transform.n_fft"
    assert parse_axis("content-weight=0,1").key == "content_weight"
    assert parse_axis("losses.style.normalize=frames,elements").key == "loss.style.normalize"
    assert parse_axis("network.kernel_sizes=3,5;11").values == ("3,5", "11")
    axes = parse_grid({"phase.n_iter": [16, 64], "transform": "librosa"})
    assert [(a.key, a.values) for a in axes] == [
        ("phase.n_iter", ("16", "64")),
        ("transform", ("librosa",)),
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("transfrom=librosa", "Did you mean 'transform'"),
        ("steps", "not KEY=V1,V2"),
        ("steps=", "gives no values"),
        ("steps=1,1", "repeats a value"),
    ],
)
def test_bad_axes_say_what_to_do(spec, message):
    with pytest.raises(ParameterError, match=message):
        parse_axis(spec)


def test_an_axis_given_twice_is_refused():
    with pytest.raises(ParameterError, match="given twice"):
        parse_grid(["steps=1,2", "steps=3"])


def test_expand_and_apply():
    points = expand(parse_grid(["transform=librosa,torch", "transform.n_fft=256,512"]))
    assert [label(p) for p in points] == [
        "transform=librosa transform.n_fft=256",
        "transform=librosa transform.n_fft=512",
        "transform=torch transform.n_fft=256",
        "transform=torch transform.n_fft=512",
    ]
    assert expand([]) == [{}]
    base = resolve_recipe(**FAST)
    # The stage name is applied first, then its options, whatever the order given.
    r = apply_point(
        base,
        {
            "phase.n_iter": "7",
            "phase": "fast-griffin-lim",
            "content_weight": "0.5",
            "loss.style.normalize": "elements",
            "steps": "3",
        },
    )
    assert (r.phase.name, r.phase.options["n_iter"], r.steps) == ("fast-griffin-lim", "7", 3)
    assert r.content_weight == 0.5 and r.losses["style"].options["normalize"] == "elements"
    assert base.phase.name == "griffin-lim"  # the base is not modified


def test_plan_validates_every_point_before_running(wav_files):
    content, style = wav_files
    case = bench.CaseSpec("c", str(content), str(style))
    base = resolve_recipe(**FAST)
    with pytest.raises(ParameterError, match="grid point transform.n_fft=abc"):
        bench.plan([case], parse_grid(["transform.n_fft=256,abc"]), base)
    with pytest.raises(UnknownBackendError, match="grid point phase=grifin-lim"):
        bench.plan([case], parse_grid(["phase=griffin-lim,grifin-lim"]), base)
    with pytest.raises(UnknownBackendError, match="no quality metric named 'lds'"):
        bench.plan([case], [], base, metrics=[bench.MetricSpec("lds")])
    with pytest.raises(ParameterError, match="no cases"):
        bench.plan([], [], base)


def test_plan_notes_points_that_resolve_to_the_same_output(wav_files):
    content, style = wav_files
    case = bench.CaseSpec("c", str(content), str(style))
    grid = parse_grid(["phase=griffin-lim,fast-griffin-lim"])
    # 0 iterations from the content's phase: both phase variants write the same wave.
    p = bench.plan([case], grid, resolve_recipe(**FAST, phase_options={"n_iter": 0}))
    assert len(p.notes) == 1 and "identical" in p.notes[0], p.notes
    p = bench.plan([case], grid, resolve_recipe(**FAST, phase_options={"n_iter": 4}))
    assert p.notes == []


# -- a tiny real bench, run once for several tests ---------------------------------------
@pytest.fixture(scope="module")
def tiny_bench(tmp_path_factory):
    """1 case (0.5 s of real speech) × 2 transforms × 2 timed runs, plus transform cells."""
    from audiostyle.api import demo_clip

    tmp = tmp_path_factory.mktemp("bench")
    case = bench.CaseSpec(
        "speech",
        str(demo_clip("content")),
        str(demo_clip("style")),
        offset=0.5,
        duration=0.5,
        style_offset=0.5,
        style_duration=0.5,
    )
    axes = parse_grid(["transform=librosa,torch"])
    base = resolve_recipe(**FAST, phase_options={"n_iter": 4, "init": "random"})
    the_plan = bench.plan(
        [case],
        axes,
        base,
        mode="both",
        repeat=2,
        transform_repeat=3,
        metrics=CHEAP_METRICS,
        threads=1,
    )
    seen = []

    def recording_map(fn, items):  # what an executor does: ship each cell, run it
        for item in items:
            seen.append(item)
            yield fn(pickle.loads(pickle.dumps(item)))

    result = bench.run(the_plan, map_fn=recording_map)
    return result, seen, tmp


def test_tiny_bench_rows(tiny_bench):
    result, seen, tmp = tiny_bench
    assert [r["kind"] for r in result.rows] == [
        "baseline",
        "transfer",
        "transfer",
        "transform",
        "transform",
    ]
    assert len(seen) == 5 and not result.errors
    base, *transfers = result.by_kind("baseline") + result.by_kind("transfer")
    # The do-nothing row: the content is at distance 0 from itself.
    assert base["lsd.to_content"] == 0.0 and base["mfcc-timbre.to_content"] == 0.0
    assert base["mfcc-timbre.to_style"] > 0
    for row in transfers:
        assert row["repeats"] == 2 and row["steps"] == 2
        for stage in ("load", "setup", "analysis", "optimize", "phase", "total"):
            assert row[f"time.{stage}"] > 0 and row[f"time.{stage}.spread"] >= 0
        assert row["peak_mb"] is not None and row["peak_mb"] >= 0
        assert row["losses.style"] > 0 and row["losses.content"] >= 0
        assert row["losses.style"] <= row["losses.style.initial"]
        assert row["lsd.to_content"] > 0  # the output moved away from the content
        assert row["recipe"]["transform"]["name"] == row["transform"]
    assert {r["transform"] for r in transfers} == {"librosa", "torch"}


def test_transform_cells_measure_round_trip_and_phase(tiny_bench):
    result, _, _ = tiny_bench
    rows = result.by_kind("transform")
    assert {r["transform"] for r in rows} == {"librosa", "torch"}
    for row in rows:
        assert row["time.stft"] > 0 and row["time.istft"] > 0
        assert row["roundtrip.snr_db"] > 60  # a perfect-reconstruction STFT pair
        assert row["phase.n_iter"] == 4 and row["phase.init"] == "random"
        assert 0 < row["phase.spectral_convergence"] < 1
        assert row["phase.snr_db"] == pytest.approx(
            -20 * np.log10(row["phase.spectral_convergence"])
        )
    # Both backends compute the same transform: the same phase quality.
    a, b = rows
    assert a["phase.spectral_convergence"] == pytest.approx(
        b["phase.spectral_convergence"], rel=1e-3
    )


def test_table_json_and_csv_agree(tiny_bench, tmp_path):
    result, _, _ = tiny_bench
    data = json.loads(result.to_json(tmp_path / "b.json"))
    assert data == json.loads((tmp_path / "b.json").read_text())
    rows = list(csv.DictReader(io.StringIO(result.to_csv(tmp_path / "b.csv"))))
    assert (tmp_path / "b.csv").read_text() == result.to_csv()
    table = result.table()
    sections = [part.splitlines() for part in table.split("\n\n")]
    assert len(rows) == len(data["rows"]) == len(result.rows)
    for j, c in zip(data["rows"], rows, strict=True):
        for key, value in j.items():
            if isinstance(value, float):
                assert float(c[key]) == value, key  # CSV keeps full precision
            elif isinstance(value, str) and key != "error":
                assert c[key] == value
        section = sections[1] if j["kind"] == "transform" else sections[0]
        line = next(ln for ln in section if ln.startswith(j["case"]) and j["variant"] in ln)
        keys = (
            ["lsd.to_content", "mfcc-timbre.to_style"]
            if j["kind"] != "transform"
            else [
                "roundtrip.snr_db",
                "phase.spectral_convergence",
            ]
        )
        if j["kind"] == "transfer":
            keys += ["time.total", "losses.style"]
        for key in keys:
            assert format_value(j[key]) in line, (key, line)
    assert "transfer, 2 timed runs per cell" in table
    assert "transform (no optimisation), 3 timed runs per cell" in table
    again = BenchResult.from_json(tmp_path / "b.json")
    assert again.table() == table


def test_results_keep_notes_and_turn_non_finite_values_into_null():
    row = {
        "cell": 0,
        "kind": "transfer",
        "case": "c",
        "variant": "steps=1",
        "time.total": 1.5,
        "time.total.spread": 0.25,
        "lsd.to_content": float("nan"),
        "notes": ["metric wer skipped: it needs content or text"],
        "error": None,
        "recipe": {"steps": 1},
    }
    result = BenchResult(
        [row], axes=["steps"], notes=["a planning note"], meta={"higher_is_better": {"lsd": False}}
    )
    data = json.loads(result.to_json())
    assert data["rows"][0]["lsd.to_content"] is None
    assert data["notes"] == ["a planning note", "metric wer skipped: it needs content or text"]
    table = result.table()
    assert "1.5±0.125" in table and "a planning note" in table
    line = next(ln for ln in table.splitlines() if ln.startswith("c "))
    assert line.split()[-1] == "-"  # NaN shows as "-"
    assert BenchResult.from_json(result.to_json()).table() == table
    assert next(csv.DictReader(io.StringIO(result.to_csv())))["lsd.to_content"] == ""


def test_the_best_variant_is_starred(tiny_bench):
    result, _, _ = tiny_bench
    lines = result.table().splitlines()
    transfer = [ln for ln in lines if "transform=" in ln][:2]
    stars = [ln.count("*") for ln in transfer]
    assert sum(stars) >= 1  # at least the faster of the two totals
    baseline = next(ln for ln in lines if "baseline" in ln)
    assert "*" not in baseline


def test_a_failing_cell_is_reported_and_the_others_still_run(wav_files, tmp_path):
    content, style = wav_files
    short = tmp_path / "short.wav"
    sf.write(short, chirp(200, 800)[:100], SR)  # shorter than n_fft
    cases = [
        bench.CaseSpec("short", str(short), str(style)),
        bench.CaseSpec("ok", str(content), str(style)),
    ]
    result = bench.run(bench.plan(cases, [], resolve_recipe(**FAST), metrics=[], baseline=False))
    bad, good = result.rows
    assert "shorter than the analysis window" in bad["error"] and good["error"] is None
    assert "errors:" in result.table() and "cell 0 (short" in result.table()


def test_metrics_without_their_input_or_extra_are_skipped_with_a_note(monkeypatch, speech):
    import sys

    from audiostyle.metrics import perceptual

    notes = []
    out = bench.score(
        [bench.MetricSpec("lsd")],
        speech,
        sample_rate=SR,
        style=speech,
        notes=notes,
    )
    assert out == {} and notes[0] == "metric lsd skipped: it needs content or target"
    perceptual.voice_encoder.cache_clear()
    monkeypatch.setitem(sys.modules, "resemblyzer", None)
    try:
        out = bench.score(
            [bench.MetricSpec("speaker-similarity")],
            speech,
            sample_rate=SR,
            style=speech,
            notes=notes,
        )
    finally:
        perceptual.voice_encoder.cache_clear()
    assert out == {} and "pip install 'audiostyle[eval]'" in notes[1]


def test_peak_memory_sees_native_buffers():
    from audiostyle.bench.runner import PeakMemory

    with PeakMemory() as small:
        np.ones(1_000).sum()
    with PeakMemory() as big:
        a = np.ones(40_000_000 // 8)  # 40 MB that numpy allocates natively
        a.sum()
        del a
    assert big.peak_mb >= 30 and small.peak_mb < 30
    assert big.method in ("vmhwm", "maxrss")


# -- the command line -------------------------------------------------------------------
def test_cli_bench_writes_table_json_csv(wav_files, tmp_path):
    content, style = wav_files
    out = tmp_path / "out"
    r = invoke(
        "bench",
        "--pair",
        content,
        style,
        "--grid",
        "phase=griffin-lim,fast-griffin-lim",
        "--phase-opt",
        "n_iter=2",
        "--metric",
        "lsd",
        "--out-dir",
        out,
        "--json",
        tmp_path / "b.json",
        "--audio-dir",
        tmp_path / "wav",
        *FAST_FLAGS,
    )
    assert r.exit_code == 0, r.output
    data = json.loads((out / "bench.json").read_text())
    assert data == json.loads((tmp_path / "b.json").read_text())
    rows = list(csv.DictReader((out / "bench.csv").open()))
    assert [row["variant"] for row in rows] == [
        "baseline (content as output)",
        "phase=griffin-lim",
        "phase=fast-griffin-lim",
    ]
    assert (out / "bench.txt").read_text() in r.output
    assert "lsd.to_content" in r.output and "[3/3]" in r.output
    wavs = sorted((tmp_path / "wav").glob("*.wav"))
    assert len(wavs) == 2 and sf.info(wavs[0]).frames == sf.info(content).frames
    # Outputs are never overwritten without --force, and nothing runs first.
    r = invoke("bench", "--pair", content, style, "--out-dir", out, *FAST_FLAGS)
    assert r.exit_code == 2 and "already exists" in r.output and "--force" in r.output
    assert "[1/" not in r.output


def test_cli_cases_file_with_grid_and_transform_mode(wav_files, tmp_path):
    content, style = wav_files
    cases = tmp_path / "cases.toml"
    cases.write_text(
        f"""
[defaults]
duration = 0.4

[[case]]
name = "one"
content = "{content.name}"
style = "{style.name}"

[grid]
transform = ["librosa", "torch"]
"phase.n_iter" = [1, 3]
"""
    )
    r = invoke(
        "bench",
        "--cases",
        cases,
        "--mode",
        "transform",
        "--csv",
        tmp_path / "t.csv",
        "--phase-opt",
        "init=random",
        *FAST_FLAGS,
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader((tmp_path / "t.csv").open()))
    assert len(rows) == 4 and {row["kind"] for row in rows} == {"transform"}
    assert {(row["transform"], row["phase.n_iter"]) for row in rows} == {
        ("librosa", "1"),
        ("librosa", "3"),
        ("torch", "1"),
        ("torch", "3"),
    }
    assert all(int(row["samples"]) == int(0.4 * SR) for row in rows)
    # More Griffin-Lim iterations give a closer magnitude.
    sc = {
        (row["transform"], row["phase.n_iter"]): float(row["phase.spectral_convergence"])
        for row in rows
    }
    assert sc[("torch", "3")] < sc[("torch", "1")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "no cases"),
        (("--grid", "transfrom=torch"), "Did you mean 'transform'"),
        (("--mode", "fast"), "not one of transfer, transform, both"),
        (("--metric", "lds"), "Did you mean 'lsd'"),
        (("--metric-opt", "dnsmos.personalized=true", "--metric", "lsd"), "add --metric dnsmos"),
    ],
)
def test_cli_errors_are_one_clear_line(wav_files, args, message):
    content, style = wav_files
    pair = () if args == () else ("--pair", content, style)
    r = invoke("bench", *pair, *args, *FAST_FLAGS)
    assert r.exit_code != 0 and message in r.output, r.output
    assert "Traceback" not in r.output


class TinySuite(Suite):
    """A two-case suite of real speech and a chirp, with a target and a text."""

    def cases(self, *, size, seed, cache_dir, duration, sample_rate):
        from audiostyle.api import demo_clip
        from audiostyle.audio import load

        cache_dir.mkdir(parents=True, exist_ok=True)
        speech = load(demo_clip("content"), sample_rate=sample_rate, duration=duration)
        content, target = cache_dir / "content.wav", cache_dir / "target.wav"
        for path in (content, target):  # FLOAT: exact copies, no 16-bit rounding
            sf.write(path, speech, sample_rate, subtype="FLOAT")
        style = cache_dir / "chirp.wav"
        sf.write(style, chirp(300, 3000, seconds=duration, sample_rate=sample_rate), sample_rate)
        return [
            Case(f"case{i}-seed{seed}", content, style, target=target, text="hi")
            for i in range(size)
        ]


class TinySuitePlugin:
    @plugins.hookspecs.hookimpl
    def register_suites(self, register):
        register("tiny-suite", TinySuite, description="two cases for the bench tests")


@pytest.fixture
def tiny_suite():
    plugins.registry.register_plugin(TinySuitePlugin(), name="tiny-suite-plugin")
    try:
        yield "tiny-suite"
    finally:
        plugins.registry.unregister_plugin("tiny-suite-plugin")


def test_cli_suite_cases_with_targets(tiny_suite, tmp_path):
    r = invoke(
        "bench",
        "--suite",
        tiny_suite,
        "--suite-size",
        "2",
        "--suite-seed",
        "3",
        "--cache-dir",
        tmp_path / "cache",
        "--duration",
        "0.5",
        "--metric",
        "lsd",
        "--metric",
        "mfcc-timbre",
        "--json",
        tmp_path / "s.json",
        "--quiet",
        *FAST_FLAGS,
    )
    assert r.exit_code == 0, r.output
    rows = json.loads((tmp_path / "s.json").read_text())["rows"]
    assert [row["case"] for row in rows] == ["case0-seed3"] * 2 + ["case1-seed3"] * 2
    baseline, transfer = rows[:2]
    # The target is the content here: the baseline scores 0 against it too.
    assert baseline["lsd.to_target"] == 0.0 and baseline["mfcc-timbre.to_target"] == 0.0
    assert transfer["lsd.to_target"] > 0 and "mfcc-timbre.to_style" in transfer
    assert "[1/" not in r.output  # --quiet


@pytest.fixture
def no_synthesizers(tmp_path, monkeypatch):
    """A PATH without fluidsynth, espeak-ng or festival (how the suites look for them)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.parametrize(
    ("suite", "package"), [("timbre", "fluidsynth fluid-soundfont-gm"), ("voices", "espeak-ng")]
)
def test_cli_skips_a_suite_whose_synthesizer_is_missing(
    wav_files, tmp_path, no_synthesizers, suite, package
):
    content, style = wav_files
    r = invoke(
        "bench",
        "--suite",
        suite,
        "--cache-dir",
        tmp_path / "cache",
        "--pair",
        content,
        style,
        "--metric",
        "lsd",
        "--json",
        tmp_path / "b.json",
        "--quiet",
        *FAST_FLAGS,
    )
    assert r.exit_code == 0, r.output
    skipped = [line for line in r.output.splitlines() if "skipped" in line]
    assert len(skipped) == 1, r.output
    assert f"suite {suite!r} skipped" in skipped[0]
    assert f"apt-get install {package}" in skipped[0]
    rows = json.loads((tmp_path / "b.json").read_text())["rows"]
    assert [row["kind"] for row in rows] == ["baseline", "transfer"]
    assert {row["case"] for row in rows} == {f"{content.stem}-to-{style.stem}"}
    assert not (tmp_path / "cache").exists()  # nothing was generated


def test_cli_says_nothing_ran_when_the_only_suite_is_skipped(tmp_path, no_synthesizers):
    r = invoke("bench", "--suite", "timbre", "--cache-dir", tmp_path / "cache", *FAST_FLAGS)
    assert r.exit_code == 2, r.output
    assert "nothing ran: suite 'timbre'" in r.output
    assert "apt-get install fluidsynth fluid-soundfont-gm" in r.output and "--pair" in r.output
    assert "Traceback" not in r.output and "[1/" not in r.output


@pytest.mark.slow
def test_cli_plot_writes_spectrograms_and_loss_curves(wav_files, tmp_path):
    content, style = wav_files
    r = invoke(
        "bench",
        "--pair",
        content,
        style,
        "--plot",
        tmp_path / "plots",
        "--metric",
        "none",
        "--json",
        tmp_path / "p.json",
        *FAST_FLAGS,
    )
    assert r.exit_code == 0, r.output
    rows = json.loads((tmp_path / "p.json").read_text())["rows"]
    pngs = sorted((tmp_path / "plots").glob("*.png"))
    assert [str(p) for p in pngs] == [rows[1]["plot"]] and "plot" not in rows[0]
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(pngs[0]) as image:
        width, height = image.size
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert width > 600 and height > 300 and pixels.std() > 10  # a picture, not a blank


@pytest.mark.slow
def test_isolated_map_runs_each_cell_in_a_fresh_process(wav_files):
    import os

    content, style = wav_files
    case = bench.CaseSpec("c", str(content), str(style))
    cells = bench.plan([case], [], resolve_recipe(**FAST), mode="transform").cells
    rows = list(bench.isolated_map(bench.run_cell, cells))
    assert rows[0]["error"] is None and rows[0]["roundtrip.snr_db"] > 60
    pids = list(bench.isolated_map(_pid, [1, 2]))
    assert len(set(pids)) == 2 and os.getpid() not in pids


def _pid(_):
    import os

    return os.getpid()
