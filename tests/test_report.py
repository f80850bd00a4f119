"""HTML reports: the page, its assets, its table, and the page in a real browser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from audiostyle.errors import OutputExistsError, ParameterError
from audiostyle.report import Clip, Column, Output, Report, Table, TableRow, assets_dir, write
from audiostyle.report.validate import problems
from tests.conftest import SR, TINY, noise, sine, tiny_flags

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LIGHT = {**TINY, "steps": 2}


# -- fixtures: one tiny real transfer and one tiny real bench, shared by the tests -------
@pytest.fixture(scope="module")
def result():
    import audiostyle

    return audiostyle.transfer(
        audiostyle.demo_clip("content"),
        audiostyle.demo_clip("style"),
        offset=0.5,
        duration=0.75,
        style_duration=0.75,
        progress=False,
        **LIGHT,
    )


@pytest.fixture(scope="module")
def bench_result():
    from audiostyle import bench
    from audiostyle.api import demo_clip, resolve_recipe

    case = bench.CaseSpec(
        "m2f",
        str(demo_clip("content")),
        str(demo_clip("style")),
        offset=0.5,
        duration=0.5,
        style_duration=0.5,
    )
    axes = bench.parse_grid(["phase=griffin-lim,fast-griffin-lim", "steps=1,2"])
    base = resolve_recipe(**LIGHT, phase_options={"n_iter": 4, "init": "random"})
    plan = bench.plan([case], axes, base, metrics=[bench.MetricSpec("lsd")], keep_outputs=True)
    return bench.run(plan)


def _page_assets(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return re.findall(r'(?:src|href)="([^"#][^"]*)"', text)


def _alt_scales(text: str) -> set[str]:
    return set(re.findall(r"level (-?\d+) to (-?\d+) dBFS", text))


# -- the data model -----------------------------------------------------------------------
def test_best_follows_each_columns_direction_within_each_partition():
    cols = [
        Column("sim", "sim", higher_is_better=True),
        Column("lsd", "lsd", higher_is_better=False),
        Column("trade", "trade", higher_is_better=None),
    ]
    rows = [
        TableRow("a", "a", {"sim": 0.9, "lsd": 3.0, "trade": 1.0}, partition="x"),
        TableRow("b", "b", {"sim": 0.5, "lsd": 1.0, "trade": 2.0}, partition="x"),
        TableRow("base", "base", {"sim": 1.0, "lsd": 0.0}, partition="x", rank=False),
        TableRow("c", "c", {"sim": float("nan"), "lsd": 9.0}, partition="y"),
        TableRow("d", "d", {"sim": 0.1, "lsd": 2.0}, partition="y"),
        TableRow("e", "e", {"sim": 5.0, "lsd": 0.1}, partition="y", error="boom"),
    ]
    best = Table(cols, rows).best()
    # the reference row and the failed row never win; NaN is not a value; the trade-off
    # column is not ranked; a partition with one finite value has no best there
    assert best == {("sim", "a"), ("lsd", "b"), ("lsd", "d")}


def test_report_rejects_duplicate_keys_and_dangling_links():
    clip = Clip("a", "a", "content", SR, audio=sine(440))
    with pytest.raises(ParameterError, match="share the key"):
        Report("t", "transfer", sources=[clip, clip]).check()
    out = Output(Clip("o", "o", "output", SR, audio=sine(440)), "o", sources={"style": "zz"})
    with pytest.raises(ParameterError, match="not a source"):
        Report("t", "transfer", sources=[clip], outputs=[out]).check()
    with pytest.raises(ParameterError, match="neither audio samples nor a file"):
        Clip("x", "x", "content", SR)


# -- a transfer's page ----------------------------------------------------------------------
def test_result_page_is_valid_self_contained_and_complete(result, tmp_path):
    import soundfile as sf

    page = result.to_html(tmp_path / "run.html", metrics=["lsd", "mfcc-timbre"])
    text = page.read_text(encoding="utf-8")
    assert problems(text) == []
    folder = assets_dir(page)
    # every resource is in the folder beside the page; nothing from the network
    refs = _page_assets(page)
    assert refs and all(r.startswith("run_files/") for r in refs)
    assert sorted(p.name for p in folder.iterdir()) == sorted({r.split("/", 1)[1] for r in refs})
    assert not re.search(r"(src|href)=\"(https?:)?//", text)
    assert "<link" not in text and "@import" not in text and "url(" not in text
    # three players (content, style, output), each labelled, each a real Vorbis file
    players = re.findall(r"<audio [^>]*>", text)
    assert len(players) == 3 and all('aria-label="Play ' in p for p in players)
    lengths = {}
    for ogg in folder.glob("*.ogg"):
        assert ogg.read_bytes()[:4] == b"OggS"
        y, rate = sf.read(ogg)
        lengths[ogg.stem.split("-", 1)[1]] = len(y)
        assert rate == SR and np.abs(y).max() > 0.01
    assert lengths == {"content": 6000, "style": 6000, "output": 6000}
    # spectrograms on one colour scale, described in their alt text; one loss plot
    imgs = re.findall(r"<img [^>]*>", text)
    assert len(imgs) == 4 and all(' alt="' in i for i in imgs)
    assert len(_alt_scales(text)) == 1
    assert "Loss curves of output" in text
    # the recipe, collapsed; the versions; the table scores the output and the content
    assert "<details><summary>Resolved recipe (TOML)</summary>" in text
    assert "[transform.options]" in text and "n_fft = 256" in text
    assert "torch " in text and "audiostyle " in text and "Made " in text
    assert re.search(r'<th scope="row">content \(do nothing\)</th>', text)
    assert "mfcc-timbre.to_style" in text


def test_spectrograms_share_scale_and_axes_across_clips(tmp_path):
    # A loud clip and a quiet one: the quiet one's picture must be darker, not rescaled.
    loud = sine(500, seconds=1.0)
    quiet = 0.01 * sine(1000, seconds=1.0)
    short = sine(1000, seconds=0.25)
    report = Report(
        "scale",
        "transfer",
        sources=[
            Clip("loud", "loud", "content", SR, audio=loud),
            Clip("short", "short", "style", SR, audio=short),
        ],
        outputs=[Output(Clip("quiet", "quiet", "output", SR, audio=quiet), "quiet")],
    )
    page = write(report, tmp_path / "scale.html")
    text = page.read_text(encoding="utf-8")
    (scale,) = _alt_scales(text)
    assert int(scale[1]) == pytest.approx(-6, abs=2)  # a 0.5 sine peaks at -6 dBFS
    assert text.count("time 0 to 1.00 s, frequency 0 to 4000 Hz") == 3  # same axes
    from PIL import Image

    pngs = sorted(assets_dir(page).glob("*-spectrogram.png"))
    sizes = {Image.open(p).size for p in pngs}
    assert len(sizes) == 1
    # the brightest pixel of each plot area (left of the colour bar): the tone's line
    peaks = []
    for p in pngs:
        grey = np.asarray(Image.open(p).convert("L"), dtype=float)
        h, w = grey.shape
        peaks.append(grey[int(0.1 * h) : int(0.75 * h), int(0.15 * w) : int(0.8 * w)].max())
    assert peaks[2] < peaks[0] - 80  # 002-quiet is 40 dB below 000-loud: darker, not rescaled


def test_fragment_for_notebooks_is_unchanged(result):
    frag = result.to_html()
    assert frag.startswith('<div class="audiostyle-result">') and "data:audio/ogg" in frag

    def strip(text):  # each Ogg stream gets a random serial number
        return re.sub(r"data:audio/ogg;base64,[^\"]+", "", text)

    assert strip(result._repr_html_()) == strip(frag)


def test_existing_report_needs_force_and_is_replaced_whole(result, tmp_path):
    page = tmp_path / "r.html"
    write(_small_report(), page)
    first = sorted(p.name for p in assets_dir(page).iterdir())
    with pytest.raises(OutputExistsError, match="--force"):
        write(_small_report(), page)
    (tmp_path / "other_files").mkdir()
    assets_dir(page).joinpath("stale.txt").write_text("x")
    write(_small_report(), page, force=True)
    assert sorted(p.name for p in assets_dir(page).iterdir()) == first  # stale file gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other_files", "r.html", "r_files"]


def test_bad_report_arguments_say_what_to_do(tmp_path):
    with pytest.raises(ParameterError, match="compressed audio"):
        write(_small_report(), tmp_path / "a.html", audio_format="wav")
    with pytest.raises(ParameterError, match="ending in .html"):
        write(_small_report(), tmp_path / "a.txt")
    with pytest.raises(ParameterError, match="does not exist; create it"):
        write(_small_report(), tmp_path / "no" / "a.html")
    (tmp_path / "b_files").write_text("in the way")
    with pytest.raises(ParameterError, match="move it away"):
        write(_small_report(), tmp_path / "b.html", force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b_files"]  # nothing left behind


def test_embedded_page_is_one_file(tmp_path):
    page = write(_small_report(), tmp_path / "one.html", embed=True, audio_format="flac")
    text = page.read_text(encoding="utf-8")
    assert problems(text) == []
    assert not assets_dir(page).exists()
    assert 'src="data:audio/flac;base64,' in text and 'src="data:image/png;base64,' in text


def _small_report() -> Report:
    src = Clip("content", "content", "content", SR, audio=sine(300))
    out = Output(
        Clip("output", "output", "output", SR, audio=noise()),
        "output",
        sources={"content": "content"},
        history=[{"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.0}],
        initial_losses={"total": 3.0},
        recipe_toml='steps = 2\n<script>alert("x")</script>\n',
    )
    return Report("small <report>", "transfer", sources=[src], outputs=[out])


def test_text_is_escaped(tmp_path):
    text = write(_small_report(), tmp_path / "e.html").read_text(encoding="utf-8")
    assert "<title>small &lt;report&gt;</title>" in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


# -- the checker catches what it claims to ------------------------------------------------
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<div><span></div>", "<span> (line 1) is not closed before </div>"),
        ('<img src="a.png">', "<img> without alt text"),
        ('<img alt="" src="https://cdn.example/x.png">', "needs the network"),
        ('<audio controls src="a.ogg"></audio>', "<audio> without aria-label"),
        ("<table><caption>c</caption><tr><th>x</th></tr></table>", "<th> without scope"),
        ('<table><tr><td scope="col">x</td></tr></table>', "has no <caption>"),
        ('<p id="a"></p><p id="a"></p>', "id 'a' is used twice"),
        ('<a href="#nowhere">x</a>', "link to #nowhere"),
        ("<ul><td>x</td></ul>", "<td> inside <ul>"),
        ("<button>x</button>", "<button> without type"),
        ("<details><p>x</p><summary>s</summary></details>", "<summary> must be the first"),
    ],
)
def test_checker_finds_each_problem(body, message):
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
        f"<body>{body}</body></html>"
    )
    found = problems(page)
    assert any(message in p for p in found), found
    clean = page.replace(body, "<p>fine</p>")
    assert problems(clean) == []


# -- size of a big grid -------------------------------------------------------------------
def _realish(seconds: float, sr: int, seed: int) -> np.ndarray:
    """Noise shaped like speech: harmonic tones under a syllable envelope, plus hiss."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    f0 = 110 + 40 * seed % 90 + 20 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    tones = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = np.clip(np.sin(2 * np.pi * 3.1 * t + seed), 0, None) ** 2
    y = 0.25 * tones * envelope + 0.02 * rng.standard_normal(t.size)
    return (0.9 * y / np.abs(y).max()).astype(np.float32)


