"""The ``librispeech`` suite: real readers, one converted into another.

Over ``shared/audio/librispeech`` (LibriSpeech, CC-BY 4.0; ``ATTRIBUTION.txt`` and
``speakers.tsv`` beside the audio): 5 readers with 10 utterances each. Every ordered
pair (X, Y) of them is a case: content = X's first utterance, style = Y's second,
each cropped to ``duration`` seconds; target = the concatenation of Y's utterances
3-5 (``REFERENCES``), so a speaker-similarity ``to_target`` measures the output
against *other* utterances of Y, never the style clip. ``meta`` names the reference
utterances of X and Y (for a mean embedding per speaker), the ceiling (Y's 6th
utterance, a real answer), the readers' sexes and the half the pair belongs to.

Tuning discipline: ``split="tune"`` gives the pairs among ``TUNE_SPEAKERS``;
``split="validate"`` every pair with one of ``VALIDATE_SPEAKERS`` (choose constants on
the first, report both). No transcripts ship with the clips: word error rates are
measured against the recogniser's transcript of the content (``wer.vs_content``).

The folder is found at ``root`` (option), else ``$AUDIOSTYLE_SHARED_AUDIO/librispeech``,
else ``shared/audio/librispeech`` beside the repository or one of its parents.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from audiostyle.errors import DependencyError, ParameterError
from audiostyle.suites.base import Case, Suite, default_cache_dir

SHARED_ENV = "AUDIOSTYLE_SHARED_AUDIO"
TUNE_SPEAKERS = ("1688", "1998", "2033")
VALIDATE_SPEAKERS = ("3080", "3331")
CONTENT_UTTERANCE = 0  # X's first utterance is the content
STYLE_UTTERANCE = 1  # Y's second is the style
REFERENCES = (2, 3, 4)  # other utterances: a speaker's reference embedding
CEILING_UTTERANCE = 5  # another real utterance of Y: the ceiling row
VERSION = "1"


@dataclass(frozen=True)
class Speaker:
    """A reader: id, sex (``M``/``F``) and utterance files (sorted)."""

    id: str
    sex: str
    files: tuple[Path, ...]


def find_root(root: str | None = None) -> Path:
    """The LibriSpeech folder, or a :class:`DependencyError` saying where it was sought."""
    tried = []
    if root:
        candidates = [Path(root).expanduser()]
    else:
        candidates = []
        env = os.environ.get(SHARED_ENV)
        if env:
            candidates.append(Path(env).expanduser() / "librispeech")
        here = Path(__file__).resolve().parents[2]  # the repository (or site-packages)
        for parent in (here, *here.parents[:2]):
            candidates.append(parent.parent / "shared" / "audio" / "librispeech")
            candidates.append(parent / "shared" / "audio" / "librispeech")
    for c in candidates:
        tried.append(str(c))
        if (c / "speakers.tsv").is_file():
            return c
    raise DependencyError(
        "the librispeech suite needs the shared LibriSpeech clips (speakers.tsv and one folder "
        f"per reader); looked in {', '.join(dict.fromkeys(tried))}. Give --suite-opt root=DIR "
        f"or set ${SHARED_ENV}."
    )


def read_speakers(root: Path) -> dict[str, Speaker]:
    """Every reader of ``speakers.tsv`` with their files (multi-utterance readers in
    their folder, single-utterance ones in ``single/``)."""
    out: dict[str, Speaker] = {}
    lines = (root / "speakers.tsv").read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        sid, sex = parts[0].strip(), parts[1].strip().upper()
        folder = root / sid
        files = sorted(folder.glob("*.flac")) if folder.is_dir() else []
        if not files:
            files = sorted((root / "single").glob(f"{sid}-*.flac"))
        out[sid] = Speaker(sid, sex, tuple(files))
    return out


def pairs(split: str) -> list[tuple[str, str]]:
    """Ordered (source, target) reader pairs of a half (``tune``, ``validate``, ``all``)."""
    everyone = TUNE_SPEAKERS + VALIDATE_SPEAKERS
    out = [(x, y) for x in everyone for y in everyone if x != y]
    if split == "tune":
        return [(x, y) for x, y in out if x in TUNE_SPEAKERS and y in TUNE_SPEAKERS]
    if split == "validate":
        return [(x, y) for x, y in out if x in VALIDATE_SPEAKERS or y in VALIDATE_SPEAKERS]
    return out


def single_halves(speakers: dict[str, Speaker]) -> tuple[list[str], list[str]]:
    """The single-utterance readers, in ``speakers.tsv`` order, cut in two halves."""
    singles = [s.id for s in speakers.values() if len(s.files) == 1]
    half = len(singles) // 2
    return singles[:half], singles[half:]


class LibriSpeechSuite(Suite):
    """Every ordered pair of the five readers (content X, style Y, target other Y)."""

    name = "librispeech"

    def __init__(self, options=None) -> None:
        from audiostyle.suites.options import LibriSpeechOptions

        super().__init__(options if options is not None else LibriSpeechOptions())

    def cases(
        self, *, size: int, seed: int, cache_dir: Path, duration: float, sample_rate: int
    ) -> list[Case]:
        """The pairs of the chosen half (the first ``size``), cropped and cached as WAV.

        ``seed`` does not change the cases (they are fixed readers and utterances).
        """
        from audiostyle.audio import load, save

        opts = self.options
        root = find_root(opts.root)
        speakers = read_speakers(root)
        chosen = pairs(opts.split)[:size]
        need = max(CEILING_UTTERANCE, *REFERENCES) + 1
        for sid in {s for p in chosen for s in p}:
            if sid not in speakers or len(speakers[sid].files) < need:
                raise ParameterError(
                    f"reader {sid} in {root} has fewer than {need} utterances; the suite "
                    "needs the shared LibriSpeech folder as distributed."
                )
        root_cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        folder = root_cache / f"librispeech-v{VERSION}-{duration:g}s-{sample_rate}"
        folder.mkdir(parents=True, exist_ok=True)

        def crop(path: Path) -> Path:
            out = folder / f"{path.stem}.wav"
            if not out.is_file():
                y = load(path, sample_rate=sample_rate, duration=duration, role="librispeech")
                save(out, y, sample_rate=sample_rate, force=True)
            return out

        def joined(sid: str) -> Path:
            out = folder / f"{sid}-references.wav"
            if not out.is_file():
                parts = [
                    load(speakers[sid].files[k], sample_rate=sample_rate, role="librispeech")
                    for k in REFERENCES
                ]
                save(out, np.concatenate(parts), sample_rate=sample_rate, force=True)
            return out

        found = []
        for x, y in chosen:
            sx, sy = speakers[x], speakers[y]
            meta: dict[str, Any] = {
                "source": x,
                "target": y,
                "source_sex": sx.sex,
                "target_sex": sy.sex,
                "sexes": "same" if sx.sex == sy.sex else "cross",
                "half": "tune" if x in TUNE_SPEAKERS and y in TUNE_SPEAKERS else "validate",
                "source_references": [str(sx.files[k]) for k in REFERENCES],
                "target_references": [str(sy.files[k]) for k in REFERENCES],
                "ceiling": str(crop(sy.files[CEILING_UTTERANCE])),
            }
            found.append(
                Case(
                    name=f"librispeech-{x}-to-{y}",
                    content=crop(sx.files[CONTENT_UTTERANCE]),
                    style=crop(sy.files[STYLE_UTTERANCE]),
                    target=joined(y),
                    text=None,
                    meta=meta,
                )
            )
        (folder / "cases.json").write_text(
            json.dumps([c.meta | {"name": c.name} for c in found], indent=1), encoding="utf-8"
        )
        return found
