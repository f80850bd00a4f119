"""The levers of the default recipe (issue 14): each one correct on real signals.

Each lever is an option of a stage, so ``audiostyle bench`` and
``benchmarks/presets.py`` can compare it; these tests prove that the fast setting
computes what the slow one does (or, for the content start and phase, gives back the
content when nothing is optimised).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from audiostyle import api, engine, plugins
from audiostyle.presets import get_preset
from tests.conftest import SR, TINY, chirp, sine

# conftest's tiny recipe with the default preset's own steps and content weight (the
# envelope stays off: the stages alone; tests/test_envelope.py covers it).
TINY_DEFAULT = {k: v for k, v in TINY.items() if k not in ("steps", "content_weight", "preset")} | {
    "progress": False
}


# -- content start + content phase --------------------------------------------------------
def test_zero_steps_with_the_content_phase_give_back_the_content(speech, speech_female):
    r = api.transfer(speech, speech_female, preset="colour", steps=0, **TINY_DEFAULT)
    assert r.steps_done == 0
    # Content start, no optimisation, the content's own phase, no Griffin-Lim:
    # iSTFT(STFT(content)) is the content up to float rounding.
    err = np.abs(r.audio - speech).max()
    assert err < 1e-4 * np.abs(speech).max(), err


def test_the_content_phase_beats_griffin_lim_from_random_phase_at_zero_steps(speech):
    """With nothing optimised, only the phase stage differs: the content's own phase
    rebuilds the content; 8 Griffin-Lim iterations from random phase do not."""
    style = chirp(300, 3000)
    own = api.transfer(speech, style, preset="colour", steps=0, **TINY_DEFAULT)
    gl = api.transfer(
        speech,
        style,
        preset="colour",
        steps=0,
        phase_options={"init": "random", "n_iter": 8},
        **TINY_DEFAULT,
    )

    def snr(y):
        return 10 * np.log10(np.sum(speech**2) / np.sum((y - speech) ** 2))

    assert snr(own.audio) > 60 > snr(gl.audio) + 40


# -- frames x frames Gram -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("normalize", "reduction"), [("frames", "mean"), ("elements", "sum"), ("none", "mean")]
)
def test_gram_forms_agree_for_every_normalisation(normalize, reduction, speech, speech_female):
    """tests/test_engine.py checks one setting on random maps; here every normalisation
    on the default network's real feature maps of two speech clips."""
    from audiostyle.losses.gram import StyleLoss
    from audiostyle.losses.options import StyleLossOptions

    transform = plugins.create("transform", "torch", {"n_fft": 256}, sample_rate=SR)
    net = plugins.create(
        "network", "random-cnn", {"n_filters": 96, "padding": "same", "init": "kaiming"},
        n_bins=transform.n_bins, seed=0,
    )  # fmt: skip
    rep = lambda y: torch.log1p(transform.stft(torch.from_numpy(y)).abs())[None]  # noqa: E731
    style = net(rep(speech_female))
    x = rep(speech).requires_grad_(True)
    values, grads = [], []
    for form in ("channels", "frames"):
        loss = StyleLoss(
            StyleLossOptions(form=form, normalize=normalize, reduction=reduction), network=net
        )
        loss.prepare(content=None, style=style)
        v = loss(net(x))
        (g,) = torch.autograd.grad(v, x)
        values.append(float(v.detach()))
        grads.append(g)
    assert values[0] > 0
    assert abs(values[0] - values[1]) / values[0] < 1e-4
    rel = float(torch.linalg.norm(grads[0] - grads[1]) / torch.linalg.norm(grads[0]))
    assert rel < 1e-3


def test_auto_gram_form_picks_frames_when_channels_exceed_frames():
    from audiostyle.losses.gram import StyleLoss
    from audiostyle.losses.options import StyleLossOptions

    class Net:
        style_layers = ("f",)

    loss = StyleLoss(StyleLossOptions(form="auto"), network=Net())
    wide, narrow = torch.zeros(1, 1024, 400), torch.zeros(1, 64, 400)
    assert loss._use_frames(wide, wide) and not loss._use_frames(narrow, narrow)


