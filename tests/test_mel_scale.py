"""One mel scale (audiostyle.mel) replaced three copies: the envelope's HTK bands,
the spectral metrics' numpy Slaney scale and the mel plugin's torch Slaney scale.
Each caller gets exactly the numbers its own copy gave (the copies are kept here as
the reference), and the scale is librosa's."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from audiostyle import mel

_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = math.log(6.4) / 27.0
FREQS = np.concatenate([[0.0, 1e-3, 999.999, 1000.0, 1000.001], np.linspace(0, 24_000, 997)])


def old_envelope_htk(f: torch.Tensor) -> torch.Tensor:  # audiostyle/envelope.py at c611407
    return 2595.0 * torch.log10(1.0 + f / 700.0)


def old_metrics_hz_to_mel(f):  # audiostyle/metrics/spectral.py at c611407
    f = np.asarray(f, dtype=np.float64)
    linear = f / _F_SP
    log = _MIN_LOG_MEL + np.log(np.maximum(f, 1e-10) / _MIN_LOG_HZ) / _LOGSTEP
    return np.where(f >= _MIN_LOG_HZ, log, linear)


def old_metrics_mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    return np.where(
        m >= _MIN_LOG_MEL, _MIN_LOG_HZ * np.exp(_LOGSTEP * (m - _MIN_LOG_MEL)), _F_SP * m
    )


def old_plugin_hz_to_mel(hz):  # plugins/audiostyle-mel/audiostyle_mel/filterbank.py
    hz = torch.as_tensor(hz, dtype=torch.float64)
    lin = hz / _F_SP
    log = _MIN_LOG_MEL + torch.log(hz.clamp_min(_MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOGSTEP
    return torch.where(hz >= _MIN_LOG_HZ, log, lin)


def old_plugin_mel_to_hz(m):
    m = torch.as_tensor(m, dtype=torch.float64)
    lin = m * _F_SP
    log = _MIN_LOG_HZ * torch.exp(_LOGSTEP * (m - _MIN_LOG_MEL))
    return torch.where(m >= _MIN_LOG_MEL, log, lin)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_envelope_bands_use_the_same_htk_numbers(dtype):
    f = torch.as_tensor(FREQS, dtype=dtype)
    assert torch.equal(mel.hz_to_mel(f, htk=True), old_envelope_htk(f))


def test_metrics_use_the_same_numpy_slaney_numbers():
    assert np.array_equal(mel.hz_to_mel(FREQS), old_metrics_hz_to_mel(FREQS))
    m = old_metrics_hz_to_mel(FREQS)
    assert np.array_equal(mel.mel_to_hz(m), old_metrics_mel_to_hz(m))
    assert mel.hz_to_mel(0.0) == old_metrics_hz_to_mel(0.0)


def test_plugin_uses_the_same_torch_slaney_numbers():
    filterbank = pytest.importorskip("audiostyle_mel.filterbank")
    f = torch.as_tensor(FREQS)
    assert torch.equal(filterbank.hz_to_mel(f), old_plugin_hz_to_mel(f))
    assert float(filterbank.hz_to_mel(4000.0)) == float(old_plugin_hz_to_mel(4000.0))
    m = old_plugin_hz_to_mel(f)
    assert torch.equal(filterbank.mel_to_hz(m), old_plugin_mel_to_hz(m))


def test_numpy_and_torch_agree_and_match_librosa():
    librosa = pytest.importorskip("librosa")
    for htk in (False, True):
        a = mel.hz_to_mel(FREQS, htk=htk)
        b = mel.hz_to_mel(torch.as_tensor(FREQS), htk=htk).numpy()
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(a, librosa.hz_to_mel(FREQS, htk=htk), rtol=1e-12)
        back = mel.mel_to_hz(a, htk=htk)
        np.testing.assert_allclose(back, librosa.mel_to_hz(a, htk=htk), rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(back, FREQS, rtol=1e-12, atol=1e-8)


def test_the_metrics_filterbank_is_still_librosas():
    librosa = pytest.importorskip("librosa")
    from audiostyle.metrics.spectral import mel_filterbank

    ours = mel_filterbank(16_000, 512, 40)
    want = librosa.filters.mel(sr=16_000, n_fft=512, n_mels=40)
    np.testing.assert_allclose(ours, want, atol=1e-7)
