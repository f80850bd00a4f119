"""Listen and compare: one self-contained HTML page per run, bench grid or batch.

>>> from audiostyle.report import assets_dir
>>> assets_dir("report.html").name
'report_files'

``result.to_html("run.html")`` (a :class:`~audiostyle.api.Result`),
``bench_result.to_html("bench.html")`` and ``batch_result.to_html("batch.html")``
write a page; ``--html PATH`` does the same on ``transfer``, ``texture``, ``bench``
and ``batch``. :mod:`~audiostyle.report.result` is what ``transfer`` and ``texture``
return, :mod:`~audiostyle.report.model` is what a page shows,
:mod:`~audiostyle.report.build` makes one from each kind of run,
:mod:`~audiostyle.report.html` draws and writes it, and
:mod:`~audiostyle.report.validate` checks the HTML it writes. Light at import.
"""

from typing import Any

from audiostyle.report.model import Clip, Column, Output, Report, Table, TableRow

# The page renderer is a leaf: it loads when a page is drawn or checked, not when
# the report model is imported (audiostyle.report.build, the faces' results).
_RENDERER = ("PAGE_FORMATS", "assets_dir", "check_page", "write")

__all__ = [
    "PAGE_FORMATS",
    "Clip",
    "Column",
    "Output",
    "Report",
    "Table",
    "TableRow",
    "assets_dir",
    "check_page",
    "write",
]


def __getattr__(name: str) -> Any:
    if name in _RENDERER:
        from audiostyle.report import html

        return getattr(html, name)
    raise AttributeError(f"module 'audiostyle.report' has no attribute {name!r}")
