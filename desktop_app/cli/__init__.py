"""The headless command line: `quantum-desk SUBCOMMAND ...` over desktop_app.core (no Qt).

Each sub-command lives in its own module exposing `register(subparsers)`; the parser sets `handler`,
a function taking the parsed namespace and returning the exit code. Only the module of the
sub-command being run is imported: the others are listed from SUBCOMMAND_HELP, so `--help` or
`backends` never pay for the ledger, the simulator or the Azure SDK. The command lines `backends`
and `jobs` alone are first tried without argparse at all (cli/quick.py); importing this package
costs no argparse either (cli/parsing.py).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # `typing` costs a CLI start as much as Python's own start (issue 16)
if TYPE_CHECKING:
    import argparse

# sub-command name -> module under desktop_app.cli that registers it
SUBCOMMANDS: dict[str, str] = {
    "run": "run_cmd",
    "backends": "backends_cmd",
    "profile": "profile_cmd",
    "jobs": "jobs_cmd",
    "translate": "translate_cmd",
    "estimate": "estimate_cmd",
    "lab": "lab_cmd",
}

# sub-command name -> its one-line help in `quantum-desk --help` (the same text as the module's
# add_parser(help=...); a test keeps the two equal)
SUBCOMMAND_HELP: dict[str, str] = {
    "run": "run an OpenQASM program",
    "backends": "list the backends",
    "profile": "manage Azure Quantum connection profiles",
    "jobs": "list, show and export jobs from the job ledger",
    "translate": "show the program as a target will run it",
    "estimate": "estimate what a run would cost",
    "lab": "the lab profile an administrator installs for every user",
}

DEBUG_ENV = "QUANTUM_DESK_DEBUG"
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"  # --verbose's lines on stderr


def chosen_command(argv: list[str]) -> str | None:
    """The sub-command named on the command line (the first word not an option), if any."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in SUBCOMMANDS else None
    return None


def build_parser(only: str | None = None, *, full: bool = True) -> argparse.ArgumentParser:
    """The parser. With `full=False` only the module of sub-command `only` (if any) is imported
    and registered; the others are listed by name and help only."""
    import importlib

    from desktop_app import __version__
    from desktop_app.cli.parsing import Parser

    parser = Parser(
        prog="quantum-desk",
        description="Run OpenQASM programs on a local simulator or Azure Quantum. "
        "Without a sub-command the desktop window opens.",
    )
    parser.add_argument("--version", action="version", version=f"quantum-desk {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    registered: set[str] = set()
    for command, module_name in SUBCOMMANDS.items():
        if not full and command != only:
            subparsers.add_parser(command, help=SUBCOMMAND_HELP[command])
            continue
        if module_name in registered:
            continue
        registered.add(module_name)
        try:
            module = importlib.import_module(f"desktop_app.cli.{module_name}")
        except ModuleNotFoundError as exc:  # a sub-command not built yet
            if exc.name != f"desktop_app.cli.{module_name}":
                raise
            continue
        module.register(subparsers)
    _add_verbose(parser, top=True)
    return parser


def _add_verbose(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """`--verbose` anywhere on the line (before or after the sub-command and its action)."""
    import argparse

    parser.add_argument(
        "--verbose",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help=f"log what happens on stderr, with tracebacks and the Azure SDK's warnings (also: "
        f"{DEBUG_ENV}=1)",
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                _add_verbose(sub)


def _set_up_logging(verbose: bool) -> None:
    """Without --verbose nothing logged reaches stderr (the SDKs' WARNING lines and tracebacks
    included): the CLI says what matters itself, in plain lines. --verbose: DEBUG and above.
    Imported here, after the command line was read: `--help` never pays for logging."""
    import logging

    if verbose:
        logging.basicConfig(level=logging.DEBUG, format=LOG_FORMAT)
    else:
        logging.basicConfig(level=logging.WARNING, handlers=[logging.NullHandler()])


def note(message: str) -> None:
    """A progress line the user must see (a retry, a warning), on stderr."""
    sys.stderr.write(f"quantum-desk: {message}\n")
    sys.stderr.flush()


def fail(message: str, code: int = 2) -> int:
    """One plain line on stderr, no traceback."""
    sys.stderr.write(f"quantum-desk: error: {message}\n")
    return code


def _reader_gone() -> int:
    """Whoever read the output has stopped (`quantum-desk jobs | head`): end quietly, with the
    status a shell gives a program ended by SIGPIPE. stdout goes to /dev/null first, or Python
    complains again as it flushes it at exit."""
    import contextlib  # here: not a cost of every start

    with contextlib.suppress(OSError, ValueError):  # no file behind stdout: nothing to flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 128 + 13  # SIGPIPE


def _os_error(exc: OSError) -> int:
    """A file we did not expect to fail: its name and why, no traceback."""
    return fail(f"{exc.filename or 'a file'}: {exc.strerror or 'cannot be used'}")


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    debug = os.environ.get(DEBUG_ENV, "") not in ("", "0")
    if not debug and len(words) == 1:
        # `backends` and a plain `jobs`, started without argparse or the ledger's classes when
        # that gives the same answer (cli/quick.py); None: the full command runs
        from desktop_app.cli.quick import QUICK_COMMANDS

        if words[0] in QUICK_COMMANDS:
            try:
                code = QUICK_COMMANDS[words[0]]()
            except BrokenPipeError:
                return _reader_gone()
            except OSError as exc:
                return _os_error(exc)
            except KeyboardInterrupt:
                return fail("interrupted", 130)
            if code is not None:
                return code
    from desktop_app.cli import run_early

    early = run_early.start(words, debug)  # an Azure run's worker, on the other core from now
    try:
        return _parsed_and_run(words, debug)
    finally:
        if early:
            run_early.stop()


def _parsed_and_run(words: list[str], debug: bool) -> int:
    from desktop_app.core.errors import QuantumDeskError

    args = build_parser(chosen_command(words), full=False).parse_args(words)
    _set_up_logging(bool(getattr(args, "verbose", False)) or debug)
    try:
        return int(args.handler(args))
    except QuantumDeskError as exc:
        return fail(str(exc))
    except BrokenPipeError:
        return _reader_gone()
    except OSError as exc:
        return _os_error(exc)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
