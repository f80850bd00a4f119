"""``mel-gram``: how far apart two clips' textures are, seen by a mel random CNN."""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.metric import Metric
from audiostyle.errors import ParameterError
from audiostyle_mel.options import MelGramOptions

WINDOW_SECONDS = 0.046  # analysis window when n_fft is unset: 1024 samples at 22.05 kHz


class MelGramDistance(Metric):
    """Relative distance of the Gram matrices of a mel random CNN's feature maps.

    For each layer, ``||G(a) - G(b)|| / ||G(b)||`` with ``G = F F^T / frames``,
    averaged over the layers: 0 for the same texture, about 1 for unrelated
    sounds. It compares statistics over time, so clips of any length compare, and
    it scores the output against the style (and the content, and the target).
    """

    requires_any = ("style", "content", "target")
    higher_is_better = False

    def __init__(self, options: MelGramOptions | None = None) -> None:
        super().__init__(options or MelGramOptions())
        self._nets: dict[tuple[int, int], object] = {}

    def _n_fft(self, sample_rate: int) -> int:
        if self.options.n_fft is not None:
            return self.options.n_fft
        return 1 << max(4, round(np.log2(WINDOW_SECONDS * sample_rate)))

    def _parts(self, y: np.ndarray, sample_rate: int):
        import torch

        from audiostyle import dsp
        from audiostyle_mel.network import MelCNN
        from audiostyle_mel.options import MelCNNOptions

        o = self.options
        n_fft = self._n_fft(sample_rate)
        y = np.asarray(y, dtype=np.float32).reshape(-1)
        if y.shape[0] < n_fft:
            raise ParameterError(
                f"mel-gram needs clips of at least n_fft={n_fft} samples, got {y.shape[0]}."
            )
        if not np.isfinite(y).all():
            raise ParameterError("mel-gram got NaN or Inf samples; repair the audio.")
        key = (n_fft, sample_rate)
        if key not in self._nets:
            opts = MelCNNOptions(
                n_mels=o.n_mels, n_filters=o.n_filters, kernel_sizes=o.kernel_sizes
            )
            self._nets[key] = MelCNN(
                opts, n_bins=n_fft // 2 + 1, seed=o.seed, sample_rate=sample_rate
            )
        net = self._nets[key]
        config = dsp.STFTConfig(n_fft=n_fft, hop_length=n_fft // 4, win_length=n_fft)
        with torch.no_grad():
            rep = torch.log1p(dsp.stft(torch.from_numpy(y), config=config).abs())
            feats = net(rep.unsqueeze(0))
            grams = {k: (f[0] @ f[0].T) / f.shape[-1] for k, f in feats.items()}
            mel = net.mel(rep.unsqueeze(0))[0]
        return grams, mel

    def gram_distance(self, a: np.ndarray, b: np.ndarray, *, sample_rate: int) -> float:
        """Relative Gram distance of ``a`` to the reference ``b``."""
        ga, _ = self._parts(a, sample_rate)
        gb, _ = self._parts(b, sample_rate)
        return _gram_distance(ga, gb)

    def log_mel_distance(self, a: np.ndarray, b: np.ndarray, *, sample_rate: int) -> float:
        """Mean absolute difference of the clips' log-mel frames (the shorter length)."""
        _, ma = self._parts(a, sample_rate)
        _, mb = self._parts(b, sample_rate)
        n = min(ma.shape[-1], mb.shape[-1])
        return float((ma[:, :n] - mb[:, :n]).abs().mean())

    def __call__(  # noqa: D102
        self, output, *, sample_rate, content=None, style=None, target=None, text=None
    ):
        mine, _ = self._parts(output, sample_rate)
        out = {}
        for key, ref in (("to_style", style), ("to_content", content), ("to_target", target)):
            if ref is None:
                continue
            other, _ = self._parts(ref, sample_rate)
            out[key] = _gram_distance(mine, other)
        if not out:
            raise ParameterError("mel-gram needs a style, content or target clip.")
        return out


def _gram_distance(ga: dict, gb: dict) -> float:
    import torch

    parts = [
        float(torch.linalg.norm(ga[k] - gb[k]) / torch.linalg.norm(gb[k]).clamp_min(1e-12))
        for k in gb
    ]
    return float(sum(parts) / len(parts))