def _grid_report(n_outputs: int, *, seconds: float = 10.0, sr: int = 22_050) -> Report:
    sources = [
        Clip("content", "content", "content", sr, audio=_realish(seconds, sr, 0)),
        Clip("style", "style", "style", sr, audio=_realish(seconds, sr, 1)),
    ]
    history = [
        {"step": s, "loss": 1 / s, "style": 0.6 / s, "content": 0.4 / s} for s in range(1, 61)
    ]
    outputs, rows = [], []
    for i in range(n_outputs):
        key = f"cell-{i}"
        outputs.append(
            Output(
                Clip(key, key, "output", sr, audio=_realish(seconds, sr, i + 2)),
                f"variant {i}",
                sources={"content": "content", "style": "style"},
                recipe_toml="steps = 60\n" * 30,
                history=history,
                initial_losses={"total": 2.0},
                row=key,
            )
        )
        rows.append(TableRow(key, f"variant {i}", {"lsd": 1.0 + i % 7}, output=key))
    table = Table([Column("lsd", "lsd", False)], rows)
    return Report("grid", "bench", sources=sources, outputs=outputs, tables=[table])


def _size(page: Path) -> int:
    return page.stat().st_size + sum(p.stat().st_size for p in assets_dir(page).iterdir())


def test_a_50_by_10_s_grid_stays_under_50_mb_by_arithmetic(tmp_path):
    # Measure pages of 1 and 2 outputs of 10 s at 22050 Hz; the cost per output and the
    # fixed cost extrapolate to 50 outputs. Base64 WAV would be 50 * 10 * 22050 * 2 * 4/3
    # = 29 MB of audio alone; Vorbis is about ten times smaller.
    one = _size(write(_grid_report(1), tmp_path / "one.html"))
    two = _size(write(_grid_report(2), tmp_path / "two.html"))
    per_output = two - one
    projected = one - per_output + 50 * per_output
    oggs = [p.stat().st_size for p in assets_dir(tmp_path / "two.html").glob("*.ogg")]
    assert max(oggs) < 10 * 22_050 * 2 / 5  # compressed: < 1/5 of 16-bit PCM
    assert projected < 50e6, f"projected {projected / 1e6:.1f} MB"


