"""Contract checks of a suite: one case of real files, the same files for the same seed."""

from __future__ import annotations

import tempfile
from pathlib import Path

from audiostyle.testing.common import SAMPLE_RATE, desc, fail


def check_suite(impl, cls, opts, *, device: str) -> list[str]:
    import numpy as np

    from audiostyle.audio import load
    from audiostyle.contracts.suite import Case, Suite

    stage, name = impl.stage, impl.name
    suite = cls(opts)
    if not isinstance(suite, Suite):
        raise fail(stage, name, "the instance is not a Suite.")
    with tempfile.TemporaryDirectory(prefix="audiostyle-contract-") as tmp:
        kw = {"size": 1, "seed": 0, "cache_dir": Path(tmp), "duration": 1.0}
        cases = suite.cases(sample_rate=SAMPLE_RATE, **kw)
        if not isinstance(cases, list) or len(cases) != 1:
            raise fail(stage, name, f"cases(size=1) gave {desc(cases)}, not a list of 1 case.")
        case = cases[0]
        if not isinstance(case, Case):
            raise fail(stage, name, f"a case must be a Case, got {desc(case)}.")
        for role in ("content", "style", "target"):
            path = getattr(case, role)
            if path is None and role == "target":
                continue
            if not Path(path).is_file():
                raise fail(stage, name, f"case {case.name!r}: {role} file {path} does not exist.")
            y = load(path, sample_rate=SAMPLE_RATE)
            if y.size == 0 or float(np.abs(y).max()) < 1e-4:
                raise fail(stage, name, f"case {case.name!r}: {role} file {path} is silent.")
        again = suite.cases(sample_rate=SAMPLE_RATE, **kw)
        if [c.name for c in again] != [case.name] or (
            Path(again[0].content).read_bytes() != Path(case.content).read_bytes()
        ):
            raise fail(stage, name, "the same seed gave different cases.")
    return ["one case of real files", "reproducible"]
