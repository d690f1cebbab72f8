"""The unroller's vocabulary: its values, variables and scopes, the errors it raises, and the
arithmetic of OpenQASM 3's classical types (shared by `unroll` and `unroll_values`)."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openqasm3 import ast

Value = int | float | bool | list[Any]


_MAX_STEPS = 200_000  # statements emitted or loop turns: bounded time and memory


class NotHandled(Exception):
    """A construct this unroller does not evaluate; `span` is where (1-based line, 0-based col)."""

    def __init__(self, what: str, node: ast.QASMNode | None, *, error: bool = False) -> None:
        super().__init__(what)
        self.what = what
        self.span = getattr(node, "span", None)
        self.error = error  # True: the program is wrong (`what` is then a full message)
        self.evaluated: list[ast.Span] = []  # statements read before this one (unroll sets it)


class _Runtime(Exception):
    """An expression depends on a measured bit: it must stay in the program."""


_CONSTANTS: dict[str, float] = {
    "pi": math.pi,
    "π": math.pi,
    "tau": math.tau,
    "τ": math.tau,
    "euler": math.e,
    "ℇ": math.e,
}


_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "arcsin": math.asin,
    "arccos": math.acos,
    "arctan": math.atan,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "ceiling": math.ceil,
    "floor": math.floor,
    "mod": lambda a, b: a % b if isinstance(a, int) and isinstance(b, int) else math.fmod(a, b),
    "popcount": lambda a: bin(int(a)).count("1"),
}


@dataclass
class _Var:
    value: Value
    kind: str  # "int", "uint", "float", "bool", "angle", "array"
    size: int | None
    const: bool = False


@dataclass
class _Scope:
    variables: dict[str, _Var] = field(default_factory=dict)
    qubits: dict[str, int | None] = field(default_factory=dict)  # register -> size (None: 1 qubit)
    bits: dict[str, int | None] = field(default_factory=dict)  # bit register -> size
    # a subroutine's qubit parameter -> the qubit it stands for, or the qubits of a register
    aliases: dict[str, Any] = field(default_factory=dict)
    # in an inlined subroutine: its returned bit register -> the caller's register receiving it
    bit_rename: dict[str, str] = field(default_factory=dict)
    return_target: Any = None  # where `return measure ...;` writes


def replace(node: Any, **changes: Any) -> Any:
    """dataclasses.replace for AST nodes (their `annotations` field is not an init argument)."""
    copied = copy.copy(node)
    for name, value in changes.items():
        setattr(copied, name, value)
    return copied


def _as_equality(condition: Any) -> Any:
    """`a == b` for a condition `a != b`, else None."""
    if isinstance(condition, ast.BinaryExpression) and condition.op.name == "!=":
        return replace(condition, op=ast.BinaryOperator["=="])
    return None


def _has_return(statements: list[Any]) -> bool:
    for statement in statements:
        if isinstance(statement, ast.ReturnStatement):
            return True
        for name in ("block", "if_block", "else_block", "statements"):
            inner = getattr(statement, name, None)
            if isinstance(inner, ast.CompoundStatement):
                inner = inner.statements
            if isinstance(inner, list) and _has_return(inner):
                return True
        for _, body in getattr(statement, "cases", None) or []:
            if _has_return(body.statements):
                return True
    return False


def _statements(block: Any) -> list[Any]:
    return list(block.statements) if isinstance(block, ast.CompoundStatement) else list(block)


def _indexed(name: str, index: int) -> ast.IndexedIdentifier:
    return ast.IndexedIdentifier(
        name=ast.Identifier(name=name), indices=[[ast.IntegerLiteral(value=index)]]
    )


def _literal(value: Value) -> Any:
    if isinstance(value, bool):
        return ast.BooleanLiteral(value=value)
    if isinstance(value, int):
        if value < 0:
            return ast.UnaryExpression(
                op=ast.UnaryOperator["-"], expression=ast.IntegerLiteral(value=-value)
            )
        return ast.IntegerLiteral(value=value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotHandled("a value that is not a finite number", None)
        if value < 0:
            return ast.UnaryExpression(
                op=ast.UnaryOperator["-"], expression=ast.FloatLiteral(value=-value)
            )
        return ast.FloatLiteral(value=value)
    raise NotHandled("an array where a number was expected", None)


def _coerce(value: Value, kind: str, size: int | None) -> Value:
    if kind == "array":
        return value
    if isinstance(value, list):
        raise NotHandled("an array where a number was expected", None)
    if kind == "bool":
        return bool(value)
    if kind in ("float", "angle"):
        return float(value)
    number = int(value)  # int(3.7) == 3: OpenQASM casts truncate toward zero
    if size is not None:
        number &= (1 << size) - 1
        if kind == "int" and number >= 1 << (size - 1):
            number -= 1 << size
    elif kind == "uint" and number < 0:
        raise NotHandled("a negative value in an unsigned integer", None)
    return number


def _unary(op: str, value: Value, node: ast.QASMNode) -> Value:
    if isinstance(value, list):
        raise NotHandled("an operation on an array", node)
    if op == "-":
        return -value
    if op == "!":
        return not value
    if op == "~" and isinstance(value, int):
        return ~value
    raise NotHandled(f"the operator {op}", node)


def _binary(op: str, a: Value, b: Value, node: ast.QASMNode) -> Value:
    if isinstance(a, list) or isinstance(b, list):
        raise NotHandled("an operation on an array", node)
    both_int = isinstance(a, int) and isinstance(b, int)
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if both_int:  # integer division truncates toward zero
                return _trunc_div(int(a), int(b))
            return a / b
        if op == "%":
            return a % b if both_int else math.fmod(a, b)
        if op == "**":
            return a**b
        if op in ("<<", ">>", "&", "|", "^") and both_int:
            shifts: dict[str, Callable[[int, int], int]] = {
                "<<": lambda x, y: x << y,
                ">>": lambda x, y: x >> y,
                "&": lambda x, y: x & y,
                "|": lambda x, y: x | y,
                "^": lambda x, y: x ^ y,
            }
            return shifts[op](int(a), int(b))
        comparisons: dict[str, Callable[[Any, Any], bool]] = {
            "==": lambda x, y: x == y,
            "!=": lambda x, y: x != y,
            "<": lambda x, y: x < y,
            "<=": lambda x, y: x <= y,
            ">": lambda x, y: x > y,
            ">=": lambda x, y: x >= y,
            "&&": lambda x, y: bool(x) and bool(y),
            "||": lambda x, y: bool(x) or bool(y),
        }
        if op in comparisons:
            return comparisons[op](a, b)
    except (ZeroDivisionError, OverflowError, ValueError):
        raise NotHandled("an arithmetic error (division by zero or overflow)", node) from None
    raise NotHandled(f"the operator {op}", node)


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _assign(op: str, old: Value, rhs: Value, node: ast.QASMNode) -> Value:
    if op == "=":
        return rhs
    return _binary(op.removesuffix("="), old, rhs, node)
