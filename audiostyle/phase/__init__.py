"""Phase reconstruction: from a magnitude to a waveform."""
