"""Contract checks of a phase reconstructor: finite wave of the right length whose STFT
magnitude is close to the target."""

from __future__ import annotations

from audiostyle.testing.common import (
    SAMPLE_RATE,
    chirp,
    desc,
    fail,
    noise,
    reference_transform,
    rel,
)

#: Largest spectral convergence ||(|STFT(y)| - M)|| / ||M|| a phase reconstructor may
#: leave on the test chirp (noise of the same energy scores about 1.4).
MAX_SPECTRAL_CONVERGENCE = 0.5


def check_phase(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.contracts.phase import PhaseReconstructor

    stage, name = impl.stage, impl.name
    ph = cls(opts)
    if not isinstance(ph, PhaseReconstructor):
        raise fail(stage, name, "the instance is not a PhaseReconstructor.")
    t = reference_transform(device)
    n = SAMPLE_RATE // 2
    x = torch.from_numpy(chirp(n)).to(device)
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
        raise fail(stage, name, f"reconstruct must return float32 ({n},), got {desc(y)}.")
    if y.device.type != torch.device(device).type or not torch.isfinite(y).all():
        raise fail(stage, name, f"the wave must be finite and on {device}.")
    if not torch.equal(mag, keep):
        raise fail(stage, name, "reconstruct changed the magnitude in place.")
    sc = rel(t.stft(y).abs(), mag)
    if not sc < MAX_SPECTRAL_CONVERGENCE:
        raise fail(
            stage,
            name,
            f"spectral convergence {sc:.3f} on a chirp (must be < {MAX_SPECTRAL_CONVERGENCE}).",
        )
    if not torch.equal(run(mag, cphase), y):
        raise fail(stage, name, "two runs with the same seeded generator differ.")
    mags = torch.stack([mag, t.stft(torch.from_numpy(noise(n)).to(device)).abs()])
    cps = torch.stack([cphase, torch.ones_like(cphase)])
    yb = run(mags, cps)
    if tuple(yb.shape) != (2, n):
        raise fail(stage, name, f"a batch (2, freq, frames) gave {tuple(yb.shape)}, not (2, {n}).")
    return ["wave shape/dtype/device", f"spectral convergence {sc:.3f}", "deterministic", "batch"]
