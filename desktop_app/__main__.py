"""Entry point: `quantum-desk` / `python -m desktop_app`.

With no sub-command (or only a file to open) it starts the GUI; with a sub-command it is the
headless CLI.
"""

from __future__ import annotations

import sys

from desktop_app import privacy

privacy.apply()  # first: dependencies read their telemetry switches when imported


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from desktop_app.cli import SUBCOMMANDS

    command = args[1:2] if args[:1] == ["--verbose"] else args[:1]
    if command and (command[0] in SUBCOMMANDS or command[0] in ("-h", "--help", "--version")):
        from desktop_app.cli import main as cli_main

        return cli_main(args)
    from desktop_app.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    if getattr(sys, "frozen", False):  # elsewhere freeze_support() does nothing: no import for it
        import multiprocessing

        multiprocessing.freeze_support()  # simulator worker processes in a PyInstaller bundle
    sys.exit(main())
