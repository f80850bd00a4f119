"""The Python API: arrays and paths in, a Result out; plots, HTML, progress, CLI parity."""

import base64
import inspect
import io
import re
import struct
import sys
import types

import numpy as np
import pytest
import soundfile as sf
import typer
from typer.testing import CliRunner

import audiostyle
from audiostyle import api, plotting
from audiostyle.audio import load, resample
from audiostyle.cli.app import build_app
from audiostyle.cli.common import FLAG_NAMES, RecipeFlags
from audiostyle.errors import AudioError, DependencyError, OutputExistsError, ParameterError
from audiostyle.progress import TqdmProgress, auto_progress
from tests.conftest import SR, TINY, chirp, sine, tiny_flags

TIMING_KEYS = {"load", "setup", "analysis", "init", "optimize", "phase", "total"}


def tiny(**extra):
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in TINY.items()}
    out.update(extra)
    return out


@pytest.fixture(scope="module")
def clips():
    content = load(api.demo_clip("content"), sample_rate=SR, offset=0.5, duration=0.5)
    style = load(api.demo_clip("style"), sample_rate=SR, offset=0.5, duration=0.5)
    return content, style


@pytest.fixture(scope="module")
def result(clips):
    content, style = clips
    return api.transfer(content, style, progress=False, **tiny())


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# -- inputs ---------------------------------------------------------------------------------
def test_numpy_arrays_give_a_complete_result(result, clips):
    content, style = clips
    assert isinstance(result, audiostyle.Result)
    assert result.audio.shape == content.shape and result.audio.dtype == np.float32
    assert np.isfinite(result.audio).all() and 0 < np.abs(result.audio).max() <= 0.99
    assert result.sample_rate == SR and result.duration == pytest.approx(0.5)
    # the recipe is the resolved one: preset values under the overrides
    r = result.recipe
    assert r.preset == "colour" and r.steps == 5 and r.sample_rate == SR  # TINY names it
    assert r.transform.options["n_fft"] == 256 and r.network.options["n_filters"] == 32
    assert r.network.options["kernel_size"] == 11  # kept from the preset
    assert TIMING_KEYS <= set(result.timings)
    assert all(v >= 0 for v in result.timings.values())
    assert result.timings["total"] >= result.timings["optimize"]
    assert [row["step"] for row in result.history] == [1, 2, 3, 4, 5]
    assert {"loss", "evaluations", "content", "style"} <= set(result.history[0])
    assert result.steps_done == 5 and result.stopped is None and not result.partial
    assert result.evaluations >= 5
    assert result.final_losses["total"] < result.initial_losses["total"]
    assert result.final_losses["style"] < result.initial_losses["style"]
    np.testing.assert_array_equal(result.content, content)
    np.testing.assert_array_equal(result.style, style)
    out = result.to_numpy()
    out[:] = 0  # a copy
    assert np.abs(result.audio).max() > 0
    t = result.to_torch()
    assert tuple(t.shape) == result.audio.shape and np.array_equal(t.numpy(), result.audio)
    text = repr(result)
    assert "0.50 s at 8000 Hz" in text and "steps 5/5" in text and "colour" in text


def test_torch_stereo_at_another_rate_is_resampled(clips):
    import torch

    content, style = clips
    rate = 16_000
    content_16k = resample(content, SR, rate)
    stereo = torch.from_numpy(np.stack([content_16k, 0.5 * content_16k]))  # (channels, time)
    res = api.transfer(
        stereo,
        torch.from_numpy(resample(style, SR, rate)),
        input_rate=rate,
        progress=False,
        **tiny(steps=2),
    )
    assert res.sample_rate == SR
    assert abs(res.audio.shape[0] - content.shape[0]) <= 1
    # the content as used: mixed down (0.75 x) and back at SR
    n = min(res.content.shape[0], content.shape[0])
    corr = np.corrcoef(res.content[:n], content[:n])[0, 1]
    assert corr > 0.99 and np.std(res.content) == pytest.approx(0.75 * np.std(content), rel=0.05)
    assert any("resampled from 16000 Hz" in n for n in res.notes)


