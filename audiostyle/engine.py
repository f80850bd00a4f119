"""The engine: one style transfer (or texture) from arrays to an array.

It resolves every stage from the recipe, computes the targets once, and minimises
one closure over one tensor: the log-magnitude (``domain="spectrogram"``, then the
phase stage builds the wave) or the wave itself (``domain="waveform"``), starting
from what the plan's initializer builds (the ``init`` stage). It knows nothing of
files or the command line (see :mod:`audiostyle.api`).
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import torch

from audiostyle import dsp
from audiostyle.contracts.init import InitContext
from audiostyle.contracts.loss import INPUT_KEY
from audiostyle.contracts.optimizer import StepInfo
from audiostyle.errors import AudioError, ParameterError, PluginError
from audiostyle.plugins import create
from audiostyle.recipe import Recipe

SILENCE_PEAK = 1e-6  # below this peak amplitude a clip counts as digital silence


class Progress(Protocol):
    """Receives progress of the long stages ("optimize", "phase")."""

    def start(self, stage: str, total: int) -> None:
        """A stage begins with ``total`` steps."""

    def update(self, stage: str, done: int, info: dict[str, float]) -> None:
        """``done`` steps of ``stage`` are finished; ``info`` holds current losses."""

    def finish(self, stage: str) -> None:
        """The stage has ended."""


@dataclass
class StepReport:
    """What a user callback receives after every optimisation step."""

    step: int
    steps: int
    loss: float
    losses: dict[str, float]
    evaluations: int
    elapsed: float


@dataclass
class EngineOutput:
    """Everything a run produced."""

    audio: np.ndarray
    sample_rate: int
    recipe: Recipe
    timings: dict[str, float]
    history: list[dict[str, float]]
    initial_losses: dict[str, float]
    final_losses: dict[str, float]
    steps_done: int
    evaluations: int
    stopped: str | None = None
    nonfinite_step: int | None = None
    peak_scale: float = 1.0
    device: str = "cpu"
    magnitude: torch.Tensor | None = field(default=None, repr=False)
    notes: list[str] = field(default_factory=list)
    segments: int = 1  # > 1: a long content processed in segments (audiostyle.segments)

    @property
    def partial(self) -> bool:
        """True if the optimisation did not run all its steps (Ctrl-C or non-finite)."""
        return self.stopped in ("interrupted", "non-finite")


def resolve_device(device: str) -> torch.device:
    """``auto`` -> cuda if available, else cpu; a clear error for unusable devices."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ParameterError(
            f"device={device!r}: no CUDA device is available here; use device 'cpu' or 'auto'.",
            option="device",
        )
    if device not in ("cpu",) and not device.startswith("cuda"):
        raise ParameterError(f"device={device!r} is not one of auto, cpu, cuda.", option="device")
    return torch.device(device)


def _check_signal(y: np.ndarray | None, *, role: str, n_fft: int) -> None:
    if y is None:
        return
    if y.ndim != 1:
        raise ParameterError(f"{role} must be mono, shape (time,), got {y.shape}.")
    if y.shape[0] < n_fft:
        raise AudioError(
            f"{role} has {y.shape[0]} samples, shorter than the analysis window "
            f"(n_fft={n_fft}); use a longer clip or a smaller transform option n_fft."
        )
    if not np.isfinite(y).all():
        raise AudioError(f"{role} contains NaN or Inf samples; repair the audio.")


