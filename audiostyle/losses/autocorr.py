"""The autocorrelation loss term of Antognini, Hoffman & Weiss (2019).

A Gram matrix averages over time, so it forgets *when* things happen: a texture
grown from a click track with the Gram term alone has the clicks' timbre but not
their period. This term compares the autocorrelation over time of each channel of
the feature maps (or of the log-magnitude itself) with the style's, for lags up to
``max_lag``, which keeps rhythm. The autocorrelations are computed with the FFT
(Wiener-Khinchin), zero-padded so no lag wraps around.
"""

from __future__ import annotations

import torch

from audiostyle.contracts.loss import INPUT_KEY, LossTerm
from audiostyle.errors import ParameterError
from audiostyle.losses.autocorr_options import AutocorrelationLossOptions
from audiostyle.losses.gram import as_matrix

#: Relative floor of the lag-0 value when ``normalize="correlation"``: channels much
#: weaker than the layer's average count less instead of dividing by ~0.
CORRELATION_FLOOR = 1e-3


def autocorrelation(
    f: torch.Tensor, *, max_lag: int, normalize: str = "unbiased", center: bool = True
) -> torch.Tensor:
    """Autocorrelation over the last axis for lags ``0 .. max_lag``, by FFT.

    Parameters
    ----------
    f : Tensor [shape=(..., frames)], float
        Real signals (e.g. feature maps, one row per channel).
    max_lag : int
        Longest lag in frames, ``0 <= max_lag < frames``.
    normalize : {"unbiased", "frames", "correlation"}
        ``unbiased``: the sum over the ``frames - lag`` overlapping pairs divided by
        their number; ``frames``: divided by ``frames`` (biased, decays with the lag);
        ``correlation``: the unbiased value divided by the lag-0 value (1 at lag 0).
    center : bool
        Subtract each row's mean over time first (autocovariance).

    Returns
    -------
    Tensor [shape=(..., max_lag + 1)]
    """
    frames = f.shape[-1]
    if not 0 <= max_lag < frames:
        raise ParameterError(
            f"max_lag={max_lag} must be in [0, frames={frames}); use a shorter lag."
        )
    if normalize not in ("unbiased", "frames", "correlation"):
        raise ParameterError(
            f"normalize={normalize!r} is not one of unbiased, frames, correlation."
        )
    if center:
        f = f - f.mean(dim=-1, keepdim=True)
    # Zero-pad to at least frames + max_lag so the circular correlation equals the
    # linear one for every lag we keep; a power of two is a fast FFT size.
    n = 1 << (frames + max_lag - 1).bit_length()
    spec = torch.fft.rfft(f, n=n)
    power = spec.real.square() + spec.imag.square()
    r = torch.fft.irfft(power, n=n)[..., : max_lag + 1]
    if normalize == "frames":
        return r / frames
    pairs = frames - torch.arange(max_lag + 1, device=f.device, dtype=r.dtype)
    r = r / pairs
    if normalize == "unbiased":
        return r
    r0 = r[..., :1]
    floor = CORRELATION_FLOOR * r0.mean(dim=-2, keepdim=True) if r.dim() > 1 else 0.0
    return r / (r0 + floor + torch.finfo(r.dtype).tiny)


class AutocorrelationLoss(LossTerm):
    """Squared distance between the autocorrelations over time of the output's and
    the style's feature maps, per channel and lag, summed over the chosen layers.

    Parameters
    ----------
    options : AutocorrelationLossOptions
    network : FeatureNetwork
        Names the style and content layers.
    frame_rate : float, optional
        Frames per second of the feature maps (sample rate / hop length; the built-in
        networks keep the time resolution). Needed for ``max_lag_seconds``.
    """

    def __init__(
        self,
        options: AutocorrelationLossOptions | None = None,
        *,
        network=None,
        frame_rate: float | None = None,
    ) -> None:
        super().__init__(options or AutocorrelationLossOptions(), network=network)
        o = self.options
        self.frame_rate = frame_rate
        if o.max_lag_frames is not None:
            self.max_lag = int(o.max_lag_frames)
        elif frame_rate is None or not frame_rate > 0:
            raise ParameterError(
                "autocorrelation: max_lag_seconds needs the frame rate of the feature "
                "maps; build the term through the engine or give max_lag_frames."
            )
        else:
            self.max_lag = max(1, round(o.max_lag_seconds * frame_rate))
        layers: list[str] = []
        for name in o.layers:
            if name == "style":
                names = tuple(getattr(network, "style_layers", ()))
            elif name == "content":
                names = tuple(getattr(network, "content_layers", ()))
            elif name == "input":
                names = (INPUT_KEY,)
            else:
                names = (name,)
            layers += [n for n in names if n not in layers]
        self.layers = tuple(layers)
        self.targets: dict[str, torch.Tensor] = {}

    def _acf(self, f: torch.Tensor, max_lag: int) -> torch.Tensor:
        o = self.options
        return autocorrelation(f, max_lag=max_lag, normalize=o.normalize, center=o.center)

    def prepare(self, *, content, style) -> None:  # noqa: D102
        self.targets = {}
        for k in self.layers:
            if k not in style:
                have = ", ".join(sorted(style)) or "(none)"
                raise ParameterError(
                    f"autocorrelation layer {k!r} is not a feature map of this network; "
                    f"it has: {have}. Use --loss autocorrelation.layers=style (or input)."
                )
            s = as_matrix(style[k].detach())
            # Lags past half the clip rest on too few pairs to be estimated.
            lag = min(self.max_lag, s.shape[-1] // 2)
            if lag < 1:
                raise ParameterError(
                    f"autocorrelation: the style's feature map {k!r} has {s.shape[-1]} "
                    "frames, too few for any lag; use a longer style clip."
                )
            self.targets[k] = self._acf(s, lag)

    def __call__(self, features) -> torch.Tensor:  # noqa: D102
        total = None
        for k, target in self.targets.items():
            f = as_matrix(features[k])
            lag = min(target.shape[-1] - 1, f.shape[-1] // 2)
            if lag < 1:
                raise ParameterError(
                    f"autocorrelation: the output's feature map {k!r} has {f.shape[-1]} "
                    "frames, too few for any lag; make the output longer."
                )
            d = self._acf(f, lag) - target[..., : lag + 1]
            sq = d.square().mean() if self.options.reduction == "mean" else d.square().sum()
            total = sq if total is None else total + sq
        return total
