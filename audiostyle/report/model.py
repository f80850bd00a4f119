"""What a report shows, independent of how it is drawn.

A :class:`Report` holds the sounds (:class:`Clip`: the inputs and every output), each
output's recipe, loss history and measurements (:class:`Output`), and one metric
table (:class:`Table`) whose columns know which way is better and whose rows may be
grouped by the option a bench grid varies. :mod:`audiostyle.report.html` writes it
as a page; :mod:`audiostyle.report.build` makes one from a transfer, a bench or a
batch.

Light module: no numpy, torch or matplotlib at import (audio arrays are whatever
the caller holds; a clip can also name a file, read only when the page is drawn).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from audiostyle.errors import ParameterError

ROLES = ("content", "style", "target", "output")


def slug(text: str, *, limit: int = 60) -> str:
    """A file-name-safe form of ``text``.

    >>> slug("phase=fast-griffin-lim transform.n_fft=512")
    'phase=fast-griffin-lim_transform.n_fft=512'
    """
    out = re.sub(r"[^A-Za-z0-9_.=+-]+", "_", text).strip("_.")
    return out[:limit] or "clip"


@dataclass
class Clip:
    """One sound on the page: an array in memory or an excerpt of a file.

    Attributes
    ----------
    key : str
        Unique on the page (anchors and asset names derive from it).
    label : str
        What a listener is told it is (``content``, ``output: phase=griffin-lim``).
    role : str
        ``content``, ``style``, ``target`` or ``output``.
    sample_rate : int
        Rate of ``audio`` (or the rate a file is read at), Hz.
    audio : ndarray [shape=(time,)], optional
        Mono samples; if None, ``file`` (from ``offset`` for ``duration`` s) is read.
    file : str, optional
        Where the sound came from (shown on the page; read if ``audio`` is None).
    """

    key: str
    label: str
    role: str
    sample_rate: int
    audio: Any = None
    file: str | None = None
    offset: float = 0.0
    duration: float | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ParameterError(f"clip role {self.role!r} is not one of {', '.join(ROLES)}.")
        if self.audio is None and self.file is None:
            raise ParameterError(f"clip {self.key!r} has neither audio samples nor a file.")
        if not self.sample_rate or self.sample_rate <= 0:
            raise ParameterError(f"clip {self.key!r}: sample_rate must be a positive rate in Hz.")

    def load(self):
        """The samples (mono float32 at ``sample_rate``), reading the file if needed."""
        if self.audio is not None:
            return self.audio
        from audiostyle.audio import load

        return load(
            self.file,
            sample_rate=self.sample_rate,
            offset=self.offset,
            duration=self.duration,
            role=self.role,
        )


@dataclass
class Output:
    """One output with how it was made and what was measured.

    Attributes
    ----------
    clip : Clip
    title : str
        The variant (``phase=griffin-lim transform.n_fft=512``) or the output's name.
    sources : dict of str to str
        Role -> key of the source :class:`Clip` it was made from.
    recipe_toml : str, optional
        The resolved recipe (shown collapsed).
    history : list of dict
        Per step: ``step`` and each loss term (for the loss curves).
    initial_losses : dict
        Loss terms before the first step (drawn at step 0).
    facts : list of (str, str)
        Short labelled facts (steps, time, losses, notes) shown beside the player.
    row : str, optional
        Key of this output's row in the table.
    """

    clip: Clip
    title: str
    sources: dict[str, str] = field(default_factory=dict)
    recipe_toml: str | None = None
    history: list[dict[str, float]] = field(default_factory=list)
    initial_losses: dict[str, float] = field(default_factory=dict)
    facts: list[tuple[str, str]] = field(default_factory=list)
    row: str | None = None


@dataclass(frozen=True)
class Column:
    """A table column: which value, its header, and which way is better.

    ``higher_is_better`` None means the column is not ranked (no highlight).
    ``scale`` multiplies the shown value (1000 for milliseconds).
    """

    key: str
    header: str
    higher_is_better: bool | None = None
    numeric: bool = True
    scale: float = 1.0
    description: str = ""


@dataclass
class TableRow:
    """One row: a name, its values, the group it is shown in, the output it links to."""

    key: str
    name: str
    values: dict[str, Any]
    group: str = ""
    output: str | None = None  # key of the Output clip this row describes
    rank: bool = True  # False for reference rows (the do-nothing baseline): never "best"
    partition: str = ""  # "best" is decided within rows of one partition (a bench case)
    error: str | None = None


@dataclass
class Table:
    """The metric table: sortable by any column, best value per column marked."""

    columns: list[Column]
    rows: list[TableRow]
    caption: str = ""
    group_label: str | None = None  # e.g. "phase": what the groups are values of
    name_header: str = "variant"  # header of the first column (the row names)

    def groups(self) -> list[tuple[str, list[TableRow]]]:
        """Rows by group, groups in order of first appearance."""
        out: dict[str, list[TableRow]] = {}
        for row in self.rows:
            out.setdefault(row.group, []).append(row)
        return list(out.items())

    def best(self) -> set[tuple[str, str]]:
        """``(column key, row key)`` of the best value of each ranked column.

        Decided within each partition among rows with ``rank`` and no error; a column
        where fewer than two rows have a finite value, or all values are equal, has
        no best.

        >>> t = Table([Column("lsd", "lsd", higher_is_better=False)],
        ...           [TableRow("a", "a", {"lsd": 2.0}), TableRow("b", "b", {"lsd": 1.0}),
        ...            TableRow("c", "c", {"lsd": 0.0}, rank=False)])
        >>> t.best()
        {('lsd', 'b')}
        """
        out: set[tuple[str, str]] = set()
        parts: dict[str, list[TableRow]] = {}
        for row in self.rows:
            if row.rank and not row.error:
                parts.setdefault(row.partition, []).append(row)
        for col in self.columns:
            if col.higher_is_better is None:
                continue
            for rows in parts.values():
                scored = [(r, finite(r.values.get(col.key))) for r in rows]
                scored = [(r, v) for r, v in scored if v is not None]
                if len(scored) < 2 or len({v for _, v in scored}) < 2:
                    continue
                pick = max if col.higher_is_better else min
                target = pick(v for _, v in scored)
                out.update((col.key, r.key) for r, v in scored if v == target)
        return out


def finite(value: Any) -> float | None:
    """``value`` as a finite float, or None (missing, text, NaN, Inf)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass
