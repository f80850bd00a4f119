"""Built-in instrument-timbre conversion stages (issue 20): a pitched STFT analysis, a
pitch- and loudness-conditioned timbre matcher, and a dynamics conditioner."""

from audiostyle.conversion.timbre_options import (
    DynamicsOptions,
    PitchedStftOptions,
    TimbreMatchOptions,
)
from audiostyle.hookspecs import hookimpl


@hookimpl
def register_analyses(register):
    register(
        "pitched-stft",
        "audiostyle.conversion.timbre_analysis:PitchedStft",
        options=PitchedStftOptions,
        description="power spectrum with its phase and a pitch track (WORLD dio/harvest or "
        "pYIN); synthesis by inverse STFT",
    )


@hookimpl
def register_conditioners(register):
    register(
        "dynamics",
        "audiostyle.conversion.timbre_dynamics:Dynamics",
        options=DynamicsOptions,
        description="frame levels quantile-mapped onto the style's distribution of levels",
    )


@hookimpl
def register_matchers(register):
    register(
        "timbre",
        "audiostyle.conversion.timbre_match:TimbreMatch",
        options=TimbreMatchOptions,
        description="each frame takes the style's spectrum at the nearest pitch and loudness "
        "(k neighbours, shifted onto the content's harmonics)",
    )
