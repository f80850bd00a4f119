"""Contract checks of a spectral transform: shapes, dtype, device, determinism, round
trip, gradients, agreement with the built-in STFT."""

from __future__ import annotations

from audiostyle.testing.common import SAMPLE_RATE, chirp, desc, fail, noise, rel


def check_transform(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.contracts.stft import STFTOptions
    from audiostyle.contracts.transform import SpectralTransform

    stage, name = impl.stage, impl.name
    t = cls(opts, sample_rate=SAMPLE_RATE, device=device)
    if not isinstance(t, SpectralTransform):
        raise fail(stage, name, "the instance is not a SpectralTransform.")
    n = SAMPLE_RATE // 2
    x = torch.from_numpy(chirp(n)).to(device)
    spec = t.stft(x)
    if not (torch.is_tensor(spec) and spec.dtype == torch.complex64):
        raise fail(stage, name, f"stft must return a complex64 tensor, got {desc(spec)}.")
    want = (t.n_bins, t.n_frames(n))
    if tuple(spec.shape) != want:
        raise fail(
            stage, name, f"stft of {n} samples has shape {tuple(spec.shape)}, expected {want}."
        )
    if spec.device.type != torch.device(device).type:
        raise fail(stage, name, f"stft result is on {spec.device}, asked for {device}.")
    if not torch.equal(t.stft(x), spec):
        raise fail(stage, name, "stft is not deterministic.")
    batch = torch.stack([x, torch.from_numpy(noise(n)).to(device)])
    bspec = t.stft(batch)
    if tuple(bspec.shape) != (2, *want):
        raise fail(stage, name, f"stft of (2, {n}) has shape {tuple(bspec.shape)}.")
    if rel(bspec[0], spec) > 1e-5:
        raise fail(stage, name, "stft of a batch differs from stft of its items.")
    y = t.istft(spec, length=n)
    if not (torch.is_tensor(y) and y.dtype == torch.float32 and tuple(y.shape) == (n,)):
        raise fail(stage, name, f"istft must return float32 ({n},), got {desc(y)}.")
    err = rel(y.to(x.device), x)
    if not err < 1e-3:
        raise fail(stage, name, f"istft(stft(x)) differs from x by {err:.2e} (relative).")
    yb = t.istft(bspec, length=n - 7)
    if tuple(yb.shape) != (2, n - 7):
        raise fail(stage, name, f"istft of a batch with length={n - 7} gave {tuple(yb.shape)}.")
    passed = ["stft shape/dtype/device", "deterministic", "batch", "round trip"]
    if impl.extra.get("differentiable") or getattr(cls, "differentiable", False):
        w = x.detach().clone().requires_grad_(True)
        t.stft(w).abs().pow(2).sum().backward()
        if w.grad is None or not torch.isfinite(w.grad).all() or float(w.grad.abs().sum()) == 0:
            raise fail(stage, name, "says it is differentiable but no gradient reaches the wave.")
        passed.append("gradients")
    if isinstance(opts, STFTOptions) and impl.name != "torch":
        from audiostyle.transforms.torch_stft import TorchSTFT

        ref = TorchSTFT(opts, sample_rate=SAMPLE_RATE, device=device).stft(x)
        diff = rel(spec.to(ref.device), ref)
        if not diff < 1e-4:
            raise fail(
                stage,
                name,
                f"with the same STFTOptions its stft differs from the torch backend's by "
                f"{diff:.2e} (relative): frames, centring, padding or window normalisation "
                "disagree.",
            )
        passed.append("agrees with torch")
    return passed
