"""Voice conversion backends (issue 23): speaker-normalised cepstral stages."""

from audiostyle.conversion.voice_options import CepstralOptions, KnnOptions
from audiostyle.hookspecs import hookimpl


@hookimpl
def register_conditioners(register):
    register(
        "cepstral",
        "audiostyle.conversion.voice_cepstral:CepstralStats",
        options=CepstralOptions,
        description="cepstral mean and spread of the style's envelope (per-speaker CMVN)",
    )


@hookimpl
def register_matchers(register):
    register(
        "knn",
        "audiostyle.conversion.voice_knn:KnnMatcher",
        options=KnnOptions,
        description="k nearest style frames per content frame in speaker-normalised cepstra",
    )
