"""The cases of the instrument benchmark (issue 20), shared by its scripts.

* the ``timbre`` suite (suite seed 0, 16 cases of 10 s): cases 0-7 are the *tuning*
  half (constants of the ``instrument`` preset were chosen on them only), cases 8-15
  the *validation* half (never looked at while tuning);
* the real music pairs of ``../shared/audio``: Brahms (strings), trumpet, vibraphone,
  each pair both ways (content 10 s, or the whole clip when shorter; style 10 s).

Run seeds are 0 and 1 (the seed of the recipe: random network, noise start, ...).
"""

from __future__ import annotations

from pathlib import Path

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"
if not SHARED_AUDIO.is_dir():  # a worktree under /work/wt: the shared audio is /work/shared
    SHARED_AUDIO = Path("/work/shared/audio")
RATE = 22_050
DURATION = 10.0
SUITE_SIZE = 16
SUITE_SEED = 0
TUNING = range(0, 8)
VALIDATION = range(8, 16)
MUSIC = {
    "brahms": SHARED_AUDIO / "brahms_hungarian_dance_5.ogg",
    "trumpet": SHARED_AUDIO / "trumpet.ogg",
    "vibe": SHARED_AUDIO / "vibe_ace.ogg",
}


def timbre_cases() -> list[dict]:
    """The 16 timbre cases (built with fluidsynth on first use, then cached)."""
    from audiostyle.bench.cases import suite_cases

    found = suite_cases(
        "timbre", size=SUITE_SIZE, seed=SUITE_SEED, duration=DURATION, sample_rate=RATE
    )
    out = []
    for i, c in enumerate(found):
        out.append(
            {
                "name": c.name,
                "half": "tuning" if i in TUNING else "validation",
                "content": c.content,
                "style": c.style,
                "target": c.target,
                "text": None,
                "duration": DURATION,
                "style_duration": DURATION,
            }
        )
    return out


def music_cases() -> list[dict]:
    """The six real music pairs (each of the three clips to each other, both ways)."""
    out = []
    for a, pa in MUSIC.items():
        for b, pb in MUSIC.items():
            if a == b:
                continue
            out.append(
                {
                    "name": f"{a}->{b}",
                    "half": "music",
                    "content": str(pa),
                    "style": str(pb),
                    "target": None,
                    "text": None,
                    "duration": DURATION,
                    "style_duration": DURATION,
                }
            )
    return out


def reference_spec(case: dict, seed: int) -> dict:
    """The full-length ``ulyanov2016`` run of ``case`` (no wall budget) as
    ``benchmarks/presets.py``'s store keys it: ``instrument_reference.py`` runs it,
    ``instrument.py`` reads it back."""
    return {
        "preset": "ulyanov2016",
        "seed": seed,
        "content": case["content"],
        "style": case["style"],
        "duration": case["duration"],
        "style_duration": case["style_duration"],
        "budget": None,
    }
