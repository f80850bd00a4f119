"""The contract: what every stage backend implements and the data it passes on.

The bottom floor of the house (CONTRIBUTING.md, "The house"). A backend, built-in
or a plugin's, subclasses one of these and is registered through its hook
(:mod:`audiostyle.hookspecs`); errors come from :mod:`audiostyle.errors`, option
schemas are dataclasses checked by :mod:`audiostyle.options`.

Per hook, the base class a backend subclasses (its abstract methods) and its module:

- ``register_transforms``: :class:`SpectralTransform` (``stft``, ``istft``) with
  :class:`STFTOptions` / :class:`STFTConfig`; :mod:`.transform`, :mod:`.stft`
- ``register_networks``: :class:`FeatureNetwork` (``forward``) and the building blocks
  ``activation``, ``init_conv``, ``conv_padding``, ``require_size``; :mod:`.network`
- ``register_optimizers``: :class:`Optimizer` (``setup``, ``step``), :class:`StepInfo`,
  :class:`OptimizeResult`; :mod:`.optimizer`
- ``register_phase_reconstructors``: :class:`PhaseReconstructor` (``reconstruct``);
  :mod:`.phase`
- ``register_initializers``: :class:`Initializer` (``initialize``) and the data type
  :class:`InitContext`; :mod:`.init`
- ``register_losses``: :class:`LossTerm` (``__call__``), ``INPUT_KEY``; :mod:`.loss`
- ``register_metrics``: :class:`Metric` (``__call__``); :mod:`.metric`
- ``register_suites``: :class:`Suite` (``cases``), :class:`Case`; :mod:`.suite`
- ``register_executors``: :class:`Executor` (``map``), :class:`Resources`,
  :class:`TaskResult`; :mod:`.executor`
- ``register_commands``: :func:`handle_errors`, the decorator every command wears;
  :mod:`.commands`
- ``register_analyses``, ``register_conditioners``, ``register_matchers``,
  ``register_vocoders``: :class:`AnalysisSynthesis` (``analyze``, ``synthesize``),
  :class:`Conditioner` (``condition``), :class:`Matcher` (``match``), :class:`Vocoder`
  (``synthesize``), the data type :class:`Analysis` and :class:`ConversionContext`;
  :mod:`.conversion`

Importing this package is light: each name loads its module on first use (the
tensor stages import torch, the rest do not), so ``from audiostyle.contracts import
Metric`` costs what ``audiostyle.contracts.metric`` costs.

>>> from audiostyle.contracts import Optimizer, StepInfo
>>> import inspect; inspect.isabstract(Optimizer)
True
"""

from __future__ import annotations

from typing import Any

_HOME = {
    "STFTOptions": "stft",
    "STFTConfig": "stft",
    "DEFAULT_N_FFT": "stft",
    "SpectralTransform": "transform",
    "FeatureNetwork": "network",
    "activation": "network",
    "conv_padding": "network",
    "init_conv": "network",
    "require_size": "network",
    "Objective": "optimizer",
    "Optimizer": "optimizer",
    "OptimizeResult": "optimizer",
    "StepInfo": "optimizer",
    "PhaseReconstructor": "phase",
    "Initializer": "init",
    "InitContext": "init",
    "INPUT_KEY": "loss",
    "LossTerm": "loss",
    "Metric": "metric",
    "CACHE_ENV": "suite",
    "Case": "suite",
    "Suite": "suite",
    "default_cache_dir": "suite",
    "Executor": "executor",
    "Resources": "executor",
    "TaskResult": "executor",
    "handle_errors": "commands",
    "Analysis": "conversion",
    "AnalysisSynthesis": "conversion",
    "Conditioner": "conversion",
    "ConversionContext": "conversion",
    "Matcher": "conversion",
    "Vocoder": "conversion",
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    if name in _HOME:
        import importlib

        return getattr(importlib.import_module(f"audiostyle.contracts.{_HOME[name]}"), name)
    raise AttributeError(f"module 'audiostyle.contracts' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