def test_paths_with_segments_and_sources(wav_files):
    content, style = wav_files
    res = api.transfer(
        content,
        str(style),
        offset=0.1,
        duration=0.3,
        style_duration=0.4,
        progress=False,
        **tiny(steps=2),
    )
    assert res.audio.shape == (int(0.3 * SR),) and res.style.shape == (int(0.4 * SR),)
    expected = sf.read(content, dtype="float32")[0][int(0.1 * SR) : int(0.4 * SR)]
    np.testing.assert_allclose(res.content, expected, atol=1e-6)
    assert res.sources == {"content": str(content), "style": str(style)}


def test_texture_from_a_chirp():
    res = api.texture(
        chirp(300, 2000, seconds=0.5),
        duration=0.75,
        progress=False,
        **tiny(steps=3, phase_options={"init": "random"}),
    )
    assert res.audio.shape == (int(0.75 * SR),) and res.content is None
    assert "content" not in res.final_losses and res.final_losses["style"] > 0
    with pytest.raises(ParameterError, match="duration=0"):
        api.texture(sine(440), duration=0, **tiny())


def test_bad_inputs_say_what_to_do(clips):
    content, style = clips
    with pytest.raises(ParameterError, match="sample_rate="):
        api.transfer(content, style, progress=False, steps=1)
    with pytest.raises(ParameterError, match="Did you mean 'steps'"):
        api.transfer(content, style, progress=False, stepz=3, **tiny())
    with pytest.raises(ParameterError, match="file path or an array"):
        api.transfer({"a": 1}, style, progress=False, **tiny())
    with pytest.raises(ParameterError, match="progress="):
        api.transfer(content, style, progress="yes", **tiny())
    with pytest.raises(ParameterError, match="not callable"):
        api.transfer(content, style, progress=False, callback=3, **tiny())
    with pytest.raises(AudioError, match="does not exist"):
        api.transfer("missing.wav", style, progress=False, **tiny())


# -- the callback ---------------------------------------------------------------------------
def test_callback_sees_every_step_and_stops_early(clips):
    content, style = clips
    seen = []

    def stop_after_three(report):
        seen.append(report)
        return report.step == 3

    res = api.transfer(content, style, callback=stop_after_three, progress=False, **tiny(steps=20))
    assert [s.step for s in seen] == [1, 2, 3] and {s.steps for s in seen} == {20}
    assert len(res.history) == 3 and res.steps_done == 3 and res.stopped == "callback"
    assert [row["loss"] for row in res.history] == [s.loss for s in seen]
    assert set(seen[0].losses) == {"content", "style"} and seen[-1].elapsed >= seen[0].elapsed
    assert not res.partial and res.audio.shape == content.shape


# -- outputs --------------------------------------------------------------------------------
def test_outputs_are_checked_before_work_and_written(tmp_path, clips):
    content, style = clips
    calls = []
    paths = {
        "output": tmp_path / "o.flac",
        "save_recipe": tmp_path / "r.toml",
        "report": tmp_path / "r.json",
    }
    res = api.transfer(content, style, progress=False, **paths, **tiny(steps=2, seed=5))
    assert sf.info(paths["output"]).frames == content.shape[0]
    assert audiostyle.Recipe.load(paths["save_recipe"]).seed == 5
    assert '"steps_done": 2' in paths["report"].read_text()
    # existing files: refused before any step runs, and left alone
    before = paths["output"].read_bytes()
    with pytest.raises(OutputExistsError, match="force"):
        api.transfer(content, style, callback=calls.append, progress=False, **paths, **tiny())
    with pytest.raises(ParameterError, match="already exists"):
        api.transfer(
            content,
            style,
            callback=calls.append,
            progress=False,
            report=paths["report"],
            **tiny(),
        )
    assert calls == [] and paths["output"].read_bytes() == before
    api.transfer(content, style, progress=False, force=True, **paths, **tiny(steps=1))
    assert paths["output"].read_bytes() != before
    with pytest.raises(ParameterError, match="is also the audio output"):
        api.check_outputs(tmp_path / "x.wav", report=tmp_path / "x.wav")
    with pytest.raises(ParameterError, match="unsupported extension"):
        res.save(tmp_path / "x.mp4")
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


