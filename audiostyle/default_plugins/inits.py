"""Built-in initializers: where the optimisation starts."""

from audiostyle.hookspecs import hookimpl
from audiostyle.inits.options import NoiseOptions


@hookimpl
def register_initializers(register):
    register(
        "content",
        "audiostyle.inits.basic:ContentStart",
        description="the content itself: its log-magnitude (or its wave, domain waveform)",
        needs_content=True,
    )
    register(
        "noise",
        "audiostyle.inits.basic:NoiseStart",
        options=NoiseOptions,
        description="Gaussian noise from the run's seed (a texture's start)",
    )
    register(
        "content-phase",
        "audiostyle.inits.phase_starts:ContentPhaseStart",
        description="domain waveform: the phase reconstructor's wave for the content's magnitude",
        domains=("waveform",),
        needs_content=True,
    )
    register(
        "style-phase",
        "audiostyle.inits.phase_starts:StylePhaseStart",
        description="domain waveform: the phase reconstructor's wave for the style's magnitude",
        domains=("waveform",),
    )
