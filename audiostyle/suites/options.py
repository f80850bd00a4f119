"""Options of the built-in suites (the pitch metric's are in audiostyle.metrics.options).

Light module (dataclasses only, no numpy or torch): ``audiostyle plugins`` lists and
validates these without importing the code that does the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option

#: Debian's General MIDI sound font (package ``fluid-soundfont-gm``).
DEFAULT_SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

#: Instrument families of the timbre suite (General MIDI programs, see
#: :mod:`audiostyle.suites.timbre`).
FAMILIES = ("keys", "strings", "brass", "reeds", "pipes", "plucked")

#: Default voices of the voices suite: ``engine:voice``. espeak-ng voices are
#: ``language+variant`` (variants ``m1``-``m7`` male, ``f1``-``f5`` female). British
#: English is ``en``: espeak-ng 1.51 ignores the variant of ``en-gb``.
DEFAULT_VOICES = (
    "espeak-ng:en-us+m3",
    "espeak-ng:en-us+f3",
    "espeak-ng:en+m1",
    "espeak-ng:en+f2",
    "espeak-ng:en-gb-scotland+m4",
    "espeak-ng:en-029+f4",
    "festival:kal_diphone",
)


@dataclass(frozen=True)
class TimbreOptions:
    """Options of the ``timbre`` suite."""

    soundfont: str = option(DEFAULT_SOUNDFONT, "General MIDI sound font (.sf2) for fluidsynth")
    families: tuple[str, ...] = option(
        FAMILIES, "instrument families to pair (two different ones per case)"
    )
    notes_per_second: float = option(3.0, "mean note rate of the melodies")
    min_span: int = option(
        24, "semitones the two instruments of a case must share (melodies span that range)"
    )
    reverb: bool = option(False, "let fluidsynth add its reverb and chorus")

    def __post_init__(self) -> None:
        unknown = [f for f in self.families if f not in FAMILIES]
        if unknown:
            raise ParameterError(
                f"families: unknown family {unknown[0]!r}; choose from {', '.join(FAMILIES)}."
            )
        if len(set(self.families)) < 2:
            raise ParameterError(
                "families: give at least two different families (a case pairs two of them)."
            )
        if not 0.5 <= self.notes_per_second <= 12:
            raise ParameterError(
                f"notes_per_second={self.notes_per_second} must be in [0.5, 12] (e.g. 3)."
            )
        if not 12 <= self.min_span <= 36:
            raise ParameterError(f"min_span={self.min_span} must be in [12, 36] semitones.")


@dataclass(frozen=True)
class VoicesOptions:
    """Options of the ``voices`` suite."""

    voices: tuple[str, ...] = option(
        DEFAULT_VOICES, "voices as engine:name (engines: espeak-ng, festival)"
    )
    festival: Literal["auto", "yes", "no"] = option(
        "auto", "use the festival voices: auto = only where festival is installed"
    )
    speed: int = option(160, "espeak-ng speaking rate in words per minute")

    def __post_init__(self) -> None:
        for voice in self.voices:
            engine, sep, name = voice.partition(":")
            if not sep or engine not in ("espeak-ng", "festival") or not name:
                raise ParameterError(
                    f"voices: {voice!r} is not engine:name with engine espeak-ng or festival "
                    "(e.g. espeak-ng:en-us+f3, festival:kal_diphone)."
                )
        if len(set(self.voices)) < 2:
            raise ParameterError("voices: give at least two different voices.")
        if not 80 <= self.speed <= 450:
            raise ParameterError(f"speed={self.speed} must be in [80, 450] words per minute.")


@dataclass(frozen=True)
class LibriSpeechOptions:
    """Options of the ``librispeech`` suite (real readers; see its module)."""

    split: Literal["tune", "validate", "all"] = option(
        "all",
        "which pairs: tune (readers 1688, 1998, 2033), validate (pairs with 3080 or 3331), all",
    )
    root: str | None = option(
        None,
        "the LibriSpeech folder (default $AUDIOSTYLE_SHARED_AUDIO/librispeech or "
        "shared/audio/librispeech beside the repository)",
    )
