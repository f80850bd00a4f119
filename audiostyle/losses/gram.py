"""Content and Gram style losses."""

from __future__ import annotations

import math

import torch

from audiostyle.contracts.loss import LossTerm
from audiostyle.errors import ParameterError
from audiostyle.losses.options import ContentLossOptions, StyleLossOptions


def as_matrix(features: torch.Tensor) -> torch.Tensor:
    """Flatten a feature map (batch, ..., frames) to (batch, rows, frames)."""
    return features.reshape(features.shape[0], -1, features.shape[-1])


def gram_norm(f: torch.Tensor, normalize: str) -> float:
    """The divisor of the Gram matrix of ``f`` (batch, channels, frames)."""
    b, c, t = f.shape
    return {"frames": float(t), "elements": float(b * c * t), "none": 1.0}[normalize]


def gram(f: torch.Tensor, normalize: str = "frames") -> torch.Tensor:
    """Gram matrix over time: (batch, channels, channels)."""
    return torch.bmm(f, f.transpose(1, 2)) / gram_norm(f, normalize)


class ContentLoss(LossTerm):
    """Squared distance between the output's and the content's feature maps.

    Per content layer: ``reduction((scale * (F - Fc))**2)``, then divided by
    ``4 * F.numel()`` if ``divisor="4chw"``; summed over the layers.
    """

    needs_content = True

    def __init__(self, options: ContentLossOptions | None = None, *, network=None) -> None:
        super().__init__(options or ContentLossOptions(), network=network)
        self.layers = tuple(getattr(network, "content_layers", ()))
        self.targets: dict[str, torch.Tensor] = {}

    def prepare(self, *, content, style) -> None:  # noqa: D102
        if content is None:
            self.targets = {}
            return
        self.targets = {k: content[k].detach() for k in self.layers}

    def __call__(self, features) -> torch.Tensor:  # noqa: D102
        o = self.options
        total = None
        for k in self.layers:
            target = self.targets[k]
            f = features[k]
            if f.shape != target.shape:
                raise ParameterError(
                    f"content layer {k}: output {tuple(f.shape)} vs content "
                    f"{tuple(target.shape)}; the output must have the "
                    "content's length"
                )
            d = (f - target) * o.scale
            term = d.pow(2).sum() if o.reduction == "sum" else d.pow(2).mean()
            if o.divisor == "4chw":
                term = term / (4 * f.numel())
            total = term if total is None else total + term
        return total


class StyleLoss(LossTerm):
    """Squared distance between Gram matrices, summed over the style layers.

    Per style layer, with the map flattened to ``F`` (batch, rows, frames) and
    ``G = F F^T / normalize``: ``sum((scale * (G - Gs))**2)``, divided by
    ``batch * rows**2`` if ``reduction="mean"`` and by ``4 * C**2 * H * W`` (the
    map's channels, height and frames) if ``divisor="4c2hw"``.

    ``form="frames"`` computes ``||F F^T/n - S S^T/m||^2`` as
    ``||F^T F||^2/n^2 - 2 ||F^T S||^2/(n m) + ||S^T S||^2/m^2`` with frames x frames
    products: the same value and gradient, cheaper when channels exceed frames.
    """

    def __init__(self, options: StyleLossOptions | None = None, *, network=None) -> None:
        super().__init__(options or StyleLossOptions(), network=network)
        self.layers = tuple(getattr(network, "style_layers", ()))
        self.targets: dict[str, dict[str, torch.Tensor]] = {}

    def prepare(self, *, content, style) -> None:  # noqa: D102
        o = self.options
        self.targets = {}
        for k in self.layers:
            s = as_matrix(style[k].detach())
            m = gram_norm(s, o.normalize)
            g = torch.bmm(s, s.transpose(1, 2)) / m
            self.targets[k] = {"s": s, "m": torch.tensor(m), "gram": g, "gram_sq": g.pow(2).sum()}

    def _use_frames(self, f: torch.Tensor, s: torch.Tensor) -> bool:
        form = self.options.form
        if form == "auto":
            c, t, ts = f.shape[1], f.shape[2], s.shape[2]
            # Cost of channels form ~ c*c*t; of frames form ~ t*t*c + t*ts*c.
            return c * c * t > (t * t + t * ts) * c
        return form == "frames"

    def __call__(self, features) -> torch.Tensor:  # noqa: D102
        o = self.options
        total = None
        for k in self.layers:
            shape = features[k].shape
            f = as_matrix(features[k])
            tgt = self.targets[k]
            n = gram_norm(f, o.normalize)
            if self._use_frames(f, tgt["s"]):
                ff = torch.bmm(f.transpose(1, 2), f)
                fs = torch.bmm(f.transpose(1, 2), tgt["s"])
                m = float(tgt["m"])
                sq = ff.pow(2).sum() / n**2 - 2 * fs.pow(2).sum() / (n * m) + tgt["gram_sq"]
                sq = sq.clamp_min(0)
            else:
                g = torch.bmm(f, f.transpose(1, 2)) / n
                sq = (g - tgt["gram"]).pow(2).sum()
            sq = sq * o.scale**2
            if o.reduction == "mean":
                sq = sq / (f.shape[0] * f.shape[1] ** 2)
            if o.divisor == "4c2hw":
                sq = sq / (4 * shape[1] ** 2 * math.prod(shape[2:]))
            total = sq if total is None else total + sq
        return total
