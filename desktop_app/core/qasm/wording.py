"""The words a user reads when a program is refused: ours, never a parser's internals."""

from __future__ import annotations

import re

from desktop_app.core.errors import QuantumDeskError


class ProgramRefusal(QuantumDeskError):
    """A refusal found inside the qasm package; programs.py adds the file name."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# Text that betrays a library's insides: module and type names, Python error wording, tree dumps.
_INTERNAL = re.compile(
    r"No module named|ModuleNotFound|Traceback|<class |object has no attribute|NoneType"
    r"|unsupported operand type|\bndarray\b|\b[A-Z][A-Za-z0-9]*(?:Type|Literal|Expression|Statement"
    r"|Declaration|Definition|Identifier|Error|Exception|Node)\b|\bspan=|Span\(|\w+\(span="
    r"|node of type|argument of type|not subscriptable|not iterable|takes \d+ positional"
    r"|\bopenpulse\b|\bopenqasm3\.|\bqiskit\.|\bpyqasm\b|\bqsharp\b|\bqdk\b|\bint\(\)|\bfloat\(\)"
    r"|unhashable|invalid literal for|Parameter\(|list index|index out of range$"
    r"|\bself\b|\bkwargs?\b"
    # Python's own wording of common errors, and where in Python they happened
    r"|float division by zero|integer division or modulo by zero|maximum recursion depth"
    r"|has no len\(\)|(?:object|non-int) of type '\w+'|is not callable|required positional argument"
    r"|math domain error|not in list|cannot convert float|bytes-like object|in <module>"
    r"|File \"[^\"]*\"|\w\.py\b|\bantlr4?\b",
)


def looks_internal(message: str) -> bool:
    """True when `message` shows Python exception text, a module or type name, or a parser dump."""
    return bool(_INTERNAL.search(message)) or len(message) > 300


# What the unroller could not follow (its NotHandled.what, often an AST class name) in plain words.
_CONSTRUCTS = {
    "SubroutineDefinition": "subroutines ('def')",
    "ReturnStatement": "'return'",
    "ExpressionStatement": "a subroutine call",
    "AliasStatement": "aliases ('let')",
    "ExternDeclaration": "'extern'",
    "IODeclaration": "'input'/'output' declarations",
    "BreakStatement": "'break'",
    "ContinueStatement": "'continue'",
    "EndStatement": "'end'",
    "ComplexType": "complex numbers",
    "BitType": "this bit type",
    "DurationType": "'duration'",
    "StretchType": "'stretch'",
    "DelayInstruction": "'delay' here",
    "Box": "'box'",
    "ImaginaryLiteral": "complex numbers",
    "DurationLiteral": "durations",
    "SizeOf": "'sizeof'",
    "Concatenation": "register concatenation ('++')",
    "QuantumMeasurement": "a measurement used as a value",
    "CalibrationStatement": "'cal'",
    "CalibrationDefinition": "'defcal'",
    "CalibrationGrammarDeclaration": "'defcalgrammar'",
}


def construct(what: str) -> str:
    """The plain name of a construct the unroller reported."""
    if what in _CONSTRUCTS:
        return _CONSTRUCTS[what]
    if looks_internal(what) or re.fullmatch(r"[A-Z]\w+", what):
        return "this statement"
    return what
