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
init
    ``domains`` and ``needs_content`` agree with the registration; in every domain it
    applies to (and for a texture, unless it needs a content) ``initialize`` gives a
    new finite float32 tensor of the domain's shape (``(n_bins, n_frames)`` or
    ``(length,)``) on the device, leaves the context's tensors untouched, and gives
    the same start for the same seeded generator whatever the global RNG.
loss
    a finite scalar, ~0 at its targets and positive away from them, with gradients
    flowing back to the network's input; texture runs (no content) work unless the
    term ``needs_content``.
metric
    a finite float (or dict of floats) on real speech, deterministic.
suite
    ``cases(size=1, duration=1.0, ...)`` gives one case whose files exist and hold sound, the same
    files again for the same seed.
analysis, conditioner, matcher, vocoder
    see :mod:`audiostyle.testing.stages.conversion` (on real speech at 16 kHz).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any

from audiostyle.errors import ParameterError
from audiostyle.testing.common import SAMPLE_RATE, TINY_OPTIONS, ContractError
from audiostyle.testing.schema import check_options_schema
from audiostyle.testing.stages.conversion import RUNNERS as CONVERSION_RUNNERS
from audiostyle.testing.stages.init import check_init
from audiostyle.testing.stages.loss import check_loss
from audiostyle.testing.stages.metric import check_metric
from audiostyle.testing.stages.network import check_network
from audiostyle.testing.stages.optimizer import check_optimizer
from audiostyle.testing.stages.phase import check_phase
from audiostyle.testing.stages.suite import check_suite
from audiostyle.testing.stages.transform import check_transform

__all__ = [
    "CONTRACT_STAGES",
    "SAMPLE_RATE",
    "TINY_OPTIONS",
    "ContractError",
    "check",
    "check_options_schema",
    "check_plugin",
    "plugin_registered",
    "registered",
]

#: Stages with a contract checked here (executors have no base class yet: only
#: their options schema is checked).
CONTRACT_STAGES = (
    "transform",
    "network",
    "optimizer",
    "phase",
    "init",
    "loss",
    "metric",
    "suite",
    "analysis",
    "conditioner",
    "matcher",
    "vocoder",
)


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
        transform, network, optimizer, phase, init, loss, metric, suite, and the
        conversion stages (other stages: loading and options schema only).
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


_RUNNERS = {
    "transform": check_transform,
    "network": check_network,
    "optimizer": check_optimizer,
    "phase": check_phase,
    "init": check_init,
    "loss": check_loss,
    "metric": check_metric,
    "suite": check_suite,
    **CONVERSION_RUNNERS,  # analysis, conditioner, matcher, vocoder
}