@pytest.mark.slow
def test_a_50_by_10_s_grid_page_is_under_50_mb(tmp_path):
    page = write(_grid_report(50), tmp_path / "grid.html")
    size = _size(page)
    assert problems(page.read_text(encoding="utf-8")) == []
    assert len(list(assets_dir(page).glob("*.ogg"))) == 52
    assert size < 50e6, f"{size / 1e6:.1f} MB"


# -- a bench's page -------------------------------------------------------------------------
def test_bench_page_groups_rows_and_marks_the_best(bench_result, tmp_path):
    page = bench_result.to_html(tmp_path / "bench.html")
    text = page.read_text(encoding="utf-8")
    assert problems(text) == []
    # grouped by the first axis that varies; the baseline is a group of its own
    groups = re.findall(r'<th scope="rowgroup" colspan="\d+">([^<]*)</th>', text)
    assert groups == ["baseline (do nothing)", "phase=griffin-lim", "phase=fast-griffin-lim"]
    # the best (lowest) lsd.to_content among the transfers is the one marked
    rows = {r["variant"]: r for r in bench_result.by_kind("transfer")}
    lsd = {v: r["lsd.to_content"] for v, r in rows.items()}
    assert "lsd.to_content" in text
    marked = re.findall(r'<td class="num best" data-value="([^"]+)"><strong>', text)
    times = [r["time.total"] for r in rows.values()]
    assert repr(min(times)) in marked  # time: lower is better
    assert len(re.findall(r"<audio ", text)) == 2 + 4  # content, style, four outputs
    assert len(set(lsd)) == 4