# -- plots ----------------------------------------------------------------------------------
def test_plot_to_png(tmp_path, result):
    path = tmp_path / "result.png"
    fig = result.plot(path, dpi=80)
    assert path.stat().st_size > 20_000
    width, height = png_size(path.read_bytes())
    w_in, h_in = fig.get_size_inches()
    assert (width, height) == (round(w_in * 80), round(h_in * 80))
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert [im.axes.get_title() for im in images] == ["content", "style", "output"]
    assert len({im.get_clim() for im in images}) == 1  # one colour scale
    specs = [
        plotting.spectrogram_db(a, SR)[0] for a in (result.content, result.style, result.audio)
    ]
    assert images[0].get_clim()[1] == pytest.approx(max(float(s.max()) for s in specs))
    for im in images:
        assert im.axes.get_xlabel() == "time (s)" and im.axes.get_ylabel() == "frequency (Hz)"
        assert im.get_extent()[3] == pytest.approx(SR / 2)
    loss_ax = next(ax for ax in fig.axes if ax.get_title() == "losses")
    labels = {line.get_label() for line in loss_ax.get_lines()}
    assert labels == {"total", "content", "style"}
    total = next(line for line in loss_ax.get_lines() if line.get_label() == "total")
    assert list(total.get_xdata()) == [0, 1, 2, 3, 4, 5]
    assert result.plot() is not None and not (tmp_path / "other.png").exists()


def test_texture_plot_has_no_content_panel(tmp_path):
    res = api.texture(
        sine(440), duration=0.5, progress=False, **tiny(steps=1, phase_options={"init": "random"})
    )
    fig = res.plot(tmp_path / "t.png")
    assert [ax.get_title() for ax in fig.axes if ax.images] == ["style", "output"]


def test_spectrogram_png_and_levels():
    tone = sine(1000, seconds=1.0)  # amplitude 0.5: -6 dBFS
    db, freqs, times = plotting.spectrogram_db(tone, SR, n_fft=256)
    assert freqs[db.mean(axis=1).argmax()] == 1000.0
    assert float(np.median(db.max(axis=0))) == pytest.approx(-6.02, abs=0.1)
    assert times[-1] == pytest.approx(1.0, abs=256 / 4 / SR)
    png = plotting.spectrogram_png(tone, SR, vmin=-80.0, vmax=0.0, figsize=(4, 2), dpi=50)
    assert png_size(png) == (200, 100)
    with pytest.raises(ParameterError, match="mono"):
        plotting.spectrogram_db(np.zeros((3, 3, 3)), SR)


# -- HTML and audio embedding ---------------------------------------------------------------
def test_html_repr_embeds_a_player_that_decodes(result):
    page = result._repr_html_()
    m = re.search(r'<audio[^>]*>\s*<source src="data:audio/ogg;base64,([^"]+)"', page)
    assert m, page[:300]
    audio, rate = sf.read(io.BytesIO(base64.b64decode(m.group(1))), dtype="float32")
    assert rate == SR and audio.shape == result.audio.shape
    assert np.corrcoef(audio, result.audio)[0, 1] > 0.9  # lossy, but the same sound
    assert "<details><summary>recipe</summary>" in page and "n_filters = 32" in page
    for term in ("content", "style", "total"):
        assert f"<td>{term}</td>" in page
    assert "optimize" in page and "5/5 steps" in page
    flac = result.to_html(audio_format="flac", inputs=True)
    uris = re.findall(r'src="(data:audio/flac;base64,[^"]+)"', flac)
    assert len(uris) == 3  # output, content, style
    decoded, rate = plotting.decode_audio(uris[0])
    np.testing.assert_allclose(decoded, result.audio, atol=1.5 / 32768)
    assert len(page) < len(flac) / 2


