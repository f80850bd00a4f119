"""Score an output with registered metrics, and which way each metric is better.

One place for what the bench, the batch and a single run's report all do with
metrics: name them (:class:`MetricSpec`), list the registered ones
(:func:`default_metrics`), validate a selection (:func:`check_metrics`), score an
output (:func:`score`), and read each metric's direction once
(:func:`metric_directions`, ``higher_is_better`` per metric name).
Light at import: metric classes load on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from audiostyle.errors import AudiostyleError, DependencyError, ParameterError

#: Metric keys that are trade-offs rather than goals: never ranked or starred "best".
NEUTRAL_SUFFIXES = (".to_content",)


@dataclass(frozen=True)
class MetricSpec:
    """A metric by registered name and its (validated) options as a dict."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)


def default_metrics(*, include_extras: bool = True) -> list[MetricSpec]:
    """Every registered metric (those needing an extra only if ``include_extras``)."""
    from audiostyle.plugins import available

    return [
        MetricSpec(name)
        for name, impl in available("metric").items()
        if include_extras or not impl.extra.get("extra")
    ]


def check_metrics(metrics: Iterable[MetricSpec]) -> Iterator[MetricSpec]:
    """Each metric with its options validated (and converted); a name given twice or
    unknown, or a bad option, raises :class:`~audiostyle.errors.AudiostyleError`."""
    from audiostyle.options import as_dict
    from audiostyle.plugins import get_backend

    seen = set()
    for m in metrics:
        if m.name in seen:
            raise ParameterError(f"metric {m.name!r} is given twice.")
        seen.add(m.name)
        impl = get_backend("metric", m.name)
        yield MetricSpec(m.name, as_dict(impl.parse_options(m.options)))


def metric_directions(names: Iterable[str]) -> dict[str, bool]:
    """``{name: higher_is_better}`` of each registered metric among ``names``
    (names that are not registered metrics are left out)."""
    from audiostyle.plugins import get_backend

    out = {}
    for name in names:
        try:
            out[name] = bool(get_backend("metric", name).load().higher_is_better)
        except AudiostyleError:
            continue
    return out


def higher_is_better(key: str, directions: dict[str, bool]) -> bool | None:
    """Which way value ``key`` (``NAME`` or ``NAME.sub``) is better, by its metric's
    direction; None for a trade-off (:data:`NEUTRAL_SUFFIXES`) or an unknown metric.

    >>> higher_is_better("speaker.to_style", {"speaker": True})
    True
    >>> higher_is_better("speaker.to_content", {"speaker": True}) is None
    True
    """
    if key.endswith(NEUTRAL_SUFFIXES):
        return None
    name = key if key in directions else key.split(".")[0]
    return directions.get(name)


def score(
    metrics: Iterable[MetricSpec],
    output,
    *,
    sample_rate: int,
    content=None,
    style=None,
    target=None,
    text: str | None = None,
    notes: list[str] | None = None,
) -> dict[str, float]:
    """Score ``output`` with each metric: ``{"NAME": v}`` or ``{"NAME.key": v}``.

    A metric that lacks an input it needs, or whose extra is not installed, is
    skipped with a note (appended to ``notes``) saying why and what to install.
    """
    from audiostyle.plugins import create, get_backend

    given = {
        k
        for k, v in (("content", content), ("style", style), ("target", target), ("text", text))
        if v is not None and (k != "text" or v)
    }
    out: dict[str, float] = {}
    for m in metrics:
        impl = get_backend("metric", m.name)
        cls = impl.load()
        missing = cls.missing_inputs(given)
        if missing:
            if notes is not None:
                notes.append(f"metric {m.name} skipped: it {missing}")
            continue
        metric = create("metric", m.name, m.options)
        try:
            value = metric(
                output,
                sample_rate=sample_rate,
                content=content,
                style=style,
                target=target,
                text=text,
            )
        except DependencyError as exc:
            if notes is not None:
                notes.append(f"metric {m.name} skipped: {exc}")
            continue
        if isinstance(value, dict):
            for key, v in value.items():
                out[f"{m.name}.{key}"] = float(v)
        else:
            out[m.name] = float(value)
    return out