# -- the optimizers without torch.optim ------------------------------------------------------
def _quadratic():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(30, 30, generator=g)
    a = a @ a.T / 30 + 0.1 * torch.eye(30)
    b = torch.randn(30, generator=g)
    x_star = torch.linalg.solve(a, b)
    return (lambda x: 0.5 * x @ a @ x - b @ x), x_star


@pytest.mark.parametrize(
    ("name", "options", "steps"),
    [("lbfgs", {}, 25), ("lbfgs", {"line_search": "none", "lr": 0.5}, 25), ("adam", {}, 40)],
)
def test_minimal_optimizer_matches_torch_optim_on_a_quadratic(name, options, steps):
    objective, x_star = _quadratic()
    x0 = torch.zeros(30)
    results = {}
    for impl in ("minimal", "torch"):
        opt = plugins.create("optimizer", name, {**options, "implementation": impl})
        results[impl] = opt.minimize(objective, x0, steps=steps)
    a, b = results["minimal"], results["torch"]
    assert a.evaluations == b.evaluations
    torch.testing.assert_close(a.x, b.x, rtol=1e-5, atol=1e-6)
    assert a.losses == pytest.approx(b.losses, rel=1e-5, abs=1e-6)
    if name == "lbfgs" and not options:  # L-BFGS with line search solves it
        assert float(torch.linalg.norm(a.x - x_star) / torch.linalg.norm(x_star)) < 1e-3
    assert a.losses[-1] < a.losses[0]


def test_minimal_lbfgs_matches_torch_on_a_real_transfer(speech, speech_female):
    outs = [
        api.transfer(
            speech,
            speech_female,
            preset="colour",
            steps=6,
            optimizer_options={"implementation": impl},
            **TINY_DEFAULT,
        )
        for impl in ("minimal", "torch")
    ]
    assert outs[0].evaluations == outs[1].evaluations
    assert outs[0].final_losses == pytest.approx(outs[1].final_losses, rel=1e-4)
    np.testing.assert_allclose(outs[0].audio, outs[1].audio, atol=1e-5)


def test_torch_private_line_search_keeps_the_signature_minimal_lbfgs_calls():
    """MinimalLBFGS calls torch's private ``_strong_wolfe``: pin what it relies on."""
    import inspect

    from torch.optim.lbfgs import _strong_wolfe

    from audiostyle.optimizers.minimal import STRONG_WOLFE_PARAMETERS, strong_wolfe

    params = list(inspect.signature(_strong_wolfe).parameters)
    assert params[:7] == ["obj_func", "x", "t", "d", "f", "g", "gtd"], params
    assert "max_ls" in params and set(STRONG_WOLFE_PARAMETERS) <= set(params)
    assert strong_wolfe() is _strong_wolfe


def test_a_torch_without_the_private_line_search_is_detected(monkeypatch):
    import torch.optim.lbfgs as torch_lbfgs

    from audiostyle.optimizers.minimal import strong_wolfe

    monkeypatch.setattr(torch_lbfgs, "_strong_wolfe", lambda obj_func, x, t, d, f, g, gtd: 0)
    assert strong_wolfe() is None  # before 2024: no max_ls
    monkeypatch.delattr(torch_lbfgs, "_strong_wolfe")
    assert strong_wolfe() is None


def test_minimal_lbfgs_falls_back_to_torch_optim_without_the_private_line_search(monkeypatch):
    from audiostyle.optimizers import minimal

    monkeypatch.setattr(minimal, "strong_wolfe", lambda: None)
    objective, x_star = _quadratic()
    opt = plugins.create("optimizer", "lbfgs", {"implementation": "minimal"})
    with pytest.warns(UserWarning, match="uses torch.optim.LBFGS instead"):
        got = opt.minimize(objective, torch.zeros(30), steps=25)
    want = plugins.create("optimizer", "lbfgs", {"implementation": "torch"})
    want = want.minimize(objective, torch.zeros(30), steps=25)
    assert got.evaluations == want.evaluations
    torch.testing.assert_close(got.x, want.x, rtol=1e-5, atol=1e-6)
    assert float(torch.linalg.norm(got.x - x_star) / torch.linalg.norm(x_star)) < 1e-3


