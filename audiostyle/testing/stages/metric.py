"""Contract checks of a metric: finite value(s) on real speech, deterministic."""

from __future__ import annotations

import math
from pathlib import Path

from audiostyle.testing.common import fail


def check_metric(impl, cls, opts, *, device: str) -> list[str]:
    from audiostyle.audio import load
    from audiostyle.contracts.metric import Metric
    from audiostyle.data import demo_clip

    stage, name = impl.stage, impl.name
    sr = 16_000
    content = load(demo_clip("content"), sample_rate=sr, offset=0.5, duration=1.0)
    style = load(demo_clip("style"), sample_rate=sr, offset=0.5, duration=1.0)
    output = (0.7 * content + 0.3 * style[: content.shape[0]]).astype(content.dtype)
    text_path = Path(str(demo_clip("content"))).with_suffix(".txt")
    text = text_path.read_text().strip() if text_path.exists() else "hello"
    metric = cls(opts)
    if not isinstance(metric, Metric):
        raise fail(stage, name, "the instance is not a Metric.")
    kwargs = {"content": content, "style": style, "target": content, "text": text}

    def value():
        v = metric(output, sample_rate=sr, **kwargs)
        if isinstance(v, dict):
            items = v.items()
        else:
            items = [("value", v)]
        out = {}
        for k, x in items:
            if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
                raise fail(stage, name, f"{k} = {x!r} is not a finite number.")
            out[k] = float(x)
        return out

    first = value()
    second = value()
    for k in first:
        if not math.isclose(first[k], second[k], rel_tol=1e-5, abs_tol=1e-6):
            raise fail(stage, name, f"{k} differs between two calls: {first[k]} vs {second[k]}.")
    return ["finite value(s) " + ", ".join(f"{k}={v:.3g}" for k, v in first.items()), "repeatable"]
