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

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.qasm.positions import (
    _clamp,
    _clean,
    _end_of_previous_token,
    _find_name,
    _one_line,
    _position_of,
    _pyqasm_log,
    _pyqasm_position,
    _quiet,
    _without_comments,
)
from desktop_app.core.qasm.shadowing import own_gates_first
from desktop_app.core.qasm.wording import ProgramRefusal

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

log = logging.getLogger(__name__)

_HEADER = re.compile(r"\A(?:\s|//[^\n]*\n|/\*.*?\*/)*OPENQASM\s+([0-9]+)(?:\.([0-9]+))?\s*;", re.S)
_QISKIT_POS = re.compile(r"""^\s*["']?(?:<input>:)?(\d+),(\d+):\s*(.*?)["']?\s*$""", re.S)
_PYQASM_POS = re.compile(r"Error at line (\d+), column (\d+)")
_QUOTED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")
_UNSUPPORTED = re.compile(r"unsupported|not supported|cannot unroll|only simple|not handled", re.I)
_GATE_DEFINITION = re.compile(r"(?<![\w$])(?:gate|opaque)\s+([A-Za-z_]\w*)")
_INPUT_DECL = re.compile(r"^\s*input\s+[^;]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*;", re.M)

# One qiskit job at a time per process: redirecting sys.stdout/stderr and pyqasm's logger is
# process-global, and qiskit's native code crashed (segfault) when two threads parsed or
# transpiled at once (seen in the emulator). Anything that parses or transpiles in a thread of the
# app takes this lock; it is re-entrant so a caller can hold it across load + translate.
QISKIT_LOCK = threading.RLock()


class ProgramError(QuantumDeskError):
    """A program that cannot be loaded; `str()` is `file:line:column: message`."""

    code = "program"  # what the job ledger records (core.errors.error_code)

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
    # how it was read: "qiskit-qasm2", "qiskit-qasm3", or "unrolled" (our unroller, which pyqasm's
    # reading confirmed when it could read the program)
    route: str = ""
    # what was left out of the program, each "file:line:column: message" (timing statements)
    warnings: tuple[str, ...] = ()


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
            warnings: list[str] = []
            if version == "2":
                circuit, route = _load_v2(source, path), "qiskit-qasm2"
            else:
                circuit, route = _load_v3(source, path, warnings)
            try:
                circuit = own_gates_first(circuit)
            except ProgramRefusal as exc:
                raise ProgramError(exc.message, path, 1, 1) from None
        if captured.getvalue().strip():
            log.debug("parser output while loading %s: %s", path or "<editor>", captured.getvalue())
        _check_parameters(circuit, source, path)
        where = path or "<editor>"
        return Program(
            source,
            path,
            version,
            circuit,
            circuit_facts(circuit),
            route,
            tuple(f"{where}:{w}" for w in warnings),
        )


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
    # A program's own gate wins over qiskit's built-in of the same name (e.g. its own `rzz` or
    # a `cu` with one parameter): only the names it does not define map onto qiskit's gates.
    own = set(_GATE_DEFINITION.findall(_without_comments(source)))
    custom = [c for c in qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS if c.name not in own]
    try:
        return qiskit.qasm2.loads(source, include_path=include_path, custom_instructions=custom)
    except qiskit.qasm2.QASM2ParseError as exc:
        raise _from_qiskit_message(str(exc), source, path) from None


# ---------------------------------------------------------------- OpenQASM 3


