"""The headless command line: `quantum-desk SUBCOMMAND ...` over desktop_app.core (no Qt).

Each sub-command lives in its own module exposing `register(subparsers)`; the parser sets `handler`,
a function taking the parsed namespace and returning the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from desktop_app import __version__
from desktop_app.core.errors import QuantumDeskError

# sub-command name -> module under desktop_app.cli that registers it
SUBCOMMANDS: dict[str, str] = {
    "run": "run_cmd",
    "backends": "backends_cmd",
    "profile": "profile_cmd",
    "jobs": "jobs_cmd",
}

log = logging.getLogger(__name__)

DEBUG_ENV = "QUANTUM_DESK_DEBUG"


class _OneLine(logging.Formatter):
    """Log lines without tracebacks: those are for --verbose."""

    def format(self, record: logging.LogRecord) -> str:
        plain = logging.makeLogRecord(record.__dict__)
        plain.exc_info = plain.exc_text = plain.stack_info = None
        return super().format(plain)


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler()
    style = "%(levelname)s %(name)s: %(message)s"
    handler.setFormatter(logging.Formatter(style) if verbose else _OneLine(style))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quantum-desk",
        description="Run OpenQASM programs on a local simulator or Azure Quantum. "
        "Without a sub-command the desktop window opens.",
    )
    parser.add_argument("--version", action="version", version=f"quantum-desk {__version__}")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help=f"log debug messages and tracebacks (also: {DEBUG_ENV}=1)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in dict.fromkeys(SUBCOMMANDS.values()):
        try:
            module = importlib.import_module(f"desktop_app.cli.{module_name}")
        except ModuleNotFoundError as exc:  # a sub-command not built yet
            if exc.name != f"desktop_app.cli.{module_name}":
                raise
            continue
        module.register(subparsers)
    return parser


def fail(message: str, code: int = 2) -> int:
    """One plain line on stderr, no traceback."""
    sys.stderr.write(f"quantum-desk: error: {message}\n")
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(bool(args.verbose) or os.environ.get(DEBUG_ENV, "") not in ("", "0"))
    try:
        return int(args.handler(args))
    except QuantumDeskError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
