"""Write a :class:`~audiostyle.report.model.Report` as one HTML page.

The page opens from disk with no server and no network: its audio (Ogg Vorbis or
FLAC) and pictures (PNG) sit in a folder beside it, ``PAGE_files/`` (or, with
``embed=True``, inside the page as ``data:`` URIs), and its style sheet and the few
lines of script that sort the table are inline. No CDN, no web font.

- Every clip gets a player (``<audio controls>`` with an ``aria-label``) and a
  spectrogram; all spectrograms of a page share one colour scale (dBFS, the loudest
  bin of any clip at the top, :data:`~audiostyle.plotting.DEFAULT_DYNAMIC_RANGE` dB
  below it at the bottom) and the same axes (seconds up to the longest clip, Hz up
  to the highest Nyquist frequency), so they can be compared by eye.
- Every output gets its loss curves and its resolved recipe (in a collapsed
  ``<details>``).
- The metric table works without script: it is a plain table with the best value
  of each ranked column in bold. The script turns each header into a ``<button>``
  that sorts the rows (within their groups) and keeps ``aria-sort`` up to date.

The page and its folder are replaced together (written beside, then renamed), so
an interrupted write leaves the previous report or none, never half of one.
"""

from __future__ import annotations

import base64
import contextlib
import html
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from audiostyle.errors import AudioError, OutputExistsError, ParameterError
from audiostyle.report.columns import format_value
from audiostyle.report.model import Clip, Column, Output, Report, Table, finite, slug

PAGE_FORMATS = ("ogg", "flac")  # compressed: a page of many outputs stays small
SPECTROGRAM_SIZE = (6.0, 2.4)  # inches
LOSS_SIZE = (5.0, 2.4)
DPI = 80  # 480 x 192 px spectrograms: readable, ~50 kB each


def assets_dir(path: str | Path) -> Path:
    """The folder beside a page that holds its audio and pictures: ``PAGE_files``.

    >>> assets_dir("out/report.html").as_posix()
    'out/report_files'
    """
    path = Path(path)
    return path.with_name(f"{path.stem}_files")


