"""Spectral transforms: STFT / iSTFT backends."""
