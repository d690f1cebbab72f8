"""Load OpenQASM 2 and 3 programs into Qiskit circuits, with errors a student can act on.

Front ends (measured in docs/openqasm-parsers.md):
- OpenQASM 2: `qiskit.qasm2.loads` with the legacy custom instructions (so `qelib1.inc` works).
- OpenQASM 3: qiskit's importer (`qiskit-qasm3-import`) first; what it lacks (loops, const, arrays,
  int variables, switch) pyqasm unrolls into flat code that qiskit's importer then reads. When both
  refuse, the error comes from, by preference: our ANTLR syntax check (syntax errors), the QDK's
  diagnostics (optional extra `qdk`), pyqasm's located message, a search for the name it quotes.

qiskit and pyqasm are imported lazily: importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.errors import QuantumDeskError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

log = logging.getLogger(__name__)

_HEADER = re.compile(r"\A(?:\s|//[^\n]*\n|/\*.*?\*/)*OPENQASM\s+([0-9]+)(?:\.([0-9]+))?\s*;", re.S)
_QISKIT_POS = re.compile(r"""^\s*["']?(?:<input>:)?(\d+),(\d+):\s*(.*?)["']?\s*$""", re.S)
_PYQASM_POS = re.compile(r"Error at line (\d+), column (\d+)")
_QUOTED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")
_UNSUPPORTED = re.compile(r"unsupported|not supported|cannot unroll|only simple|not handled", re.I)
_INPUT_DECL = re.compile(r"^\s*input\s+[^;]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*;", re.M)

# One qiskit job at a time per process: redirecting sys.stdout/stderr and pyqasm's logger is
# process-global, and qiskit's native code crashed (segfault) when two threads parsed or
# transpiled at once (seen in the emulator). Anything that parses or transpiles in a thread of the
# app takes this lock; it is re-entrant so a caller can hold it across load + translate.
QISKIT_LOCK = threading.RLock()


class ProgramError(QuantumDeskError):
    """A program that cannot be loaded; `str()` is `file:line:column: message`."""

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message.strip() or "the program could not be read"
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __reduce__(self) -> tuple[Any, ...]:
        # The simulator worker process sends errors back pickled: keep line and column.
        return (type(self), (self.message, self.file, self.line, self.column))

    def __str__(self) -> str:
        where = self.file or "<editor>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CircuitFacts:
    num_qubits: int
    num_clbits: int
    depth: int
    gate_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Program:
    source: str
    path: str | None
    version: str  # "2" or "3"
    circuit: QuantumCircuit
    facts: CircuitFacts


def detect_version(source: str) -> str:
    """Return "2" for `OPENQASM 2.x;`, "3" for `OPENQASM 3[.x];` or no header.

    Any other version raises ProgramError."""
    match = _HEADER.match(source)
    if match is None:
        return "3"
    major = match.group(1)
    if major in ("2", "3"):
        return major
    line, column = _position_of(source, match.start(1))
    raise ProgramError(
        f"OpenQASM version {major} is not supported; use 'OPENQASM 2.0;' or 'OPENQASM 3.0;'",
        None,
        line,
        column,
    )


def load_program(source: str, path: str | None = None) -> Program:
    """Parse `source` (OpenQASM 2 or 3) into a circuit; raises ProgramError naming where."""
    _check_limits(source, path)  # before any parser or native analyzer sees the text
    try:
        version = detect_version(source)
    except ProgramError as exc:
        raise ProgramError(exc.message, path, exc.line, exc.column) from None
    if not source.strip():
        raise ProgramError("the program is empty", path, 1, 1)
    with QISKIT_LOCK:
        with _quiet() as captured:
            circuit = _load_v2(source, path) if version == "2" else _load_v3(source, path)
        if captured.getvalue().strip():
            log.debug("parser output while loading %s: %s", path or "<editor>", captured.getvalue())
        _check_parameters(circuit, source, path)
        return Program(source, path, version, circuit, circuit_facts(circuit))


def load_program_file(path: str | Path) -> Program:
    """Read a UTF-8 file and load it; unreadable or non-UTF-8 files raise ProgramError."""
    from desktop_app.core.program_limits import LimitError, read_program_bytes

    name = str(path)
    try:
        data = read_program_bytes(path)  # regular files only, at most MAX_FILE_BYTES
    except LimitError as exc:
        raise ProgramError(exc.message, name) from None
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position_of(data[: exc.start].decode("utf-8", "replace"), exc.start)
        raise ProgramError(
            "the file is not UTF-8 text (is it an OpenQASM program?)", name, line, column
        ) from None
    return load_program(source, name)


def _check_limits(source: str, path: str | None) -> None:
    from desktop_app.core.program_limits import LimitError
    from desktop_app.core.program_scan import check_source

    try:
        check_source(source, path)
    except LimitError as exc:
        raise ProgramError(exc.message, exc.file or path, exc.line, exc.column) from None


def circuit_facts(circuit: QuantumCircuit) -> CircuitFacts:
    return CircuitFacts(
        num_qubits=circuit.num_qubits,
        num_clbits=circuit.num_clbits,
        depth=circuit.depth(),
        gate_counts={str(k): int(v) for k, v in circuit.count_ops().items()},
    )


# ---------------------------------------------------------------- OpenQASM 2


def _load_v2(source: str, path: str | None) -> QuantumCircuit:
    import qiskit.qasm2

    from desktop_app.core.program_limits import include_path_for

    # The folders program_limits allowed every include in: the program's own, the library's.
    include_path = include_path_for(path)
    try:
        return qiskit.qasm2.loads(
            source,
            include_path=include_path,
            custom_instructions=qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS,
        )
    except qiskit.qasm2.QASM2ParseError as exc:
        raise _from_qiskit_message(str(exc), source, path) from None


# ---------------------------------------------------------------- OpenQASM 3


# Gates of stdgates.inc (and qiskit's aliases) that pyqasm must leave to qiskit: pyqasm's own
# decompositions under `inv @` are wrong for cp/crx/cry/crz/cu (measured, docs/openqasm-parsers.md).
_STANDARD_GATES = [
    *("p", "phase", "cphase", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz"),
    *("cx", "CX", "cy", "cz", "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "id"),
    *("u1", "u2", "u3", "U"),
]


def _load_v3(source: str, path: str | None) -> QuantumCircuit:
    import pyqasm
    import qiskit.qasm3

    # Qiskit's own importer first: when it understands a program it is the reference.
    try:
        return qiskit.qasm3.loads(source)
    except Exception as exc:  # qiskit's importer raises several types (and TypeError, IndexError)
        qiskit_error: Exception = exc
    # Then pyqasm unrolls what qiskit lacks (loops, const, arrays, int, switch, subroutines).
    pyqasm_error: Exception | None = None
    has_header = _HEADER.match(source) is not None
    # pyqasm requires a version header: add one on line 1 (columns on line 1 shift by its length).
    prefix = "" if has_header else "OPENQASM 3.0; "
    with _pyqasm_log() as records:
        try:
            module = pyqasm.loads(prefix + source)
            module.unroll(external_gates=_STANDARD_GATES)
            flat = pyqasm.dumps(module)
        except Exception as exc:  # pyqasm raises several types (ValidationError, RuntimeError...)
            pyqasm_error = exc
    if pyqasm_error is None:
        try:
            return qiskit.qasm3.loads(flat)
        except Exception as exc:
            log.debug("qiskit could not import pyqasm's output: %s", exc)
            pyqasm_error = exc
            records = []
    if _is_syntax_error(pyqasm_error) or _is_syntax_error(qiskit_error):
        raise _syntax_error(source, path)
    pyqasm_pos = _pyqasm_position(records, len(prefix))
    raise _v3_error(source, path, pyqasm_error, pyqasm_pos, qiskit_error)


def _is_syntax_error(exc: BaseException | None) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ in ("QASM3ParsingError", "ParseCancellationException"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _syntax_error(source: str, path: str | None) -> ProgramError:
    """Run the reference ANTLR grammar with a recording listener: first error, with position."""
    from antlr4 import CommonTokenStream, InputStream
    from antlr4.error.ErrorListener import ErrorListener
    from openqasm3._antlr.qasm3Lexer import qasm3Lexer
    from openqasm3._antlr.qasm3Parser import qasm3Parser

    found: list[tuple[int, int, str, Any]] = []

    class Recorder(ErrorListener):  # type: ignore[misc]
        def syntaxError(
            self, recognizer: Any, symbol: Any, line: int, column: int, msg: str, e: Any
        ) -> None:
            found.append((line, column, msg, symbol))

    lexer = qasm3Lexer(InputStream(source))
    lexer.removeErrorListeners()
    lexer.addErrorListener(Recorder())
    parser = qasm3Parser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(Recorder())
    parser.program()
    if not found:
        return ProgramError("syntax error", path, 1, 1)
    line, column, msg, symbol = found[0]
    text = getattr(symbol, "text", None)
    # ANTLR's wording at the end of input depends on its shared prediction cache: one message.
    if text == "<EOF>":
        return ProgramError(
            "the program ends too early: a closing '}' or ')' or a ';' is missing",
            path,
            line,
            column + 1,
        )
    if msg.startswith("missing ") or (msg.startswith("mismatched input") and "';'" in msg):
        what = msg.split(" at ")[0].removeprefix("missing ").strip()
        if msg.startswith("mismatched"):
            what = "';'"
        end = _end_of_previous_token(source, line, column)
        if end is not None:
            return ProgramError(f"expected {what} at the end of this statement", path, *end)
        return ProgramError(f"expected {what} before '{text}'", path, line, column + 1)
    if msg.startswith("mismatched input") or msg.startswith("extraneous input"):
        return ProgramError(f"unexpected '{text}' here", path, line, column + 1)
    if msg.startswith("token recognition error"):
        bad = msg.split("at:", 1)[-1].strip()
        return ProgramError(f"unexpected character {bad}", path, line, column + 1)
    if msg.startswith("no viable alternative"):
        return ProgramError(
            f"cannot understand the statement near '{text}'", path, line, column + 1
        )
    return ProgramError(msg, path, line, column + 1)


def _v3_error(
    source: str,
    path: str | None,
    pyqasm_error: Exception | None,
    pyqasm_pos: tuple[int, int] | None,
    qiskit_error: Exception,
) -> ProgramError:
    message = _clean(str(pyqasm_error)) if pyqasm_error is not None else ""
    qiskit_match = _QISKIT_POS.match(str(qiskit_error))
    if not message:
        message = _clean(qiskit_match.group(3) if qiskit_match else str(qiskit_error))
    qdk = _qdk_diagnostic(source)
    if isinstance(qdk, tuple):  # the QDK found a real error: its message and span are the best
        return ProgramError(*qdk[:1], path, *qdk[1:])
    if qdk is True and _UNSUPPORTED.search(message):  # valid, but no importer can convert it
        message = f"valid OpenQASM 3 that the simulator cannot run yet: {message}"
    name = _QUOTED.search(message)
    if pyqasm_pos is not None:
        if name:  # point at the name pyqasm complains about when it is on that line
            found = _find_name(source, name.group(1), only_line=pyqasm_pos[0])
            if found is not None:
                return ProgramError(message, path, *found)
        return ProgramError(message, path, *pyqasm_pos)
    if name:
        found = _find_name(source, name.group(1))
        if found is not None:
            return ProgramError(message, path, *found)
    if qiskit_match:
        line, column = _clamp(source, int(qiskit_match.group(1)), int(qiskit_match.group(2)) + 1)
        return ProgramError(message, path, line, column)
    return ProgramError(message or "the program could not be read", path, 1, 1)


def _qdk_diagnostic(source: str) -> tuple[str, int, int] | bool | None:
    """The optional QDK analyzer's first error (message, line, column), True when it finds the
    program valid, None when the QDK is not installed or failed."""
    try:
        from qdk.openqasm import analyze
    except ImportError:
        return None
    try:
        result = analyze(source)
    except Exception:  # a preview API: never let it hide the real error
        log.warning("the QDK OpenQASM analyzer failed", exc_info=True)
        return None
    errors = [d for d in result.diagnostics if "error" in str(d.severity).lower()]
    for diagnostic in errors:
        if not diagnostic.labels:
            continue
        offset = diagnostic.labels[0].span.lo
        text = source.encode("utf-8")[:offset].decode("utf-8", "replace")
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
        return _clean(diagnostic.message), line, column
    return not errors


def _check_parameters(circuit: QuantumCircuit, source: str, path: str | None) -> None:
    """`input float theta;` imports as an unbound parameter, which no backend can run."""
    if not circuit.parameters:
        return
    names = sorted(p.name for p in circuit.parameters)
    line, column = 1, 1
    for match in _INPUT_DECL.finditer(source):
        if match.group(1) in names:
            line, column = _position_of(
                source, match.start() + len(match.group(0)) - len(match.group(0).lstrip())
            )
            break
    raise ProgramError(
        f"input {', '.join(repr(n) for n in names)} has no value: replace "
        f"'input' with a constant, e.g. 'const float {names[0]} = 0.5;'",
        path,
        line,
        column,
    )


# ---------------------------------------------------------------- helpers


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


def _from_qiskit_message(text: str, source: str, path: str | None) -> ProgramError:
    match = _QISKIT_POS.match(text)
    if not match:
        return ProgramError(_one_line(text), path, 1, 1)
    line, column, message = int(match.group(1)), int(match.group(2)) + 1, _one_line(match.group(3))
    if message.startswith("needed ';'"):
        end = _end_of_previous_token(source, line, column - 1)
        if end is not None:
            return ProgramError("expected ';' at the end of this statement", path, *end)
    return ProgramError(message, path, *_clamp(source, line, column))


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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clean(text: str) -> str:
    """One line, without Python class reprs: `<class 'openqasm3.ast.Foo'>` -> `Foo`."""
    return _one_line(re.sub(r"<class '(?:[\w.]+\.)?(\w+)'>", r"\1", text))