def test_encode_audio_formats():
    tone = sine(440)
    for fmt in ("wav", "flac", "ogg"):
        data = plotting.encode_audio(tone, SR, format=fmt)
        decoded, rate = plotting.decode_audio(data)
        assert rate == SR and decoded.shape == tone.shape
    assert len(plotting.encode_audio(tone, SR, format="ogg")) < len(
        plotting.encode_audio(tone, SR, format="wav")
    )
    loud = plotting.decode_audio(plotting.encode_audio(4 * tone, SR, format="wav"))[0]
    assert np.abs(loud).max() <= 1.0
    with pytest.raises(ParameterError, match="ogg, flac, wav"):
        plotting.encode_audio(tone, SR, format="mp3")


# -- progress -------------------------------------------------------------------------------
def test_tqdm_progress_draws_one_bar_per_stage(clips):
    content, style = clips
    buf = io.StringIO()
    api.transfer(
        content, style, progress=TqdmProgress(file=buf), **tiny(phase_options={"n_iter": 4})
    )
    text = buf.getvalue()
    assert "optimising" in text and "5/5" in text and "loss" in text
    assert "phase" in text and "4/4" in text
    assert text.count("\n") == 2  # two bars redrawn in place, not a line per step


def test_auto_progress_where_a_bar_can_be_seen(monkeypatch):
    assert auto_progress() is None  # pytest captures stderr: not a terminal
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert isinstance(auto_progress(), TqdmProgress)  # in a notebook kernel
    monkeypatch.setenv("AUDIOSTYLE_PROGRESS", "0")
    assert auto_progress() is None
    monkeypatch.delenv("AUDIOSTYLE_PROGRESS")
    monkeypatch.setitem(sys.modules, "tqdm", None)  # tqdm not installed
    assert auto_progress() is None
    with pytest.raises(DependencyError, match="audiostyle\\[notebook\\]"):
        api.make_progress(True)


def test_auto_progress_in_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    assert isinstance(auto_progress(), TqdmProgress)
    assert isinstance(api.make_progress("auto"), TqdmProgress)
    assert api.make_progress(False) is None


# -- the CLI is a thin layer over the API ---------------------------------------------------
def _command(name):
    return typer.main.get_command(build_app()).commands[name]


def _canonical(recipe):
    """A recipe with its options converted and validated (CLI strings vs API values)."""
    built = recipe.validate()
    flat = {k: v for k, v in recipe.to_dict().items() if k not in api.STAGE_OVERRIDES}
    flat.pop("losses")
    flat["stages"] = {k: (recipe.stage(k).name, built[k]) for k in api.STAGE_OVERRIDES}
    flat["losses"] = {t: (c.weight, built["losses"][t]) for t, c in recipe.losses.items()}
    flat["init_options"] = dict(built["init"])  # converted like a stage's options
    for key in ("analysis", "matcher", "vocoder"):
        choice = getattr(recipe, key)
        flat[key] = None if choice is None else (choice.name, built[key])
    flat["conditioners"] = [
        (c.name, o) for c, o in zip(recipe.conditioners, built["conditioners"], strict=True)
    ]
    return flat


