"""The ``audiostyle`` command line (Typer). Start-up stays light: no torch import."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the ``audiostyle`` console script."""
    thread_settings()
    from audiostyle.cli.app import build_app
    from audiostyle.cli.errors import install_sigterm
    from audiostyle.plugins import registry

    install_sigterm()

    # Blocked before the app is built: building it loads the plugins (their commands),
    # and a blocked plugin must not even be imported.
    for name in blocked_plugins(sys.argv[1:]):
        registry.block(name)
    build_app()(prog_name="audiostyle")


def thread_settings() -> None:
    """Threads that degrade gracefully when the machine is busy (before torch loads).

    torch's OpenMP threads spin-wait for work by default: with one other CPU-bound
    process on two cores a 3 s transfer took 19-32 s instead of 1 s
    (``benchmarks/load.py``). ``OMP_WAIT_POLICY=PASSIVE`` makes them sleep instead; a
    value the user set is kept.
    """
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def blocked_plugins(argv: list[str]) -> list[str]:
    """The ``--disable-plugin NAME`` values among the global options (before the command).

    Examples
    --------
    >>> blocked_plugins(["--disable-plugin", "a", "--disable-plugin=b", "plugins", "x"])
    ['a', 'b']
    >>> blocked_plugins(["transfer", "--disable-plugin", "a"])
    []
    """
    names = []
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        arg = argv[i]
        if arg == "--disable-plugin" and i + 1 < len(argv):
            names.append(argv[i + 1])
            i += 1
        elif arg.startswith("--disable-plugin="):
            names.append(arg.split("=", 1)[1])
        i += 1
    return names