def test_minimal_optimizer_does_not_import_torch_dynamo():
    code = (
        "import sys, torch\n"
        "from audiostyle.plugins import create\n"
        "opt = create('optimizer', 'lbfgs', {})\n"
        "r = opt.minimize(lambda x: ((x - 1) ** 2).sum(), torch.zeros(4), steps=3)\n"
        "assert float(r.x.mean()) > 0.99, r.x\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.strip() == "False", out.stderr


# -- bfloat16 --------------------------------------------------------------------------------
def test_bfloat16_network_is_close_to_float32(speech, speech_female):
    transform = plugins.create("transform", "torch", {"n_fft": 256}, sample_rate=SR)
    rep = lambda y: torch.log1p(transform.stft(torch.from_numpy(y)).abs())[None]  # noqa: E731
    opts = {"n_filters": 64, "padding": "same", "init": "kaiming"}
    nets = {
        dt: plugins.create(
            "network", "random-cnn", {**opts, "compute_dtype": dt}, n_bins=transform.n_bins, seed=0
        )
        for dt in ("float32", "bfloat16")
    }
    from audiostyle.losses.gram import StyleLoss
    from audiostyle.losses.options import StyleLossOptions

    feats, grads = {}, {}
    for dt, net in nets.items():
        x = rep(speech).requires_grad_(True)
        f = net(x)
        assert f["conv"].dtype == torch.float32
        loss = StyleLoss(StyleLossOptions(), network=net)
        loss.prepare(content=None, style=net(rep(speech_female)))
        (grads[dt],) = torch.autograd.grad(loss(f), x)
        feats[dt] = f["conv"].detach()
    rel = torch.linalg.norm(feats["bfloat16"] - feats["float32"]) / torch.linalg.norm(
        feats["float32"]
    )
    assert float(rel) < 2e-2
    cos = torch.nn.functional.cosine_similarity(
        grads["bfloat16"].flatten(), grads["float32"].flatten(), dim=0
    )
    assert float(cos) > 0.99


# -- the L-BFGS budget and filters -------------------------------------------------------------
def test_the_lbfgs_budget_bounds_the_evaluations(speech, speech_female):
    r = api.transfer(
        speech,
        speech_female,
        preset="colour",
        steps=4,
        optimizer_options={"max_eval_per_step": 2},
        **TINY_DEFAULT,
    )
    assert r.steps_done == 4 and 4 <= r.evaluations <= 4 * 2 + 1
    assert r.final_losses["style"] < r.initial_losses["style"]


def test_default_moves_a_tone_towards_the_style_spectrum():
    """The default recipe's own levers (content start, content phase, its L-BFGS budget)
    on a 400 Hz tone styled by a 1.6 kHz tone: energy appears near the style's pitch
    while the content's pitch stays."""
    content, style = sine(400, 1.0), sine(1600, 1.0)
    r = api.transfer(content, style, preset="colour", steps=30, **TINY_DEFAULT)
    spec = np.abs(np.fft.rfft(r.audio))
    spec0 = np.abs(np.fft.rfft(content))
    freqs = np.fft.rfftfreq(len(r.audio), 1 / SR)
    band = lambda s, lo, hi: s[(freqs > lo) & (freqs < hi)].sum()  # noqa: E731
    assert band(spec, 1500, 1700) > 3 * band(spec0, 1500, 1700)
    assert band(spec, 350, 450) > 0.3 * band(spec0, 350, 450)


def test_default_recipe_uses_the_fast_levers():
    built = get_preset("default").validate()
    assert built["optimizer"].implementation == "minimal"
    assert built["phase"].n_iter == 0 and built["phase"].init == "content"
    assert get_preset("default").init in ("auto", "content")
    assert built["losses"]["style"].form in ("auto", "frames")


def test_engine_reports_the_evaluations_of_the_budget(speech, speech_female):
    recipe = api.resolve_recipe("default", steps=3, **{
        k: v for k, v in TINY_DEFAULT.items() if k != "progress"
    })  # fmt: skip
    out = engine.run(recipe, style=speech_female, content=speech)
    assert out.steps_done == 3 and out.evaluations >= 3
