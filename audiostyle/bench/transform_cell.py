"""A ``transform`` cell: no optimisation; STFT and iSTFT time, round-trip error, and
the quality of the phase stage rebuilding the content's own magnitude."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from audiostyle.bench import measure
from audiostyle.bench.specs import CellSpec
from audiostyle.errors import ParameterError

PHASE_REPEAT_MAX = 3  # transform cells time phase reconstruction at most this often


def transform_cell(spec: CellSpec, notes: list[str]) -> dict[str, Any]:
    import torch

    from audiostyle.engine import resolve_device
    from audiostyle.plugins import create

    case, recipe = spec.case, spec.recipe
    built = recipe.validate()
    device = resolve_device(recipe.device)
    sr = recipe.sample_rate
    content = measure.load(
        case.content, sample_rate=sr, offset=case.offset, duration=case.duration, role="content"
    )
    if content.shape[0] < built["transform"].n_fft:
        raise ParameterError(
            f"content of case {case.name!r} has {content.shape[0]} samples, fewer than "
            f"n_fft={built['transform'].n_fft}; use a longer excerpt."
        )
    transform = create(
        "transform", recipe.transform.name, built["transform"], sample_rate=sr, device=device
    )
    phase_opts = built["phase"]
    if getattr(phase_opts, "init", None) == "content":
        import dataclasses

        phase_opts = dataclasses.replace(phase_opts, init="random")
        notes.append(
            "phase init 'content' would hand the phase stage the true answer; "
            "transform cells start from a random phase"
        )
    phase = create("phase", recipe.phase.name, phase_opts)
    x = torch.from_numpy(content).to(device)
    n = x.shape[-1]

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
        sync()
        t = time.perf_counter()
        value = fn()
        sync()
        return value, time.perf_counter() - t

    with torch.no_grad():
        for _ in range(spec.warmup):
            transform.istft(transform.stft(x), length=n)
        t_stft, t_istft = [], []
        for _ in range(spec.repeat):
            spec_c, dt = timed(lambda: transform.stft(x))
            t_stft.append(dt)
            y, dt = timed(lambda spec_c=spec_c: transform.istft(spec_c, length=n))
            t_istft.append(dt)
        err = float(torch.linalg.norm(x - y))
        ref = float(torch.linalg.norm(x))
        magnitude = spec_c.abs()
        t_phase = []
        rebuilt = None
        for i in range(min(spec.repeat, PHASE_REPEAT_MAX)):  # Griffin-Lim is the slow part
            generator = torch.Generator().manual_seed(recipe.seed)
            wave, dt = timed(
                lambda generator=generator: phase.reconstruct(
                    magnitude,
                    transform=transform,
                    length=n,
                    content_phase=None,
                    generator=generator,
                )
            )
            t_phase.append(dt)
            if i == 0:
                rebuilt = wave
        again = transform.stft(rebuilt).abs()
        distance = float(torch.linalg.norm(magnitude - again))
        norm = float(torch.linalg.norm(magnitude))
    out: dict[str, Any] = {"repeats": spec.repeat, "samples": n}
    measure.summary("time.stft", t_stft, out)
    measure.summary("time.istft", t_istft, out)
    out["roundtrip.rel_error"] = err / ref if ref > 0 else 0.0
    out["roundtrip.snr_db"] = measure.snr_db(ref, err)
    out["phase.n_iter"] = getattr(phase_opts, "n_iter", None)
    out["phase.momentum"] = getattr(phase_opts, "momentum", None)
    out["phase.init"] = getattr(phase_opts, "init", None)
    measure.summary("time.phase", t_phase, out)
    out["phase.spectral_convergence"] = distance / norm if norm > 0 else 0.0
    out["phase.snr_db"] = measure.snr_db(norm, distance)
    return out
