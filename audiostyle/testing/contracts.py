"""Shared contract checks: what every implementation of a stage must do.

The same checks run over the built-ins (``tests/test_contracts.py``), over every
installed plugin (``audiostyle plugins --check``) and, in one line, in a plugin's
own tests::

    import my_plugin
    from audiostyle.testing import check_plugin

    def test_contracts():
        check_plugin(my_plugin, options={"my-net": {"n_filters": 32}})

or one implementation at a time (with ``pytest.mark.parametrize`` over
:func:`registered`)::

    from audiostyle.testing import check
    check("network", "my-net", options={"n_filters": 32})

A violated contract raises :class:`ContractError` (an ``AssertionError``, so pytest
shows it as a test failure) naming the stage, the implementation and the rule. A
missing optional dependency propagates as
:class:`~audiostyle.errors.DependencyError` (skip the test on it).

The checks run on real signals (a chirp, noise, the bundled speech for metrics) at
:data:`SAMPLE_RATE` with tiny sizes (:data:`TINY_OPTIONS`), so a whole stage is
checked in well under a second on a CPU.

What is checked, per stage
--------------------------
every stage
    the class loads and subclasses the stage's base class; the options schema is a
    dataclass whose every field has a default and a help text, and whose defaults
    survive the command line's ``key=value`` text round trip.
transform
    ``stft`` gives complex64 ``(n_bins, n_frames(T))`` (batched ``(..., n_bins,
    frames)`` too) on the transform's device, deterministically; ``istft(stft(x))``
    gives float32 ``x`` back (relative error < 1e-3); gradients flow through
    ``stft`` when the implementation says it is differentiable; an STFT backend
    (options ``STFTOptions``) agrees with the built-in ``torch`` one.
network
    a frozen ``FeatureNetwork``: no parameter requires grad and none gets a
    gradient; float32 named feature maps ``(batch, ..., frames')`` holding the
    content and style layers, on the requested device; the same seed gives the same
    network whatever the global RNG; another seed gives another network; batch
    items are independent; gradients flow to the input.
optimizer
    ``minimize`` lowers a quadratic objective, does not touch ``x0``, reports every
    step to the callback, stops when the callback says so, is deterministic, and
    falls back to a finite state when the objective turns NaN.
phase
    ``reconstruct`` gives a finite float32 ``(..., length)`` wave whose STFT
    magnitude is close to the target (spectral convergence under a bound), is
    deterministic for a seeded generator and leaves the magnitude untouched.
loss
    a finite scalar, ~0 at its targets and positive away from them, with gradients
    flowing back to the network's input; texture runs (no content) work unless the
    term ``needs_content``.
metric
    a finite float (or dict of floats) on real speech, deterministic.
suite
    ``cases(size=1, duration=1.0, ...)`` gives one case whose files exist and hold sound, the same
    files again for the same seed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from audiostyle.errors import ParameterError

#: Stages with a contract checked here (executors have no base class yet: only
#: their options schema is checked).
CONTRACT_STAGES = ("transform", "network", "optimizer", "phase", "loss", "metric", "suite")

#: Sample rate (Hz) of the signals the checks use.
SAMPLE_RATE = 8_000

#: Options shrunk for speed when an implementation has them and the caller did not
#: set them (``tiny=False`` keeps the implementation's defaults).
TINY_OPTIONS: dict[str, Any] = {
    "n_fft": 256,
    "n_filters": 32,
    "n_iter": 8,
    "n_mels": 32,
    "channels": 16,
}

_N_BINS = 129  # n_fft 256
_HOP = 64


class ContractError(AssertionError):
    """An implementation does not follow its stage's contract."""


def _fail(stage: str, name: str, rule: str) -> ContractError:
    return ContractError(f"{stage} {name!r} breaks the contract: {rule}")


