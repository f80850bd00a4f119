"""Waveform domain: the optimizer changes the wave itself, through a differentiable STFT.

Also the autocorrelation loss term (Antognini et al. 2019) that keeps rhythm in textures.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from audiostyle import api, hookimpl, plugins
from audiostyle.errors import ParameterError
from audiostyle.optimizers.base import Optimizer
from tests.conftest import SR, sine, tiny_flags

CLICK_PERIOD = 0.125  # seconds between clicks of the click track (8 per second)
ENV_HOP = 32  # samples per frame of the measuring envelope (4 ms at 8 kHz)


def click_track(seconds: float = 1.0, period: float = CLICK_PERIOD, seed: int = 0) -> np.ndarray:
    """A decaying noise burst (5 ms) every ``period`` seconds."""
    rng = np.random.default_rng(seed)
    burst = 0.8 * rng.standard_normal(40) * np.exp(-np.arange(40) / 8)
    y = np.zeros(int(seconds * SR), np.float32)
    for start in range(0, len(y) - len(burst), int(period * SR)):
        y[start : start + len(burst)] += burst
    return y


def envelope_autocorrelation(y: np.ndarray) -> np.ndarray:
    """Normalised autocorrelation of the RMS envelope (64-sample frames, hop 32)."""
    frames = np.lib.stride_tricks.sliding_window_view(y, 2 * ENV_HOP)[::ENV_HOP]
    env = np.sqrt((frames**2).mean(axis=1))
    env = env - env.mean()
    r = np.correlate(env, env, "full")[len(env) - 1 :]
    return r / r[0]


PERIOD_LAG = int(CLICK_PERIOD * SR) // ENV_HOP


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny tensors: intra-op threads only cost here (5-8x slower on a busy machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


HOP = 64  # samples (8 ms at 8 kHz): the tests reason in frames of this hop


def waveform(tiny: dict, **kw) -> dict:
    """The tiny recipe in the waveform domain, with an explicit hop."""
    transform = {**tiny.get("transform_options", {}), "hop_length": HOP}
    return {**tiny, "domain": "waveform", "transform_options": transform, **kw}


def cli_flags() -> list[str]:
    return [*tiny_flags(), "--transform-opt", f"hop_length={HOP}"]


# -- gradients ------------------------------------------------------------------------


class _GradProbe(Optimizer):
    """Evaluates the engine's objective at the start wave and checks its gradient
    against a central finite difference along the gradient's direction."""

    seen: dict = {}

    def setup(self, x):  # noqa: D102
        self.x = x

    def step(self, closure) -> float:  # noqa: D102
        loss = closure()
        g = self.x.grad.detach().clone()
        d = g / g.norm()
        eps = 1e-3 * float(self.x.detach().norm())
        values = []
        for sign in (1, -1):
            with torch.no_grad():
                self.x.add_(sign * eps * d)
            values.append(float(closure().detach()))
            with torch.no_grad():
                self.x.sub_(sign * eps * d)
        _GradProbe.seen = {
            "grad": g,
            "x": self.x.detach().clone(),
            "analytic": float(g.norm()),
            "numeric": (values[0] - values[1]) / (2 * eps),
        }
        return float(loss.detach())


class _ProbePlugin:
    @hookimpl
    def register_optimizers(self, register):
        register("grad-probe", _GradProbe, description="test: gradient check")


@pytest.fixture
def grad_probe():
    plugins.registry.register_plugin(_ProbePlugin(), name="grad-probe-plugin")
    try:
        yield "grad-probe"
    finally:
        plugins.registry.unregister_plugin("grad-probe-plugin")


@pytest.mark.parametrize(
    "transform",
    sorted(n for n, i in plugins.available("transform").items() if i.extra.get("differentiable")),
)
def test_gradients_reach_the_wave(speech, speech_female, tiny, grad_probe, transform):
    r = api.transfer(
        speech,
        speech_female,
        progress=False,
        **waveform(tiny, optimizer=grad_probe, transform=transform, steps=1),
    )
    seen = _GradProbe.seen
    g = seen["grad"]
    # The optimised tensor is the wave (in units of its RMS): one value per sample.
    assert g.shape == speech.shape and torch.isfinite(g).all()
    assert float(g.abs().max()) > 0
    # The start is the content: the tensor times the wave scale is the content wave.
    scale = float(np.sqrt(np.mean(speech.astype(np.float64) ** 2)))
    np.testing.assert_allclose(seen["x"].numpy() * scale, speech, atol=1e-6)
    # Autograd through STFT, log1p, network and losses agrees with finite differences.
    assert seen["numeric"] == pytest.approx(seen["analytic"], rel=0.05)
    assert r.steps_done == 1


# -- identity -------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_style_weight_zero_content_start_returns_the_content(speech, tiny, optimizer):
    r = api.transfer(
        speech,
        sine(1200),
        progress=False,
        **waveform(tiny, optimizer=optimizer, init="content", style_weight=0, steps=3),
    )
    assert r.peak_scale == 1.0
    np.testing.assert_allclose(r.audio, speech, atol=1e-5)


