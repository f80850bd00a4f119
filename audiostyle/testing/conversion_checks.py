"""The conversion stages' contract checks on speech, re-exported: they live in
:mod:`audiostyle.testing.stages.conversion` (with the checks on pitched signals)."""

from audiostyle.testing.stages.conversion import (
    RATE,
    ROUNDTRIP_DB,
    RUNNERS,
    SELF_DB,
    check_analysis,
    check_conditioner,
    check_matcher,
    check_vocoder,
)

__all__ = [
    "RATE",
    "ROUNDTRIP_DB",
    "RUNNERS",
    "SELF_DB",
    "check_analysis",
    "check_conditioner",
    "check_matcher",
    "check_vocoder",
]