def test_bench_page_from_json_uses_audio_files(bench_result, tmp_path):
    from audiostyle.bench import BenchResult

    # A result read back from JSON has no kept audio: with --audio-dir files it shows them.
    data = BenchResult.from_json(bench_result.to_json())
    assert not data.outputs
    for row in data.by_kind("transfer"):
        path = tmp_path / f"{row['cell']}.wav"
        import soundfile as sf

        sf.write(path, bench_result.outputs[row["cell"]]["audio"], SR)
        row["audio"] = str(path)
    from audiostyle.report.build import from_bench

    report = from_bench(data)
    # the inputs are read from the case files, the outputs from the written audio
    assert [(c.role, c.audio, c.offset, c.duration) for c in report.sources] == [
        ("content", None, 0.5, 0.5),
        ("style", None, 0.0, 0.5),
    ]
    assert [o.clip.file for o in report.outputs] == [r["audio"] for r in data.by_kind("transfer")]
    assert report.outputs[0].recipe_toml.startswith("domain = ")
    data.rows[1].pop("audio")
    assert "1 output(s) have no audio to show" in " ".join(from_bench(data).notes)


def test_bench_group_by_must_be_an_axis(bench_result, tmp_path):
    from audiostyle.report.build import from_bench

    with pytest.raises(ParameterError, match="not an axis of this bench; its axes: phase, steps"):
        bench_result.to_html(tmp_path / "x.html", group_by="transform")
    assert not (tmp_path / "x.html").exists()
    (table,) = from_bench(bench_result, group_by="steps").tables
    assert [g for g, _ in table.groups()] == ["baseline (do nothing)", "steps=1", "steps=2"]


