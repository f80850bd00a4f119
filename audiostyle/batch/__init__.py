"""Many transfers from a manifest, on an executor, resumable: ``audiostyle batch``.

A manifest is CSV (with a header) or JSONL (one object per line) with the columns
``content``, ``style`` and ``output``, and optionally ``preset``, ``seed``,
``duration``, ``offset``, ``style_offset``, ``style_duration`` per row. Input paths
are relative to the manifest's directory, outputs relative to ``out_dir``.

>>> from audiostyle.batch import run_batch                    # doctest: +SKIP
>>> result = run_batch("rows.csv", out_dir="out", executor="local",
...                    executor_options={"workers": 2}, steps=100)
>>> result.counts                                             # doctest: +SKIP
{'done': 12, 'skipped': 0, 'failed': 0, 'cancelled': 0, 'pending': 0}

Everything is checked before any work starts, and every problem is reported at once
with its row number (:class:`ManifestError`).

Resuming: ``out_dir/.audiostyle-batch.jsonl`` (the ledger) gets one line per finished
row, written only after the row's output file is complete (see
:mod:`audiostyle.batch.commit`: a pending line with the output's hash precedes the rename,
so the output of a driver killed just after it is verified and adopted). A row whose
resolved recipe, segment and input files (size, mtime and content hash) are unchanged and
whose output is still there is skipped; a changed row is redone. With
``envelope="auto"`` the rule it decides by (strengths, threshold, detector version) is
part of the key too, and :data:`LEDGER_VERSION` is bumped when an unchanged recipe would
now give a different output.

Where things happen: the calling process (the driver) plans, writes outputs and the
ledger; workers compute. Inputs reach workers as paths, or as bytes the driver read once
and shipped (an executor without a shared disk, :mod:`audiostyle.batch.worker`); outputs
come back as audio, or are written by workers into a shared ``out_dir``.

Modules: :mod:`~audiostyle.batch.manifest` (reading), :mod:`~audiostyle.batch.ledger`
(keys, ledger, lock), :mod:`~audiostyle.batch.plan` (validation, what runs),
:mod:`~audiostyle.batch.worker` (one row on a worker), :mod:`~audiostyle.batch.commit`
(an output and its ledger lines), :mod:`~audiostyle.batch.run` (the loop),
:mod:`~audiostyle.batch.result` (outcomes and reports), :mod:`~audiostyle.batch.signals`.

Reproducibility: a row is computed by :func:`audiostyle.run_files.run_files`, the run
:func:`audiostyle.transfer` and ``audiostyle transfer`` call, so it is exactly like
``audiostyle transfer`` with the same recipe and seed. Torch's float reductions
depend on its thread count, so every executor computes a task with the same pinned
number of torch threads (1 by default); ``OMP_NUM_THREADS=1 audiostyle transfer ...``
gives the same samples as a batch row.
"""

from audiostyle.batch.ledger import (
    LEDGER_NAME,
    LEDGER_VERSION,
    LOCK_NAME,
    BatchLockedError,
    Ledger,
    file_fingerprint,
    normalize_output,
    row_key,
)
from audiostyle.batch.manifest import COLUMNS, ManifestError, Problem, Row, read_manifest
from audiostyle.batch.plan import BatchPlan, PlannedRow, plan_batch
from audiostyle.batch.result import BatchProgress, BatchResult, BatchStats, RowOutcome
from audiostyle.batch.run import run_batch
from audiostyle.batch.worker import RowOutput, RowTask, run_row

__all__ = [
    "COLUMNS",
    "LEDGER_NAME",
    "LEDGER_VERSION",
    "LOCK_NAME",
    "BatchLockedError",
    "BatchPlan",
    "BatchProgress",
    "BatchResult",
    "BatchStats",
    "Ledger",
    "ManifestError",
    "PlannedRow",
    "Problem",
    "Row",
    "RowOutcome",
    "RowOutput",
    "RowTask",
    "file_fingerprint",
    "normalize_output",
    "plan_batch",
    "read_manifest",
    "row_key",
    "run_batch",
    "run_row",
]
