"""Valid OpenQASM 3 that no local simulator runs: refused by name, at the user's line and column.

Found with the reference grammar's lexer (so comments and strings never match), before any parser
runs: the parser itself needs the `openpulse` package for `cal`/`defcal` bodies. Timing (`box`,
`stretch`, `duration`, `delay`) is set aside after parsing instead, with a warning (`timing.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop_app.core.qasm.wording import ProgramRefusal

if TYPE_CHECKING:
    from openqasm3 import ast

# token -> what the user reads; the simulator runs gates ideally, without time or pulses
_REFUSED = {
    "DEFCALGRAMMAR": "pulse calibrations ('defcalgrammar') are not supported: the simulator runs "
    "gates, not pulses",
    "DEFCAL": "pulse calibrations ('defcal') are not supported: the simulator runs gates, not "
    "pulses",
    "CAL": "calibration blocks ('cal') are not supported: the simulator runs gates, not pulses",
    "EXTERN": "'extern' functions are not supported: the simulator cannot call outside code",
}

# The gates stdgates.inc defines (OpenQASM 3 specification, stdgates.inc; qiskit's importer adds
# the last three for OpenQASM 2 compatibility).
STDGATES = frozenset(
    {
        *("p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "cx", "cy"),
        *("cz", "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "CX", "phase"),
        *("cphase", "id", "u1", "u2", "u3"),
    }
)


def refuse_unsupported(source: str) -> None:
    """Raise ProgramRefusal at the first feature of `_REFUSED` in `source`."""
    from antlr4 import InputStream, Token
    from antlr4.error.ErrorListener import ErrorListener
    from openqasm3._antlr.qasm3Lexer import qasm3Lexer

    lexer = qasm3Lexer(InputStream(source))
    lexer.removeErrorListeners()
    lexer.addErrorListener(ErrorListener())  # lexing errors are the syntax check's to report
    names = lexer.symbolicNames
    while True:
        token = lexer.nextToken()
        if token.type == Token.EOF:
            return
        if 0 < token.type < len(names) and names[token.type] in _REFUSED:
            raise ProgramRefusal(_REFUSED[names[token.type]], token.line, token.column + 1)


def check_gate_definitions(tree: ast.Program, source: str) -> None:
    """After `include "stdgates.inc"`, defining one of its gates again is an error (the
    specification forbids redefinition); without the include a program's own gate is its own."""
    from openqasm3 import ast

    included_at: int | None = None
    for statement in tree.statements:
        if isinstance(statement, ast.Include) and statement.filename == "stdgates.inc":
            included_at = statement.span.start_line if statement.span else 1
        elif (
            isinstance(statement, ast.QuantumGateDefinition)
            and included_at is not None
            and statement.name.name in STDGATES
        ):
            line, column = _name_position(source, statement, statement.name.name)
            raise ProgramRefusal(
                f"gate '{statement.name.name}' is already defined by stdgates.inc (included on "
                f"line {included_at}): give your gate another name",
                line,
                column,
            )


def _name_position(source: str, node: Any, name: str) -> tuple[int, int]:
    span = node.span
    line = span.start_line if span else 1
    lines = source.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    start = span.start_column if span else 0
    found = text.find(name, start + len("gate"))
    return line, (found if found >= 0 else start) + 1
