"""The pre-scan's tokens: the tokenizer, bracket nesting, and the constant arithmetic of sizes
(the statement walk is `program_walk`, the entry point `program_scan.check_source`).

The walk estimates what a program asks of the parsers and the simulator (declared qubits and bits,
registers, gate parameters, definition depth, loop iterations, gates after unrolling definitions
and loops) without deciding whether the program is valid: the parsers do that, with better
messages. Whatever it does not recognise costs one gate; unbalanced brackets just end the walk.
Time and memory are linear in the text (at most MAX_TOKENS tokens are kept).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from desktop_app.core.program_limits import (
    MAX_EXPRESSION_OPERATORS,
    MAX_GATE_PARAMETERS,
    MAX_GATE_QUBITS,
    MAX_NESTING_DEPTH,
    MAX_TOKENS,
    LimitError,
)

HUGE = 1 << 62  # "more than any limit" in size arithmetic (sizes are clipped to it)
# A call's arguments: parameters and qubits together.
MAX_CALL_ARGUMENTS = MAX_GATE_PARAMETERS + MAX_GATE_QUBITS

# Comments match as an empty group 1 (dropped); every other match is one token. Whitespace never
# matches, so `findall` skips it in C: a few tenths of a second for MAX_TOKENS tokens.
_TOKEN = re.compile(
    r"""
    //[^\n]*|/\*(?:[^*]|\*(?!/))*(?:\*/)?
  | ( "[^"\n]*"?|'[^'\n]*'?
    | 0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+
    | (?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?
    | [A-Za-z_$\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*
    | \*\*|<<|>>|==|!=|<=|>=|&&|\|\||->|\+\+|\S )
    """,
    re.X,
)
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")", "]", "}"}
_BRACKETS = {*_OPEN, *_CLOSE}
_OPERATORS = {"+", "-", "*", "/", "%", "**", "<<", ">>", "==", "!=", "<", ">", "<=", ">="}
_OPERATORS |= {"&&", "||", "&", "|", "^", "~", "!"}
_STATEMENT_BREAKS = {";", "{", "}"}
_STRUCTURE = {";", *_OPEN, *_CLOSE}  # the tokens a statement walk stops at
_DECLARATIONS = {"qubit": "qubit", "qreg": "qubit", "bit": "bit", "creg": "bit"}
_PREFIXES = {"const", "input", "output", "readonly", "mutable"}
_SKIPPED = {"OPENQASM", "include", "opaque", "extern", "defcalgrammar", "let", "pragma"}
_GATE_MODIFIERS = {"inv", "pow", "ctrl", "negctrl"}
# The gates of OpenQASM 3's stdgates.inc (github.com/openqasm/openqasm examples/stdgates.inc, commit
# 1fc897d3, read 2026-12-01). Redefining one after including it is an error in the language; the
# importers instead ignore the user's definition silently and run the standard gate.
STANDARD_GATES = frozenset(
    [
        *("p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "cx", "cy"),
        *("cz", "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "CX", "phase"),
        *("cphase", "id", "u1", "u2", "u3"),
    ]
)
BUILTIN_GATES = frozenset(("U", "gphase"))  # part of the language itself
_ARITHMETIC = re.compile(r"[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?|[-+*/%()]|\*\*|<<|>>")


@dataclass
class Tokens:
    """The significant tokens of one source; where each one starts is found only for a message."""

    source: str
    file: str | None
    text: list[str] = field(default_factory=list)

    def position(self, index: int) -> tuple[int, int]:
        offset = len(self.source)
        count = 0
        for match in _TOKEN.finditer(self.source):
            if match.group(1):
                if count == index:
                    offset = match.start()
                    break
                count += 1
        line = self.source.count("\n", 0, offset) + 1
        return line, offset - (self.source.rfind("\n", 0, offset) + 1) + 1

    def error(self, index: int, message: str) -> LimitError:
        return LimitError(message, self.file, *self.position(index))


def tokenize(source: str, path: str | None) -> Tokens:
    text = [token for token in _TOKEN.findall(source) if token]
    tokens = Tokens(source, path, text)
    if len(text) > MAX_TOKENS:
        raise tokens.error(
            MAX_TOKENS,
            f"the program has more than {MAX_TOKENS:,} words and symbols, the most it may have",
        )
    return tokens


def check_nesting(tokens: Tokens) -> None:
    """Bracket depth, and operators per statement (the depth of its expression trees)."""
    depth = operators = 0
    marks = _BRACKETS | _OPERATORS | _STATEMENT_BREAKS
    for index, token in [(i, t) for i, t in enumerate(tokens.text) if t in marks]:
        if token in _OPERATORS:
            operators += 1
            if operators > MAX_EXPRESSION_OPERATORS:
                raise tokens.error(
                    index,
                    f"this statement has more than {MAX_EXPRESSION_OPERATORS} operators, the most"
                    " the parsers can take in one statement: split the expression",
                )
            continue
        if token in _STATEMENT_BREAKS:
            operators = 0
        if token in _OPEN:
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                raise tokens.error(index, _too_deep())
        elif token in _CLOSE:
            depth = max(0, depth - 1)


def _too_deep() -> str:
    return (
        f"brackets, blocks and statements are nested more than {MAX_NESTING_DEPTH} deep here,"
        " the most the parsers can take"
    )


def has_while_loop(source: str) -> bool:
    """Whether the program has a `while` statement (comments and strings do not count)."""
    return "while" in source and "while" in _TOKEN.findall(source)


def evaluate(tokens: list[str], values: dict[str, int]) -> int | None:
    """A whole-number expression of literals and known names, or None; never builds huge numbers."""
    if not tokens or len(tokens) > 64:
        return None
    pieces: list[str] = []
    for token in tokens:
        if token in values:
            pieces.append(f"({values[token]})")
        elif _ARITHMETIC.fullmatch(token):
            pieces.append(token.replace("_", ""))
        elif token[:2].lower() in ("0x", "0b", "0o"):
            try:
                pieces.append(str(int(token.replace("_", ""), 0)))
            except ValueError:
                return None
        else:
            return None
    try:
        value = _value(ast.parse(" ".join(pieces), mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, RecursionError):
        return None
    if value is None or value != value:  # NaN
        return None
    return int(max(-HUGE, min(HUGE, value)))


def _value(node: ast.expr) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        if isinstance(node.value, bool):
            return None
        return node.value if float(node.value).is_integer() else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _value(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if not isinstance(node, ast.BinOp):
        return None
    left, right = _value(node.left), _value(node.right)
    if left is None or right is None:
        return None
    left, right = _clip(left), _clip(right)
    op = node.op
    if isinstance(op, (ast.Pow, ast.LShift)) and right > 64 and abs(left) > 1:
        return HUGE
    result: float
    if isinstance(op, ast.Add):
        result = left + right
    elif isinstance(op, ast.Sub):
        result = left - right
    elif isinstance(op, ast.Mult):
        result = left * right
    elif isinstance(op, (ast.Div, ast.FloorDiv)):
        result = left // right
    elif isinstance(op, ast.Mod):
        result = left % right
    elif isinstance(op, ast.Pow) and right >= 0:
        result = left**right
    elif isinstance(op, ast.LShift) and right >= 0:
        result = int(left) << int(right)
    elif isinstance(op, ast.RShift) and right >= 0:
        result = int(left) >> int(min(right, 64))
    else:
        return None
    return _clip(result)


def _clip(number: float) -> float:
    return max(-HUGE, min(HUGE, number))


def approx(number: int) -> str:
    return "more than 4,000,000,000,000,000,000" if number >= HUGE else f"{number:,}"


@dataclass
class Definition:
    cost: int  # gates one call runs after unrolling
    depth: int  # levels of definitions, itself included


@dataclass
class Step:
    """What one statement asks for: gates it runs and the definition depth it reaches."""

    end: int
    cost: int = 0
    depth: int = 0
