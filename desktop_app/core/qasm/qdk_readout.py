"""How to read the QDK's shot results as Qiskit-order bitstrings (the program pipeline's second
reading, the differential tests and the corpus benchmark)."""

from __future__ import annotations

from typing import Any


def qdk_key(bit_flags: list[bool] | None, parts: list[Any]) -> str:
    """The QDK returns every global classical variable, in declaration order (`bit_flags`: which
    of them are bits): a string per bit register (bit 0 first), 0/1 per single bit. The bits, as
    qiskit's key (clbit 0 rightmost)."""
    if bit_flags is not None and len(bit_flags) == len(parts):
        bits = [str(p) for flag, p in zip(bit_flags, parts, strict=True) if flag]
    else:
        bits = [p for p in parts if isinstance(p, str) and set(p) <= {"0", "1"}]
    return "".join(bits)[::-1]


def declared_bits(source: str) -> list[bool] | None:
    """For each global classical declaration, in order: whether it is a bit or bit register."""
    from openqasm3 import ast, parse

    try:
        statements = parse(source).statements
    except Exception:  # the reference parser's syntax errors: no flags, `qdk_key` guesses
        return None
    return [
        isinstance(s.type, ast.BitType)
        for s in statements
        if isinstance(s, ast.ClassicalDeclaration | ast.ConstantDeclaration)
    ]
