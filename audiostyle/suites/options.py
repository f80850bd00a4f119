"""Options of the built-in suites and of the pitch-agreement metric.

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
class PitchOptions:
    """Options of the ``pitch`` metric (torchcrepe ``tiny``)."""

    voicing_threshold: float = option(
        0.5,
        "a content frame is voiced when crepe's periodicity (confidence) is at least this",
    )
    silence_db: float = option(
        -45.0, "frames quieter than this (dB below the content's loudest frame) are unvoiced"
    )
    tolerance_cents: float = option(50.0, "pitch agrees when within this many cents")
    hop_ms: float = option(20.0, "frame hop in milliseconds (crepe's usual 10 costs twice as much)")
    fmin: float = option(50.0, "lowest pitch searched, Hz")
    fmax: float = option(
        1500.0, "highest pitch searched, Hz (at most 1800: torchcrepe's Viterbi fails near 2 kHz)"
    )
    model: Literal["tiny", "full"] = option("tiny", "torchcrepe model (both ship in the package)")

    def __post_init__(self) -> None:
        if not 0 < self.voicing_threshold < 1:
            raise ParameterError(
                f"voicing_threshold={self.voicing_threshold} must be in (0, 1); e.g. 0.5."
            )
        if self.silence_db >= 0:
            raise ParameterError(f"silence_db={self.silence_db} must be negative (e.g. -45).")
        if self.tolerance_cents <= 0:
            raise ParameterError(f"tolerance_cents={self.tolerance_cents} must be > 0 (e.g. 50).")
        if not 5 <= self.hop_ms <= 100:
            raise ParameterError(f"hop_ms={self.hop_ms} must be in [5, 100] (e.g. 20).")
        if not 32 <= self.fmin < self.fmax <= 1800:
            raise ParameterError(
                f"fmin={self.fmin}, fmax={self.fmax}: need 32 <= fmin < fmax <= 1800 Hz "
                "(e.g. 50 and 1500)."
            )


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
