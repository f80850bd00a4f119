"""One column model and one place for metric directions: the bench's terminal table and
the report page rank the same columns the same way (issue 19)."""

from __future__ import annotations

from audiostyle.bench.results import BenchResult
from audiostyle.report.build import from_bench
from audiostyle.report.columns import TRANSFER_COLUMNS, TRANSFORM_COLUMNS
from audiostyle.report.model import Column
from audiostyle.scoring import higher_is_better


def test_the_terminal_table_uses_the_page_column_model():
    import audiostyle.bench.results as results

    assert results.Column is Column
    assert all(isinstance(c, Column) for c in (*TRANSFER_COLUMNS, *TRANSFORM_COLUMNS))
    assert {c.key: c.higher_is_better for c in TRANSFORM_COLUMNS}["roundtrip.snr_db"] is True
    assert {c.key: c.higher_is_better for c in TRANSFER_COLUMNS}["time.total"] is False


def _rows():
    base = {"kind": "transfer", "case": "a", "notes": [], "error": None, "recipe": {}}
    return [
        {**base, "cell": 0, "variant": "x=1", "x": "1", "time.total": 2.0, "lsd": 3.0,
         "speaker.to_style": 0.5, "speaker.to_content": 0.9},
        {**base, "cell": 1, "variant": "x=2", "x": "2", "time.total": 1.0, "lsd": 4.0,
         "speaker.to_style": 0.7, "speaker.to_content": 0.2},
    ]  # fmt: skip


def test_the_terminal_stars_and_the_page_bests_agree():
    directions = {"lsd": False, "speaker": True}
    result = BenchResult(rows=_rows(), axes=["x"], meta={"higher_is_better": directions})
    lines = result.table().splitlines()
    header = lines[1].split()  # case variant total s lsd speaker.to_style speaker.to_content
    keys = ["case", "variant", "time.total", *header[4:]]
    starred = {
        (key, cells[1])
        for cells in (line.split() for line in lines[3:5])
        for key, cell in zip(keys, cells, strict=True)
        if cell.endswith("*")
    }
    table = from_bench(result).tables[0]
    best = {(k, {"cell-0": "x=1", "cell-1": "x=2"}[r]) for k, r in table.best()}
    assert starred == {("time.total", "x=2"), ("lsd", "x=1"), ("speaker.to_style", "x=2")}
    assert best == starred  # speaker.to_content is a trade-off: ranked by neither
    assert higher_is_better("speaker.to_content", directions) is None
