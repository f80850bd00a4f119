"""The ``voices`` suite: the same sentences spoken by two text-to-speech voices.

Case ``i``: two voices X and Y that differ in sex, accent or engine (espeak-ng
variants; festival's voices where festival is installed); two passages of Harvard
sentences A and B, each as many whole sentences as fit in the duration (a short pause
between sentences). content = A by X, style = B by Y, target = A by Y, text = A.

The target says the content's words at voice Y's own pace, so it is not time-aligned
with the content: frame-by-frame distances to it (LSD) carry a timing mismatch that
alignment-free measures (MFCC statistics, speaker similarity, WER) do not.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from audiostyle.errors import AudioError, DependencyError, ParameterError
from audiostyle.suites.generated import (
    GeneratedSuite,
    fit,
    read_mono,
    require_tool,
    run_tool,
    save_role,
    trim_silence,
)
from audiostyle.suites.harvard import HARVARD_SENTENCES
from audiostyle.suites.options import VoicesOptions

LEAD_SECONDS = 0.1  # silence before the first sentence
GAP_SECONDS = 0.35  # pause between sentences
SILENCE_DB = -45.0  # what counts as silence when trimming a sentence
CHECK_PHRASE = "Hello."  # spoken by every voice before building, to catch duplicates
# Sex and accent of known festival voices (espeak-ng ones are read from their names).
FESTIVAL_VOICES = {
    "kal_diphone": ("male", "en-us"),
    "ked_diphone": ("male", "en-us"),
    "rab_diphone": ("male", "en-gb"),
    "cmu_us_slt_arctic_hts": ("female", "en-us"),
    "cmu_us_awb_cg": ("male", "en-gb-scotland"),
}
# The Debian package of each known festival voice (``festival`` itself brings none).
FESTIVAL_PACKAGES = {
    "kal_diphone": "festvox-kallpc16k",
    "ked_diphone": "festvox-kdlpc16k",
    "rab_diphone": "festvox-rablpc16k",
}


@dataclass(frozen=True)
class Voice:
    """A text-to-speech voice: engine, name, sex and accent."""

    engine: str
    name: str
    sex: str
    accent: str

    @property
    def spec(self) -> str:
        """``engine:name`` as given in the options."""
        return f"{self.engine}:{self.name}"

    @property
    def profile(self) -> tuple[str, str, str]:
        """What makes two voices audibly different."""
        return (self.engine, self.sex, self.accent)


def parse_voice(spec: str) -> Voice:
    """A :class:`Voice` from ``engine:name`` (sex and accent from the name or a table)."""
    engine, _, name = spec.partition(":")
    if engine == "festival":
        sex, accent = FESTIVAL_VOICES.get(name, ("unknown", name))
        return Voice(engine, name, sex, accent)
    language, _, variant = name.partition("+")
    sex = {"m": "male", "f": "female"}.get(variant[:1], "unknown") if variant else "male"
    return Voice(engine, name, sex, "en-gb" if language == "en" else language)


def pick_pair(rng: random.Random, voices: list[Voice]) -> tuple[Voice, Voice]:
    """Two voices with different profiles; two times in three of different sex if possible."""
    pairs = [(x, y) for x in voices for y in voices if x.profile != y.profile]
    if not pairs:
        raise ParameterError(
            f"voices {', '.join(v.spec for v in voices)} all sound alike (same engine, sex and "
            "accent); add a voice of another sex or accent."
        )
    cross = [(x, y) for x, y in pairs if x.sex != y.sex]
    if cross and rng.random() < 2 / 3:
        return rng.choice(cross)
    return rng.choice(pairs)


class VoicesSuite(GeneratedSuite):
    """Sentences A by voice X (content), B by Y (style), A by Y (target, text = A)."""

    name = "voices"
    version = "1"

    def __init__(self, options: VoicesOptions | None = None) -> None:
        super().__init__(options if options is not None else VoicesOptions())

    def prepare(self) -> dict[str, Any]:
        """Check the synthesizers; resolve the voice list (festival only where installed)."""
        opts: VoicesOptions = self.options
        voices = [parse_voice(v) for v in opts.voices]
        settings: dict[str, Any] = {}
        if any(v.engine == "festival" for v in voices):
            if opts.festival == "no":
                voices = [v for v in voices if v.engine != "festival"]
            elif opts.festival == "yes":
                settings["festival"] = require_tool(
                    "festival", package="festival", what="the voices suite (festival voices)"
                )
            else:
                from shutil import which

                found = which("festival")
                if found:
                    settings["festival"] = found
                else:
                    voices = [v for v in voices if v.engine != "festival"]
        if any(v.engine == "espeak-ng" for v in voices):
            settings["espeak-ng"] = require_tool(
                "espeak-ng", package="espeak-ng", what="the voices suite"
            )
        if len({v.profile for v in voices}) < 2:
            raise ParameterError(
                "the voices suite needs at least two voices that differ in sex, accent or "
                f"engine; it has {', '.join(v.spec for v in voices) or 'none'} "
                "(festival voices are left out when festival is not installed)."
            )
        settings["voices"] = [v.spec for v in voices]
        return settings

    def check_build(self, settings: dict[str, Any], workdir: Path) -> None:
        """Refuse voices that say a test phrase identically (an ignored variant)."""
        voices = [parse_voice(v) for v in settings["voices"]]
        heard: dict[bytes, Voice] = {}
        for voice in voices:
            said = self._speak(voice, [CHECK_PHRASE], settings, workdir, "check", 16_000)[0]
            key = said.tobytes()
            if key in heard:
                raise ParameterError(
                    f"voices {heard[key].spec} and {voice.spec} sound identical (espeak-ng "
                    "ignores the variant of some names, e.g. en-gb+f2: use en+f2); "
                    "choose other voices."
                )
            heard[key] = voice

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
        """Speak passage A with X and Y, passage B with Y."""
        voices = [parse_voice(v) for v in settings["voices"]]
        x, y = pick_pair(rng, voices)
        order = list(range(len(HARVARD_SENTENCES)))
        rng.shuffle(order)
        # A pool of candidate sentences, spoken once per voice, then cut into passages.
        pool = order[: min(len(order), 2 * math.ceil(duration / 2.0) + 6)]
        texts = [HARVARD_SENTENCES[i] for i in pool]
        said_x = self._speak(x, texts, settings, workdir, f"{stem.name}-x", sample_rate)
        said_y = self._speak(y, texts, settings, workdir, f"{stem.name}-y", sample_rate)
        length = int(round(duration * sample_rate))
        a, a_trimmed = _passage(range(len(pool)), [said_x, said_y], length, sample_rate)
        b, b_trimmed = _passage(
            [k for k in range(len(pool)) if k not in a], [said_y], length, sample_rate
        )
        for role, said, chosen in (
            ("content", said_x, a),
            ("style", said_y, b),
            ("target", said_y, a),
        ):
            wave = _join([said[k] for k in chosen], sample_rate)
            save_role(
                stem,
                role,
                fit(wave, length=length, sample_rate=sample_rate),
                sample_rate=sample_rate,
            )
        text_a = " ".join(texts[k] for k in a)
        return {
            "name": f"{self.name}-{index:02d}-{x.name}-to-{y.name}",
            # A sentence cut at the duration is not the whole text: give no text then.
            "text": None if a_trimmed else text_a,
            "meta": {
                "content_voice": x.spec,
                "style_voice": y.spec,
                "content_sex": x.sex,
                "style_sex": y.sex,
                "content_accent": x.accent,
                "style_accent": y.accent,
                "sentences": text_a,
                "style_sentences": " ".join(texts[k] for k in b),
                "trimmed": bool(a_trimmed or b_trimmed),
            },
        }

    def _speak(
        self,
        voice: Voice,
        texts: list[str],
        settings: dict[str, Any],
        workdir: Path,
        prefix: str,
        sample_rate: int,
    ) -> list[np.ndarray]:
        """Each text spoken by ``voice``, silence trimmed, mono at ``sample_rate``."""
        paths = [workdir / f"{prefix}-{k:02d}.wav" for k in range(len(texts))]
        if voice.engine == "espeak-ng":
            for text, path in zip(texts, paths, strict=True):
                run_tool(
                    [
                        settings["espeak-ng"],
                        "-v",
                        voice.name,
                        "-s",
                        str(self.options.speed),
                        "-w",
                        str(path),
                        text,
                    ],
                    what=f"espeak-ng voice {voice.name!r} (list voices: espeak-ng --voices=en)",
                )
        elif voice.engine == "festival":
            lines = [f"({_scheme_voice(voice.name)})"]
            for text, path in zip(texts, paths, strict=True):
                lines.append(
                    f"(utt.save.wave (utt.synth (Utterance Text {_scheme_str(text)})) "
                    f"{_scheme_str(str(path))} 'riff)"
                )
            script = workdir / f"{prefix}.scm"
            script.write_text("\n".join(lines) + "\n", encoding="utf-8")
            try:
                run_tool(
                    [settings["festival"], "-b", str(script)],
                    what=f"festival voice {voice.name!r}",
                )
            except AudioError as exc:
                if f"unbound variable : voice_{voice.name}" in str(exc):
                    raise missing_festival_voice(voice.name) from None
                raise
            if any(not p.is_file() or p.stat().st_size == 0 for p in paths):
                raise missing_festival_voice(voice.name)
        else:  # pragma: no cover - the options are checked
            raise ParameterError(f"unknown speech engine {voice.engine!r}.")
        out = []
        for text, path in zip(texts, paths, strict=True):
            said = trim_silence(read_mono(path, sample_rate=sample_rate), threshold_db=SILENCE_DB)
            if said.size == 0:
                raise ParameterError(f"{voice.spec} said nothing for {text!r}.")
            out.append(said)
        return out


def _passage(
    candidates, spoken: list[list[np.ndarray]], length: int, sample_rate: int
) -> tuple[list[int], bool]:
    """Indices of whole sentences that fit in ``length`` for every voice in ``spoken``.

    Greedy in the given (random) order, skipping sentences that do not fit. If none fits,
    the shortest one is taken and will be cut (the second value is then True).
    """
    lead, gap = int(LEAD_SECONDS * sample_rate), int(GAP_SECONDS * sample_rate)
    used = [lead] * len(spoken)
    chosen: list[int] = []
    for k in candidates:
        need = [
            u + (gap if chosen else 0) + s[k].shape[0] for u, s in zip(used, spoken, strict=True)
        ]
        if max(need) <= length:
            chosen.append(k)
            used = need
    if chosen:
        return chosen, False
    shortest = min(candidates, key=lambda k: max(s[k].shape[0] for s in spoken))
    return [shortest], True


def _join(parts: list[np.ndarray], sample_rate: int) -> np.ndarray:
    lead = np.zeros(int(LEAD_SECONDS * sample_rate), np.float32)
    gap = np.zeros(int(GAP_SECONDS * sample_rate), np.float32)
    out = [lead]
    for k, part in enumerate(parts):
        if k:
            out.append(gap)
        out.append(part)
    return np.concatenate(out)


def missing_festival_voice(name: str) -> DependencyError:
    """The error for a festival voice that is not installed, naming its Debian package."""
    package = FESTIVAL_PACKAGES.get(name, "the festvox-* package of that voice")
    return DependencyError(
        f"festival voice {name!r} is not installed (festival brings no voice); install it "
        f"with 'sudo apt-get install {package}' (Debian/Ubuntu) and try again."
    )


def _scheme_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scheme_voice(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ParameterError(f"festival voice {name!r}: use letters, digits and _ only.")
    return f"voice_{name}"
