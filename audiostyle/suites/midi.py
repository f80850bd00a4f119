"""Seeded random melodies and a minimal Standard MIDI File (SMF) writer.

Pure Python: a melody is a list of :class:`Note` (times in seconds); :func:`write_smf`
writes it as a format-0 SMF with one program (General MIDI instrument) on channel 0.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass

TICKS_PER_BEAT = 480
TEMPO_US_PER_BEAT = 500_000  # 120 bpm: one tick = 1/960 s

_SCALES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}
# Note lengths in beats with their weights: varied rhythm, mostly eighths and quarters.
_LENGTHS = ((0.5, 4), (1.0, 4), (0.25, 1), (0.75, 2), (1.5, 2), (2.0, 1))


@dataclass(frozen=True)
class Note:
    """One note: MIDI pitch, onset and length in seconds, velocity 1-127."""

    pitch: int
    start: float
    length: float
    velocity: int


def random_melody(
    rng: random.Random,
    *,
    duration: float,
    low: int,
    high: int,
    notes_per_second: float = 3.0,
) -> list[Note]:
    """A monophonic melody filling ``duration`` seconds within pitches [low, high].

    A random key and mode; a random walk over the scale with mostly steps, some leaps
    (up to an octave and a half) that sweep the whole range; varied note lengths,
    rests and velocities. ``rng`` alone decides the result.

    Parameters
    ----------
    rng : random.Random
        The source of randomness (seeded by the caller).
    duration : float
        Seconds to fill; the last note ends at least 0.3 s before it.
    low, high : int
        MIDI pitch range (inclusive), at least an octave apart.
    notes_per_second : float
        Mean note rate; the beat length is chosen around it.

    Returns
    -------
    list of Note
    """
    if high - low < 12:
        raise ValueError(f"pitch range {low}-{high} is narrower than an octave")
    root = rng.randrange(12)
    steps = _SCALES[rng.choice(sorted(_SCALES))]
    pitches = [p for p in range(low, high + 1) if (p - root) % 12 in steps]
    mean_beats = sum(b * w for b, w in _LENGTHS) / sum(w for _, w in _LENGTHS)
    beat = 1.0 / (notes_per_second * mean_beats) * rng.uniform(0.85, 1.15)
    lengths, weights = zip(*_LENGTHS, strict=True)
    index = rng.randrange(len(pitches))
    notes: list[Note] = []
    t = rng.uniform(0.05, 0.2)
    end = duration - 0.3
    while True:
        beats = rng.choices(lengths, weights)[0]
        length = beats * beat
        if t + length > end:
            break
        if notes and rng.random() < 0.08:  # a rest
            t += length
            continue
        move = rng.random()
        if move < 0.5:
            index += rng.choice((-2, -1, -1, 1, 1, 2))
        elif move < 0.75:
            index += rng.choice((-4, -3, 3, 4))
        else:  # a leap somewhere else in the range (keeps several octaves in play)
            index = rng.randrange(len(pitches))
        if index < 0 or index >= len(pitches):
            index = max(0, min(len(pitches) - 1, index))
            index += 2 if index == 0 else -2
        notes.append(
            Note(
                pitch=pitches[index],
                start=t,
                length=length * rng.uniform(0.8, 0.95),  # a little detached
                velocity=rng.randint(70, 110),
            )
        )
        t += length
    if not notes:
        raise ValueError(f"duration={duration} s is too short for a melody")
    return notes


def _vlq(n: int) -> bytes:
    """A MIDI variable-length quantity."""
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    return bytes(reversed(out))


def _ticks(seconds: float) -> int:
    return round(seconds * 1e6 / TEMPO_US_PER_BEAT * TICKS_PER_BEAT)


def smf_bytes(notes: list[Note], *, program: int, end: float) -> bytes:
    """A format-0 Standard MIDI File playing ``notes`` on General MIDI ``program``.

    Parameters
    ----------
    notes : list of Note
    program : int
        General MIDI program number, 0-127 (0 = Acoustic Grand Piano).
    end : float
        Seconds at which the track ends (fluidsynth renders until then).

    Returns
    -------
    bytes
    """
    if not 0 <= program <= 127:
        raise ValueError(f"program={program} must be in 0-127")
    events: list[tuple[int, int, bytes]] = []  # (tick, order, data): note-offs first
    for n in notes:
        events.append((_ticks(n.start), 1, bytes((0x90, n.pitch, n.velocity))))
        events.append((_ticks(n.start + n.length), 0, bytes((0x80, n.pitch, 0))))
    events.sort(key=lambda e: (e[0], e[1]))
    track = bytearray()
    track += _vlq(0) + b"\xff\x51\x03" + TEMPO_US_PER_BEAT.to_bytes(3, "big")
    track += _vlq(0) + bytes((0xC0, program))
    now = 0
    for tick, _, data in events:
        track += _vlq(tick - now) + data
        now = tick
    track += _vlq(max(0, _ticks(end) - now)) + b"\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS_PER_BEAT)
    return header + b"MTrk" + struct.pack(">I", len(track)) + bytes(track)