def _load_v3(source: str, path: str | None, warnings: list[str]) -> tuple[QuantumCircuit, str]:
    """The circuit and its route; what is left out (timing) is added to `warnings`."""
    from desktop_app.core.qasm import features, routes, timing
    from desktop_app.core.qasm.unroll_base import NotHandled
    from desktop_app.core.qasm.wording import looks_internal

    try:
        features.refuse_unsupported(source)
        tree = routes.parse(source)
        if timing.uses_timing(tree):  # from here on, the program without its timing statements
            source, tree, dropped = timing.drop_timing(source, tree)
            warnings.extend(dropped)
        features.check_gate_definitions(tree, source)
    except ProgramRefusal as exc:
        raise ProgramError(exc.message, path, exc.line, exc.column) from None
    except Exception as exc:  # the reference parser: QASM3ParsingError for syntax errors
        log.debug("the reference parser refused the program: %s", exc)
        raise _syntax_error(source, path) from None
    # Qiskit's own importer first: when it understands a program as written it is the reference.
    try:
        return routes.qiskit_importer(source), "qiskit-qasm3"
    except Exception as exc:  # qiskit's importer raises several types (and TypeError, IndexError)
        qiskit_error: Exception = exc
    # Our unroller evaluates what qiskit lacks (loops, const, int, arrays, switch, broadcasts);
    # pyqasm's unroller reads the program independently, and the two must agree.
    ours: QuantumCircuit | None = None
    not_handled: NotHandled | None = None
    for_pyqasm = source
    try:
        ours, registers = routes.unrolled(tree)
        for_pyqasm = routes.expand_broadcasts(source, tree, registers)
    except NotHandled as exc:
        if exc.error:  # a mistake in the program (or an endless loop): pyqasm need not try
            qdk = _qdk_diagnostic(source, exc)  # the QDK, when installed, reports the first one
            if isinstance(qdk, tuple) and not looks_internal(qdk[0]):
                raise ProgramError(qdk[0], path, qdk[1], qdk[2]) from None
            raise ProgramError(exc.what, path, *_span_position(exc.span, source)) from None
        not_handled = exc
    except Exception as exc:  # qiskit's importer on our flat text: a construct it lacks
        log.debug("qiskit could not import the unrolled program: %s", exc)
        not_handled = NotHandled("this program", None)
    if routes.has_while(tree):  # pyqasm would never return on some: ours stands alone
        theirs, pyqasm_error, pyqasm_pos = None, None, None
    else:
        theirs, pyqasm_error, pyqasm_pos = _pyqasm_route(for_pyqasm)
    if ours is not None:
        return _cross_checked(ours, theirs, source, tree, path, warnings), "unrolled"
    if theirs is not None:  # only pyqasm read it: never trusted alone
        raise _cannot_check(not_handled, source, path)
    raise _v3_error(source, path, pyqasm_error, pyqasm_pos, qiskit_error, not_handled)


def _pyqasm_route(
    source: str,
) -> tuple[QuantumCircuit | None, Exception | None, tuple[int, int] | None]:
    """pyqasm's reading: (circuit, None, None) or (None, its error, its logged position)."""
    from desktop_app.core.qasm import routes

    with _pyqasm_log() as records:
        try:
            flat, prefix_len = routes.pyqasm_text(source)
        except Exception as exc:  # pyqasm raises several types (ValidationError, RuntimeError...)
            prefix_len = 0 if routes.HEADER.match(source) else len(routes.PYQASM_PREFIX)
            return None, exc, _pyqasm_position(records, prefix_len)
    try:
        return routes.qiskit_importer(flat), None, None
    except Exception as exc:  # its positions are in pyqasm's text, not the user's: not shown
        log.debug("qiskit could not import pyqasm's output: %s", exc)
        return None, None, None


def _cross_checked(
    ours: QuantumCircuit,
    theirs: QuantumCircuit | None,
    source: str,
    tree: Any,
    path: str | None,
    warnings: list[str],
) -> QuantumCircuit:
    """Our unrolled circuit, once pyqasm's reading gives the same outcome probabilities, or,
    where pyqasm cannot read the program, the QDK's samples agree with them."""
    from desktop_app.core.qasm import exact, second_reading

    verdict: bool | None
    if theirs is None:
        second = second_reading.check(source, tree, ours)
        if second.agrees is None:  # run, but say that nothing checked the unrolling
            line, column = _first_code_line(source)
            warnings.append(
                f"{line}:{column}: Quantum Desk rewrote this program to run it (loops, "
                "subroutines, classical values), and no second reading could check the "
                f"rewriting: {second.why}"
            )
            return ours
        verdict = second.agrees
    else:
        verdict = exact.same_outcomes(ours, theirs)
    if verdict is True:
        return ours
    line, column = _first_code_line(source)
    if verdict is False:
        raise ProgramError(
            "two independent readings of this program give different results; it is refused "
            "rather than run with a possibly wrong answer (please report it)",
            path,
            line,
            column,
        )
    raise ProgramError(
        "this program is too large to check that the way it was unrolled is exact "
        f"(the check simulates up to {exact.MAX_QUBITS} qubits); it is refused rather than run "
        "with a possibly wrong answer",
        path,
        line,
        column,
    )


