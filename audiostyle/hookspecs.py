"""The hook specifications of audiostyle.

Every registration hook takes a ``register`` callback; call it once per
implementation::

    register(name, target, *, options=OptionsDataclass, description="one line", **extra)

``name`` is unique within the stage (lower-case letters, digits, ``-_.``).
``target`` is the import path ``"package.module:Class"`` of the class that does the
work (imported on first use, so listing never imports torch) or the class itself.
``options`` is a dataclass whose typed fields (each with a default and
:func:`audiostyle.options.option` help) are the implementation's options.
``description`` is one line for ``audiostyle plugins``; ``extra`` keywords are kept
on the registration (e.g. ``differentiable=True`` for a transform, ``extra="eval"``
for a metric needing that install extra).

The class must subclass the stage's base class (checked when it is loaded); the
stage contracts are in CONTRIBUTING.md and checked by :mod:`audiostyle.testing`.

Call hooks with keyword arguments only; specs may gain arguments, never lose one.
"""

from __future__ import annotations

import pluggy

PROJECT_NAME = "audiostyle"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_transforms(register):
    """Register spectral transforms (STFT / iSTFT): ``register(name, target, ...)``.

    Classes subclass :class:`audiostyle.transforms.base.SpectralTransform` and are
    built as ``Cls(options, *, sample_rate, device)``.
    """


@hookspec
def register_networks(register):
    """Register feature networks (frozen, seeded torch modules).

    Classes subclass :class:`audiostyle.networks.base.FeatureNetwork` and are built
    as ``Cls(options, *, n_bins, seed, device)`` (plus ``sample_rate`` if the
    constructor declares it).
    """


@hookspec
def register_optimizers(register):
    """Register optimizers that minimise a closure over one tensor.

    Classes subclass :class:`audiostyle.optimizers.base.Optimizer`; ``Cls(options)``.
    """


@hookspec
def register_phase_reconstructors(register):
    """Register phase reconstructors that turn a magnitude into a waveform.

    Classes subclass :class:`audiostyle.phase.base.PhaseReconstructor`; ``Cls(options)``.
    """


@hookspec
def register_initializers(register):
    """Register starts of the optimisation (``init``: content, noise, ...).

    Classes subclass :class:`audiostyle.contracts.init.Initializer`; ``Cls(options)``.
    Pass ``domains=(...)`` when the start applies to one domain only and
    ``needs_content=True`` when it needs a content clip (the recipe checks both
    before any audio is loaded).
    """


@hookspec
def register_losses(register):
    """Register loss terms (content, Gram style, autocorrelation, ...).

    Classes subclass :class:`audiostyle.losses.base.LossTerm`; built as
    ``Cls(options, *, network)``. The name is the term's key in ``--loss NAME=W``.
    """


@hookspec
def register_metrics(register):
    """Register quality metrics used by ``bench`` and reports.

    Classes subclass :class:`audiostyle.metrics.base.Metric`; ``Cls(options)``.
    """


@hookspec
def register_executors(register):
    """Register executors that run many jobs (local pool, Ray, ...).

    Classes subclass :class:`audiostyle.executors.base.Executor`; ``Cls(options)``.
    """


@hookspec
def register_suites(register):
    """Register benchmark suites (sets of content / style / target cases).

    Classes subclass :class:`audiostyle.suites.base.Suite`; ``Cls(options)``.
    """


@hookspec
def register_commands(cli):
    """Add sub-commands to the ``audiostyle`` Typer application ``cli``.

    Use ``@cli.command("name")``; import heavy modules inside the command.
    """


@hookspec
def register_analyses(register):
    """Register analysis/synthesis transforms of the conversion front end.

    Classes subclass :class:`audiostyle.contracts.conversion.AnalysisSynthesis` and are
    built as ``Cls(options, *, sample_rate)`` (WORLD's source-filter parameters, an STFT
    with its phase, mel bands, ...).
    """


@hookspec
def register_conditioners(register):
    """Register conditioners that move the content's analysis toward the style's.

    Classes subclass :class:`audiostyle.contracts.conversion.Conditioner`; ``Cls(options)``.
    """


@hookspec
def register_matchers(register):
    """Register matchers that build the output's analysis from the style's frames.

    Classes subclass :class:`audiostyle.contracts.conversion.Matcher`; ``Cls(options)``.
    """


@hookspec
def register_vocoders(register):
    """Register vocoders that turn an analysis back into a wave.

    Classes subclass :class:`audiostyle.contracts.conversion.Vocoder`; built as
    ``Cls(options, *, sample_rate, device)``.
    """
