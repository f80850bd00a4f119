"""The ``audiostyle`` command line (Typer). Start-up stays light: no torch import."""


def main() -> None:
    """Entry point of the ``audiostyle`` console script."""
    from audiostyle.cli.app import build_app

    build_app()(prog_name="audiostyle")
