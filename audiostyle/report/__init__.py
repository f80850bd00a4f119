"""Listen and compare: one self-contained HTML page per run, bench grid or batch.

>>> from audiostyle.report import assets_dir
>>> assets_dir("report.html").name
'report_files'

``result.to_html("run.html")`` (a :class:`~audiostyle.api.Result`),
``bench_result.to_html("bench.html")`` and ``batch_result.to_html("batch.html")``
write a page; ``--html PATH`` does the same on ``transfer``, ``texture``, ``bench``
and ``batch``. :mod:`~audiostyle.report.model` is what a page shows,
:mod:`~audiostyle.report.build` makes one from each kind of run,
:mod:`~audiostyle.report.html` draws and writes it, and
:mod:`~audiostyle.report.validate` checks the HTML it writes. Light at import.
"""

from audiostyle.report.html import PAGE_FORMATS, assets_dir, check_page, write
from audiostyle.report.model import Clip, Column, Output, Report, Table, TableRow

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