# -- discovery ---------------------------------------------------------------------------
def registered(
    stage: str | None = None, *, plugin: str | None = None, distribution: str | None = None
) -> list[tuple[str, str]]:
    """``(stage, name)`` of every registered implementation, for parametrizing tests.

    Parameters
    ----------
    stage : str, optional
        Only this stage.
    plugin, distribution : str, optional
        Only implementations from this plugin (its registered name) or distribution.
    """
    from audiostyle.plugins import STAGES, available

    out = []
    for key in [stage] if stage else list(STAGES):
        for name, impl in sorted(available(key).items()):
            if plugin is not None and impl.plugin != plugin:
                continue
            if distribution is not None and impl.distribution != distribution:
                continue
            out.append((key, name))
    return out


@contextlib.contextmanager
def plugin_registered(
    plugin: object, *, name: str | None = None, distribution: str | None = None
) -> Iterator[str]:
    """Register ``plugin`` (a module or object with hookimpls) for the ``with`` block.

    Yields the name it is registered under. Use it to test a plugin without
    installing it (tests usually run with ``AUDIOSTYLE_LOAD_PLUGINS=""``).
    """
    from audiostyle.plugins import registry

    name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
    already = registry.pm.has_plugin(name) if registry._loaded else False
    if not already:
        registry.register_plugin(plugin, name=name, distribution=distribution)
    try:
        yield name
    finally:
        if not already:
            registry.unregister_plugin(name)


def check_plugin(
    plugin: object,
    *,
    name: str | None = None,
    options: dict[str, dict[str, Any]] | None = None,
    tiny: bool = True,
    device: str = "cpu",
) -> dict[tuple[str, str], list[str]]:
    """Register ``plugin``, check every implementation it registers, unregister it.

    Parameters
    ----------
    plugin : module or object
        What the plugin's entry point names (holds the hookimpls).
    name : str, optional
        Plugin name (default: the module's name).
    options : dict of str to dict, optional
        Options per implementation name (e.g. ``{"my-net": {"n_filters": 32}}``).
    tiny, device
        As for :func:`check`.

    Returns
    -------
    dict of (stage, name) to list of str
        The checks passed by each implementation.

    Raises
    ------
    ContractError
        The plugin registered nothing, failed to register, or an implementation
        broke its contract.
    """
    from audiostyle.plugins import failures

    options = options or {}
    results: dict[tuple[str, str], list[str]] = {}
    with plugin_registered(plugin, name=name) as plugin_name:
        broken = [f for f in failures() if f.plugin == plugin_name]
        if broken:
            raise ContractError(f"plugin {plugin_name!r} failed to register: {broken[0].error}")
        found = registered(plugin=plugin_name)
        if not found:
            raise ContractError(f"plugin {plugin_name!r} registers no implementation.")
        unknown = set(options) - {n for _, n in found}
        if unknown:
            raise ParameterError(
                f"options given for {sorted(unknown)[0]!r}, which plugin {plugin_name!r} "
                f"does not register; it registers {', '.join(n for _, n in found)}."
            )
        for stage, impl_name in found:
            results[(stage, impl_name)] = check(
                stage, impl_name, options=options.get(impl_name), tiny=tiny, device=device
            )
    return results


def check(
    stage: str,
    name: str,
    *,
    options: dict[str, Any] | None = None,
    tiny: bool = True,
    device: str = "cpu",
) -> list[str]:
    """Run every contract check of ``stage`` on the registered implementation ``name``.

    Parameters
    ----------
    stage : str
        transform, network, optimizer, phase, loss, metric, suite (other stages:
        loading and options schema only).
    name : str
        The registered name.
    options : dict, optional
        ``key=value`` options for the implementation (as on the command line).
    tiny : bool
        Shrink sizes listed in :data:`TINY_OPTIONS` the caller did not set.
    device : str
        Where tensors should live (``cpu`` or ``cuda``).

    Returns
    -------
    list of str
        Names of the checks passed.
    """
    from audiostyle.plugins import get_backend

    impl = get_backend(stage, name)
    passed = check_options_schema(impl)
    cls = impl.load()
    passed.append("loads")
    opts = _options(impl, options, tiny)
    runner = _RUNNERS.get(stage)
    if runner is not None:
        passed += runner(impl, cls, opts, device=device)
    return passed


