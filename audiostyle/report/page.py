"""The page's markup: a :class:`~audiostyle.report.model.Report` with its encoded audio
and pictures as one HTML document. The style sheet and the script that sorts the
table are package data (``report/assets/page.css``, ``page.js``), inlined in the page."""

from __future__ import annotations

import functools
import html
from importlib import resources
from typing import Any

from audiostyle.report.columns import format_value
from audiostyle.report.model import Clip, Column, Report, Table, finite, slug


@functools.cache
def asset_text(name: str) -> str:
    """The text of a file in ``audiostyle/report/assets`` (``page.css``, ``page.js``)."""
    return resources.files("audiostyle.report").joinpath("assets", name).read_text("utf-8")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _facts(items: list[tuple[str, str]]) -> str:
    if not items:
        return ""
    body = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items)
    return f'<dl class="facts">{body}</dl>'


def _anchor(key: str) -> str:
    return "clip-" + slug(key, limit=80)


def _clip_card(
    clip: Clip,
    urls: dict[str, str],
    images: dict[str, tuple[str, str]],
    *,
    mime: str,
    heading: str,
    extra: str = "",
) -> str:
    src, alt = images[clip.key]
    label = f"Play {clip.label}"
    return (
        f'<article class="card" id="{_anchor(clip.key)}">'
        f"<h3>{_e(heading)}</h3>"
        f'<audio controls preload="metadata" aria-label="{_e(label)}">'
        f'<source src="{_e(urls[clip.key])}" type="{mime}">'
        f'Your browser cannot play this audio; <a href="{_e(urls[clip.key])}">download it</a>.'
        "</audio>"
        f'<img src="{_e(src)}" alt="{_e(alt)}">'
        f"{extra}</article>"
    )


def _format(value: Any, column: Column) -> str:
    if isinstance(value, float) and column.scale != 1.0:
        value = value * column.scale
    return format_value(value)


def _table(table: Table, index: int, outputs: dict[str, str]) -> str:
    best = table.best()
    arrows = {True: " \u2191", False: " \u2193", None: ""}
    heads = [f'<th scope="col">{_e(table.name_header)}</th>']
    for col in table.columns:
        direction = {True: "higher is better", False: "lower is better", None: ""}[
            col.higher_is_better
        ]
        title = "; ".join(x for x in (col.description, direction) if x)
        title_attr = f' title="{_e(title)}"' if title else ""
        sr = f'<span class="sr-only"> ({direction})</span>' if direction else ""
        heads.append(
            f'<th scope="col"{title_attr}>{_e(col.header)}{arrows[col.higher_is_better]}{sr}</th>'
        )
    n_cols = len(table.columns) + 1
    bodies = []
    grouped = any(g for g, _ in table.groups())
    for group, rows in table.groups():
        lines = []
        if grouped:
            label = group or "(no group)"
            lines.append(
                f'<tr class="group"><th scope="rowgroup" colspan="{n_cols}">{_e(label)}</th></tr>'
            )
        for row in rows:
            name = _e(row.name)
            if row.output is not None and row.output in outputs:
                name = f'<a href="#{_anchor(row.output)}">{name}</a>'
            cells = [f'<th scope="row">{name}</th>']
            if row.error:
                cells.append(f'<td colspan="{len(table.columns)}">error: {_e(row.error)}</td>')
            else:
                for col in table.columns:
                    value = row.values.get(col.key)
                    text = _e(_format(value, col)) if value is not None else "-"
                    if not col.numeric:
                        cells.append(f"<td>{text}</td>")
                        continue
                    number = finite(value)
                    data = "" if number is None else repr(number * col.scale)
                    if (col.key, row.key) in best:
                        cells.append(
                            f'<td class="num best" data-value="{data}"><strong>{text}</strong>'
                            '<span class="sr-only"> (best)</span></td>'
                        )
                    else:
                        cells.append(f'<td class="num" data-value="{data}">{text}</td>')
            klass = ' class="error"' if row.error else ""
            lines.append(f"<tr{klass}>{''.join(cells)}</tr>")
        bodies.append(f"<tbody>{''.join(lines)}</tbody>")
    caption = table.caption or "Measurements"
    group_note = (
        f" Rows are grouped by {_e(table.group_label)}." if grouped and table.group_label else ""
    )
    return (
        f'<div class="table-wrap" id="table-{index}">'
        f'<p class="muted">Bold on green: the best value of a column (\u2191 higher is better, '
        f"\u2193 lower is better; unmarked columns are not ranked).{group_note}"
        ' <span class="sort-hint" hidden>Select a column header to sort by it; rows stay '
        "in their groups.</span></p>"
        '<p class="sort-status sr-only" aria-live="polite"></p>'
        f'<table class="sortable"><caption>{_e(caption)}</caption>'
        f"<thead><tr>{''.join(heads)}</tr></thead>{''.join(bodies)}</table></div>"
    )


