"""The ``timbre`` suite: one melody on two General MIDI instruments.

Case ``i``: two instruments X and Y from different families whose ranges share at
least ``min_span`` semitones; two seeded random melodies A and B in that shared range.
content = A on X, style = B on Y, target = A on Y (same notes, same timing as the
content: only the instrument changes). Rendered by the fluidsynth command line with
a General MIDI sound font (Debian: ``fluid-soundfont-gm``).
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audiostyle.errors import DependencyError, ParameterError
from audiostyle.suites.generated import (
    GeneratedSuite,
    fit,
    read_mono,
    require_tool,
    run_tool,
    save_role,
)
from audiostyle.suites.midi import random_melody, smf_bytes
from audiostyle.suites.options import TimbreOptions

FLUIDSYNTH_PACKAGES = "fluidsynth fluid-soundfont-gm"
# Melodies stay where pitch trackers are reliable: E2 (82 Hz) to C6 (1047 Hz). (No
# organ: its octave ranks make the heard pitch ambiguous by an octave or two.)
LOWEST, HIGHEST = 40, 84
FLUIDSYNTH_RATES = (8_000, 96_000)  # fluidsynth's sample-rate limits


@dataclass(frozen=True)
class Instrument:
    """A General MIDI instrument: program (0-based), family and playable range."""

    name: str
    program: int
    family: str
    low: int
    high: int


INSTRUMENTS = (
    Instrument("piano", 0, "keys", 21, 108),
    Instrument("electric-piano", 4, "keys", 28, 103),
    Instrument("harpsichord", 6, "keys", 29, 89),
    Instrument("violin", 40, "strings", 55, 100),
    Instrument("viola", 41, "strings", 48, 88),
    Instrument("cello", 42, "strings", 36, 76),
    Instrument("string-ensemble", 48, "strings", 28, 96),
    Instrument("trumpet", 56, "brass", 54, 86),
    Instrument("trombone", 57, "brass", 40, 77),
    Instrument("french-horn", 60, "brass", 34, 77),
    Instrument("brass-section", 61, "brass", 36, 84),
    Instrument("soprano-sax", 64, "reeds", 56, 88),
    Instrument("alto-sax", 65, "reeds", 49, 81),
    Instrument("oboe", 68, "reeds", 58, 91),
    Instrument("clarinet", 71, "reeds", 50, 91),
    Instrument("bassoon", 70, "reeds", 34, 75),
    Instrument("flute", 73, "pipes", 60, 96),
    Instrument("recorder", 74, "pipes", 60, 96),
    Instrument("pan-flute", 75, "pipes", 60, 96),
    Instrument("ocarina", 79, "pipes", 60, 84),
    Instrument("nylon-guitar", 24, "plucked", 40, 83),
    Instrument("steel-guitar", 25, "plucked", 40, 83),
    Instrument("harp", 46, "plucked", 23, 103),
    Instrument("banjo", 105, "plucked", 48, 84),
)


def _shared_range(x: Instrument, y: Instrument) -> tuple[int, int]:
    return max(x.low, y.low, LOWEST), min(x.high, y.high, HIGHEST)


def pick_pair(
    rng: random.Random, *, families: tuple[str, ...], min_span: int
) -> tuple[Instrument, Instrument]:
    """Two instruments of different families sharing at least ``min_span`` semitones."""
    pool = [i for i in INSTRUMENTS if i.family in families]
    pairs = [
        (x, y)
        for x in pool
        for y in pool
        if x.family != y.family and _shared_range(x, y)[1] - _shared_range(x, y)[0] >= min_span
    ]
    if not pairs:
        raise ParameterError(
            f"no two instruments of different families among {', '.join(families)} share "
            f"min_span={min_span} semitones (between MIDI {LOWEST} and {HIGHEST}); "
            "lower min_span or add families."
        )
    # Choose the family pair first so that every family pair is equally likely.
    family_pairs = sorted({(x.family, y.family) for x, y in pairs})
    fx, fy = rng.choice(family_pairs)
    return rng.choice([(x, y) for x, y in pairs if (x.family, y.family) == (fx, fy)])


class TimbreSuite(GeneratedSuite):
    """Melody A on instrument X (content), B on Y (style), A on Y (target)."""

    name = "timbre"
    version = "1"

    def __init__(self, options: TimbreOptions | None = None) -> None:
        super().__init__(options if options is not None else TimbreOptions())

    def prepare(self) -> dict[str, Any]:
        """Check fluidsynth and the sound font; their identity joins the cache key."""
        exe = require_tool("fluidsynth", package=FLUIDSYNTH_PACKAGES, what="the timbre suite")
        sf2 = Path(self.options.soundfont)
        if not sf2.is_file():
            raise DependencyError(
                f"the timbre suite needs the General MIDI sound font {str(sf2)!r}, which does "
                f"not exist; install it with 'sudo apt-get install fluid-soundfont-gm' or "
                "pass soundfont=PATH."
            )
        version = run_tool([exe, "--version"], what="fluidsynth").splitlines()
        return {
            "fluidsynth": exe,
            "fluidsynth_version": version[0].strip() if version else "?",
            "soundfont": str(sf2.resolve()),
            "soundfont_bytes": sf2.stat().st_size,
        }

    def build_case(
        self,
        index: int,
        *,
        rng: random.Random,
        settings: dict[str, Any],
        workdir: Path,
        stem: Path,
        duration: float,
        sample_rate: int,
    ) -> dict[str, Any]:
        """Render content (A on X), style (B on Y) and target (A on Y)."""
        opts: TimbreOptions = self.options
        x, y = pick_pair(rng, families=tuple(opts.families), min_span=opts.min_span)
        low, high = _shared_range(x, y)
        melodies = [
            random_melody(
                rng,
                duration=duration,
                low=low,
                high=high,
                notes_per_second=opts.notes_per_second,
            )
            for _ in range(2)
        ]
        a, b = melodies
        length = int(round(duration * sample_rate))
        midis = {}
        for role, notes, inst in (("content", a, x), ("style", b, y), ("target", a, y)):
            midis[role] = workdir / f"{stem.name}-{role}.mid"
            midis[role].write_bytes(smf_bytes(notes, program=inst.program, end=duration))
        # fluidsynth mostly waits (start-up, sound-font loading): render the three at once.
        with ThreadPoolExecutor(max_workers=len(midis)) as pool:
            raws = dict(
                zip(
                    midis,
                    pool.map(
                        lambda m: self._render(m, settings=settings, sample_rate=sample_rate),
                        midis.values(),
                    ),
                    strict=True,
                )
            )
        for role, raw in raws.items():
            save_role(
                stem,
                role,
                fit(raw, length=length, sample_rate=sample_rate),
                sample_rate=sample_rate,
            )
        return {
            "name": f"{self.name}-{index:02d}-{x.name}-to-{y.name}",
            "text": None,
            "meta": {
                "content_instrument": x.name,
                "style_instrument": y.name,
                "content_family": x.family,
                "style_family": y.family,
                "programs": [x.program, y.program],
                "pitch_range": [low, high],
                "notes": [len(a), len(b)],
                "content_pitches": [min(n.pitch for n in a), max(n.pitch for n in a)],
            },
        }

    def _render(self, midi: Path, *, settings: dict[str, Any], sample_rate: int):
        rate = min(max(sample_rate, FLUIDSYNTH_RATES[0]), FLUIDSYNTH_RATES[1])
        wav = midi.with_suffix(".wav")
        cmd = [settings["fluidsynth"], "-ni", "-q"]
        if not self.options.reverb:
            cmd += ["-R", "0", "-C", "0"]
        cmd += ["-F", str(wav), "-r", str(rate), settings["soundfont"], str(midi)]
        run_tool(cmd, what=f"rendering {midi.name} with fluidsynth")
        return read_mono(wav, sample_rate=sample_rate)
