"""Make a :class:`~audiostyle.report.model.Report` from a transfer, a bench or a batch.

- :func:`from_result`: a :class:`~audiostyle.api.Result` (``transfer`` / ``texture``):
  content, style and the output; the table scores the output and, as a reference,
  the content itself ("do nothing") with the light metrics (no install extra).
- :func:`from_bench`: a :class:`~audiostyle.bench.BenchResult`: each case's content
  and style, every transfer's output, the bench table grouped by the first option
  the grid varies (``group_by`` picks another).
- :func:`from_batch`: a :class:`~audiostyle.batch.BatchResult`: every row's inputs
  and output (read from ``out_dir``), with its timings and losses.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from audiostyle.errors import ParameterError
from audiostyle.provenance import versions
from audiostyle.report.columns import (
    LOSS_COLUMNS,
    PEAK_COLUMN,
    TIME_COLUMNS,
    TRANSFORM_COLUMNS,
)
from audiostyle.report.model import Clip, Column, Output, Report, Table, TableRow
from audiostyle.scoring import (
    NEUTRAL_SUFFIXES,
    MetricSpec,
    default_metrics,
    higher_is_better,
    metric_directions,
    score,
)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _metric_column(key: str, directions: dict[str, bool]) -> Column:
    better = higher_is_better(key, directions)
    note = "a trade-off, not ranked" if key.endswith(NEUTRAL_SUFFIXES) else ""
    return Column(key, key, better, description=note)


def _facts_of(result) -> list[tuple[str, str]]:
    facts = [
        ("steps", f"{result.steps_done} of {result.recipe.steps}"),
        ("evaluations", str(result.evaluations)),
        ("time", _seconds(result.timings.get("total"))),
        ("device", result.device),
    ]
    if result.stopped:
        facts.append(("stopped", result.stopped))
    for term in ("style", "content", "total"):
        if term in result.final_losses:
            before = result.initial_losses.get(term)
            after = result.final_losses[term]
            facts.append(
                (f"{term} loss", f"{before:.4g} \u2192 {after:.4g}" if before else f"{after:.4g}")
            )
    return facts


def from_result(
    result: Any,
    *,
    title: str | None = None,
    metrics: Any = "auto",
) -> Report:
    """A report of one :func:`~audiostyle.api.transfer` or :func:`~audiostyle.api.texture`.

    Parameters
    ----------
    result : Result
    title : str, optional
    metrics : "auto", list of str, or None
        Metrics for the table (``"auto"``: every registered metric that needs no
        install extra; None or ``[]``: only losses and timings).
    """
    sr = result.sample_rate
    kind = "transfer" if result.content is not None else "texture"
    sources, links = [], {}
    for role in ("content", "style"):
        audio = getattr(result, role)
        if audio is None:
            continue
        file = result.sources.get(role)
        label = f"{role}: {Path(file).name}" if file else role
        sources.append(Clip(role, label, role, sr, audio=audio, file=file))
        links[role] = role
    output = Output(
        clip=Clip("output", "output", "output", sr, audio=result.audio),
        title="output",
        sources=links,
        recipe_toml=result.recipe.to_toml(),
        history=list(result.history),
        initial_losses=dict(result.initial_losses),
        facts=_facts_of(result),
        row="output",
    )
    notes = list(result.notes)
    values = {f"losses.{k}": v for k, v in result.final_losses.items()}
    values.update({f"time.{k}": v for k, v in result.timings.items()})
    rows = [TableRow("output", "output", values, output="output")]
    columns = [c for c in (*TIME_COLUMNS[:1], *LOSS_COLUMNS) if c.key in values]
    names = _metric_names(metrics)
    if names:
        specs = [MetricSpec(n) for n in names]
        kwargs = dict(sample_rate=sr, content=result.content, style=result.style, notes=notes)
        values.update(score(specs, result.audio, **kwargs))
        directions = metric_directions(names)
        keys = [k for k in values if k.split(".")[0] in directions or k in directions]
        if result.content is not None:
            # "Do nothing" as a reference: how far the content itself is from the style.
            base = score(specs, result.content, **{**kwargs, "notes": None})
            rows.insert(0, TableRow("content", "content (do nothing)", base, output="content"))
        columns += [_metric_column(k, directions) for k in keys]
    table = Table(
        columns,
        rows,
        caption="The output and, for reference, the content itself scored as an output",
        name_header="clip",
    )
    return Report(
        title=title or f"audiostyle {kind}: preset {result.recipe.preset or '(none)'}",
        kind=kind,
        sources=sources,
        outputs=[output],
        tables=[table],
        summary=[
            ("kind", kind),
            ("preset", str(result.recipe.preset)),
            ("length", f"{result.duration:.2f} s at {sr} Hz"),
            *[(f"{role} file", f) for role, f in result.sources.items()],
        ],
        notes=notes,
        versions=versions(),
    )


def _metric_names(metrics: Any) -> list[str]:
    if metrics is None:
        return []
    if isinstance(metrics, str):
        if metrics != "auto":
            raise ParameterError(
                f"metrics={metrics!r}: give 'auto', a list of metric names, or None."
            )
        return [m.name for m in default_metrics(include_extras=False)]
    return [str(m) for m in metrics]


# -- bench ------------------------------------------------------------------------------
def _grouping(result, group_by: str | None) -> str | None:
    transfer = result.by_kind("transfer")
    if group_by is not None:
        if group_by not in result.axes:
            raise ParameterError(
                f"group_by={group_by!r} is not an axis of this bench; its axes: "
                f"{', '.join(result.axes) or '(none)'}."
            )
        return group_by
    for axis in result.axes:
        if len({str(r.get(axis)) for r in transfer}) > 1:
            return axis
    return None


def from_bench(result: Any, *, title: str | None = None, group_by: str | None = None) -> Report:
    """A report of a bench: inputs per case, every output, the grouped table.

    Outputs come from the result's kept outputs (``plan(..., keep_outputs=True)``,
    which ``audiostyle bench --html`` sets) or else from the files a bench wrote
    with ``--audio-dir``; without either the page has the table only, and says so.
    """
    kept = getattr(result, "outputs", {}) or {}
    kept_inputs = getattr(result, "inputs", {}) or {}
    cases = result.meta.get("cases", {})
    multi = len({r.get("case") for r in result.rows}) > 1
    directions = result.meta.get("higher_is_better", {})
    group_axis = _grouping(result, group_by)
    notes = list(result.all_notes())
    sources: list[Clip] = []
    outputs: list[Output] = []
    source_keys: dict[str, dict[str, str]] = {}
    sr_of_case: dict[str, int] = {}
    for row in result.rows:
        if row.get("kind") == "transfer" and row.get("recipe"):
            sr_of_case.setdefault(row["case"], int(row["recipe"].get("sample_rate", 22050)))
    for name in dict.fromkeys(r.get("case") for r in result.rows if r.get("kind") != "transform"):
        links = {}
        arrays = kept_inputs.get(name, {})
        spec = cases.get(name, {})
        for role in ("content", "style", "target"):
            audio, rate = arrays.get(role), arrays.get("sample_rate") or sr_of_case.get(name)
            file = spec.get(role)
            if audio is None and (file is None or rate is None):
                continue
            if audio is None and not Path(file).exists():
                notes.append(f"case {name}: {role} file {file!r} is gone; not shown")
                continue
            prefix = "offset" if role != "style" else "style_offset"
            length = "duration" if role != "style" else "style_duration"
            key = f"{name}-{role}" if multi else role
            label = f"{name}: {role}" if multi else role
            if file:
                label += f" ({Path(file).name})"
            sources.append(
                Clip(
                    key,
                    label,
                    role,
                    int(rate),
                    audio=audio,
                    file=file,
                    offset=float(spec.get(prefix) or 0.0),
                    duration=spec.get(length),
                )
            )
            links[role] = key
        source_keys[name] = links
    metric_keys = result.metric_columns()
    columns = [Column(a, a, numeric=False) for a in result.axes]
    if multi:
        columns.insert(0, Column("case", "case", numeric=False))
    rows_t = [r for r in result.rows if r.get("kind") in ("baseline", "transfer")]
    columns += [c for c in (*TIME_COLUMNS, *LOSS_COLUMNS) if any(c.key in r for r in rows_t)]
    columns.append(PEAK_COLUMN)
    columns += [_metric_column(k, directions) for k in metric_keys]
    table_rows = []
    missing_audio = 0
    for row in rows_t:
        cell = row["cell"]
        key = f"cell-{cell}"
        baseline = row.get("kind") == "baseline"
        group = "baseline (do nothing)" if baseline else ""
        if group_axis and not baseline:
            group = f"{group_axis}={row.get(group_axis)}"
        if multi:
            group = f"{row.get('case')} \u00b7 {group}" if group else str(row.get("case"))
        output_key = None
        if not baseline and not row.get("error"):
            clip = _bench_clip(row, kept.get(cell), key)
            if clip is None:
                missing_audio += 1
            else:
                payload = kept.get(cell) or {}
                recipe_toml = payload.get("recipe_toml")
                if recipe_toml is None and row.get("recipe"):
                    from audiostyle.recipe import dumps_toml

                    recipe_toml = dumps_toml(row["recipe"])
                facts = [
                    ("case", str(row.get("case"))),
                    ("steps", str(row.get("steps", "-"))),
                    ("time", _seconds(row.get("time.total"))),
                ]
                facts += [(k, f"{row[k]:.4g}") for k in metric_keys if _num(row.get(k))]
                outputs.append(
                    Output(
                        clip=clip,
                        title=f"{row.get('case')}: {row.get('variant')}"
                        if multi
                        else str(row.get("variant")),
                        sources=source_keys.get(row.get("case"), {}),
                        recipe_toml=recipe_toml,
                        history=list(payload.get("history", [])),
                        initial_losses=dict(payload.get("initial_losses", {})),
                        facts=facts,
                        row=key,
                    )
                )
                output_key = clip.key
        elif baseline:
            output_key = source_keys.get(row.get("case"), {}).get("content")
        table_rows.append(
            TableRow(
                key,
                "baseline (content as output)" if baseline else str(row.get("variant")),
                {k: v for k, v in row.items() if not isinstance(v, dict | list)},
                group=group,
                output=output_key,
                rank=not baseline,
                partition=str(row.get("case")),
                error=row.get("error"),
            )
        )
    if missing_audio:
        notes.append(
            f"{missing_audio} output(s) have no audio to show: run the bench with --html "
            "(or --audio-dir), or from Python plan(..., keep_outputs=True)."
        )
    tables = []
    if table_rows:
        tables.append(
            Table(
                columns,
                table_rows,
                caption="Every variant of the grid; the baseline scores the content itself",
                group_label=group_axis,
            )
        )
    transform = result.by_kind("transform")
    if transform:
        t_cols = [Column("case", "case", numeric=False)] if multi else []
        t_cols += list(TRANSFORM_COLUMNS)
        tables.append(
            Table(
                t_cols,
                [
                    TableRow(
                        f"cell-{r['cell']}",
                        str(r.get("variant")),
                        {k: v for k, v in r.items() if not isinstance(v, dict | list)},
                        partition=str(r.get("case")),
                        error=r.get("error"),
                    )
                    for r in transform
                ],
                caption="Transforms without optimisation: STFT / iSTFT and phase reconstruction",
            )
        )
    grid = ", ".join(
        f"{a} = {', '.join(dict.fromkeys(str(r.get(a)) for r in rows_t if a in r))}"
        for a in result.axes
    )
    return Report(
        title=title or "audiostyle bench",
        kind="bench",
        sources=sources,
        outputs=outputs,
        tables=tables,
        summary=[
            ("cases", ", ".join(source_keys) or "-"),
            ("grid", grid or "(a single recipe)"),
            ("cells", str(len(result.rows))),
            ("grouped by", group_axis or "-"),
        ],
        notes=notes,
        versions=dict(result.meta.get("versions", {})),
        created=str(result.meta.get("created", "")) or _now(),
    )


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _now() -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _bench_clip(row: dict, payload: dict | None, key: str) -> Clip | None:
    label = f"output {row.get('variant')}"
    if payload and payload.get("audio") is not None:
        return Clip(key, label, "output", int(payload["sample_rate"]), audio=payload["audio"])
    path = row.get("audio")
    if path and Path(path).exists():
        import soundfile as sf

        rate = sf.info(str(path)).samplerate
        return Clip(key, label, "output", rate, file=str(path))
    return None


# -- batch ------------------------------------------------------------------------------
def from_batch(result: Any, *, title: str | None = None) -> Report:
    """A report of a batch: each row's inputs, its output (from ``out_dir``) and times."""
    plan = getattr(result, "plan", None)
    planned = {p.row.number: p for p in plan.rows} if plan is not None else {}
    sources: dict[tuple, Clip] = {}
    outputs: list[Output] = []
    rows = []
    notes = list(result.ledger_notes)
    styles = {str(p.row.style) for p in planned.values()}
    for outcome in result.rows:
        p = planned.get(outcome.number)
        key = f"row-{outcome.number}"
        group = Path(str(p.row.style)).name if p is not None and len(styles) > 1 else ""
        values: dict[str, Any] = {
            "status": outcome.status,
            "output": outcome.output,
            "audio_seconds": outcome.audio_seconds or None,
            "compute_seconds": outcome.compute_seconds or None,
        }
        values.update({f"time.{k}": v for k, v in outcome.timings.items()})
        values.update({f"losses.{k}": v for k, v in getattr(outcome, "final_losses", {}).items()})
        output_key = None
        out_path = Path(result.out_dir) / outcome.output
        if outcome.status in ("done", "skipped") and p is not None and out_path.exists():
            rate = p.recipe.sample_rate
            links = {}
            for role, file, offset, duration in (
                ("content", p.row.content, p.row.offset, p.row.duration),
                ("style", p.row.style, p.row.style_offset, p.row.style_duration),
            ):
                ident = (role, str(file), offset, duration, rate)
                if ident not in sources:
                    n = sum(1 for c in sources.values() if c.role == role) + 1
                    sources[ident] = Clip(
                        f"{role}-{n}",
                        f"{role} {n}: {Path(file).name}",
                        role,
                        rate,
                        file=str(file),
                        offset=offset,
                        duration=duration,
                    )
                links[role] = sources[ident].key
            facts = [
                ("row", f"{outcome.number} (line {outcome.line})"),
                ("status", outcome.status),
                ("file", str(out_path)),
            ]
            if outcome.compute_seconds:
                facts.append(("compute", _seconds(outcome.compute_seconds)))
            import soundfile as sf

            outputs.append(
                Output(
                    clip=Clip(
                        key,
                        f"output {outcome.output}",
                        "output",
                        sf.info(str(out_path)).samplerate,
                        file=str(out_path),
                    ),
                    title=outcome.output,
                    sources=links,
                    recipe_toml=p.recipe.to_toml() if p.recipe is not None else None,
                    history=list(getattr(outcome, "history", []) or []),
                    initial_losses=dict(getattr(outcome, "initial_losses", {}) or {}),
                    facts=facts,
                    row=key,
                )
            )
            output_key = key
        rows.append(
            TableRow(
                key,
                f"row {outcome.number}",
                values,
                group=group,
                output=output_key,
                error=outcome.error if outcome.status == "failed" else None,
            )
        )
    if plan is None:
        notes.append(
            "this batch result carries no plan (not from run_batch): inputs and recipes "
            "are not shown"
        )
    columns = [
        Column("output", "output", numeric=False),
        Column("status", "status", numeric=False),
        Column("audio_seconds", "audio s", description="seconds of audio written"),
        Column("compute_seconds", "compute s", False, description="worker time, seconds"),
        *(c for c in (*TIME_COLUMNS[1:], *LOSS_COLUMNS) if any(c.key in r.values for r in rows)),
    ]
    counts = ", ".join(f"{n} {k}" for k, n in result.counts.items() if n)
    return Report(
        title=title or f"audiostyle batch: {Path(result.manifest).name}",
        kind="batch",
        sources=list(sources.values()),
        outputs=outputs,
        tables=[
            Table(
                columns,
                rows,
                caption="Every row of the manifest",
                group_label="style file" if len(styles) > 1 else None,
                name_header="row",
            )
        ],
        summary=[
            ("manifest", str(result.manifest)),
            ("out dir", str(result.out_dir)),
            ("executor", str(result.executor)),
            ("rows", counts or "0"),
            ("wall time", _seconds(result.wall_seconds)),
        ],
        notes=notes,
        versions=versions(),
    )
