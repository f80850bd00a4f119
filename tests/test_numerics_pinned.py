"""Hand-written numerics pinned to the libraries they replace (issue 22).

The mel filterbank and DCT of ``metrics/spectral.py`` avoid importing librosa/scipy at
start-up; ``dsp.griffinlim`` is our loop. Each must give the library's numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from audiostyle import dsp
from audiostyle.metrics.spectral import dct_matrix, mel_filterbank
from tests.conftest import SR


@pytest.mark.parametrize(
    ("sample_rate", "n_fft", "n_mels"),
    [
        (8_000, 256, 40),
        (16_000, 512, 40),
        (22_050, 2048, 128),
        (44_100, 1024, 64),
        (16_000, 400, 80),
    ],
)
def test_mel_filterbank_is_librosas(sample_rate, n_fft, n_mels):
    import librosa

    want = librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, dtype=np.float64)
    got = mel_filterbank(sample_rate, n_fft, n_mels)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(("n_mfcc", "n_mels"), [(13, 40), (20, 128), (40, 40)])
def test_dct_gives_librosas_mfcc(n_mfcc, n_mels):
    import librosa

    rng = np.random.default_rng(0)
    mel_db = rng.normal(-40, 15, size=(n_mels, 57))
    want = librosa.feature.mfcc(S=mel_db, n_mfcc=n_mfcc, dct_type=2, norm="ortho")
    np.testing.assert_allclose(dct_matrix(n_mfcc, n_mels) @ mel_db, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("momentum", [0.0, 0.99])
@pytest.mark.parametrize("rand_init", [False, True])
def test_griffinlim_is_torchaudios(speech, momentum, rand_init):
    import torchaudio.functional as F

    n_fft, hop, n_iter = 256, 64, 16
    window = torch.hann_window(n_fft)
    wave = torch.from_numpy(speech[: SR // 2])
    length = wave.shape[-1]
    settings = {"n_fft": n_fft, "hop_length": hop, "win_length": n_fft, "window": window}
    magnitude = torch.stft(
        wave, **settings, center=True, pad_mode="reflect", return_complex=True
    ).abs()

    def stft(y):
        return torch.stft(y, **settings, center=True, pad_mode="reflect", return_complex=True)

    def istft(spec):
        return torch.istft(spec, **settings, length=length)

    torch.manual_seed(7)
    init = torch.rand(magnitude.shape, dtype=torch.complex64) if rand_init else None
    ours = dsp.griffinlim(
        magnitude, stft_fn=stft, istft_fn=istft, n_iter=n_iter, momentum=momentum, init_phase=init
    )
    torch.manual_seed(7)
    theirs = F.griffinlim(
        magnitude,
        window,
        n_fft,
        hop,
        n_fft,
        power=1.0,
        n_iter=n_iter,
        momentum=momentum,
        length=length,
        rand_init=rand_init,
    )
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)
    assert float(theirs.abs().max()) > 0.01  # not a trivial agreement on silence
