"""The conversion stages' contract checks on pitched signals, re-exported: they live in
:mod:`audiostyle.testing.stages.conversion` (with the checks on speech).

``check_analysis`` here is the check of an analysis on a harmonic note
(:func:`~audiostyle.testing.stages.conversion.check_analysis_on_a_note`)."""

from audiostyle.testing.common import ContractError
from audiostyle.testing.stages.conversion import (
    NOTE_HZ,
    SAMPLE_RATE,
    build,
    check_conversion,
    check_transform_stage,
    chord,
    harmonic_note,
    melody,
    noise,
)
from audiostyle.testing.stages.conversion import check_analysis_on_a_note as check_analysis

__all__ = [
    "NOTE_HZ",
    "SAMPLE_RATE",
    "ContractError",
    "build",
    "check_analysis",
    "check_conversion",
    "check_transform_stage",
    "chord",
    "harmonic_note",
    "melody",
    "noise",
]