def _flag_cases(tmp_path):
    from audiostyle.plugins import available

    base = api.resolve_recipe()
    other_net = next(n for n in sorted(available("network")) if n != base.network.name)
    recipe_file = tmp_path / "r.toml"
    api.resolve_recipe(steps=7, seed=9).save(recipe_file)
    return {
        "preset": (["--preset", "ulyanov2016"], {"preset": "ulyanov2016"}),
        "recipe": (["--recipe", recipe_file], {"recipe": recipe_file}),
        "transform": (["--transform", "librosa"], {"transform": "librosa"}),
        "network": (["--network", other_net], {"network": other_net}),
        "optimizer": (["--optimizer", "adam"], {"optimizer": "adam"}),
        "phase": (["--phase", "fast-griffin-lim"], {"phase": "fast-griffin-lim"}),
        "transform_opt": (
            ["--transform-opt", "n_fft=512", "--transform-opt", "hop_length=64"],
            {"transform_options": {"n_fft": 512, "hop_length": 64}},
        ),
        "network_opt": (["--network-opt", "n_filters=64"], {"network_options": {"n_filters": 64}}),
        "optimizer_opt": (
            ["--optimizer-opt", "history_size=5"],
            {"optimizer_options": {"history_size": 5}},
        ),
        "phase_opt": (["--phase-opt", "n_iter=7"], {"phase_options": {"n_iter": 7}}),
        "loss": (
            ["--loss", "style=2.5", "--loss", "content.reduction=sum"],
            {"losses": {"style": 2.5, "content": {"options": {"reduction": "sum"}}}},
        ),
        "steps": (["--steps", "7"], {"steps": 7}),
        "content_weight": (["--content-weight", "0.3"], {"content_weight": 0.3}),
        "style_weight": (["--style-weight", "3"], {"style_weight": 3.0}),
        "seed": (["--seed", "11"], {"seed": 11}),
        "sample_rate": (["--sample-rate", "16000"], {"sample_rate": 16000}),
        "device": (["--device", "cpu"], {"device": "cpu"}),
        "domain": (["--domain", "waveform"], {"domain": "waveform"}),
        "init": (["--init", "noise"], {"init": "noise"}),
        "init_opt": (
            ["--init", "noise", "--init-opt", "scale=0.01"],
            {"init": "noise", "init_options": {"scale": 0.01}},
        ),
        "clamp": (["--clamp", "1.5"], {"clamp": 1.5}),
        "wave_scale": (["--wave-scale", "0.2"], {"wave_scale": 0.2}),
        "loss_norm": (["--loss-norm", "none"], {"loss_norm": "none"}),
        "envelope": (["--envelope", "0.25"], {"envelope": 0.25}),
        "envelope_classes": (["--envelope-classes", "1"], {"envelope_classes": 1}),
        "analysis": (["--analysis", "world"], {"analysis": "world"}),
        "analysis_opt": (
            ["--analysis", "world", "--analysis-opt", "f0_method=harvest"],
            {"analysis": "world", "analysis_options": {"f0_method": "harvest"}},
        ),
        "conditioner": (
            ["--analysis", "world", "--conditioner", "f0", "--conditioner", "colour"],
            {"analysis": "world", "conditioners": ["f0", "colour"]},
        ),
        "conditioner_opt": (
            [
                "--analysis",
                "stft",
                "--conditioner",
                "colour",
                "--conditioner-opt",
                "colour.classes=1",
            ],
            {
                "analysis": "stft",
                "conditioners": ["colour"],
                "conditioner_options": {"colour": {"classes": 1}},
            },
        ),
        "matcher": (
            ["--analysis", "world", "--matcher", "test-same"],
            {"analysis": "world", "matcher": "test-same"},
        ),
        "matcher_opt": (
            ["--analysis", "world", "--matcher", "test-same", "--matcher-opt", "keep=0.5"],
            {"analysis": "world", "matcher": "test-same", "matcher_options": {"keep": 0.5}},
        ),
        "vocoder": (
            ["--analysis", "spectrum", "--vocoder", "hifigan"],
            {"analysis": "spectrum", "vocoder": "hifigan"},
        ),
        "vocoder_opt": (
            ["--analysis", "spectrum", "--vocoder", "hifigan", "--vocoder-opt", "model=LJSpeech"],
            {
                "analysis": "spectrum",
                "vocoder": "hifigan",
                "vocoder_options": {"model": "LJSpeech"},
            },
        ),
    }