def check_page(path: str | Path, *, force: bool = False) -> Path:
    """Check, before any work, that a report can be written at ``path``.

    It must end in ``.html`` (or ``.htm``), its directory must exist, and neither it
    nor its ``PAGE_files`` folder may exist unless ``force``.
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ParameterError(f"--html {str(path)!r}: give a file name ending in .html.")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ParameterError(
            f"--html {str(path)!r}: directory {str(parent)!r} does not exist; create it first."
        )
    if path.is_dir():
        raise ParameterError(f"--html {str(path)!r} is a directory; give a file name.")
    folder = assets_dir(path)
    if not force:
        for existing in (path, folder):
            if existing.exists():
                raise OutputExistsError(
                    f"{str(existing)!r} already exists; pass --force (force=True) to "
                    "overwrite the report."
                )
    if folder.exists() and not folder.is_dir():
        raise ParameterError(
            f"{str(folder)!r} is a file, but the report keeps its audio and pictures in a "
            "folder of that name; move it away."
        )
    if not os.access(parent, os.W_OK):
        raise AudioError(f"directory {str(parent)!r} is not writable; choose another --html path.")
    return path


# -- assets ------------------------------------------------------------------------------
class _Assets:
    """Where audio and pictures go: files in a staging folder, or ``data:`` URIs."""

    def __init__(self, staging: Path | None, public: str) -> None:
        self.staging = staging
        self.public = public  # the folder's name as the page refers to it
        self.names: set[str] = set()

    def add(self, name: str, data: bytes, mime: str) -> str:
        """Store ``data``; return the URL the page uses for it."""
        if name in self.names:
            raise ParameterError(f"report: asset {name!r} is written twice.")
        self.names.add(name)
        if self.staging is None:
            return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        (self.staging / name).write_bytes(data)
        return f"{quote(self.public)}/{quote(name)}"


# -- pictures ----------------------------------------------------------------------------
def _spectrogram(audio, sample_rate: int):
    from audiostyle.plotting import default_n_fft, spectrogram_db

    return spectrogram_db(audio, sample_rate, n_fft=default_n_fft(sample_rate))


def _figure(size: tuple[float, float], *, left: float = 0.12, right: float):
    """A figure and its axes at a fixed place (the same plot area in every picture of a
    page, and no layout solver: that is the slow part of drawing many small figures)."""
    from audiostyle.plotting import new_figure

    fig = new_figure(figsize=size, dpi=DPI)
    fig.set_layout_engine("none")
    ax = fig.add_axes((left, 0.2, right - left, 0.74))
    return fig, ax


def _spectrogram_png(
    audio, sample_rate: int, *, db, vmin: float, vmax: float, xmax: float, ymax: float
) -> bytes:
    from audiostyle.plotting import draw_spectrogram, figure_png

    fig, ax = _figure(SPECTROGRAM_SIZE, right=0.83)
    image = draw_spectrogram(ax, audio, sample_rate, vmin=vmin, vmax=vmax, db=db)
    ax.set_xlim(0.0, xmax)
    ax.set_ylim(0.0, ymax)
    fig.colorbar(image, cax=fig.add_axes((0.85, 0.2, 0.025, 0.74)), label="dBFS")
    return figure_png(fig)


def _loss_png(output: Output) -> bytes:
    from audiostyle.plotting import draw_losses, figure_png

    fig, ax = _figure(LOSS_SIZE, left=0.16, right=0.97)
    draw_losses(ax, output.history, initial=output.initial_losses, title=None)
    return figure_png(fig)


# -- the page ----------------------------------------------------------------------------
def write(
    report: Report,
    path: str | Path,
    *,
    audio_format: str = "ogg",
    force: bool = False,
    embed: bool = False,
    dynamic_range: float | None = None,
) -> Path:
    """Write ``report`` as an HTML page at ``path`` (and its ``PAGE_files`` folder).

    Parameters
    ----------
    report : Report
    path : str or Path
        The page (``.html``).
    audio_format : {"ogg", "flac"}
        Ogg Vorbis (small; every current browser but old Safari) or FLAC (lossless,
        about 6x larger for speech).
    force : bool
        Replace an existing page and folder.
    embed : bool
        Put the audio and pictures inside the page (``data:`` URIs; one file to send,
        a third larger) instead of in ``PAGE_files``.
    dynamic_range : float, optional
        dB between the top and the bottom of the shared colour scale (default 80).

    Returns
    -------
    Path
        The page.
    """
    from audiostyle.atomic import _publish, deferred_sigint
    from audiostyle.plotting import DEFAULT_DYNAMIC_RANGE

    if audio_format not in PAGE_FORMATS:
        raise ParameterError(
            f"audio_format={audio_format!r}: a report uses compressed audio, "
            f"one of {', '.join(PAGE_FORMATS)} (flac is lossless)."
        )
    dynamic_range = DEFAULT_DYNAMIC_RANGE if dynamic_range is None else dynamic_range
    report.check()
    path = check_page(path, force=force)
    folder = assets_dir(path)
    parent = path.parent if str(path.parent) else Path(".")
    staging = None if embed else Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".html", dir=parent)
    os.close(fd)
    tmp_page = Path(tmp_name)
    old = None
    try:
        text = render(
            report,
            _Assets(staging, folder.name),
            audio_format=audio_format,
            dynamic_range=dynamic_range,
        )
        tmp_page.write_text(text, encoding="utf-8")
        with deferred_sigint():
            if folder.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=parent))
                os.replace(folder, old / "x")
            if staging is not None:
                os.chmod(staging, 0o777 & ~_umask())
                os.replace(staging, folder)
                staging = None
            _publish(tmp_page, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_page.unlink()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise AudioError(
                f"cannot write the report {str(path)!r}: {exc.strerror or exc}; "
                "check the directory is writable and has free space."
            ) from exc
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def render(
    report: Report, assets: _Assets, *, audio_format: str = "ogg", dynamic_range: float = 80.0
) -> str:
    """The page's HTML text; audio and pictures go to ``assets`` as they are made."""
    from audiostyle.plotting import AUDIO_FORMATS, db_limits, encode_audio

    clips = report.clips()
    if not clips and not report.tables:
        raise ParameterError("report has nothing to show: no clips and no table.")
    mime = AUDIO_FORMATS[audio_format][2]
    # Pass 1: encode every clip and find the shared colour scale and axes.
    peaks, urls, durations = [], {}, {}
    stems = {clip.key: f"{i:03d}-{slug(clip.key)}" for i, clip in enumerate(clips)}
    for clip in clips:
        audio = clip.load()
        stem = stems[clip.key]
        urls[clip.key] = assets.add(
            f"{stem}.{audio_format}",
            encode_audio(audio, clip.sample_rate, format=audio_format),
            mime,
        )
        durations[clip.key] = len(audio) / clip.sample_rate
        peaks.append(_spectrogram(audio, clip.sample_rate)[0])
        peaks[-1] = peaks[-1].max(keepdims=True)  # keep only the loudest bin
    images: dict[str, tuple[str, str]] = {}
    if clips:
        vmin, vmax = db_limits(peaks, dynamic_range=dynamic_range)
        xmax = max(durations.values())
        ymax = max(c.sample_rate for c in clips) / 2
        # Pass 2: the spectrograms, on that scale and those axes.
        for clip in clips:
            audio = clip.load()
            png = _spectrogram_png(
                audio,
                clip.sample_rate,
                db=_spectrogram(audio, clip.sample_rate),
                vmin=vmin,
                vmax=vmax,
                xmax=xmax,
                ymax=ymax,
            )
            images[clip.key] = (
                assets.add(f"{stems[clip.key]}-spectrogram.png", png, "image/png"),
                f"Spectrogram of {clip.label}: time 0 to {xmax:.2f} s, frequency 0 to "
                f"{ymax:.0f} Hz, level {vmin:.0f} to {vmax:.0f} dBFS "
                f"({durations[clip.key]:.2f} s of audio at {clip.sample_rate} Hz)",
            )
    losses = {}
    for out in report.outputs:
        if out.history or out.initial_losses:
            losses[out.clip.key] = assets.add(
                f"{stems[out.clip.key]}-losses.png", _loss_png(out), "image/png"
            )
    scale = (vmin, vmax) if clips else None
    return _page(report, urls, images, losses, mime=mime, scale=scale)


