"""Built-in suites (generated cases with a known right answer) and their pitch metric."""

from audiostyle.hookspecs import hookimpl
from audiostyle.metrics.options import PitchOptions
from audiostyle.suites.options import LibriSpeechOptions, TimbreOptions, VoicesOptions


@hookimpl
def register_suites(register):
    register(
        "timbre",
        "audiostyle.suites.timbre:TimbreSuite",
        options=TimbreOptions,
        description="melody A on GM instrument X -> A on Y (fluidsynth; true target known)",
    )
    register(
        "voices",
        "audiostyle.suites.voices:VoicesSuite",
        options=VoicesOptions,
        description="sentences by TTS voice X -> by voice Y (espeak-ng, festival; true target)",
    )
    register(
        "librispeech",
        "audiostyle.suites.librispeech:LibriSpeechSuite",
        options=LibriSpeechOptions,
        description="real readers X -> Y (shared LibriSpeech; target = other utterances of Y)",
    )


@hookimpl
def register_metrics(register):
    register(
        "pitch",
        "audiostyle.metrics.pitch:PitchAgreement",
        options=PitchOptions,
        description="fraction of the content's voiced frames whose pitch the output keeps "
        "(torchcrepe tiny, 50 cents; eval extra)",
        extra="eval",
    )
