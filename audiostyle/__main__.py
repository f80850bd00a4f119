"""``python -m audiostyle``: the command line, as the ``audiostyle`` script."""

from audiostyle.cli import main

if __name__ == "__main__":
    main()
