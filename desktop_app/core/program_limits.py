"""Bounds on the work a program may ask for, checked before any parser or native analyzer sees it.

The parsers and the simulator trust their input: a `qubit[1000000000]` allocates a billion qubit
objects, 40 nested doubling gates expand to 2^40 gates, 50 nested blocks overflow the Python stack
of the OpenQASM 3 parser and 3,000 crash the QDK's native analyzer. So every program text passes
`check_source` first: a linear scan (tokens, then a shallow walk of the statements) that estimates
sizes, nesting, definition depth and the gate count after unrolling, and refuses, with the place and
the limit, whatever is past a limit. `read_program_bytes` bounds reading the file itself.

Every limit is a named constant with the reason for its value.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from desktop_app.core.errors import QuantumDeskError

log = logging.getLogger(__name__)

# A generated program of 100,000 lines is about 2 MB; 5 MB leaves room and still reads and scans in
# well under a second. Files are read at most this plus one byte.
MAX_FILE_BYTES = 5 * 1024 * 1024
# 100,000 lines of OpenQASM 2 load in about 5 s; nobody types more, generators rarely write more.
MAX_LINES = 100_000
# The editor highlights and the parsers quote whole lines; no real statement is this long.
MAX_LINE_CHARS = 10_000
# Words and symbols the pre-scan keeps in memory (about 10 per line of MAX_LINES).
MAX_TOKENS = 1_000_000
# Nested (), [] and {} together, and statements inside statements (`else if` chains too). Measured:
# 32 nested `if` blocks load, 50 exceed Python's recursion limit in the OpenQASM 3 parser
# (openqasm3's ANTLR parser), 100 `else if` too; 3,000 crash the QDK's native analyzer.
MAX_NESTING_DEPTH = 32
# The largest backend has 56 qubits (catalog); a circuit object is built per qubit, so a billion
# would need tens of GB before any other check could run.
MAX_DECLARED_QUBITS = 1_000
# Classical bits: each one is a column of every result row.
MAX_DECLARED_BITS = 10_000
# Each classical register is a separate group in every result key; qiskit checks names per register.
MAX_REGISTERS = 1_000
# Standard gates take at most 3 parameters; qiskit's importers slow down quadratically with many
# (10,000 parameters took over 20 s and still ran).
MAX_GATE_PARAMETERS = 64
# Qubit arguments of one gate definition, and controls of one `ctrl(n) @` (standard gates take 3).
MAX_GATE_QUBITS = 64
# Operators in one statement: the importers build expression trees recursively. Measured: a sum of
# 200 terms loads, 300 (or 300 unary minus signs) exceed Python's recursion limit.
MAX_EXPRESSION_OPERATORS = 128
# Gates defined in terms of gates: measured, a chain of 100 definitions transpiles, 300 exceed
# Python's recursion limit in qiskit's transpiler.
MAX_DEFINITION_DEPTH = 64
# Gates after unrolling definitions and loops: qiskit holds an object per operation (about 1 KB
# with its arguments), so 1,000,000 is about 1 GB.
MAX_EXPANDED_GATES = 1_000_000
# One loop's iterations: pyqasm unrolls every iteration into program text before qiskit reads it.
MAX_LOOP_ITERATIONS = 100_000
# Wall-clock seconds a simulation with a `while` loop may run: a loop whose condition depends on
# measurements cannot be bounded before running (`while (c == 0) { reset q; c = measure q; }` never
# ends), so such programs simulate in a worker process that is ended after this long.
MAX_WHILE_LOOP_SECONDS = 30.0
# Elements of one classical array (pyqasm holds each one as a Python object).
MAX_ARRAY_ELEMENTS = 1_000_000
# Include files inside include files (OpenQASM 2).
MAX_INCLUDE_DEPTH = 8

# Include files built into the OpenQASM 2 importer or shipped in qiskit's own include folder.
BUILTIN_INCLUDES = ("qelib1.inc",)


class LimitError(QuantumDeskError):
    """A program or file past a limit; the caller turns it into a located ProgramError."""

    def __init__(
        self, message: str, file: str | None, line: int | None = None, column: int | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(message)


# ---------------------------------------------------------------- files


def read_program_bytes(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else raises LimitError.

    FIFOs, devices (also behind a symlink, e.g. to /dev/zero), folders and sockets are refused from
    their type, before any read: the open is non-blocking (a FIFO without a writer would wait) and
    the type is checked again on the open descriptor. At most `limit + 1` bytes are ever read.
    """
    name = str(path)
    try:
        before = os.stat(path)
    except OSError as exc:
        raise LimitError(f"cannot read the file: {exc.strerror or 'unknown error'}", name) from None
    _check_file_type(before.st_mode, before.st_size, name, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise LimitError(f"cannot read the file: {exc.strerror or 'unknown error'}", name) from None
    try:
        after = os.fstat(fd)  # the file may have been swapped since the stat
        _check_file_type(after.st_mode, after.st_size, name, limit)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except BlockingIOError:
        raise LimitError("the file cannot be read without waiting", name) from None
    except OSError as exc:
        raise LimitError(f"cannot read the file: {exc.strerror or 'unknown error'}", name) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise LimitError(_too_big(limit), name)
    return data


def _check_file_type(mode: int, size: int, name: str, limit: int) -> None:
    if stat.S_ISDIR(mode):
        raise LimitError("this is a folder, not a program file", name)
    if not stat.S_ISREG(mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise LimitError(f"this is {kind}, not a program file: only regular files are read", name)
    if size > limit:
        raise LimitError(_too_big(limit), name)


def _too_big(limit: int) -> str:
    return f"the file is larger than {limit // (1024 * 1024)} MB, the most a program may be"


# ---------------------------------------------------------------- includes (OpenQASM 2)


def library_include_dir() -> Path | None:
    """qiskit's own include folder (qelib1.inc, stdgates.inc), found without importing qiskit."""
    import importlib.util

    spec = importlib.util.find_spec("qiskit")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "qasm" / "libs"
    return folder if folder.is_dir() else None


def include_path_for(path: str | None) -> tuple[str, ...]:
    """The folders OpenQASM 2 includes are searched in: the program's own, then the library's."""
    folders: list[str] = []
    if path is not None:
        folders.append(str(Path(path).resolve().parent))
    library = library_include_dir()
    if library is not None:
        folders.append(str(library))
    return tuple(folders)


def resolve_include(name: str, path: str | None) -> Path | None:
    """The file an OpenQASM 2 `include "name";` may read, None for the built-in qelib1.inc.

    Raises LimitError (without position) for anything but a plain file name next to the program or
    in the library's folder: no absolute paths, no sub-folders, no '..', no symlink leading out."""
    if name in BUILTIN_INCLUDES:
        return None
    pure = Path(name)
    if (
        not name
        or pure.is_absolute()
        or "\\" in name
        or len(pure.parts) != 1
        or name in ("..", ".")
    ):
        raise LimitError(
            f'include "{name}": only a file name is allowed (no folders, absolute paths or ".."):'
            " include files are read from the program's folder only",
            None,
        )
    for folder in include_path_for(path):
        candidate = Path(folder) / name
        if not os.path.lexists(candidate):
            continue
        real = Path(os.path.realpath(candidate))
        if real.parent != Path(os.path.realpath(folder)):
            raise LimitError(
                f'include "{name}": it is a link to a file outside the program\'s folder', None
            )
        return real
    if path is None:
        raise LimitError(
            f'include "{name}": save the program to a file first; include files are looked up'
            " in its folder",
            None,
        )
    raise LimitError(f'include "{name}": no such file next to the program', None)


def check_text_size(source: str, path: str | None = None) -> None:
    """The size, line count and line length checks alone (cheap enough for every keystroke)."""
    if len(source) > MAX_FILE_BYTES:
        raise LimitError(
            f"the program is longer than {MAX_FILE_BYTES // (1024 * 1024)} MB,"
            " the most a program may be",
            path,
        )
    if source.count("\n") + 1 > MAX_LINES:
        raise LimitError(
            f"the program has more than {MAX_LINES:,} lines, the most a program may have",
            path,
            MAX_LINES + 1,
            1,
        )
    start = 0
    number = 1
    find = source.find
    while start <= len(source):
        end = find("\n", start)
        end = len(source) if end < 0 else end
        if end - start > MAX_LINE_CHARS:
            raise LimitError(
                f"this line is longer than {MAX_LINE_CHARS:,} characters, the most a line may be",
                path,
                number,
                MAX_LINE_CHARS + 1,
            )
        start = end + 1
        number += 1