# -- non-differentiable transforms -------------------------------------------------------


def test_non_differentiable_transform_is_refused_before_audio(tmp_path, tiny):
    with pytest.raises(ParameterError) as err:
        api.transfer(
            tmp_path / "missing.wav", tmp_path / "missing-too.wav", transform="librosa",
            progress=False, **waveform(tiny),
        )  # fmt: skip
    msg = str(err.value)
    assert "differentiable" in msg and "'librosa'" in msg
    assert "torch" in msg and "torchaudio" in msg


def test_cli_non_differentiable_transform_error_wins_over_missing_file(tmp_path):
    from audiostyle.cli.app import build_app

    out = tmp_path / "out.wav"
    result = CliRunner().invoke(
        build_app(),
        [
            "transfer",
            str(tmp_path / "no-such-content.wav"),
            str(tmp_path / "no-such-style.wav"),
            "-o",
            str(out),
            "--domain",
            "waveform",
            "--transform",
            "librosa",
            *cli_flags(),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "differentiable" in result.output and "torchaudio" in result.output
    assert "no-such-content" not in result.output and "Traceback" not in result.output
    assert not out.exists()


# -- scaling: why waveform L-BFGS stalled ------------------------------------------------


def test_loss_norm_lets_lbfgs_move_a_small_waveform_loss(tiny):
    """Raw, the style loss of a texture from noise is ~5e-4: torch's L-BFGS keeps a
    curvature pair only if y.s > 1e-10, rejects them all, and the loss never moves.
    Divided by its initial value (the waveform default) it falls by an order of magnitude."""
    style = click_track()
    # At most 5 evaluations per step: the stalled run would burn 25 per step.
    kw = waveform(tiny, steps=8, optimizer_options={"max_eval_per_step": 5})
    raw = api.texture(style, duration=1.0, progress=False, loss_norm="none", **kw)
    normed = api.texture(style, duration=1.0, progress=False, loss_norm="auto", **kw)
    assert raw.final_losses["style"] > 0.9 * raw.initial_losses["style"]
    assert normed.final_losses["style"] < 0.3 * normed.initial_losses["style"]
    # Reported losses are raw in both cases (the same start).
    assert normed.initial_losses["style"] == pytest.approx(raw.initial_losses["style"])


def test_adam_step_is_relative_to_the_signal_level(speech, speech_female, tiny):
    """Adam's lr=0.05 on raw samples jumps by 5 % of full scale per step and the loss
    only rises (the engine keeps the start); on the wave in units of its RMS it falls."""
    kw = waveform(tiny, optimizer="adam", steps=8)
    raw = api.transfer(speech, speech_female, progress=False, wave_scale=1.0, **kw)
    auto = api.transfer(speech, speech_female, progress=False, **kw)
    assert raw.final_losses["total"] >= 0.99 * raw.initial_losses["total"]
    assert auto.final_losses["total"] < 0.9 * auto.initial_losses["total"]


# -- starts -------------------------------------------------------------------------------


@pytest.mark.parametrize("init", ["style-phase", "noise"])
def test_texture_starts(speech_female, tiny, init):
    # The default phase reconstructor starts from the content's phase: a texture has
    # none, so it must fall back to a random phase and say so.
    r = api.texture(speech_female, duration=0.75, progress=False, **waveform(tiny, init=init))
    assert r.audio.shape == (int(0.75 * SR),) and np.isfinite(r.audio).all()
    assert r.final_losses["style"] < r.initial_losses["style"]
    if init == "style-phase":
        assert any("random phase" in n for n in r.notes)


def test_content_phase_start(speech, speech_female, tiny):
    r = api.transfer(
        speech,
        speech_female,
        progress=False,
        phase_options={"init": "random", "n_iter": 4},
        **waveform(tiny, init="content-phase"),
    )
    assert r.audio.shape == speech.shape and np.isfinite(r.audio).all()
    with pytest.raises(ParameterError, match="content-phase.*needs a content"):
        api.texture(speech, duration=0.5, progress=False, **waveform(tiny, init="content-phase"))


# -- every network and optimizer ------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
@pytest.mark.parametrize("network", sorted(plugins.available("network")))
def test_every_network_and_optimizer(speech, speech_female, tiny, network, optimizer):
    tiny["network_options"] = {"n_filters": 16}
    r = api.transfer(
        speech,
        speech_female,
        progress=False,
        **waveform(tiny, network=network, optimizer=optimizer, steps=4),
    )
    assert r.audio.shape == speech.shape and np.isfinite(r.audio).all()
    assert r.final_losses["total"] < r.initial_losses["total"]
    assert r.device == "cpu" and len(r.history) == 4


# -- peak levels ----------------------------------------------------------------------------


def test_loud_output_is_scaled_with_a_note(tiny):
    loud = sine(440, 0.5) * 1.9  # peak 0.95
    r = api.transfer(loud, sine(880), progress=False, peak=0.5, **waveform(tiny, style_weight=0))
    assert float(np.abs(r.audio).max()) == pytest.approx(0.5, rel=1e-4)
    assert r.peak_scale == pytest.approx(0.5 / 0.95, rel=1e-3)
    assert any("scaled by" in n and "dB" in n for n in r.notes)


# -- the autocorrelation term ------------------------------------------------------------


def test_autocorrelation_by_fft_matches_direct_sum():
    from audiostyle.losses.autocorr import autocorrelation

    g = torch.Generator().manual_seed(0)
    f = torch.randn(2, 3, 50, generator=g, dtype=torch.float64)
    lags = 12
    got = autocorrelation(f, max_lag=lags, normalize="unbiased", center=False)
    want = torch.stack(
        [(f[..., : 50 - k] * f[..., k:]).sum(-1) / (50 - k) for k in range(lags + 1)], dim=-1
    )
    torch.testing.assert_close(got, want)
    corr = autocorrelation(f, max_lag=lags, normalize="correlation")
    torch.testing.assert_close(
        corr[..., 0], torch.ones(2, 3, dtype=torch.float64), rtol=1e-2, atol=0
    )
    assert float(corr.abs().max()) <= 1.0 + 1e-6
    with pytest.raises(ParameterError, match="max_lag"):
        autocorrelation(f, max_lag=50)


def test_autocorrelation_options_and_errors(speech_female, tiny):
    impl = plugins.get_backend("loss", "autocorrelation")
    o = impl.parse_options({"max_lag_frames": "20", "layers": "style,input"})
    assert o.max_lag_frames == 20 and o.layers == ("style", "input")
    with pytest.raises(ParameterError, match="max_lag_seconds"):
        impl.parse_options({"max_lag_seconds": "0"})
    with pytest.raises(ParameterError, match="layer 'nope'.*it has:"):
        api.texture(
            speech_female,
            duration=0.5,
            progress=False,
            losses={"autocorrelation": {"weight": 1, "options": {"layers": "nope"}}},
            **waveform(tiny),
        )


def _click_texture(tiny, *, seed: int, autocorrelation: float | None, steps: int = 60):
    losses = None if autocorrelation is None else {"autocorrelation": autocorrelation}
    r = api.texture(
        click_track(),
        duration=1.0,
        progress=False,
        losses=losses,
        **waveform(tiny, steps=steps, seed=seed),
    )
    return envelope_autocorrelation(r.audio)[PERIOD_LAG], r


def test_click_track_texture_keeps_its_period_with_autocorrelation(tiny):
    """The Gram term sees 11 frames (88 ms) at a time and forgets a 125 ms period; the
    autocorrelation term keeps it. Measured on the output's RMS envelope: the style's
    peak at the period is 0.82."""
    assert envelope_autocorrelation(click_track())[PERIOD_LAG] > 0.75
    peak, r = _click_texture(tiny, seed=0, autocorrelation=0.01, steps=40)
    assert r.final_losses["autocorrelation"] < 0.05 * r.initial_losses["autocorrelation"]
    assert r.final_losses["style"] < 0.25 * r.initial_losses["style"]
    assert peak > 0.6


@pytest.mark.slow
def test_click_track_period_is_lost_without_autocorrelation(tiny):
    """The comparison for the closing note: three seeds with and without the term."""
    with_term, without = [], []
    for seed in (0, 1, 2):
        with_term.append(_click_texture(tiny, seed=seed, autocorrelation=0.01)[0])
        without.append(_click_texture(tiny, seed=seed, autocorrelation=None)[0])
    assert min(with_term) > 0.55, with_term
    assert max(without) < 0.45, without
    assert np.mean(with_term) - np.mean(without) > 0.4, (with_term, without)


# -- CLI: progress, summary, report ---------------------------------------------------------


def test_cli_waveform_texture_with_report(tmp_path):
    import soundfile as sf

    from audiostyle.cli.app import build_app

    style, out, report = tmp_path / "clicks.wav", tmp_path / "tex.wav", tmp_path / "r.json"
    sf.write(style, click_track(), SR)
    result = CliRunner().invoke(
        build_app(),
        [
            "texture",
            str(style),
            "-o",
            str(out),
            "--length",
            "0.75",
            "--domain",
            "waveform",
            "--loss",
            "autocorrelation=0.01",
            "--loss",
            "autocorrelation.max_lag_seconds=0.3",
            "--loss-norm",
            "initial",
            "--report",
            str(report),
            *cli_flags(),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "autocorrelation loss" in result.output and "style loss" in result.output
    assert sf.info(out).frames == int(0.75 * SR)
    data = json.loads(report.read_text())
    assert data["recipe"]["domain"] == "waveform" and data["recipe"]["loss_norm"] == "initial"
    assert float(data["recipe"]["losses"]["autocorrelation"]["options"]["max_lag_seconds"]) == 0.3
    assert data["final_losses"]["autocorrelation"] < data["initial_losses"]["autocorrelation"]
