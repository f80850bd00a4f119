"""The hook specifications of audiostyle.

Every registration hook takes a ``register`` callback; call it once per
implementation::

    register(name, target, *, options=OptionsDataclass, description="one line")

``target`` is the import path ``"package.module:Class"`` of the class that does the
work (imported on first use, so listing never imports torch) or the class itself.
``options`` is a dataclass whose typed fields are the implementation's options.

Call hooks with keyword arguments only; specs may gain arguments, never lose one.
"""

from __future__ import annotations

import pluggy

PROJECT_NAME = "audiostyle"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_transforms(register):
    """Register spectral transforms (STFT / iSTFT): ``register(name, target, ...)``."""


@hookspec
def register_networks(register):
    """Register feature networks (frozen, seeded torch modules)."""


@hookspec
def register_optimizers(register):
    """Register optimizers that minimise a closure over one tensor."""


@hookspec
def register_phase_reconstructors(register):
    """Register phase reconstructors that turn a magnitude into a waveform."""


@hookspec
def register_losses(register):
    """Register loss terms (content, Gram style, autocorrelation, ...)."""


@hookspec
def register_metrics(register):
    """Register quality metrics used by ``bench`` and reports."""


@hookspec
def register_executors(register):
    """Register executors that run many jobs (local pool, Ray, ...)."""


@hookspec
def register_suites(register):
    """Register benchmark suites (sets of content / style / target cases)."""


@hookspec
def register_commands(cli):
    """Add sub-commands to the ``audiostyle`` Typer application ``cli``."""
