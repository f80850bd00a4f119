"""``audiostyle mel-distance``: compare two clips through the mel network.

Added to the ``audiostyle`` command by this plugin's ``register_commands`` hook.
Importing this module is light (typer only); the work imports torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from audiostyle.contracts.commands import handle_errors


def add_commands(cli: typer.Typer) -> None:
    """Add ``mel-distance`` to the Typer app ``cli``."""

    @cli.command("mel-distance")
    @handle_errors
    def mel_distance(
        audio: Annotated[Path, typer.Argument(help="the clip to judge (e.g. a transfer's output)")],
        reference: Annotated[
            list[Path], typer.Argument(help="one or more references (e.g. the style, the content)")
        ],
        sample_rate: Annotated[
            int, typer.Option("--sample-rate", help="analysis rate in Hz")
        ] = 22_050,
        duration: Annotated[
            float | None, typer.Option("--duration", help="read at most this many seconds")
        ] = None,
        n_mels: Annotated[int, typer.Option("--n-mels", help="mel bands")] = 64,
        seed: Annotated[int, typer.Option("--seed", help="seed of the random network")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """How close AUDIO is to each REFERENCE: texture (mel-Gram) and log-mel frames.

        mel-Gram compares statistics over time (0 = the same texture, ~1 = unrelated;
        any lengths); log-mel compares aligned frames (mean absolute difference of
        log1p mel magnitudes, over the shorter length). After a style transfer the
        output should be closer to the style in mel-Gram than the content was.
        """
        from audiostyle.audio import load
        from audiostyle.options import build
        from audiostyle_mel.metric import MelGramDistance
        from audiostyle_mel.options import MelGramOptions

        metric = MelGramDistance(build(MelGramOptions, {"n_mels": n_mels, "seed": seed}))
        y = load(audio, sample_rate=sample_rate, duration=duration, role="audio")
        rows = []
        for ref in reference:
            r = load(ref, sample_rate=sample_rate, duration=duration, role="reference")
            rows.append(
                {
                    "reference": str(ref),
                    "mel_gram": metric.gram_distance(y, r, sample_rate=sample_rate),
                    "log_mel": metric.log_mel_distance(y, r, sample_rate=sample_rate),
                }
            )
        if as_json:
            typer.echo(json.dumps({"audio": str(audio), "distances": rows}, indent=2))
            return
        typer.echo(f"{'reference':<40} {'mel-Gram':>9} {'log-mel':>9}")
        for row in rows:
            typer.echo(f"{row['reference']:<40} {row['mel_gram']:>9.4f} {row['log_mel']:>9.4f}")
