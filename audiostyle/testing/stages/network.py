"""Contract checks of a feature network: frozen, named float32 maps, seeded, batch-
independent, gradients to the input."""

from __future__ import annotations

from audiostyle.testing.common import (
    N_BINS,
    SAMPLE_RATE,
    chirp,
    desc,
    fail,
    noise,
    reference_transform,
    rel,
)


def build_network(cls, opts, *, seed: int, device: str):
    from audiostyle.plugins import accepted_keywords

    extra = accepted_keywords(cls, {"sample_rate": SAMPLE_RATE})
    return cls(opts, n_bins=N_BINS, seed=seed, device=device, **extra)


def reps(device: str):
    import torch

    t = reference_transform(device)
    n = SAMPLE_RATE  # 1 s: 126 frames, enough for wide / dilated valid convolutions
    a = torch.log1p(t.stft(torch.from_numpy(chirp(n)).to(device)).abs())
    b = torch.log1p(t.stft(torch.from_numpy(noise(n) * 5).to(device)).abs())
    return a, b


def check_network(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.contracts.network import FeatureNetwork

    stage, name = impl.stage, impl.name
    torch.manual_seed(1234)
    net = build_network(cls, opts, seed=0, device=device)
    if not isinstance(net, FeatureNetwork):
        raise fail(stage, name, "the instance is not a FeatureNetwork.")
    grads = [n for n, p in net.named_parameters() if p.requires_grad]
    if grads:
        raise fail(stage, name, f"weights must not require grad: {', '.join(grads[:3])}.")
    if net.training:
        raise fail(stage, name, "the network must be in eval mode (call self.freeze()).")
    for what in ("content_layers", "style_layers"):
        layers = getattr(net, what)
        if not isinstance(layers, tuple) or not all(isinstance(k, str) for k in layers):
            raise fail(stage, name, f"{what} must be a tuple of str, got {layers!r}.")
    if not net.style_layers:
        raise fail(stage, name, "style_layers is empty: the style loss would have nothing.")
    want = torch.device(device).type
    for pname, tensor in [*net.named_parameters(), *net.named_buffers()]:
        if tensor.device.type != want:
            raise fail(stage, name, f"{pname} is on {tensor.device}, asked for {device}.")
    a, b = reps(device)
    feats = net(a.unsqueeze(0))
    if not isinstance(feats, dict) or not feats:
        raise fail(stage, name, f"forward must return a dict of feature maps, got {desc(feats)}.")
    missing = set(net.content_layers + net.style_layers) - set(feats)
    if missing:
        raise fail(stage, name, f"layers {sorted(missing)} are not in its feature maps.")
    for k, f in feats.items():
        if not (torch.is_tensor(f) and f.dtype == torch.float32 and f.ndim >= 3):
            raise fail(stage, name, f"feature map {k!r} must be float32 (batch, ..., frames).")
        if f.shape[0] != 1 or f.shape[-1] < 1:
            raise fail(stage, name, f"feature map {k!r} of one input has shape {tuple(f.shape)}.")
        if f.device.type != want:
            raise fail(stage, name, f"feature map {k!r} is on {f.device}, asked for {device}.")
        if not torch.isfinite(f).all():
            raise fail(stage, name, f"feature map {k!r} is not finite.")
    torch.manual_seed(999)  # another global RNG state: the seed alone must decide
    again = build_network(cls, opts, seed=0, device=device)(a.unsqueeze(0))
    for k in feats:
        if not torch.equal(feats[k], again[k]):
            raise fail(
                stage,
                name,
                f"two networks with seed 0 differ at {k!r}: draw weights from "
                "self.generator(), not the global RNG.",
            )
    passed = ["frozen", "feature maps", "device", "deterministic for a seed"]
    if any(True for _ in net.parameters()):
        other = build_network(cls, opts, seed=1, device=device)(a.unsqueeze(0))
        if all(torch.equal(feats[k], other[k]) for k in feats):
            raise fail(stage, name, "seeds 0 and 1 give the same network: the seed is ignored.")
        passed.append("seed matters")
    both = net(torch.stack([a, b]))
    single_b = net(b.unsqueeze(0))
    for k in feats:
        if rel(both[k][0], feats[k][0]) > 1e-4 or rel(both[k][1], single_b[k][0]) > 1e-4:
            raise fail(stage, name, f"batch items are not independent at {k!r}.")
    passed.append("batch")
    rep = b.clone().requires_grad_(True)
    out = net(rep.unsqueeze(0))
    sum(f.pow(2).mean() for f in out.values()).backward()
    if rep.grad is None or not torch.isfinite(rep.grad).all() or float(rep.grad.abs().sum()) == 0:
        raise fail(stage, name, "no finite, non-zero gradient reaches the input.")
    touched = [n for n, p in net.named_parameters() if p.grad is not None]
    if touched:
        raise fail(stage, name, f"weights received gradients: {', '.join(touched[:3])}.")
    passed.append("gradients flow to the input only")
    return passed