def page(
    report: Report,
    urls: dict[str, str],
    images: dict[str, tuple[str, str]],
    losses: dict[str, str],
    *,
    mime: str,
    scale: tuple[float, float] | None,
) -> str:
    versions = report.versions
    made = f"Made {_e(report.created)}"
    if versions:
        made += " with " + ", ".join(f"{_e(k)} {_e(v)}" for k, v in versions.items())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="audiostyle {_e(versions.get("audiostyle", ""))}">',
        f"<title>{_e(report.title)}</title><style>{asset_text('page.css')}</style></head><body>",
        f'<header><h1>{_e(report.title)}</h1><p class="made">{made}.</p></header><main>',
    ]
    if report.summary:
        parts.append(
            f'<section aria-labelledby="h-summary"><h2 id="h-summary">Run</h2>'
            f"{_facts(report.summary)}</section>"
        )
    by_key = {o.clip.key: o for o in report.outputs}
    for i, table in enumerate(report.tables):
        heading = "Measurements" if i == 0 else table.caption or f"Table {i + 1}"
        parts.append(
            f'<section aria-labelledby="h-table-{i}"><h2 id="h-table-{i}">{_e(heading)}</h2>'
            f"{_table(table, i, by_key)}</section>"
        )
    if scale is not None:
        scale_note = (
            f'<p class="muted">Every spectrogram on this page uses the same colour scale '
            f"({scale[0]:.0f} to {scale[1]:.0f} dBFS) and the same axes (seconds, Hz), so "
            "they can be compared by eye.</p>"
        )
    else:
        scale_note = ""
    if report.sources:
        cards = "".join(
            _clip_card(
                c,
                urls,
                images,
                mime=mime,
                heading=c.label,
                extra=_facts([("file", c.file)] if c.file else []),
            )
            for c in report.sources
        )
        parts.append(
            '<section aria-labelledby="h-inputs"><h2 id="h-inputs">Inputs</h2>'
            f'{scale_note}<div class="cards">{cards}</div></section>'
        )
        scale_note = ""
    if report.outputs:
        cards = []
        for out in report.outputs:
            extra = []
            if out.sources:
                links = ", ".join(
                    f'{_e(role)}: <a href="#{_anchor(key)}">{_e(_label(report, key))}</a>'
                    for role, key in out.sources.items()
                )
                extra.append(f'<p class="muted">from {links}</p>')
            if out.clip.key in losses:
                extra.append(
                    f'<img src="{_e(losses[out.clip.key])}" alt="Loss curves of {_e(out.title)}: '
                    'total and each term against the optimisation step">'
                )
            extra.append(_facts(out.facts))
            if out.recipe_toml:
                extra.append(
                    "<details><summary>Resolved recipe (TOML)</summary>"
                    f"<pre>{_e(out.recipe_toml)}</pre></details>"
                )
            cards.append(
                _clip_card(
                    out.clip, urls, images, mime=mime, heading=out.title, extra="".join(extra)
                )
            )
        parts.append(
            '<section aria-labelledby="h-outputs"><h2 id="h-outputs">Outputs</h2>'
            f'{scale_note}<div class="cards">{"".join(cards)}</div></section>'
        )
    if report.notes:
        items = "".join(f"<li>{_e(n)}</li>" for n in report.notes)
        parts.append(
            '<section aria-labelledby="h-notes"><h2 id="h-notes">Notes</h2>'
            f"<ul>{items}</ul></section>"
        )
    parts.append("</main><footer>")
    if versions:
        parts.append(
            '<h2 id="h-versions">Versions</h2>'
            + _facts([("created", report.created), *versions.items()])
        )
    parts.append(f"</footer><script>{asset_text('page.js')}</script></body></html>\n")
    return "\n".join(parts)


def _label(report: Report, key: str) -> str:
    for clip in report.sources:
        if clip.key == key:
            return clip.label
    return key
