"""The columns every table shows (terminal and page) and how one value is printed.

One column model (:class:`~audiostyle.report.model.Column`, ``higher_is_better``)
for the bench's terminal table and every report page. Light module.
"""

from __future__ import annotations

import math
from typing import Any

from audiostyle.report.model import Column

LOSS_COLUMNS = (
    Column("losses.style", "style loss", description="final style loss"),
    Column("losses.content", "content loss", description="final content loss"),
    Column("losses.total", "total loss", description="final total loss"),
)
TIME_COLUMNS = (
    Column("time.total", "total s", False, description="wall time of the run, seconds"),
    Column("time.optimize", "optimize s", False, description="optimisation, seconds"),
    Column("time.phase", "phase s", False, description="phase reconstruction, seconds"),
)
PEAK_COLUMN = Column("peak_mb", "peak MB", False, description="peak memory growth")
#: The bench's transfer section: times, memory, the style and content losses.
TRANSFER_COLUMNS = (*TIME_COLUMNS, PEAK_COLUMN, *LOSS_COLUMNS[:2])
#: The bench's transform section (no optimisation).
TRANSFORM_COLUMNS = (
    Column("time.stft", "stft ms", False, scale=1000.0),
    Column("time.istft", "istft ms", False, scale=1000.0),
    Column("roundtrip.snr_db", "round-trip SNR dB", True),
    Column("phase.n_iter", "phase iters"),
    Column("time.phase", "phase s", False),
    Column("phase.spectral_convergence", "phase SC", False),
    Column("phase.snr_db", "phase SNR dB", True),
)


def format_value(value: Any) -> str:
    """How a table shows one value: 4 significant digits, ``-`` for none.

    >>> format_value(0.000123456), format_value(12345.678), format_value(None), format_value(7)
    ('0.0001235', '1.235e+04', '-', '7')
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "-"
        return f"{value:.4g}"
    return str(value)