def run(
    recipe: Recipe,
    *,
    style: np.ndarray,
    content: np.ndarray | None = None,
    length: int | None = None,
    callback: Callable[[StepReport], bool | None] | None = None,
    progress: Progress | None = None,
    shared: dict[str, Any] | None = None,
) -> EngineOutput:
    """Run a transfer (``content`` given) or a texture (``content=None``, ``length``).

    Parameters
    ----------
    recipe : Recipe
        Every choice; validated here.
    style : ndarray [shape=(time,)], float32
        At ``recipe.sample_rate``.
    content : ndarray [shape=(time,)], float32, optional
        At ``recipe.sample_rate``; sets the output length.
    length : int, optional
        Output length in samples for a texture.
    callback : callable(StepReport) -> bool, optional
        Called after every step; return ``True`` to stop early.
    progress : Progress, optional
        Receives progress of the optimisation and phase stages.
    shared : dict, optional
        State kept across calls with the same recipe and style (the segments of a long
        content, see :mod:`audiostyle.segments`): pass the same empty dict to every
        call; the stages and the style's targets are then built once.
    """
    t_start = time.perf_counter()
    from audiostyle.plan import Plan

    plan = Plan.of(recipe)  # validated once per run: a segment's plan is its run's
    recipe, built = plan.recipe, dict(plan.built)
    start, start_options = plan.start(texture=content is None)  # auto decided by the plan
    timings: dict[str, float] = {}
    notes: list[str] = []
    if content is None and getattr(built["phase"], "init", None) == "content":
        # A texture has no content phase to start from: decide now, not after the work.
        built["phase"] = dataclasses.replace(built["phase"], init="random")
        notes.append(
            "texture: phase reconstruction starts from a random phase (there is no content phase)"
        )
    device = resolve_device(recipe.device)
    sr = recipe.sample_rate
    stft_opts = built["transform"]
    n_fft = stft_opts.n_fft
    style = np.asarray(style, dtype=np.float32)
    content = None if content is None else np.asarray(content, dtype=np.float32)
    _check_signal(style, role="style", n_fft=n_fft)
    _check_signal(content, role="content", n_fft=n_fft)
    if content is None:
        if length is None or length < n_fft:
            raise ParameterError(
                f"texture length={length} samples must be at least "
                f"n_fft={n_fft}; give a longer duration.",
                option="duration",
            )
    else:
        length = content.shape[0]
    if float(np.abs(style).max()) < SILENCE_PEAK:
        raise AudioError(
            "style is digital silence: there is no style to take; "
            "give a style clip with sound in it."
        )
    if content is not None and float(np.abs(content).max()) < SILENCE_PEAK:
        warnings.warn(
            "content is digital silence: started from it, the output is silence too "
            "(use init='noise' for a texture of the style instead).",
            stacklevel=2,
        )
        notes.append("content is digital silence")

    # -- stages -------------------------------------------------------------------------
    t = time.perf_counter()
    if shared is not None and "stages" in shared:
        transform, network, optimizer, phase = shared["stages"]
    else:
        transform = create(
            "transform", recipe.transform.name, stft_opts, sample_rate=sr, device=device
        )
        network = create(
            "network",
            recipe.network.name,
            built["network"],
            n_bins=transform.n_bins,
            seed=recipe.seed,
            device=device,
            optional={"sample_rate": sr},  # for networks that declare it (e.g. mel filterbanks)
        )
        optimizer = create("optimizer", recipe.optimizer.name, built["optimizer"])
        phase = create("phase", recipe.phase.name, built["phase"])
        if shared is not None:
            shared["stages"] = (transform, network, optimizer, phase)
    initializer = create("init", start, start_options)
    generator = torch.Generator().manual_seed(recipe.seed)
    timings["setup"] = time.perf_counter() - t
    # A spectrogram is turned back into a wave on a length whose last frame is centred
    # at or after the last sample (zeros after the content), trimmed at the end:
    # otherwise the last samples are rebuilt from the tapering tail of one window alone,
    # and any change to the spectrogram comes back there as a spike that the peak limit
    # then takes out of the whole output. (The waveform domain optimises the wave itself,
    # one value per sample; only its phase-reconstructed starts pad, see
    # audiostyle.inits.phase_starts.)
    out_length = length
    if recipe.domain == "spectrogram":
        length = dsp.transform_covering_length(transform, out_length)
    padded = None if content is None else np.pad(content, (0, length - out_length))

    # -- analysis and targets -----------------------------------------------------------
    t = time.perf_counter()
    style_t = torch.from_numpy(style).to(device)
    style_mag = transform.stft(style_t).abs()
    style_rep = torch.log1p(style_mag)
    content_t = content_spec = content_rep = None
    if padded is not None:
        content_t = torch.from_numpy(padded).to(device)
        content_spec = transform.stft(content_t)
        content_rep = torch.log1p(content_spec.abs())
    terms: dict[str, tuple[float, Any]] = {}
    for name, choice in recipe.losses.items():
        if choice.weight == 0:
            continue
        term = create(
            "loss",
            name,
            built["losses"][name],
            network=network,
            optional={"frame_rate": sr / transform.hop_length},
        )
        if term.needs_content and content is None:
            continue
        terms[name] = (choice.weight, term)
    if not terms:
        raise ParameterError(
            "every loss weight is 0 (or needs a content); give style_weight > 0.",
            option="style_weight",
        )
    with torch.no_grad():
        content_feats = (
            features(network, content_rep.unsqueeze(0)) if content_rep is not None else None
        )
        if shared is not None and "terms" in shared:
            # A later segment of a long content: the style's targets were computed once.
            terms = shared["terms"]
            for _, term in terms.values():
                if term.needs_content:
                    term.prepare(content=content_feats, style=shared["style_features"])
        else:
            style_feats = features(network, style_rep.unsqueeze(0))
            for _, term in terms.values():
                term.prepare(content=content_feats, style=style_feats)
            if shared is not None:
                shared.update(terms=terms, style_features=style_feats)
            del style_feats
    del content_feats
    timings["analysis"] = time.perf_counter() - t

    # -- what the optimizer changes -------------------------------------------------------
    n_frames = transform.n_frames(length)
    content_phase = None if content_spec is None else dsp.unit_phase(content_spec)
    clamp = recipe.clamp
    wave_scale = 1.0  # waveform domain: the optimizer moves x / wave_scale (see below)
    t = time.perf_counter()
    context = InitContext(
        domain=recipe.domain,
        length=length,
        n_frames=n_frames,
        transform=transform,
        phase=phase,
        style=style_t,
        style_rep=style_rep,
        content=content_t,
        content_rep=content_rep,
        generator=generator,
        device=device,
        noise_scale=recipe.noise_scale,
    )
    x0 = _initial(initializer, name=start, context=context)
    if recipe.domain == "spectrogram":

        def to_rep(x: torch.Tensor) -> torch.Tensor:
            if clamp is not None:
                with torch.no_grad():
                    x.clamp_(0, clamp)
            return x
    else:
        # A change of variables: the optimizer moves z = wave / wave_scale, a signal of
        # about unit RMS, as the log-magnitude is in the spectrogram domain. Adam's lr is
        # then a step relative to the signal's level (in raw samples lr=0.05 is a 5 %
        # full-scale jump per sample and step: the loss only rises).
        wave_scale = _wave_scale(recipe, content=content_t, style=style_t)
        x0 = x0 / wave_scale

        def to_rep(x: torch.Tensor) -> torch.Tensor:
            rep = torch.log1p(transform.stft(x * wave_scale).abs())
            if clamp is not None:
                rep = rep.clamp(0, clamp)
            return rep

    timings["init"] = time.perf_counter() - t

    components: dict[str, float] = {}
    first: dict[str, float] = {}
    # loss_norm="initial": the optimizer sees the objective divided by its value at the
    # start (a constant), so every recipe starts at 1 whatever the units of its terms:
    # torch's L-BFGS keeps a curvature pair only if y.s > 1e-10 and stalls on a small
    # loss otherwise. Reported losses stay raw.
    loss_norm = recipe.loss_norm
    if loss_norm == "auto":
        loss_norm = "initial" if recipe.domain == "waveform" else "none"
    loss_unit: list[float] = []

    def objective(x: torch.Tensor) -> torch.Tensor:
        feats = features(network, to_rep(x).unsqueeze(0))
        total = None
        parts = {}
        for name, (weight, term) in terms.items():
            value = term(feats) * weight
            parts[name] = value
            total = value if total is None else total + value
        components.clear()
        components.update({k: float(v.detach()) for k, v in parts.items()})
        components["total"] = float(total.detach())
        if not first:
            first.update(components)
        if loss_norm == "initial":
            if not loss_unit:
                v = components["total"]
                loss_unit.append(v if math.isfinite(v) and v > 0 else 1.0)
            return total / loss_unit[0]
        return total

    history: list[dict[str, float]] = []
    t_opt = time.perf_counter()
    if progress is not None:
        progress.start("optimize", recipe.steps)

    def on_step(info: StepInfo) -> bool:
        if loss_unit:
            info = StepInfo(info.step, info.steps, info.loss * loss_unit[0], info.evaluations)
        row = {
            "step": info.step,
            "loss": info.loss,
            "evaluations": info.evaluations,
            **{k: v for k, v in components.items() if k != "total"},
        }
        history.append(row)
        if progress is not None:
            progress.update("optimize", info.step, {"loss": info.loss})
        if callback is not None:
            report = StepReport(
                info.step,
                info.steps,
                info.loss,
                {k: v for k, v in components.items() if k != "total"},
                info.evaluations,
                time.perf_counter() - t_opt,
            )
            return bool(callback(report))
        return False

    result = optimizer.minimize(objective, x0, steps=recipe.steps, callback=on_step)
    if progress is not None:
        progress.finish("optimize")
    timings["optimize"] = time.perf_counter() - t_opt
    if result.stopped == "non-finite":
        notes.append(
            f"the loss became NaN/Inf at step {result.nonfinite_step}; fell back to the best "
            "finite state before it"
        )
        warnings.warn(notes[-1], stacklevel=2)
    x = result.x.detach()
    with torch.no_grad():
        objective(x.clone())
        final = dict(components)
    if not first:
        first = dict(final)

    # -- back to a wave -----------------------------------------------------------------
    t = time.perf_counter()
    magnitude = None
    if recipe.domain == "spectrogram":
        rep = x.clamp(0, clamp) if clamp is not None else x
        magnitude = torch.expm1(rep).clamp_min(0)
        if progress is not None:
            progress.start("phase", getattr(phase.options, "n_iter", 0))

        def on_phase(i: int, n: int) -> None:
            if progress is not None:
                progress.update("phase", i, {})

        wave = phase.reconstruct(
            magnitude,
            transform=transform,
            length=length,
            content_phase=content_phase,
            generator=generator,
            callback=on_phase,
        )
        if progress is not None:
            progress.finish("phase")
    else:
        wave = x * wave_scale
        magnitude = transform.stft(wave).abs()
    timings["phase"] = time.perf_counter() - t
    audio = wave.detach().to("cpu", torch.float32).numpy().reshape(-1)[:out_length]
    if magnitude is not None and length != out_length:
        magnitude = magnitude[..., : transform.n_frames(out_length)]
    if not np.isfinite(audio).all():
        notes.append("phase reconstruction produced NaN/Inf; replaced them with 0")
        audio = np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0)
    audio, scale, note = limit_peak(audio, recipe.peak)
    if note:
        notes.append(note)
    timings["total"] = time.perf_counter() - t_start
    return EngineOutput(
        audio=audio.astype(np.float32),
        sample_rate=sr,
        recipe=recipe,
        timings=timings,
        history=history,
        initial_losses=first,
        final_losses=final,
        steps_done=result.steps_done,
        evaluations=result.evaluations,
        stopped=result.stopped,
        nonfinite_step=result.nonfinite_step,
        peak_scale=scale,
        device=str(device),
        magnitude=magnitude,
        notes=notes,
    )


