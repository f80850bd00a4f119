"""Contract checks of a loss term: finite scalar, ~0 at its targets, positive away,
gradients to the input."""

from __future__ import annotations

import math

from audiostyle.testing.common import HOP, N_BINS, SAMPLE_RATE, desc, fail
from audiostyle.testing.stages.network import reps


def check_loss(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.contracts.loss import LossTerm
    from audiostyle.engine import features
    from audiostyle.networks.options import RandomCNNOptions
    from audiostyle.networks.random_cnn import RandomCNN

    stage, name = impl.stage, impl.name
    net = RandomCNN(RandomCNNOptions(n_filters=32, kernel_size=5), n_bins=N_BINS, device=device)
    from audiostyle.plugins import accepted_keywords

    # The engine offers the feature maps' frame rate to terms that declare it.
    term = cls(opts, network=net, **accepted_keywords(cls, {"frame_rate": SAMPLE_RATE / HOP}))
    if not isinstance(term, LossTerm):
        raise fail(stage, name, "the instance is not a LossTerm.")
    a, b = reps(device)
    with torch.no_grad():
        fa = features(net, a.unsqueeze(0))
    term.prepare(content=fa, style=fa)
    at_target = term(fa)
    if not (torch.is_tensor(at_target) and at_target.ndim == 0):
        raise fail(stage, name, f"a term must return a scalar tensor, got {desc(at_target)}.")
    rep = b.clone().requires_grad_(True)
    away = term(features(net, rep.unsqueeze(0)))
    va, vb = float(at_target.detach()), float(away.detach())
    if not (math.isfinite(va) and math.isfinite(vb)):
        raise fail(stage, name, f"non-finite values {va}, {vb}.")
    if not vb > 0 or not abs(va) <= 1e-4 * vb + 1e-6:
        raise fail(
            stage, name, f"value {va:.4g} at its targets and {vb:.4g} away: want ~0 and > 0."
        )
    away.backward()
    if rep.grad is None or not torch.isfinite(rep.grad).all() or float(rep.grad.abs().sum()) == 0:
        raise fail(stage, name, "no finite, non-zero gradient reaches the representation.")
    if float(term(features(net, b.unsqueeze(0)))) != vb:
        raise fail(stage, name, "two evaluations of the same input differ.")
    passed = ["scalar", "zero at target", "gradients", "deterministic"]
    if not getattr(term, "needs_content", False):
        term.prepare(content=None, style=fa)
        if not math.isfinite(float(term(features(net, b.unsqueeze(0))))):
            raise fail(stage, name, "without a content (texture) the value is not finite.")
        passed.append("texture (no content)")
    return passed