def _options(impl, given: dict[str, Any] | None, tiny: bool) -> Any:
    fields = {f.name for f in dataclasses.fields(impl.options)}
    values = dict(given or {})
    if tiny:
        shrunk = {k: v for k, v in TINY_OPTIONS.items() if k in fields and k not in values}
        try:
            return impl.parse_options({**shrunk, **values})
        except ParameterError:
            pass  # tiny sizes this implementation refuses: use its defaults
    return impl.parse_options(values)


# -- options ---------------------------------------------------------------------------
def _cli_text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return ",".join(_cli_text(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def check_options_schema(impl) -> list[str]:
    """Check an implementation's options class (no torch needed).

    It must be a dataclass; every field needs a default and a help text
    (:func:`audiostyle.options.option`); the defaults must build, and each default
    written as command-line text must convert back to itself.
    """
    from audiostyle.options import build, describe

    stage, name, cls = impl.stage, impl.name, impl.options
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise _fail(stage, name, f"options {cls!r} is not a dataclass class.")
    for f in dataclasses.fields(cls):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise _fail(stage, name, f"option {f.name!r} has no default.")
    try:
        default = build(cls, {}, context=f"{stage} {name!r}")
    except ParameterError as exc:
        raise _fail(stage, name, f"its default options do not build: {exc}") from exc
    for opt, _tp, value, help_ in describe(cls):
        if not help_:
            raise _fail(
                stage,
                name,
                f"option {opt!r} has no help text; declare it with "
                "audiostyle.options.option(default, help).",
            )
        text = _cli_text(value)
        try:
            again = build(cls, {opt: text}, context=f"{stage} {name!r}")
        except ParameterError as exc:
            raise _fail(
                stage,
                name,
                f"option {opt!r}: its default {value!r} written as {text!r} on the command "
                f"line is rejected ({exc}); fix its type annotation.",
            ) from exc
        if getattr(again, opt) != getattr(default, opt):
            raise _fail(
                stage,
                name,
                f"option {opt!r}: default {value!r} becomes {getattr(again, opt)!r} after "
                f"'{opt}={text}'; fix its type annotation.",
            )
    return ["options schema"]


# -- signals -----------------------------------------------------------------------------
def _chirp(n: int, sample_rate: int = SAMPLE_RATE):
    import numpy as np

    t = np.arange(n) / sample_rate
    f0, f1, dur = 100.0, 0.4 * sample_rate, n / sample_rate
    y = 0.5 * np.sin(2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * dur)))
    return y.astype(np.float32)


def _noise(n: int, seed: int = 0):
    import numpy as np

    return (0.1 * np.random.default_rng(seed).standard_normal(n)).astype(np.float32)


def _reference_transform(device: str):
    from audiostyle.transforms.options import STFTOptions
    from audiostyle.transforms.torch_stft import TorchSTFT

    return TorchSTFT(STFTOptions(n_fft=256), sample_rate=SAMPLE_RATE, device=device)


def _rel(a, b) -> float:
    import torch

    return float(torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(b).clamp_min(1e-12))