def _cannot_check(not_handled: Any, source: str, path: str | None) -> ProgramError:
    from desktop_app.core.qasm.wording import construct

    what = construct(not_handled.what) if not_handled is not None else "this program"
    line, column = _span_position(getattr(not_handled, "span", None), source)
    return ProgramError(
        f"Quantum Desk cannot run {what} yet: this program is valid, but no reading of it that "
        "can be checked is available",
        path,
        line,
        column,
    )


def _span_position(span: Any, source: str) -> tuple[int, int]:
    if span is None:
        return _first_code_line(source)
    return _clamp(source, int(span.start_line), int(span.start_column) + 1)


def _first_code_line(source: str) -> tuple[int, int]:
    for number, text in enumerate(source.splitlines(), start=1):
        code = text.split("//", 1)[0]
        if code.strip() and not code.lstrip().startswith(("OPENQASM", "include")):
            return number, len(code) - len(code.lstrip()) + 1
    return 1, 1


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
    if text == ";":  # the ';' is there: what is missing comes before it
        expecting = re.search(r"expecting '([^']+)'", msg)
        if expecting:
            return ProgramError(
                f"expected '{expecting.group(1)}' before ';'", path, line, column + 1
            )
        return ProgramError("this statement is incomplete before ';'", path, line, column + 1)
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
    not_handled: Any,
) -> ProgramError:
    """Every route refused: the best located message in plain words."""
    from desktop_app.core.qasm.wording import construct, looks_internal

    qdk = _qdk_diagnostic(source, not_handled)
    if isinstance(qdk, tuple) and not looks_internal(qdk[0]):  # a real error, its exact span
        return ProgramError(qdk[0], path, qdk[1], qdk[2])
    ours_what = construct(not_handled.what) if not_handled is not None else "this statement"
    ours_at = _span_position(getattr(not_handled, "span", None), source)
    if getattr(not_handled, "error", False):  # our unroller found the mistake: our words
        return ProgramError(not_handled.what, path, *ours_at)
    message = _clean(str(pyqasm_error)) if pyqasm_error is not None else ""
    qiskit_match = _QISKIT_POS.match(str(qiskit_error))
    if not message or looks_internal(message):
        message = _clean(qiskit_match.group(3) if qiskit_match else str(qiskit_error))
    if qdk is True or not message or looks_internal(message):
        # valid (the QDK says so) or no plain message: say what we could not run, where
        return ProgramError(
            f"Quantum Desk cannot run {ours_what} yet"
            + (" (the program is valid OpenQASM 3)" if qdk is True else ""),
            path,
            *ours_at,
        )
    if _UNSUPPORTED.search(message):
        message = f"the simulator cannot run this yet: {message}"
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
    return ProgramError(message, path, *ours_at)


def _qdk_diagnostic(source: str, ours: Any = None) -> tuple[str, int, int] | bool | None:
    """The optional QDK analyzer's first error (message, line, column), True when it finds the
    program valid, None when the QDK is not installed or failed, or when its error lies in a
    statement our unroller evaluated without fault (`ours`: its NotHandled): there the two front
    ends disagree, and the QDK's limit is not reported as the program's mistake."""
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
        if _inside_any(getattr(ours, "evaluated", ()), line, column - 1):
            log.debug("the QDK refused a statement our unroller read: %s", diagnostic.message)
            return None
        return _clean(diagnostic.message), line, column
    return not errors


def _inside_any(spans: Any, line: int, column: int) -> bool:
    """Whether (line, 0-based column) lies within one of the reference parser's spans."""
    return any(
        (s.start_line, s.start_column) <= (line, column) <= (s.end_line, s.end_column)
        for s in spans
    )


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
