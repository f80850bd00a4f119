"""Built-in phase reconstructors."""

from audiostyle.hookspecs import hookimpl
from audiostyle.phase.options import FastGriffinLimOptions, GriffinLimOptions


@hookimpl
def register_phase_reconstructors(register):
    register(
        "griffin-lim",
        "audiostyle.phase.griffinlim:GriffinLim",
        options=GriffinLimOptions,
        description="classic Griffin-Lim (1984); initial phase random, zeros or content",
    )
    register(
        "fast-griffin-lim",
        "audiostyle.phase.griffinlim:GriffinLim",
        options=FastGriffinLimOptions,
        description="fast Griffin-Lim with momentum (Perraudin et al. 2013)",
    )
