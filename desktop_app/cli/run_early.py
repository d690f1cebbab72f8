"""The Azure worker of `quantum-desk run`, started before the command line is parsed.

A run on an Azure target spends its first second importing: qiskit here, the Azure SDK in the
worker process (`core.azure.process`). The worker is what the first job waits for (its start, the
SDK's imports, the sign-in and the target), so it is started from the words of the command line,
before argparse and the run command's own imports (~0.15 s), instead of once the command is parsed
(issue 16). Nothing is decided here: the command then checks everything as before, reuses this
worker (`run_cmd._start_azure_worker`) and asks it for nothing until every check has passed; a
command that ends early (bad input, `--help`) ends the worker too (`stop`).
"""

from __future__ import annotations

_VALUED = ("--backend", "--profile")


def _values(words: list[str]) -> dict[str, list[str]]:
    """The values given to the options in _VALUED, as `--name VALUE` or `--name=VALUE`."""
    found: dict[str, list[str]] = {name: [] for name in _VALUED}
    for index, word in enumerate(words):
        name, equals, value = word.partition("=")
        if name not in found:
            continue
        if equals:
            found[name].append(value)
        elif index + 1 < len(words):
            found[name].append(words[index + 1])
    return found


def wants_azure_worker(words: list[str]) -> bool:
    """Whether `words` (the command line after the program's name) run a program on an Azure
    target with a profile: `run ... --backend <not local.*> ... --profile NAME`, no --help."""
    if "-h" in words or "--help" in words:
        return False
    from desktop_app.cli import chosen_command

    if chosen_command(words) != "run":
        return False
    found = _values(words)
    azure = [b for b in found["--backend"] if b.partition(".")[0].lower() != "local"]
    return bool(azure and found["--profile"])


def start(words: list[str], verbose: bool) -> bool:
    """Start the Azure worker now when `words` ask for an Azure run (logging as the command will:
    `--verbose` or `verbose` at DEBUG on stderr, else nothing); whether it was started."""
    if not wants_azure_worker(words):
        return False
    import logging

    from desktop_app.cli import LOG_FORMAT
    from desktop_app.core.azure import process

    if verbose or "--verbose" in words:
        process.serve_command_line(logging.DEBUG, LOG_FORMAT)
    else:
        process.serve_command_line(logging.WARNING, None)
    process.prewarm()
    return True


def stop() -> None:
    """End the worker started by `start` (the command is over, or never ran)."""
    from desktop_app.core.azure import process

    process.shutdown_worker()
