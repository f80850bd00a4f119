"""audiostyle-mel: the worked example of an audiostyle plugin.

This module is what the entry point names, so it holds only hookimpls and stays
light: the classes are registered by import path and imported on first use, and
the options classes (``audiostyle_mel.options``) are plain dataclasses. Listing the
plugins (``audiostyle plugins``) therefore never imports torch.

It registers

* the feature network ``mel-cnn``: a frozen mel filterbank (bins -> mel bands),
  then parallel random Conv1d of several widths; ~8x fewer input channels than the
  built-in ``random-cnn`` and 8x fewer filters, so a transfer step is far cheaper;
* the metric ``mel-gram``: distance between the mel network's Gram matrices of two
  clips (style similarity, length-independent);
* the command ``audiostyle mel-distance A B``: that metric plus a frame-wise
  log-mel distance, for judging a transfer from the shell;
* the conditioner ``mel-tilt`` (a conversion stage): the content's spectral tilt
  (dB per octave) moved toward the style's, on any analysis with a power envelope
  (``--analysis world --conditioner mel-tilt``);
* the initializer ``mel-mean`` (the ``init`` stage, spectrogram domain only): the
  optimisation starts from the style's long-term spectrum, averaged within mel bands,
  in every frame (``audiostyle texture style.wav -o t.wav --init mel-mean``).
"""

from audiostyle import hookimpl
from audiostyle_mel.options import MelCNNOptions, MelGramOptions, MelMeanOptions, MelTiltOptions

__version__ = "0.1.0"


@hookimpl
def register_networks(register):
    register(
        "mel-cnn",
        "audiostyle_mel.network:MelCNN",
        options=MelCNNOptions,
        description="frozen mel filterbank, then random Conv1d of several widths "
        "(fast: few channels; audiostyle-mel plugin)",
    )


@hookimpl
def register_metrics(register):
    register(
        "mel-gram",
        "audiostyle_mel.metric:MelGramDistance",
        options=MelGramOptions,
        description="relative distance of mel-CNN Gram matrices to style / content / target "
        "(0 = same texture)",
    )


@hookimpl
def register_conditioners(register):
    register(
        "mel-tilt",
        "audiostyle_mel.tilt:MelTilt",
        options=MelTiltOptions,
        description="spectral tilt (dB/octave) toward the style's (audiostyle-mel plugin)",
    )


@hookimpl
def register_initializers(register):
    register(
        "mel-mean",
        "audiostyle_mel.start:MelMean",
        options=MelMeanOptions,
        description="the style's long-term spectrum, averaged in mel bands, in every frame "
        "(audiostyle-mel plugin)",
        domains=("spectrogram",),  # as the class says: the checks compare the two
    )


@hookimpl
def register_commands(cli):
    from audiostyle_mel.cli import add_commands  # light: typer only

    add_commands(cli)