class Report:
    """Everything one page shows.

    Attributes
    ----------
    title : str
    kind : str
        ``transfer``, ``texture``, ``bench`` or ``batch``.
    sources : list of Clip
        The inputs (content, style, target), each once.
    outputs : list of Output
    tables : list of Table
        The metric table (a bench with ``--mode both`` adds a transform table).
    summary : list of (str, str)
        Labelled facts about the whole run (cases, grid, executor ...).
    notes : list of str
    versions : dict of str to str
        From :func:`audiostyle.api.versions`.
    created : str
        When the run was made (ISO 8601).
    """

    title: str
    kind: str
    sources: list[Clip] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    created: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S%z"))

    def clips(self) -> list[Clip]:
        """Every clip on the page: sources first, then outputs."""
        return [*self.sources, *(o.clip for o in self.outputs)]

    def check(self) -> None:
        """Raise :class:`ParameterError` if two clips share a key or a link dangles."""
        seen: set[str] = set()
        for clip in self.clips():
            if clip.key in seen:
                raise ParameterError(f"report: two clips share the key {clip.key!r}.")
            seen.add(clip.key)
        sources = {c.key for c in self.sources}
        for out in self.outputs:
            for role, key in out.sources.items():
                if key not in sources:
                    raise ParameterError(
                        f"report: output {out.clip.key!r} names {role} {key!r}, not a source."
                    )
