"""The recipe: every choice of a run, as fields, and the small accessors on them.

:class:`Recipe` is a dataclass; what it does with its fields comes from its base
classes, one module each: :class:`~audiostyle.recipe.apply.Settings` (applying nested
settings), :class:`~audiostyle.recipe.validate.Validation` (checking and building the
options) and :class:`~audiostyle.recipe.toml.TomlFile` (TOML files).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from audiostyle.recipe.apply import Settings
from audiostyle.recipe.choices import (
    CONVERSION_KEYS,
    DEFAULT_SAMPLE_RATE,
    STAGE_KEYS,
    Device,
    Domain,
    LossChoice,
    LossNorm,
    StageChoice,
)
from audiostyle.recipe.toml import TomlFile
from audiostyle.recipe.validate import Validation


@dataclass
class Recipe(Settings, Validation, TomlFile):
    """Every choice of a run.

    ``domain`` says what the optimizer changes: the log-magnitude (``spectrogram``,
    then the phase stage builds a wave) or the wave itself (``waveform``).
    ``init`` names the starting point, an initializer (the ``init`` stage, options in
    ``init_options``): ``content``, ``noise`` (standard deviation ``noise_scale``
    unless its option ``scale`` is set), or in waveform mode the wave the phase stage
    builds from the content's (``content-phase``) or the style's (``style-phase``)
    magnitude; ``auto`` = content for a transfer, noise for a texture.
    ``clamp`` (if set) clamps the log-magnitude to [0, clamp] before every
    step and at the end, as some published recipes do: it discards every
    log-magnitude above ``clamp`` (most of a loud spectrum, heard as a dull,
    compressed sound).
    In the waveform domain the optimizer moves ``wave / wave_scale`` (``None``: the
    RMS of the content, or of the style for a texture), so its step sizes are relative
    to the signal's level as they are to the log-magnitude's. ``loss_norm="initial"``
    divides the objective the optimizer sees by its value at the start (reported
    losses stay raw): L-BFGS keeps a curvature pair only if y.s > 1e-10, so on a small
    loss it rejects them all and stalls; ``auto`` = initial in the waveform domain,
    none in the spectrogram domain.
    ``segment``: a content longer than this (seconds) is processed in segments of at
    most this length, overlapping by ``segment_overlap`` seconds (at most a quarter
    of a segment) and cross-faded, so memory stays bounded and time grows linearly
    (0: one piece, whatever its length).
    ``envelope`` (0 to 1) colours the content toward the style's long-term spectral
    envelope before the optimisation (:mod:`audiostyle.envelope`): each of 40 mel
    bands moves that fraction of the way, in dB, to the style's level; the
    optimisation, the content loss and the content's phase then start from the
    coloured content (0: off). ``auto`` picks the strength by what the clips are: 0.6
    when the content and the style are both speech, 0.32 otherwise
    (:func:`audiostyle.envelope.auto_strength`; the run's notes say which).
    ``envelope_classes``: the content's quiet, middle and loud frames (3 classes) each
    take the colour of the style's frames of the same loudness rank (1: one colour
    for every frame).

    >>> import pathlib, tempfile
    >>> from audiostyle.presets import get_preset
    >>> r = get_preset("default")
    >>> r.set_stage("network", None, {"n_filters": 64})
    >>> r.steps = 10
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     r.save(pathlib.Path(tmp) / "recipe.toml")
    ...     again = Recipe.load(pathlib.Path(tmp) / "recipe.toml")
    >>> again == r, again.network.options["n_filters"], again.validate()["network"].n_filters
    (True, 64, 64)
    """

    transform: StageChoice = field(default_factory=lambda: StageChoice("torch"))
    network: StageChoice = field(default_factory=lambda: StageChoice("random-cnn"))
    optimizer: StageChoice = field(default_factory=lambda: StageChoice("lbfgs"))
    phase: StageChoice = field(default_factory=lambda: StageChoice("griffin-lim"))
    losses: dict[str, LossChoice] = field(
        default_factory=lambda: {"content": LossChoice(1.0), "style": LossChoice(1.0)}
    )
    domain: Domain = "spectrogram"
    init: str = "auto"  # an initializer's name ('audiostyle plugins init') or auto
    init_options: dict[str, Any] = field(default_factory=dict)
    noise_scale: float = 1e-3
    steps: int = 100
    sample_rate: int = DEFAULT_SAMPLE_RATE
    seed: int = 0
    device: Device = "auto"
    clamp: float | None = None
    peak: float = 0.99
    wave_scale: float | None = None
    loss_norm: LossNorm = "auto"
    segment: float = 30.0  # seconds; a longer content is processed in segments (0: never)
    segment_overlap: float = 1.0  # seconds cross-faded between neighbouring segments
    envelope: float | Literal["auto"] = 0.0  # 0..1 or auto: colour toward the style's envelope
    envelope_classes: int = 3  # loudness classes coloured separately (1: one colour)
    # Conversion front end, run once on the whole content before the optimisation
    # (audiostyle.convert): analysis -> conditioners -> matcher -> vocoder/synthesis.
    analysis: StageChoice | None = None
    conditioners: list[StageChoice] = field(default_factory=list)
    matcher: StageChoice | None = None
    vocoder: StageChoice | None = None
    # {"speech": preset, "other": preset}: a speech detector decides once, before any
    # work, which preset the run takes (the user's overrides still apply over it).
    route: dict[str, str] = field(default_factory=dict)
    preset: str | None = None
    description: str = ""

    # -- convenience ----------------------------------------------------------------
    @property
    def content_weight(self) -> float:
        """Weight of the ``content`` loss term (0 if absent)."""
        c = self.losses.get("content")
        return c.weight if c else 0.0

    @property
    def style_weight(self) -> float:
        """Weight of the ``style`` loss term (0 if absent)."""
        s = self.losses.get("style")
        return s.weight if s else 0.0

    def stage(self, key: str) -> StageChoice:
        """The choice for stage ``key`` (transform, network, optimizer, phase)."""
        return getattr(self, key)

    def copy(self) -> Recipe:
        """A deep copy."""
        return copy.deepcopy(self)

    # -- conversion -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (JSON ready; ``None`` is kept, see :func:`dumps_toml`)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name in STAGE_KEYS:
                out[f.name] = {"name": v.name, "options": dict(v.options)}
            elif f.name in CONVERSION_KEYS:
                out[f.name] = None if v is None else {"name": v.name, "options": dict(v.options)}
            elif f.name == "conditioners":
                out[f.name] = [{"name": c.name, "options": dict(c.options)} for c in v]
            elif f.name in ("route", "init_options"):
                out[f.name] = dict(v)
            elif f.name == "losses":
                out["losses"] = {
                    k: {"weight": c.weight, "options": dict(c.options)} for k, c in v.items()
                }
            else:
                out[f.name] = v
        return out
