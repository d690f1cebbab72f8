"""Where in the user's text a front end's complaint points: positions from qiskit's and pyqasm's
messages and logs, mapped back onto the program as written, and their text cleaned for users."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import sys
import warnings
from collections.abc import Iterator

_PYQASM_POS = re.compile(r"Error at line (\d+), column (\d+)")


@contextlib.contextmanager
def _quiet() -> Iterator[io.StringIO]:
    """pyqasm and qiskit print to stdout/stderr and warn: keep that away from the user."""
    buffer = io.StringIO()
    limit = getattr(sys, "tracebacklimit", None)
    had_limit = hasattr(sys, "tracebacklimit")
    try:
        with (
            contextlib.redirect_stdout(buffer),
            contextlib.redirect_stderr(buffer),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            yield buffer
    finally:
        # pyqasm sets sys.tracebacklimit = 0 on every error it raises.
        if had_limit:
            sys.tracebacklimit = limit
        elif hasattr(sys, "tracebacklimit"):
            del sys.tracebacklimit


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _pyqasm_log() -> Iterator[list[logging.LogRecord]]:
    """pyqasm logs the error position on its 'pyqasm' logger: capture it, do not propagate."""
    logger = logging.getLogger("pyqasm")
    handler = _ListHandler()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _pyqasm_position(records: list[logging.LogRecord], prefix_len: int) -> tuple[int, int] | None:
    for record in records:
        match = _PYQASM_POS.search(record.getMessage())
        if match:
            line, column = int(match.group(1)), int(match.group(2)) + 1  # pyqasm: 0-based column
            if line == 1:
                column = max(1, column - prefix_len)
            return line, column
    return None


def _end_of_previous_token(source: str, line: int, column0: int) -> tuple[int, int] | None:
    """1-based (line, column) just after the last code character before (line, 0-based column)."""
    lines = source.splitlines()
    if not 1 <= line <= len(lines) + 1:
        return None
    row, col = line - 1, column0
    while row >= 0:
        text = lines[row] if row < len(lines) else ""
        code = text[:col] if row == line - 1 else text
        code = code.split("//", 1)[0].rstrip()
        if code:
            return row + 1, len(code) + 1
        row -= 1
    return None


def _find_name(source: str, name: str, only_line: int | None = None) -> tuple[int, int] | None:
    """First use of `name` as a word outside comments and after the header, 1-based."""
    pattern = re.compile(rf"(?<![A-Za-z0-9_$]){re.escape(name)}(?![A-Za-z0-9_])")
    for number, text in enumerate(source.splitlines(), start=1):
        code = text.split("//", 1)[0]
        if only_line is not None and number != only_line:
            continue
        if code.lstrip().startswith(("OPENQASM", "include")):
            continue
        match = pattern.search(code)
        if match:
            return number, match.start() + 1
    return None


def _clamp(source: str, line: int, column: int) -> tuple[int, int]:
    lines = source.splitlines() or [""]
    line = min(max(line, 1), len(lines))
    column = min(max(column, 1), len(lines[line - 1]) + 1)
    return line, column


def _position_of(source: str, offset: int) -> tuple[int, int]:
    before = source[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _without_comments(source: str) -> str:
    return re.sub(r"//[^\n]*|/\*.*?\*/", " ", source, flags=re.S)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clean(text: str) -> str:
    """One line, without Python class reprs: `<class 'openqasm3.ast.Foo'>` -> `Foo`."""
    return _one_line(re.sub(r"<class '(?:[\w.]+\.)?(\w+)'>", r"\1", text))