_CSS = """
:root { color-scheme: light; --fg: #1b1b1f; --muted: #5c5c66; --line: #d4d4da;
  --best: #e3f4e1; --accent: #2b59c3; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 90rem; }
h1 { font-size: 1.6rem; margin: 0.2rem 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 0.4rem; word-break: break-word; }
.made, .muted { color: var(--muted); font-size: 0.9rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.8rem;
  margin: 0.4rem 0; font-size: 0.9rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-word; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(31rem, 1fr));
  gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0.8rem; }
.card:target { outline: 3px solid var(--accent); }
.card img { display: block; max-width: 100%; height: auto; margin: 0.4rem 0; }
audio { width: 100%; }
.table-wrap { overflow-x: auto; position: relative; }
table { border-collapse: collapse; font-size: 0.88rem; }
caption { text-align: left; color: var(--muted); padding: 0.3rem 0; caption-side: top; }
th, td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th { background: #f3f3f6; vertical-align: bottom; }
thead th button { font: inherit; font-weight: 600; background: none; border: 0;
  padding: 0; cursor: pointer; color: inherit; text-align: left; }
thead th button:focus-visible { outline: 2px solid var(--accent); }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
tbody th { text-align: left; font-weight: normal; min-width: 12rem; }
tr.group th { background: #fafafc; font-weight: 600; }
td.best { background: var(--best); }
tr.error td { color: #8a1c1c; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
details pre { max-height: 24rem; overflow: auto; background: #f6f6f8; padding: 0.5rem;
  font-size: 0.8rem; }
footer { margin-top: 2.5rem; }
"""

# Progressive enhancement: without script the table is plain (best values in bold);
# with it, each header becomes a button that sorts the rows within their groups.
_JS = """
(function () {
  "use strict";
  function value(row, col) {
    var cell = row.cells[col];
    if (!cell) return null;
    var v = cell.getAttribute("data-value");
    if (v !== null) return v === "" ? null : parseFloat(v);
    return cell.textContent.trim();
  }
  function compare(a, b, asc) {
    if (a === null && b === null) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    var d = typeof a === "number" && typeof b === "number" ? a - b
      : String(a).localeCompare(String(b), undefined, {numeric: true});
    return asc ? d : -d;
  }
  function sort(table, col, th) {
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].setAttribute("aria-sort", "none");
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    for (var t = 0; t < table.tBodies.length; t++) {
      var body = table.tBodies[t], rows = [];
      for (var r = 0; r < body.rows.length; r++) {
        if (!body.rows[r].classList.contains("group")) rows.push(body.rows[r]);
      }
      rows.forEach(function (row, index) { row._order = index; });
      rows.sort(function (a, b) {
        return compare(value(a, col), value(b, col), asc) || a._order - b._order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    var status = table.parentNode.querySelector(".sort-status");
    if (status) {
      status.textContent = "Sorted by " + th.textContent.replace(/[\\u25B2\\u25BC]/g, "").trim()
        + (asc ? ", ascending." : ", descending.");
    }
  }
  var tables = document.querySelectorAll("table.sortable");
  for (var n = 0; n < tables.length; n++) {
    (function (table) {
      var heads = table.tHead.rows[0].cells;
      for (var c = 0; c < heads.length; c++) {
        (function (th, col) {
          var button = document.createElement("button");
          button.type = "button";
          while (th.firstChild) button.appendChild(th.firstChild);
          th.appendChild(button);
          th.setAttribute("aria-sort", "none");
          button.addEventListener("click", function () { sort(table, col, th); });
        })(heads[c], c);
      }
      var hint = table.parentNode.querySelector(".sort-hint");
      if (hint) hint.hidden = false;
    })(tables[n]);
  }
})();
"""


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


def _page(
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
        f"<title>{_e(report.title)}</title><style>{_CSS}</style></head><body>",
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
    parts.append(f"</footer><script>{_JS}</script></body></html>\n")
    return "\n".join(parts)


def _label(report: Report, key: str) -> str:
    for clip in report.sources:
        if clip.key == key:
            return clip.label
    return key