# -- transform ---------------------------------------------------------------------------
def _check_transform(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.transforms.base import SpectralTransform
    from audiostyle.transforms.options import STFTOptions

    stage, name = impl.stage, impl.name
    t = cls(opts, sample_rate=SAMPLE_RATE, device=device)
    if not isinstance(t, SpectralTransform):
        raise _fail(stage, name, "the instance is not a SpectralTransform.")
    n = SAMPLE_RATE // 2
    x = torch.from_numpy(_chirp(n)).to(device)
    spec = t.stft(x)
    if not (torch.is_tensor(spec) and spec.dtype == torch.complex64):
        raise _fail(stage, name, f"stft must return a complex64 tensor, got {_desc(spec)}.")
    want = (t.n_bins, t.n_frames(n))
    if tuple(spec.shape) != want:
        raise _fail(
            stage, name, f"stft of {n} samples has shape {tuple(spec.shape)}, expected {want}."
        )
    if spec.device.type != torch.device(device).type:
        raise _fail(stage, name, f"stft result is on {spec.device}, asked for {device}.")
    if not torch.equal(t.stft(x), spec):
        raise _fail(stage, name, "stft is not deterministic.")
    batch = torch.stack([x, torch.from_numpy(_noise(n)).to(device)])
    bspec = t.stft(batch)
    if tuple(bspec.shape) != (2, *want):
        raise _fail(stage, name, f"stft of (2, {n}) has shape {tuple(bspec.shape)}.")
    if _rel(bspec[0], spec) > 1e-5:
        raise _fail(stage, name, "stft of a batch differs from stft of its items.")
    y = t.istft(spec, length=n)
    if not (torch.is_tensor(y) and y.dtype == torch.float32 and tuple(y.shape) == (n,)):
        raise _fail(stage, name, f"istft must return float32 ({n},), got {_desc(y)}.")
    err = _rel(y.to(x.device), x)
    if not err < 1e-3:
        raise _fail(stage, name, f"istft(stft(x)) differs from x by {err:.2e} (relative).")
    yb = t.istft(bspec, length=n - 7)
    if tuple(yb.shape) != (2, n - 7):
        raise _fail(stage, name, f"istft of a batch with length={n - 7} gave {tuple(yb.shape)}.")
    passed = ["stft shape/dtype/device", "deterministic", "batch", "round trip"]
    if impl.extra.get("differentiable") or getattr(cls, "differentiable", False):
        w = x.detach().clone().requires_grad_(True)
        t.stft(w).abs().pow(2).sum().backward()
        if w.grad is None or not torch.isfinite(w.grad).all() or float(w.grad.abs().sum()) == 0:
            raise _fail(stage, name, "says it is differentiable but no gradient reaches the wave.")
        passed.append("gradients")
    if isinstance(opts, STFTOptions) and impl.name != "torch":
        from audiostyle.transforms.torch_stft import TorchSTFT

        ref = TorchSTFT(opts, sample_rate=SAMPLE_RATE, device=device).stft(x)
        diff = _rel(spec.to(ref.device), ref)
        if not diff < 1e-4:
            raise _fail(
                stage,
                name,
                f"with the same STFTOptions its stft differs from the torch backend's by "
                f"{diff:.2e} (relative): frames, centring, padding or window normalisation "
                "disagree.",
            )
        passed.append("agrees with torch")
    return passed


def _desc(v) -> str:
    shape = getattr(v, "shape", None)
    return f"{type(v).__name__} {getattr(v, 'dtype', '')} {tuple(shape) if shape else ''}".strip()


# -- network ---------------------------------------------------------------------------
def _build_network(cls, opts, *, seed: int, device: str):
    from audiostyle.plugins import accepted_keywords

    extra = accepted_keywords(cls, {"sample_rate": SAMPLE_RATE})
    return cls(opts, n_bins=_N_BINS, seed=seed, device=device, **extra)


def _reps(device: str):
    import torch

    t = _reference_transform(device)
    n = SAMPLE_RATE  # 1 s: 126 frames, enough for wide / dilated valid convolutions
    a = torch.log1p(t.stft(torch.from_numpy(_chirp(n)).to(device)).abs())
    b = torch.log1p(t.stft(torch.from_numpy(_noise(n) * 5).to(device)).abs())
    return a, b


def _check_network(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.networks.base import FeatureNetwork

    stage, name = impl.stage, impl.name
    torch.manual_seed(1234)
    net = _build_network(cls, opts, seed=0, device=device)
    if not isinstance(net, FeatureNetwork):
        raise _fail(stage, name, "the instance is not a FeatureNetwork.")
    grads = [n for n, p in net.named_parameters() if p.requires_grad]
    if grads:
        raise _fail(stage, name, f"weights must not require grad: {', '.join(grads[:3])}.")
    if net.training:
        raise _fail(stage, name, "the network must be in eval mode (call self.freeze()).")
    for what in ("content_layers", "style_layers"):
        layers = getattr(net, what)
        if not isinstance(layers, tuple) or not all(isinstance(k, str) for k in layers):
            raise _fail(stage, name, f"{what} must be a tuple of str, got {layers!r}.")
    if not net.style_layers:
        raise _fail(stage, name, "style_layers is empty: the style loss would have nothing.")
    want = torch.device(device).type
    for pname, tensor in [*net.named_parameters(), *net.named_buffers()]:
        if tensor.device.type != want:
            raise _fail(stage, name, f"{pname} is on {tensor.device}, asked for {device}.")
    a, b = _reps(device)
    feats = net(a.unsqueeze(0))
    if not isinstance(feats, dict) or not feats:
        raise _fail(stage, name, f"forward must return a dict of feature maps, got {_desc(feats)}.")
    missing = set(net.content_layers + net.style_layers) - set(feats)
    if missing:
        raise _fail(stage, name, f"layers {sorted(missing)} are not in its feature maps.")
    for k, f in feats.items():
        if not (torch.is_tensor(f) and f.dtype == torch.float32 and f.ndim >= 3):
            raise _fail(stage, name, f"feature map {k!r} must be float32 (batch, ..., frames).")
        if f.shape[0] != 1 or f.shape[-1] < 1:
            raise _fail(stage, name, f"feature map {k!r} of one input has shape {tuple(f.shape)}.")
        if f.device.type != want:
            raise _fail(stage, name, f"feature map {k!r} is on {f.device}, asked for {device}.")
        if not torch.isfinite(f).all():
            raise _fail(stage, name, f"feature map {k!r} is not finite.")
    torch.manual_seed(999)  # another global RNG state: the seed alone must decide
    again = _build_network(cls, opts, seed=0, device=device)(a.unsqueeze(0))
    for k in feats:
        if not torch.equal(feats[k], again[k]):
            raise _fail(
                stage,
                name,
                f"two networks with seed 0 differ at {k!r}: draw weights from "
                "self.generator(), not the global RNG.",
            )
    passed = ["frozen", "feature maps", "device", "deterministic for a seed"]
    if any(True for _ in net.parameters()):
        other = _build_network(cls, opts, seed=1, device=device)(a.unsqueeze(0))
        if all(torch.equal(feats[k], other[k]) for k in feats):
            raise _fail(stage, name, "seeds 0 and 1 give the same network: the seed is ignored.")
        passed.append("seed matters")
    both = net(torch.stack([a, b]))
    single_b = net(b.unsqueeze(0))
    for k in feats:
        if _rel(both[k][0], feats[k][0]) > 1e-4 or _rel(both[k][1], single_b[k][0]) > 1e-4:
            raise _fail(stage, name, f"batch items are not independent at {k!r}.")
    passed.append("batch")
    rep = b.clone().requires_grad_(True)
    out = net(rep.unsqueeze(0))
    sum(f.pow(2).mean() for f in out.values()).backward()
    if rep.grad is None or not torch.isfinite(rep.grad).all() or float(rep.grad.abs().sum()) == 0:
        raise _fail(stage, name, "no finite, non-zero gradient reaches the input.")
    touched = [n for n, p in net.named_parameters() if p.grad is not None]
    if touched:
        raise _fail(stage, name, f"weights received gradients: {', '.join(touched[:3])}.")
    passed.append("gradients flow to the input only")
    return passed


# -- optimizer -------------------------------------------------------------------------
def _check_optimizer(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.optimizers.base import Optimizer, OptimizeResult

    stage, name = impl.stage, impl.name
    target = torch.linspace(-1, 1, 8 * 16, device=device).reshape(8, 16)

    def objective(x):
        return (x - target).pow(2).sum()

    x0 = torch.zeros(8, 16, device=device)
    steps = 10
    seen: list[int] = []
    opt = cls(opts)
    if not isinstance(opt, Optimizer):
        raise _fail(stage, name, "the instance is not an Optimizer.")
    res = opt.minimize(objective, x0, steps=steps, callback=lambda info: seen.append(info.step))
    if not isinstance(res, OptimizeResult):
        raise _fail(stage, name, f"minimize must return an OptimizeResult, got {_desc(res)}.")
    if not torch.equal(x0, torch.zeros_like(x0)):
        raise _fail(stage, name, "minimize changed x0 in place.")
    if tuple(res.x.shape) != (8, 16) or res.x.dtype != torch.float32:
        raise _fail(stage, name, f"the result has {_desc(res.x)}, x0 is float32 (8, 16).")
    if res.x.device.type != torch.device(device).type:
        raise _fail(stage, name, f"the result is on {res.x.device}, x0 on {device}.")
    start, end = float(objective(x0)), float(objective(res.x))
    if not end < 0.9 * start:
        raise _fail(
            stage, name, f"{steps} steps on a quadratic only went from {start:.4g} to {end:.4g}."
        )
    if seen != list(range(1, steps + 1)) or res.steps_done != steps:
        raise _fail(
            stage, name, f"callback saw steps {seen}, steps_done={res.steps_done}; want 1..{steps}."
        )
    again = cls(opts).minimize(objective, x0, steps=steps)
    if not torch.equal(again.x, res.x):
        raise _fail(stage, name, "two runs from the same start differ.")
    early = cls(opts).minimize(objective, x0, steps=steps, callback=lambda info: info.step >= 3)
    if early.steps_done != 3 or early.stopped != "callback":
        raise _fail(
            stage,
            name,
            f"a callback returning True at step 3 gave steps_done={early.steps_done}, "
            f"stopped={early.stopped!r}.",
        )
    calls = {"n": 0}

    def turns_nan(x):
        calls["n"] += 1
        value = objective(x)
        return value * float("nan") if calls["n"] > 2 else value

    bad = cls(opts).minimize(turns_nan, x0, steps=steps)
    if bad.stopped != "non-finite" or not torch.isfinite(bad.x).all():
        raise _fail(
            stage,
            name,
            f"an objective turning NaN gave stopped={bad.stopped!r} and a "
            f"{'finite' if torch.isfinite(bad.x).all() else 'non-finite'} result; it must "
            "stop with the last finite state.",
        )
    return ["lowers a quadratic", "x0 untouched", "callback", "deterministic", "NaN fallback"]


# -- phase -------------------------------------------------------------------------------
#: Largest spectral convergence ||(|STFT(y)| - M)|| / ||M|| a phase reconstructor may
#: leave on the test chirp (noise of the same energy scores about 1.4).
MAX_SPECTRAL_CONVERGENCE = 0.5


def _check_phase(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.phase.base import PhaseReconstructor

    stage, name = impl.stage, impl.name
    ph = cls(opts)
    if not isinstance(ph, PhaseReconstructor):
        raise _fail(stage, name, "the instance is not a PhaseReconstructor.")
    t = _reference_transform(device)
    n = SAMPLE_RATE // 2
    x = torch.from_numpy(_chirp(n)).to(device)
    spec = t.stft(x)
    mag = spec.abs()
    keep = mag.clone()
    cphase = torch.where(mag > 0, spec / mag.clamp_min(1e-12), torch.ones_like(spec))
    ticks: list[int] = []

    def run(m, cp):
        return ph.reconstruct(
            m,
            transform=t,
            length=n,
            content_phase=cp,
            generator=torch.Generator().manual_seed(0),
            callback=lambda i, total: ticks.append(i),
        )

    y = run(mag, cphase)
    if not (torch.is_tensor(y) and y.dtype == torch.float32 and tuple(y.shape) == (n,)):
        raise _fail(stage, name, f"reconstruct must return float32 ({n},), got {_desc(y)}.")
    if y.device.type != torch.device(device).type or not torch.isfinite(y).all():
        raise _fail(stage, name, f"the wave must be finite and on {device}.")
    if not torch.equal(mag, keep):
        raise _fail(stage, name, "reconstruct changed the magnitude in place.")
    sc = _rel(t.stft(y).abs(), mag)
    if not sc < MAX_SPECTRAL_CONVERGENCE:
        raise _fail(
            stage,
            name,
            f"spectral convergence {sc:.3f} on a chirp (must be < {MAX_SPECTRAL_CONVERGENCE}).",
        )
    if not torch.equal(run(mag, cphase), y):
        raise _fail(stage, name, "two runs with the same seeded generator differ.")
    mags = torch.stack([mag, t.stft(torch.from_numpy(_noise(n)).to(device)).abs()])
    cps = torch.stack([cphase, torch.ones_like(cphase)])
    yb = run(mags, cps)
    if tuple(yb.shape) != (2, n):
        raise _fail(stage, name, f"a batch (2, freq, frames) gave {tuple(yb.shape)}, not (2, {n}).")
    return ["wave shape/dtype/device", f"spectral convergence {sc:.3f}", "deterministic", "batch"]


# -- loss --------------------------------------------------------------------------------
def _check_loss(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.engine import features
    from audiostyle.losses.base import LossTerm
    from audiostyle.networks.options import RandomCNNOptions
    from audiostyle.networks.random_cnn import RandomCNN

    stage, name = impl.stage, impl.name
    net = RandomCNN(RandomCNNOptions(n_filters=32, kernel_size=5), n_bins=_N_BINS, device=device)
    from audiostyle.plugins import accepted_keywords

    # The engine offers the feature maps' frame rate to terms that declare it.
    term = cls(opts, network=net, **accepted_keywords(cls, {"frame_rate": SAMPLE_RATE / _HOP}))
    if not isinstance(term, LossTerm):
        raise _fail(stage, name, "the instance is not a LossTerm.")
    a, b = _reps(device)
    with torch.no_grad():
        fa = features(net, a.unsqueeze(0))
    term.prepare(content=fa, style=fa)
    at_target = term(fa)
    if not (torch.is_tensor(at_target) and at_target.ndim == 0):
        raise _fail(stage, name, f"a term must return a scalar tensor, got {_desc(at_target)}.")
    rep = b.clone().requires_grad_(True)
    away = term(features(net, rep.unsqueeze(0)))
    va, vb = float(at_target.detach()), float(away.detach())
    if not (math.isfinite(va) and math.isfinite(vb)):
        raise _fail(stage, name, f"non-finite values {va}, {vb}.")
    if not vb > 0 or not abs(va) <= 1e-4 * vb + 1e-6:
        raise _fail(
            stage, name, f"value {va:.4g} at its targets and {vb:.4g} away: want ~0 and > 0."
        )
    away.backward()
    if rep.grad is None or not torch.isfinite(rep.grad).all() or float(rep.grad.abs().sum()) == 0:
        raise _fail(stage, name, "no finite, non-zero gradient reaches the representation.")
    if float(term(features(net, b.unsqueeze(0)))) != vb:
        raise _fail(stage, name, "two evaluations of the same input differ.")
    passed = ["scalar", "zero at target", "gradients", "deterministic"]
    if not getattr(term, "needs_content", False):
        term.prepare(content=None, style=fa)
        if not math.isfinite(float(term(features(net, b.unsqueeze(0))))):
            raise _fail(stage, name, "without a content (texture) the value is not finite.")
        passed.append("texture (no content)")
    return passed


# -- metric ------------------------------------------------------------------------------
def _check_metric(impl, cls, opts, *, device: str) -> list[str]:
    from audiostyle.api import demo_clip
    from audiostyle.audio import load
    from audiostyle.metrics.base import Metric

    stage, name = impl.stage, impl.name
    sr = 16_000
    content = load(demo_clip("content"), sample_rate=sr, offset=0.5, duration=1.0)
    style = load(demo_clip("style"), sample_rate=sr, offset=0.5, duration=1.0)
    output = (0.7 * content + 0.3 * style[: content.shape[0]]).astype(content.dtype)
    text_path = Path(str(demo_clip("content"))).with_suffix(".txt")
    text = text_path.read_text().strip() if text_path.exists() else "hello"
    metric = cls(opts)
    if not isinstance(metric, Metric):
        raise _fail(stage, name, "the instance is not a Metric.")
    kwargs = {"content": content, "style": style, "target": content, "text": text}

    def value():
        v = metric(output, sample_rate=sr, **kwargs)
        if isinstance(v, dict):
            items = v.items()
        else:
            items = [("value", v)]
        out = {}
        for k, x in items:
            if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
                raise _fail(stage, name, f"{k} = {x!r} is not a finite number.")
            out[k] = float(x)
        return out

    first = value()
    second = value()
    for k in first:
        if not math.isclose(first[k], second[k], rel_tol=1e-5, abs_tol=1e-6):
            raise _fail(stage, name, f"{k} differs between two calls: {first[k]} vs {second[k]}.")
    return ["finite value(s) " + ", ".join(f"{k}={v:.3g}" for k, v in first.items()), "repeatable"]


# -- suite -------------------------------------------------------------------------------
def _check_suite(impl, cls, opts, *, device: str) -> list[str]:
    import numpy as np

    from audiostyle.audio import load
    from audiostyle.suites.base import Case, Suite

    stage, name = impl.stage, impl.name
    suite = cls(opts)
    if not isinstance(suite, Suite):
        raise _fail(stage, name, "the instance is not a Suite.")
    with tempfile.TemporaryDirectory(prefix="audiostyle-contract-") as tmp:
        kw = {"size": 1, "seed": 0, "cache_dir": Path(tmp), "duration": 1.0}
        cases = suite.cases(sample_rate=SAMPLE_RATE, **kw)
        if not isinstance(cases, list) or len(cases) != 1:
            raise _fail(stage, name, f"cases(size=1) gave {_desc(cases)}, not a list of 1 case.")
        case = cases[0]
        if not isinstance(case, Case):
            raise _fail(stage, name, f"a case must be a Case, got {_desc(case)}.")
        for role in ("content", "style", "target"):
            path = getattr(case, role)
            if path is None and role == "target":
                continue
            if not Path(path).is_file():
                raise _fail(stage, name, f"case {case.name!r}: {role} file {path} does not exist.")
            y = load(path, sample_rate=SAMPLE_RATE)
            if y.size == 0 or float(np.abs(y).max()) < 1e-4:
                raise _fail(stage, name, f"case {case.name!r}: {role} file {path} is silent.")
        again = suite.cases(sample_rate=SAMPLE_RATE, **kw)
        if [c.name for c in again] != [case.name] or (
            Path(again[0].content).read_bytes() != Path(case.content).read_bytes()
        ):
            raise _fail(stage, name, "the same seed gave different cases.")
    return ["one case of real files", "reproducible"]


_RUNNERS = {
    "transform": _check_transform,
    "network": _check_network,
    "optimizer": _check_optimizer,
    "phase": _check_phase,
    "loss": _check_loss,
    "metric": _check_metric,
    "suite": _check_suite,
}

from audiostyle.testing.conversion_checks import RUNNERS as _CONVERSION  # noqa: E402

_RUNNERS.update(_CONVERSION)
