"""The start of the optimisation is a stage (issue 19): the ``init`` initializers.

Built-ins ``content``, ``noise``, ``content-phase``, ``style-phase`` registered like a
third party's; ``init = "auto"`` decided by the plan; ``init_options`` (API) and
``--init-opt`` (CLI); domain and texture refusals before any work; a plugin's
initializer chosen by name. Every built-in also passes the shared contract checks
(``tests/test_contracts.py``); the outputs of every start are pinned by
``tests/test_sample_identical.py``.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing

import numpy as np
import pytest
import soundfile as sf
import torch
from typer.testing import CliRunner

from audiostyle import api, engine, hookimpl, plugins
from audiostyle.cli.app import build_app
from audiostyle.errors import ParameterError, PluginError
from audiostyle.options import option
from audiostyle.plan import Plan
from audiostyle.recipe import Recipe
from tests.conftest import SR, tiny_flags

BUILTINS = {"content", "noise", "content-phase", "style-phase"}


def _context(content, style, *, domain="spectrogram", seed=0, n_fft=256):
    """The context the engine builds, from real clips (no padding: whole frames)."""
    from audiostyle.contracts.init import InitContext
    from audiostyle.contracts.stft import STFTOptions
    from audiostyle.phase.griffinlim import GriffinLim
    from audiostyle.phase.options import GriffinLimOptions
    from audiostyle.transforms.torch_stft import TorchSTFT

    t = TorchSTFT(STFTOptions(n_fft=n_fft), sample_rate=SR, device="cpu")
    style_t = torch.from_numpy(style)
    content_t = None if content is None else torch.from_numpy(content)
    length = len(content) if content is not None else len(style)
    return InitContext(
        domain=domain,
        length=length,
        n_frames=t.n_frames(length),
        transform=t,
        phase=GriffinLim(GriffinLimOptions(n_iter=2, init="random")),
        style=style_t,
        style_rep=torch.log1p(t.stft(style_t).abs()),
        content=content_t,
        content_rep=None if content_t is None else torch.log1p(t.stft(content_t).abs()),
        generator=torch.Generator().manual_seed(seed),
        device=torch.device("cpu"),
        noise_scale=1e-3,
    )


def _start(name, context, **options):
    impl = plugins.get_backend("init", name)
    return impl.load()(impl.parse_options(options)).initialize(context)


# -- the stage ------------------------------------------------------------------------------
def test_the_initializer_contract_is_an_abc_in_the_contract_layer():
    from audiostyle.contracts import InitContext, Initializer
    from audiostyle.contracts.init import DOMAINS
    from audiostyle.recipe import Domain

    assert inspect.isabstract(Initializer) and Initializer.__abstractmethods__ == {"initialize"}
    assert DOMAINS == typing.get_args(Domain)  # the recipe's domains, spelled again below
    assert dataclasses.is_dataclass(InitContext)
    with pytest.raises(TypeError, match="abstract"):
        Initializer()


def test_builtins_are_registered_as_the_init_stage():
    found = plugins.available("init")
    assert BUILTINS <= set(found)
    assert all(found[n].distribution == "audiostyle" and found[n].description for n in BUILTINS)
    assert found["content-phase"].extra["domains"] == ("waveform",)
    assert found["content"].extra["needs_content"] is True
    assert plugins.STAGES["init"].hook == "register_initializers"


def test_plugins_lists_the_starts_with_their_options():
    r = CliRunner().invoke(build_app(), ["plugins", "init", "--options"])
    assert r.exit_code == 0, r.output
    assert all(name in r.output for name in BUILTINS)
    assert "scale: float or none = None" in r.output


# -- content and noise on real speech ---------------------------------------------------------
def test_content_starts_from_the_content_representation_exactly(speech, speech_female):
    ctx = _context(speech, speech_female)
    x0 = _start("content", ctx)
    assert torch.equal(x0, ctx.content_rep) and x0.data_ptr() != ctx.content_rep.data_ptr()
    wave = _start("content", _context(speech, speech_female, domain="waveform"))
    assert torch.equal(wave, torch.from_numpy(speech))


def test_a_content_start_has_no_content_loss_and_a_noise_start_has(speech, speech_female, tiny):
    tiny["steps"] = 0
    content = api.transfer(speech, speech_female, progress=False, init="content", **tiny)
    noise = api.transfer(speech, speech_female, progress=False, init="noise", **tiny)
    assert content.initial_losses["content"] == 0.0
    assert noise.initial_losses["content"] > 0.0


def test_noise_differs_with_the_seed_and_follows_its_scale(speech, speech_female):
    a = _start("noise", _context(speech, speech_female, seed=0))
    assert torch.equal(a, _start("noise", _context(speech, speech_female, seed=0)))
    assert not torch.equal(a, _start("noise", _context(speech, speech_female, seed=1)))
    assert float(a.std()) == pytest.approx(1e-3, rel=0.05)  # the recipe's noise_scale
    louder = _start("noise", _context(speech, speech_female, seed=0), scale=0.1)
    assert torch.allclose(louder, a * 100, rtol=1e-5)  # the same draws, its own scale


def test_noise_outputs_differ_with_the_seed(speech, speech_female, tiny):
    one, again, other = (
        api.transfer(speech, speech_female, progress=False, init="noise", seed=s, **tiny).audio
        for s in (1, 1, 2)
    )
    assert np.array_equal(one, again) and not np.array_equal(one, other)


def test_the_option_scale_and_the_setting_noise_scale_are_the_same_start(
    speech, speech_female, tiny
):
    tiny["steps"] = 2
    by_setting = api.transfer(
        speech, speech_female, progress=False, init="noise", noise_scale=0.05, **tiny
    )
    by_option = api.transfer(
        speech, speech_female, progress=False, init="noise", init_options={"scale": 0.05}, **tiny
    )
    assert np.array_equal(by_setting.audio, by_option.audio)
    assert by_option.recipe.init_options == {"scale": 0.05}


def test_style_phase_repeats_the_style_to_the_output_length(speech, speech_female):
    short_style = speech_female[: len(speech_female) // 3]
    wave = _start("style-phase", _context(speech, short_style, domain="waveform"))
    assert wave.shape == (len(speech),) and torch.isfinite(wave).all()
    assert float(wave.abs().max()) > 1e-3


# -- auto, options and refusals ---------------------------------------------------------------
def test_auto_is_content_for_a_transfer_and_noise_for_a_texture_decided_by_the_plan():
    plan = Plan.of(api.resolve_recipe(init="auto", init_options={"scale": 0.01}))
    assert plan.start(texture=False)[0] == "content"
    name, options = plan.start(texture=True)
    assert name == "noise" and options.scale == 0.01  # auto passes each start its options


def test_an_option_no_auto_start_has_is_refused():
    with pytest.raises(ParameterError, match="unknown option 'scal' for init 'auto'.*'scale'"):
        api.resolve_recipe(init_options={"scal": 0.01}).validate()


def test_a_new_start_keeps_only_the_options_it_has():
    r = api.resolve_recipe("ulyanov2016", init_options={"scale": 0.01})
    assert r.init == "noise" and r.init_options == {"scale": 0.01}
    r.apply({"init": "content"})
    assert r.init_options == {}
    r.validate()


@pytest.mark.parametrize("init", ["content-phase", "style-phase"])
def test_waveform_starts_are_refused_in_the_spectrogram_domain(init):
    with pytest.raises(ParameterError) as info:
        api.resolve_recipe(init=init).validate()
    msg = str(info.value)
    assert f"init={init!r} only applies to domain='waveform'" in msg
    assert "use content or noise" in msg and "--" not in msg
    assert info.value.option == "init"


def test_a_texture_cannot_start_from_the_content(speech_female, tiny):
    with pytest.raises(ParameterError, match="init='content' needs a content clip; use init=noise"):
        api.texture(speech_female, duration=0.5, progress=False, init="content", **tiny)


def test_an_unknown_start_names_the_installed_ones_and_auto():
    from audiostyle.errors import UnknownBackendError

    with pytest.raises(UnknownBackendError, match="'noise'.*Installed: content.*'auto'"):
        api.resolve_recipe(init="noize").validate()


def test_init_options_survive_a_recipe_file(tmp_path):
    r = api.resolve_recipe("ulyanov2016", init_options={"scale": 0.02}).resolved()
    r.save(tmp_path / "r.toml")
    again = Recipe.load(tmp_path / "r.toml")
    assert again == r and again.validate()["init"]["noise"].scale == 0.02
    old = tmp_path / "old.toml"  # a file from before the stage: init and noise_scale
    old.write_text('init = "noise"\nnoise_scale = 0.03\n')
    loaded = Recipe.load(old)
    assert loaded.init == "noise" and loaded.noise_scale == 0.03 and loaded.init_options == {}


# -- a third party's start --------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _LevelOptions:
    level: float = option(0.0, "log-magnitude of every bin")


class _Recorder:
    seen: list = []


def _level_start():
    from audiostyle.contracts.init import Initializer

    class Level(Initializer):
        domains = ("spectrogram",)

        def initialize(self, context):
            _Recorder.seen.append((context.domain, self.options.level))
            shape = context.expected_shape()
            return torch.full(shape, self.options.level, device=context.device)

    return Level


@pytest.fixture
def level_plugin():
    cls = _level_start()

    class Plugin:
        @hookimpl
        def register_initializers(self, register):
            register(
                "test-level",
                cls,
                options=_LevelOptions,
                description="a constant log-magnitude",
                domains=("spectrogram",),
            )

    plugins.registry.register_plugin(Plugin(), name="test-level-plugin", distribution="test-dist")
    _Recorder.seen.clear()
    try:
        yield "test-level"
    finally:
        plugins.registry.unregister_plugin("test-level-plugin")


def test_a_plugin_start_is_chosen_by_name_from_the_cli(level_plugin, wav_files, tmp_path):
    content, style = wav_files
    out, report = tmp_path / "out.wav", tmp_path / "r.json"
    args = ["transfer", content, style, "-o", out, *tiny_flags(), "--steps", "2", "--quiet"]
    args += ["--init", level_plugin, "--init-opt", "level=0.5", "--report", report]
    r = CliRunner().invoke(build_app(), [str(a) for a in args])
    assert r.exit_code == 0, r.output
    assert _Recorder.seen == [("spectrogram", 0.5)]
    assert sf.info(out).frames == sf.info(content).frames
    import json

    recipe = json.loads(report.read_text())["recipe"]
    assert recipe["init"] == "test-level" and recipe["init_options"] == {"level": 0.5}
    listed = CliRunner().invoke(build_app(), ["plugins", "init"])
    assert "test-level" in listed.output and "test-dist" in listed.output


def test_a_plugin_start_says_its_domain_and_bad_options_fail_first(level_plugin, wav_files):
    content, style = wav_files
    base = ["transfer", content, style, "-o", content.parent / "x.wav", *tiny_flags()]
    r = CliRunner().invoke(
        build_app(), [str(a) for a in [*base, "--init", level_plugin, "--domain", "waveform"]]
    )
    assert r.exit_code == 2
    assert "init='test-level' only applies to domain='spectrogram'" in r.output
    r = CliRunner().invoke(
        build_app(), [str(a) for a in [*base, "--init", level_plugin, "--init-opt", "levl=1"]]
    )
    assert r.exit_code == 2 and "levl" in r.output and "level" in r.output
    assert _Recorder.seen == [] and not (content.parent / "x.wav").exists()


def test_a_start_of_the_wrong_shape_is_a_plugin_error_naming_it(speech, speech_female, tiny):
    from audiostyle.contracts.init import Initializer

    class Wrong(Initializer):
        def initialize(self, context):
            return torch.zeros(3)

    class Plugin:
        @hookimpl
        def register_initializers(self, register):
            register("test-wrong", Wrong)

    plugins.registry.register_plugin(Plugin(), name="test-wrong-plugin")
    try:
        with pytest.raises(PluginError, match="init 'test-wrong' returned .*\\(3,\\)"):
            engine.run(
                api.resolve_recipe(init="test-wrong", **tiny),
                style=speech_female,
                content=speech,
            )
    finally:
        plugins.registry.unregister_plugin("test-wrong-plugin")