def limit_peak(audio: np.ndarray, peak: float) -> tuple[np.ndarray, float, str | None]:
    """Scale ``audio`` down so its peak is at most ``peak``: the one peak limit.

    Returns
    -------
    audio : ndarray
        Scaled (or the input itself when its peak is within the limit).
    scale : float
        The gain applied (1.0 when none).
    note : str or None
        What was done, for the run's notes.
    """
    top = float(np.abs(audio).max()) if audio.size else 0.0
    if top <= peak:
        return audio, 1.0, None
    scale = peak / top
    return (
        audio * scale,
        scale,
        f"output peak {top:.3f} exceeded {peak}; scaled by {scale:.3f} "
        f"({20 * math.log10(scale):.1f} dB)",
    )


def features(network, rep: torch.Tensor) -> dict[str, torch.Tensor]:
    """The network's feature maps plus its input under ``INPUT_KEY``: what loss terms see."""
    feats = dict(network(rep))
    feats.setdefault(INPUT_KEY, rep)
    return feats


def _wave_scale(recipe: Recipe, *, content, style) -> float:
    """The waveform domain's unit: ``recipe.wave_scale``, else the RMS of the content
    (of the style for a texture); the optimizer moves ``wave / wave_scale``."""
    if recipe.wave_scale is not None:
        return float(recipe.wave_scale)
    ref = content if content is not None else style
    rms = float(ref.detach().pow(2).mean().sqrt())
    return rms if math.isfinite(rms) and rms > SILENCE_PEAK else 1.0


def _initial(initializer, *, name: str, context: InitContext) -> torch.Tensor:
    """The initializer's start, checked: a plugin's wrong shape fails here, named."""
    x0 = initializer.initialize(context)
    want = context.expected_shape()
    if not (torch.is_tensor(x0) and x0.dtype == torch.float32 and tuple(x0.shape) == want):
        got = f"{x0.dtype} {tuple(x0.shape)}" if torch.is_tensor(x0) else type(x0).__name__
        raise PluginError(
            f"init {name!r} returned {got}, not float32 {want} for domain={context.domain!r}; "
            "fix or disable that plugin."
        )
    return x0
