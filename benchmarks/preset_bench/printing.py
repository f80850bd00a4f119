"""The tables and the summary the benchmark prints."""

from __future__ import annotations

import math
import statistics

from preset_bench.config import SUITES, SUMMARY_KEYS


def fmt(v, width: int = 8) -> str:
    """A number in ``width`` characters."""
    if v is None:
        return "-".rjust(width)
    if isinstance(v, str):
        return v.rjust(width)
    if not math.isfinite(v):
        return str(v).rjust(width)
    a = abs(v)
    s = f"{v:.3g}" if a >= 1000 or a < 0.01 else f"{v:.2f}" if a < 100 else f"{v:.1f}"
    return s.rjust(width)


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    """A plain fixed-width table."""
    widths = [max(len(h), 8) for h in header]
    widths[0] = max([len(str(r[0])) for r in rows] + [len(header[0])])
    print(f"\n{title}")
    print(
        "  ".join(
            h.rjust(w) if i else h.ljust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    for r in rows:
        cells = [str(r[0]).ljust(widths[0])] + [
            fmt(v, w) for v, w in zip(r[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))


def projected(res: dict) -> float:
    """End-to-end seconds had the run done every step (its own rate per step)."""
    if not res.get("partial") or not res.get("steps_done"):
        return res["e2e"]
    per_step = res["timings"]["optimize"] / res["steps_done"]
    return res["e2e"] + per_step * (res["steps_full"] - res["steps_done"])


def reused_mark(results) -> str:
    """``"*"`` if any of ``results`` was reused from an earlier run."""
    return "*" if any(r.get("reused") for r in results) else ""


def _files(names: list[str], most: int = 4) -> str:
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def reuse_footnote(named: dict[str, list[dict]]) -> list[str]:
    """Footnotes for reused rows: when they were measured and the load average then.

    Rows measured alike share one line: ``* a, b: reused ..., measured T, load L``.
    """
    lines: dict[str, list[str]] = {}
    for name, results in named.items():
        old = [r for r in results if r.get("reused")]
        if not old:
            continue
        when = sorted(str(r.get("measured_at", "?")).replace("+00:00", "Z") for r in old)
        loads = [r["load"] for r in old if r.get("load") is not None]
        span = when[0] if when[0] == when[-1] else f"{when[0]} to {when[-1]}"
        load = ""
        if loads:
            load = f", load average {min(loads):.1f}"
            if max(loads) - min(loads) >= 0.05:
                load += f"-{max(loads):.1f}"
        count = f"{len(old)} of {len(results)} runs " if len(results) > 1 else ""
        changed = sorted({f for r in old for f in r.get("code_changed") or []})
        code = f"; audiostyle changed since: {_files(changed)}" if changed else ""
        lines.setdefault(
            f"{count}reused from an earlier run, measured {span}{load}{code}", []
        ).append(name)
    return [f"  * {', '.join(names)}: {text}" for text, names in lines.items()]


def time_rows(results: dict[str, dict]) -> list[list]:
    """One row per preset: e2e, projected, stages, steps, s/step, evals, memory, losses."""
    rows = []
    for name, r in results.items():
        if "error" in r:
            rows.append([name, "error"] + [None] * (len(TIME_HEADER) - 2))
            continue
        t = r["timings"]
        rows.append(
            [
                name + (" (partial)" if r["partial"] else "") + reused_mark([r]),
                r["e2e"],
                projected(r),
                r.get("cpu_s"),
                r["start_to_imported"],
                # prep: default's speech detector (envelope auto), stages, targets, start
                t.get("speech", 0) + t.get("setup", 0) + t.get("analysis", 0) + t.get("init", 0),
                t.get("optimize"),
                t.get("phase"),
                f"{r['steps_done']}/{r['steps_full']}",
                r["step_s"],
                r.get("cpu_step_s"),
                r.get("gl_iter_s"),
                r["evaluations"],
                r["peak_mb"],
                r["final_losses"].get("style"),
                r["final_losses"].get("content"),
            ]
        )
    return rows


TIME_HEADER = [
    "preset",
    "e2e s",
    "full e2e s",
    "CPU s",
    "import s",
    "prep s",
    "optim s",
    "phase s",
    "steps",
    "s/step",
    "CPU s/step",
    "s/GL it",
    "evals",
    "peak MB",
    "style L",
    "content L",
]


def _mean(values) -> float | None:
    vals = [v for v in values if isinstance(v, int | float) and math.isfinite(v)]
    return statistics.fmean(vals) if vals else None


def summarize(records: list[dict], presets: list[str]) -> dict:
    """Group means per seed: ``{seed: {group: {row: {...}}}}``, rows "none" + presets.

    Each row holds the mean of every SUMMARY_KEYS metric over the group's cases, the
    mean steps done, the full step count, the mean projected e2e seconds, how many
    cases it covers, and (``runs``) its run results for the reuse footnote.
    """
    out: dict = {}
    for rec in records:
        group = out.setdefault(rec["seed"], {}).setdefault(rec["group"], {})
        row = group.setdefault(rec["preset"], {"scores": [], "runs": []})
        if rec.get("scores") is not None:
            row["scores"].append(rec["scores"])
        if rec.get("result") is not None:
            row["runs"].append(rec["result"])
    for groups in out.values():
        for name, rows in groups.items():
            ordered = {p: rows[p] for p in ["none", *presets] if p in rows}
            for row in ordered.values():
                scores, runs = row.pop("scores"), row["runs"]
                ok = [r for r in runs if "error" not in r]
                row["cases"] = len(scores)
                row["errors"] = len(runs) - len(ok)
                for key, _ in SUMMARY_KEYS:
                    row[key] = _mean(s.get(key) for s in scores)
                row["steps_done"] = _mean(r["steps_done"] for r in ok)
                row["steps_full"] = max((r["steps_full"] for r in ok), default=None)
                row["e2e_projected"] = _mean(projected(r) for r in ok)
            groups[name] = ordered
    return out


def beating_nothing(rows: dict) -> tuple[list[str], float | None]:
    """Presets whose mean LSD to the target is below doing nothing's; and that bar."""
    bar = rows.get("none", {}).get("lsd.to_target")
    if bar is None:
        return [], None
    return [
        p
        for p, row in rows.items()
        if p != "none" and row.get("lsd.to_target") is not None and row["lsd.to_target"] < bar
    ], bar


def print_summary(summary: dict, n_cases: dict[str, int]) -> None:
    """The compact closing tables: per group and seed, the means of the key metrics."""
    for seed, groups in summary.items():
        for group, rows in groups.items():
            keys = [
                (k, h) for k, h in SUMMARY_KEYS if any(r.get(k) is not None for r in rows.values())
            ]
            table = []
            for p, row in rows.items():
                steps = (
                    "-"
                    if p == "none" or row["steps_done"] is None
                    else f"{row['steps_done']:.0f}/{row['steps_full']}"
                )
                label = p + reused_mark(row["runs"])
                if row["errors"] or row["cases"] < n_cases.get(group, row["cases"]):
                    label += f" ({row['cases']}/{n_cases.get(group, row['cases'])} cases)"
                table.append(
                    [
                        label,
                        *[row.get(k) for k, _ in keys],
                        steps,
                        None if p == "none" else row["e2e_projected"],
                    ]
                )
            print_table(
                f"== summary: {group}, seed {seed}, mean over {n_cases.get(group, '?')} cases",
                ["preset", *[h for _, h in keys], "steps", "full e2e s"],
                table,
            )
            for line in reuse_footnote({p: r["runs"] for p, r in rows.items() if p != "none"}):
                print(line)
            if group in SUITES or "lsd.to_target" in {k for k, _ in keys}:
                winners, bar = beating_nothing(rows)
                if bar is not None:
                    print(
                        f"  {group} (seed {seed}): presets beating do-nothing on mean LSD to "
                        f"target ({bar:.2f} dB): {', '.join(winners) or 'none'}"
                    )