@pytest.fixture
def test_matcher():
    """A matcher for the flag tests (no built-in matcher is needed to test the flags)."""
    from dataclasses import dataclass

    from audiostyle import hookimpl
    from audiostyle.contracts.conversion import Matcher
    from audiostyle.plugins import registry

    @dataclass(frozen=True)
    class KeepOptions:
        keep: float = 1.0

    class Same(Matcher):
        def match(self, content, style, *, context):
            return content

    class Plugin:
        @hookimpl
        def register_matchers(self, register):
            register("test-same", Same, options=KeepOptions, description="the content")

    registry.register_plugin(Plugin(), name="test-matcher")
    try:
        yield
    finally:
        registry.unregister_plugin("test-matcher")


def test_every_cli_recipe_flag_has_an_api_keyword(tmp_path, test_matcher):
    cases = _flag_cases(tmp_path)
    assert set(cases) == set(FLAG_NAMES), "a recipe flag without an API test case"
    transfer = inspect.signature(api.transfer).parameters
    default = _canonical(api.resolve_recipe())
    cmd = _command("transfer")
    for flag, (argv, kwargs) in cases.items():
        for key in kwargs:
            assert key in transfer or key in api.OVERRIDES, f"--{flag}: no API keyword {key}"
        ctx = cmd.make_context("transfer", ["c.wav", "s.wav", "-o", "o.wav", *map(str, argv)])
        flags = RecipeFlags(**{k: ctx.params[k] for k in FLAG_NAMES})
        from_cli = _canonical(flags.resolve())
        from_api = _canonical(api.resolve_recipe(**kwargs))
        assert from_cli == from_api, flag
        assert from_api != default, f"--{flag} changed nothing"


@pytest.mark.parametrize("command", ["transfer", "texture", "demo"])
def test_every_cli_option_has_an_api_keyword(command):
    fn = api.texture if command == "texture" else api.transfer
    keywords = set(inspect.signature(fn).parameters) | set(api.OVERRIDES)  # **overrides
    # --quiet is progress=False; texture --length is texture(duration=...)
    renamed = {"quiet": "progress", "length": "duration"}
    for param in _command(command).params:
        if param.name in FLAG_NAMES or param.name in ("help",) or param.hidden:
            continue  # hidden: an old spelling of a visible option
        assert renamed.get(param.name, param.name) in keywords, f"{command} {param.name}"


def test_api_and_cli_write_identical_files(tmp_path, wav_files):
    content, style = wav_files
    cli_out, recipe = tmp_path / "cli.wav", tmp_path / "r.toml"
    args = ["transfer", content, style, "-o", cli_out, *tiny_flags()]
    args += ["--seed", "3"]
    r = CliRunner().invoke(build_app(), [str(a) for a in [*args, "--save-recipe", recipe]])
    assert r.exit_code == 0, r.output
    api_out = tmp_path / "api.wav"
    api.transfer(content, style, output=api_out, progress=False, **tiny(seed=3))
    assert api_out.read_bytes() == cli_out.read_bytes()
    # the recipe the CLI saved reproduces the run through the API
    again = api.transfer(
        content, style, recipe=recipe, output=tmp_path / "again.wav", progress=False
    )
    assert (tmp_path / "again.wav").read_bytes() == cli_out.read_bytes()
    other = api.transfer(content, style, progress=False, **tiny(seed=4))
    assert np.abs(other.audio - again.audio).max() > 1e-3  # the seed matters: not a tautology


@pytest.mark.browser
def test_html_player_plays_in_chromium(result):
    """The embedded players load in a real browser, with the right duration."""
    sync_api = pytest.importorskip("playwright.sync_api")
    page_html = result.to_html() + result.to_html(audio_format="flac")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_content(f"<html><body>{page_html}</body></html>")
            found = page.evaluate(
                """() => Promise.all([...document.querySelectorAll('audio')].map(
                    a => new Promise(done => {
                        if (a.readyState >= 1) return done([a.duration, null]);
                        a.addEventListener('loadedmetadata', () => done([a.duration, null]));
                        a.addEventListener('error', () => done([null, 'error']), true);
                        setTimeout(() => done([null, 'timeout']), 10000);
                    })))"""
            )
        finally:
            browser.close()
    assert len(found) == 2
    for duration, error in found:
        assert error is None and duration == pytest.approx(result.duration, abs=0.05)
