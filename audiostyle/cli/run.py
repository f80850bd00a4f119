"""``transfer``, ``texture`` and ``demo``: the terminal form of the run on files.

Each command calls :func:`audiostyle.run_files.run_files`, the run the Python API
(:func:`audiostyle.transfer`, :func:`audiostyle.texture`) calls too, with its flags as
the API's keywords, so the command and the API write the same files."""

from pathlib import Path
from typing import Annotated

import typer

from audiostyle.cli.aliases import merge
from audiostyle.cli.common import RecipeFlags, recipe_options
from audiostyle.cli.errors import handle_errors

TEXTURE_SECONDS = 5.0  # default length of a texture
OUTPUT_PANEL = "Output"
INPUT_PANEL = "Input"

Output = Annotated[
    Path,
    typer.Option(
        "--output", "-o", help="output file (.wav, .flac, .ogg)", rich_help_panel=OUTPUT_PANEL
    ),
]
Force = Annotated[
    bool,
    typer.Option(
        "--force", "-f", help="overwrite the output if it exists", rich_help_panel=OUTPUT_PANEL
    ),
]
SaveRecipe = Annotated[
    Path | None,
    typer.Option(
        "--save-recipe",
        help="write the fully resolved recipe as TOML",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
Report = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="write a JSON report: recipe, versions, device, timings, losses",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
Html = Annotated[
    Path | None,
    typer.Option(
        "--html",
        help="also write an HTML report: players, spectrograms, loss curves, recipe, "
        "metrics (audio and pictures in PAGE_files/ beside it)",
        metavar="PAGE.html",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="no progress bar or summary", rich_help_panel=OUTPUT_PANEL),
]
Segment = Annotated[
    float | None,
    typer.Option(
        "--segment",
        help="process a content longer than SECONDS in cross-faded segments "
        "(bounded memory; recipe default 30; 0: never split)",
        metavar="SECONDS",
        rich_help_panel=INPUT_PANEL,
    ),
]
StyleOffset = Annotated[
    float,
    typer.Option(help="start of the style, seconds", rich_help_panel=INPUT_PANEL),
]
StyleDuration = Annotated[
    float | None,
    typer.Option(help="length of style to use, seconds", rich_help_panel=INPUT_PANEL),
]


def _prepare(
    flags: RecipeFlags,
    output: Path,
    force: bool,
    extra_outputs: list[Path | None],
    inputs: dict[str, Path | None] | None = None,
):
    """Resolve and validate the recipe and check every output before any work
    (no output may be an input, whatever --force says)."""
    from audiostyle.outputs import check_outputs

    recipe = flags.resolve()
    recipe.validate()
    save_recipe, report, html = [*extra_outputs, None][:3]
    inputs = {**(inputs or {}), "recipe": flags.recipe}
    check_outputs(
        output,
        force=force,
        save_recipe=save_recipe,
        report=report,
        html=html,
        inputs={k: v for k, v in inputs.items() if v is not None},
    )
    return recipe


def _execute(
    *,
    flags: RecipeFlags,
    output: Path,
    force: bool,
    save_recipe: Path | None,
    report: Path | None,
    quiet: bool,
    segment: float | None = None,
    html: Path | None = None,
    **kwargs,
) -> None:
    from audiostyle.cli.errors import EXIT_INTERRUPTED, GuardedProgress, InterruptGuard
    from audiostyle.cli.progress import RichProgress
    from audiostyle.cli.summary import print_summary
    from audiostyle.report.result import Result
    from audiostyle.run_files import run_files

    inputs = {k: kwargs.get(k) for k in ("content", "style")}
    recipe = _prepare(flags, output, force, [save_recipe, report, html], inputs)
    if html is not None:
        from audiostyle.report import check_page

        check_page(html, force=force)
    if segment is not None:
        recipe.apply({"segment": segment}, source="--segment")
        recipe.validate()
    # Ctrl-C while optimising: stop, keep the best so far, write it marked partial;
    # a second Ctrl-C (or one while loading, reconstructing or writing): write nothing.
    with InterruptGuard() as guard:
        progress = GuardedProgress(RichProgress(enabled=not quiet), guard)
        try:
            # The flags as the API's keywords (checked above): a route then carries every
            # choice the user made, even one equal to the routing preset's value.
            overrides = {k: v for k, v in flags.overrides().items() if v is not None}
            if segment is not None:
                overrides["segment"] = segment
            result = Result.of(
                run_files(
                    kwargs.pop("content", None),
                    kwargs.pop("style"),
                    preset=flags.preset,
                    recipe=flags.recipe,
                    progress=progress,
                    output=output,
                    force=force,
                    save_recipe=save_recipe,
                    report=report,
                    overrides=overrides,
                    **kwargs,
                )
            )
        finally:
            progress.close()
        guard.outputs_written = True
        if html is not None:
            result.to_html(html, force=force)
    if not quiet:
        print_summary(result, output)
        if html is not None:
            typer.echo(f"wrote {html}", err=True)
    if result.stopped == "interrupted":
        total = result.recipe.steps * result.segments
        typer.echo(
            f"interrupted after {result.steps_done} of {total} steps: wrote the best result "
            f"so far to {output}; it is PARTIAL (the optimisation did not finish).",
            err=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED)


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""

    @app.command()
    @handle_errors
    @recipe_options
    def transfer(
        content: Annotated[
            Path, typer.Argument(help="content audio (what is said or played)", metavar="CONTENT")
        ],
        style: Annotated[
            Path, typer.Argument(help="style audio (timbre, voice, texture)", metavar="STYLE")
        ],
        output: Output,
        flags: RecipeFlags,
        force: Force = False,
        offset: Annotated[
            float, typer.Option(help="start of the content, seconds", rich_help_panel=INPUT_PANEL)
        ] = 0.0,
        duration: Annotated[
            float | None,
            typer.Option(
                help="length of content to use, seconds (an excerpt; texture: --length)",
                rich_help_panel=INPUT_PANEL,
            ),
        ] = None,
        style_offset: StyleOffset = 0.0,
        style_duration: StyleDuration = None,
        save_recipe: SaveRecipe = None,
        report: Report = None,
        html: Html = None,
        quiet: Quiet = False,
        segment: Segment = None,
    ) -> None:
        """Give CONTENT the style of STYLE and write it to -o OUTPUT."""
        _execute(
            flags=flags,
            output=output,
            force=force,
            save_recipe=save_recipe,
            report=report,
            html=html,
            quiet=quiet,
            segment=segment,
            content=content,
            style=style,
            offset=offset,
            duration=duration,
            style_offset=style_offset,
            style_duration=style_duration,
        )

    @app.command()
    @handle_errors
    @recipe_options
    def texture(
        style: Annotated[
            Path, typer.Argument(help="style audio to grow a texture from", metavar="STYLE")
        ],
        output: Output,
        flags: RecipeFlags,
        length: Annotated[
            float | None,
            typer.Option(
                "--length",
                help=f"length of the texture, seconds (default {TEXTURE_SECONDS:g})",
                rich_help_panel=OUTPUT_PANEL,
            ),
        ] = None,
        force: Force = False,
        style_offset: StyleOffset = 0.0,
        style_duration: StyleDuration = None,
        save_recipe: SaveRecipe = None,
        report: Report = None,
        html: Html = None,
        quiet: Quiet = False,
        old_duration: Annotated[float | None, typer.Option("--duration", hidden=True)] = None,
    ) -> None:
        """Grow a texture of --length seconds from STYLE (no content)."""
        duration = merge(
            length, old_duration, new="--length", old="texture --duration", default=TEXTURE_SECONDS
        )
        _execute(
            flags=flags,
            output=output,
            force=force,
            save_recipe=save_recipe,
            report=report,
            html=html,
            quiet=quiet,
            style=style,
            length=duration,
            style_offset=style_offset,
            style_duration=style_duration,
        )

    @app.command()
    @handle_errors
    @recipe_options
    def demo(
        output: Annotated[
            Path,
            typer.Option("--output", "-o", help="output file", rich_help_panel=OUTPUT_PANEL),
        ] = Path("demo.wav"),
        flags: RecipeFlags = None,
        force: Force = False,
        report: Report = None,
        quiet: Quiet = False,
    ) -> None:
        """Re-voice a bundled male speech clip with a bundled female voice (5 s)."""
        from audiostyle.data import demo_clip

        content, style = demo_clip("content"), demo_clip("style")
        if not quiet:
            typer.echo(
                f"content: {content.name}  style: {style.name}  "
                "(LibriSpeech, CC-BY 4.0; attribution beside each clip)",
                err=True,
            )
        _execute(
            flags=flags,
            output=output,
            force=force,
            save_recipe=None,
            report=report,
            quiet=quiet,
            content=content,
            style=style,
        )
