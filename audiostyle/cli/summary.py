"""The short summary printed after a run."""

from pathlib import Path

import typer


def _fmt(losses: dict, key: str) -> str:
    return f"{losses[key]:.4g}" if key in losses else "-"


def print_summary(result, output: Path) -> None:
    """Losses before/after, time per stage, notes; on stderr."""
    lines = [
        f"wrote {output} ({result.duration:.2f} s at {result.sample_rate} Hz"
        f"{', PARTIAL' if result.partial else ''})"
    ]
    terms = [k for k in result.final_losses if k != "total"]
    for k in terms:
        lines.append(
            f"  {k:>12} loss {_fmt(result.initial_losses, k)} -> {_fmt(result.final_losses, k)}"
        )
    lines.append(
        f"  steps {result.steps_done}/{result.recipe.steps * getattr(result, 'segments', 1)}, "
        f"{result.evaluations} evaluations on {result.device}"
    )
    from audiostyle.provenance import TIMING_ORDER

    timing = ", ".join(f"{k} {result.timings[k]:.2f}s" for k in TIMING_ORDER if k in result.timings)
    lines.append(f"  time: {timing}")
    for note in result.notes:
        lines.append(f"  note: {note}")
    typer.echo("\n".join(lines), err=True)
