"""``benchmarks/librispeech.py``: its score cache is keyed by the resolved recipe, so a
changed preset or default makes new scores instead of reading stale ones."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location(
        "benchmarks_librispeech", ROOT / "benchmarks" / "librispeech.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


LB = _load()


def test_score_key_follows_the_resolved_recipe():
    voice = LB.recipe_version({"preset": "voice"}, "voice")
    assert len(voice) == 8
    assert LB.recipe_version({"preset": "voice"}, "another name") == voice
    off = {"preset": "voice", "analysis": {"name": "world", "options": {"octave_check": "off"}}}
    assert LB.recipe_version(off, "voice - octave check") not in ("", voice)
    # a default spelled out is the same recipe
    track = {"preset": "voice", "analysis": {"name": "world", "options": {"octave_check": "track"}}}
    assert LB.recipe_version(track, "x") == voice


def test_rows_not_run_here_have_no_recipe_key():
    assert LB.recipe_version(None, "nothing (the content)") == ""
    assert LB.recipe_version({"preset": "ulyanov2016"}, "ulyanov2016 (300 steps)") == ""


def test_every_row_and_ablation_resolves():
    for rows in (LB.ROWS, LB.ABLATIONS, LB.CURVE):
        for row, spec in rows.items():
            if spec and row.split(" ")[0] not in LB.PUBLISHED:
                assert LB.recipe_version(spec, row), row
