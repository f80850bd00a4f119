"""Built-in metrics.

The first three need nothing beyond the core; the others need the ``eval`` extra
(``pip install 'audiostyle[eval]'``): their models ship inside their PyPI packages
and run offline on the CPU. ``extra="eval"`` tells ``audiostyle bench`` which
install fixes a missing one.
"""

from audiostyle.hookspecs import hookimpl
from audiostyle.metrics.options import (
    DNSMOSOptions,
    LogSpectralDistanceOptions,
    MFCCTimbreOptions,
    SpeakerSimilarityOptions,
    SpectralConvergenceOptions,
    WordErrorRateOptions,
)


@hookimpl
def register_metrics(register):
    register(
        "lsd",
        "audiostyle.metrics.spectral:LogSpectralDistance",
        options=LogSpectralDistanceOptions,
        description="log-spectral distance (dB, gain-matched, floored) to content / target",
    )
    register(
        "spectral-convergence",
        "audiostyle.metrics.spectral:SpectralConvergence",
        options=SpectralConvergenceOptions,
        description="spectral convergence of magnitudes to content / target (0 = same)",
    )
    register(
        "mfcc-timbre",
        "audiostyle.metrics.spectral:MFCCTimbre",
        options=MFCCTimbreOptions,
        description="RMS distance of MFCC mean+std (timbre) to style, content, target",
    )
    register(
        "speaker-similarity",
        "audiostyle.metrics.perceptual:SpeakerSimilarity",
        options=SpeakerSimilarityOptions,
        description="cosine of resemblyzer speaker embeddings to style, content, target "
        "(eval extra)",
        extra="eval",
    )
    register(
        "wer",
        "audiostyle.metrics.perceptual:WordErrorRate",
        options=WordErrorRateOptions,
        description="word error rate of pocketsphinx's transcript vs the content's "
        "transcript and the known text (eval extra)",
        extra="eval",
    )
    register(
        "dnsmos",
        "audiostyle.metrics.perceptual:DNSMOS",
        options=DNSMOSOptions,
        description="DNSMOS P.835 predicted speech quality, 1-5 (speechmos; eval extra)",
        extra="eval",
    )