def test_api_html_keyword_checks_first_and_writes_the_page(wav_files, tmp_path):
    import audiostyle

    content, style = wav_files
    taken = tmp_path / "taken.html"
    taken.write_text("mine")
    with pytest.raises(OutputExistsError, match="already exists"):
        audiostyle.transfer(
            content, style, html=taken, output=tmp_path / "o.wav", progress=False, **LIGHT
        )
    assert taken.read_text() == "mine" and not (tmp_path / "o.wav").exists()
    page = tmp_path / "api.html"
    audiostyle.transfer(content, style, html=page, progress=False, **{**LIGHT, "steps": 1})
    assert problems(page.read_text()) == [] and len(list(assets_dir(page).iterdir())) == 7


# -- the commands -------------------------------------------------------------------------
def test_transfer_and_texture_commands_write_a_report(wav_files, tmp_path):
    from typer.testing import CliRunner

    from audiostyle.cli.app import build_app

    content, style = wav_files
    flags = [*tiny_flags(), "--steps", "1", "-q"]
    page = tmp_path / "t.html"
    run = CliRunner().invoke(
        build_app(), ["transfer", str(content), str(style), "-o", str(tmp_path / "o.wav"), "--html",
              str(page), *flags]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert problems(page.read_text()) == [] and len(list(assets_dir(page).glob("*.ogg"))) == 3
    # an existing report is refused before any work
    again = CliRunner().invoke(
        build_app(), ["transfer", str(content), str(style), "-o", str(tmp_path / "p.wav"), "--html",
              str(page), *flags]
    )  # fmt: skip
    assert again.exit_code != 0 and "already exists" in again.output
    assert not (tmp_path / "p.wav").exists()
    tex = tmp_path / "x.html"
    run = CliRunner().invoke(
        build_app(), ["texture", str(style), "-o", str(tmp_path / "x.wav"), "--length", "0.4",
              "--html", str(tex), "--phase-opt", "init=random", *flags]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    text = tex.read_text()
    assert problems(text) == [] and len(re.findall(r"<audio ", text)) == 2  # style, output


def test_batch_command_writes_a_report(wav_files, tmp_path):
    from typer.testing import CliRunner

    from audiostyle.cli.app import build_app

    content, style = wav_files
    manifest = tmp_path / "rows.csv"
    manifest.write_text(f"content,style,output\n{content},{style},a.wav\n{style},{content},b.wav\n")
    page = tmp_path / "batch.html"
    run = CliRunner().invoke(
        build_app(), ["batch", str(manifest), "--out-dir", str(tmp_path / "out"), "--workers", "1",
              "--html", str(page), *tiny_flags(), "--steps", "1", "-q"]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    text = page.read_text()
    assert problems(text) == []
    # four distinct inputs (each file as content and as style) and two outputs
    assert len(re.findall(r"<audio ", text)) == 6
    assert text.count("Loss curves of") == 2 and "a.wav" in text and "b.wav" in text


# -- in a real browser --------------------------------------------------------------------
def _browser_check(page: Path, screenshot: str, *, sort_column: str | None = None) -> dict:
    """Open ``page`` from disk in headless Chromium and check what a reader would see."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt install chromium)")
    found: dict = {"console": [], "failed": [], "requests": []}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 900})
            tab.on("console", lambda m: m.type == "error" and found["console"].append(m.text))
            tab.on("pageerror", lambda e: found["console"].append(str(e)))
            tab.on("requestfailed", lambda r: found["failed"].append(r.url))
            tab.on("request", lambda r: found["requests"].append(r.url))
            tab.goto(page.resolve().as_uri(), wait_until="load")
            found["durations"] = tab.evaluate(
                """() => Promise.all([...document.querySelectorAll('audio')].map(a =>
                    new Promise(done => {
                        if (a.readyState >= 1) return done(a.duration);
                        a.addEventListener('loadedmetadata', () => done(a.duration));
                        a.addEventListener('error', () => done(-1));
                        a.load();
                    })))"""
            )
            tab.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # lazy images
            tab.wait_for_function(
                "() => [...document.images].every(i => i.complete)", timeout=20_000
            )
            found["widths"] = tab.evaluate("() => [...document.images].map(i => i.naturalWidth)")
            found["labels"] = tab.evaluate(
                "() => [...document.querySelectorAll('audio')].map(a => a.getAttribute("
                "'aria-label'))"
            )
            if sort_column is not None:
                found["sorts"] = []
                for _ in range(2):
                    tab.get_by_role("button", name=re.compile(re.escape(sort_column))).click()
                    found["sorts"].append(
                        tab.evaluate(
                            """col => {
                                const table = document.querySelector('table.sortable');
                                const heads = [...table.tHead.rows[0].cells];
                                const i = heads.findIndex(h => h.textContent.includes(col));
                                return {
                                    sort: heads[i].getAttribute('aria-sort'),
                                    groups: [...table.tBodies].map(b => [...b.rows]
                                        .filter(r => !r.classList.contains('group'))
                                        .map(r => r.cells[i].getAttribute('data-value'))),
                                };
                            }""",
                            sort_column,
                        )
                    )
            ARTIFACTS.mkdir(exist_ok=True)
            shot = page.parent / screenshot
            tab.screenshot(path=str(shot), full_page=True)
            shutil.copy(shot, ARTIFACTS / screenshot)
        finally:
            browser.close()
    assert found["console"] == [], found["console"]
    assert found["failed"] == [], found["failed"]
    assert all(u.startswith(("file://", "data:")) for u in found["requests"]), found["requests"]
    assert found["durations"] and all(d > 0 for d in found["durations"]), found["durations"]
    assert found["widths"] and all(w > 0 for w in found["widths"]), found["widths"]
    assert all(found["labels"])
    return found


@pytest.mark.browser
def test_transfer_report_in_chromium(result, tmp_path):
    page = result.to_html(tmp_path / "transfer.html", metrics=["lsd", "mfcc-timbre"])
    found = _browser_check(page, "report-transfer.png", sort_column="mfcc-timbre.to_style")
    # Chromium counts Vorbis's few ms of encoder padding in the duration
    assert found["durations"] == pytest.approx([0.75] * 3, abs=0.05)
    assert len(found["widths"]) == 4
    for sort, reverse in zip(found["sorts"], (False, True), strict=True):
        values = [float(v) for g in sort["groups"] for v in g]
        assert values == sorted(values, reverse=reverse) and len(values) == 2
    assert [s["sort"] for s in found["sorts"]] == ["ascending", "descending"]


@pytest.mark.browser
def test_bench_grid_report_in_chromium(bench_result, tmp_path):
    page = bench_result.to_html(tmp_path / "bench.html")
    found = _browser_check(page, "report-bench.png", sort_column="lsd.to_content")
    assert found["durations"] == pytest.approx([0.5] * 6, abs=0.05)
    asc, desc = found["sorts"]
    assert (asc["sort"], desc["sort"]) == ("ascending", "descending")
    assert [len(g) for g in asc["groups"]] == [1, 2, 2]  # rows stay in their groups
    for group in asc["groups"]:
        values = [float(v) for v in group]
        assert values == sorted(values)
    for group in desc["groups"]:
        values = [float(v) for v in group]
        assert values == sorted(values, reverse=True)


@pytest.mark.parametrize(
    "name",
    [
        "audiostyle.report",
        "audiostyle.report.model",
        "audiostyle.report.html",
        "audiostyle.report.validate",
    ],
)
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(
        importlib.import_module(name),
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 0 and result.failed == 0


def test_page_style_and_script_are_package_data_inlined_in_the_page(tmp_path):
    import tomllib
    from pathlib import Path

    from audiostyle.report.page import asset_text

    css, js = asset_text("page.css"), asset_text("page.js")
    assert "--best" in css and "aria-sort" in js
    data = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["audiostyle"]
    assert {"report/assets/*.css", "report/assets/*.js"} <= set(patterns)
    sr = 8000
    clip = Clip("content", "content", "content", sr, audio=np.zeros(sr, np.float32) + 0.1)
    page = write(Report("t", "transfer", sources=[clip]), tmp_path / "p.html", embed=True)
    text = page.read_text(encoding="utf-8")
    assert f"<style>{css}</style>" in text and f"<script>{js}</script>" in text
