"""The ways an OpenQASM 3 program becomes a Qiskit circuit; programs.py picks and cross-checks.

- `qiskit_importer`: qiskit's importer on the program as written (the reference where it works).
- `unrolled`: our unroller (desktop_app.core.qasm.unroll), then qiskit's importer on its flat text.
- `pyqasm_unrolled`: pyqasm's unroller with every standard gate left to qiskit, then qiskit's
  importer. Never trusted alone (docs/openqasm-parsers.md): only a second opinion on `unrolled`.
Each returns a circuit or raises; callers hold programs.QISKIT_LOCK and silence stdout/stderr.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openqasm3 import ast
    from qiskit import QuantumCircuit

HEADER = re.compile(r"\A(?:\s|//[^\n]*\n|/\*.*?\*/)*OPENQASM\s+([0-9]+)(?:\.([0-9]+))?\s*;", re.S)

# Gates of stdgates.inc (and qiskit's aliases) that pyqasm must leave to qiskit: pyqasm's own
# decompositions under `inv @` are wrong for cp/crx/cry/crz/cu (measured, docs/openqasm-parsers.md).
STANDARD_GATES = [
    *("p", "phase", "cphase", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz"),
    *("cx", "CX", "cy", "cz", "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "id"),
    *("u1", "u2", "u3", "U"),
]


PYQASM_PREFIX = "OPENQASM 3.0; "


def parse(source: str) -> ast.Program:
    """The reference parser's tree; raises its errors (syntax errors: QASM3ParsingError)."""
    import openqasm3

    return openqasm3.parse(source)


def qiskit_importer(source: str) -> QuantumCircuit:
    import qiskit.qasm3

    return qiskit.qasm3.loads(source)


def unrolled(tree: ast.Program) -> tuple[QuantumCircuit, dict[str, int | None]]:
    """The circuit and the qubit registers' sizes; raises unroll.NotHandled for what our unroller
    does not evaluate."""
    import openqasm3
    import qiskit.qasm3

    from desktop_app.core.qasm.unroll import unroll

    flat, registers, negated = unroll(tree)
    circuit = qiskit.qasm3.loads(openqasm3.dumps(flat))
    if any(negated):
        circuit = _negate_whiles(circuit, iter(negated))
    return circuit, registers


def _negate_whiles(circuit: QuantumCircuit, negated: Iterator[bool]) -> QuantumCircuit:
    """Each `while` the unroller wrote as `==` for a `!=` gets its condition negated (in text
    order: an outer loop comes before the loops in its body)."""
    from qiskit.circuit import ClassicalRegister, Clbit, WhileLoopOp
    from qiskit.circuit.classical import expr

    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation = instruction.operation
        if isinstance(operation, WhileLoopOp):
            flip = next(negated, False)
            body = _negate_whiles(operation.blocks[0], negated)
            condition = operation.condition
            if flip and isinstance(condition, tuple):
                target, value = condition
                if not isinstance(target, ClassicalRegister | Clbit):
                    raise TypeError("unexpected while condition")
                literal = expr.lift(bool(value)) if isinstance(target, Clbit) else int(value)
                condition = expr.logic_not(expr.equal(target, literal))
            operation = WhileLoopOp(condition, body, operation.label)
        elif getattr(operation, "blocks", ()):
            operation = operation.replace_blocks(
                [_negate_whiles(b, negated) for b in operation.blocks]
            )
        out.append(operation, instruction.qubits, instruction.clbits)
    return out


def expand_broadcasts(source: str, tree: ast.Program, registers: dict[str, int | None]) -> str:
    """`source` with each one-line gate call over whole registers written out per qubit
    (`cx q, r;` -> `cx q[0], r[0]; cx q[1], r[1]; ...` on the same line): pyqasm 1.3 pairs the
    qubits of such a broadcast wrongly, so it reads the expanded form."""
    import openqasm3
    from openqasm3 import ast

    from desktop_app.core.qasm.unroll_base import replace

    lines = source.split("\n")
    edits: list[tuple[int, int, int, str]] = []
    for node in _gate_calls(tree.statements):
        sizes = {
            registers.get(q.name)
            for q in node.qubits
            if isinstance(q, ast.Identifier) and registers.get(q.name) is not None
        }
        span = node.span
        if len(node.qubits) < 2 or len(sizes) != 1 or span is None:
            continue
        if span.start_line != span.end_line:
            continue
        (size,) = sizes
        calls = []
        for k in range(int(size or 0)):
            operands = [
                ast.IndexedIdentifier(name=q, indices=[[ast.IntegerLiteral(value=k)]])
                if isinstance(q, ast.Identifier) and registers.get(q.name) is not None
                else q
                for q in node.qubits
            ]
            calls.append(openqasm3.dumps(replace(node, qubits=operands)).strip())
        edits.append((span.start_line - 1, span.start_column, span.end_column + 1, " ".join(calls)))
    for row, start, end, text in sorted(edits, reverse=True):
        lines[row] = lines[row][:start] + text + lines[row][end:]
    return "\n".join(lines)


def has_while(tree: ast.Program) -> bool:
    """pyqasm unrolls `while` with no bound: on a loop whose condition a measurement changes
    (`bit b = 1; while (b != 0) { ... b = measure q; }`) it never returns. Not given those."""
    from openqasm3 import ast

    def walk(statements: Sequence[object]) -> bool:
        for statement in statements:
            if isinstance(statement, ast.WhileLoop):
                return True
            for name in ("block", "if_block", "else_block", "statements", "body"):
                inner = getattr(statement, name, None)
                if isinstance(inner, ast.CompoundStatement):
                    inner = inner.statements
                if isinstance(inner, list) and walk(inner):
                    return True
            cases = [body.statements for _, body in getattr(statement, "cases", None) or []]
            default = getattr(statement, "default", None)
            if isinstance(default, ast.CompoundStatement):
                cases.append(default.statements)
            if any(walk(c) for c in cases):
                return True
        return False

    return walk(tree.statements)


def _gate_calls(statements: Sequence[object]) -> list[ast.QuantumGate]:
    """Every gate call outside gate definitions, in loops and branches too."""
    from openqasm3 import ast

    found: list[ast.QuantumGate] = []
    for statement in statements:
        if isinstance(statement, ast.QuantumGate):
            found.append(statement)
        elif isinstance(statement, ast.QuantumGateDefinition):
            continue
        else:
            for name in ("block", "if_block", "else_block", "statements", "body"):
                inner = getattr(statement, name, None)
                if isinstance(inner, ast.CompoundStatement):
                    inner = inner.statements
                if isinstance(inner, list):
                    found.extend(_gate_calls(inner))
            for _, body in getattr(statement, "cases", []) or []:
                found.extend(_gate_calls(body.statements))
            default = getattr(statement, "default", None)
            if isinstance(default, ast.CompoundStatement):
                found.extend(_gate_calls(default.statements))
    return found


def pyqasm_text(source: str) -> tuple[str, int]:
    """pyqasm's flat text of `source`, and the length of the header it needed added on line 1."""
    import pyqasm

    # pyqasm requires a version header: add one on line 1 (columns on line 1 shift by its length).
    prefix = "" if HEADER.match(source) else PYQASM_PREFIX
    had_limit, limit = hasattr(sys, "tracebacklimit"), getattr(sys, "tracebacklimit", None)
    try:
        module = pyqasm.loads(prefix + source)
        module.unroll(external_gates=_external_gates(source))
        return pyqasm.dumps(module), len(prefix)
    finally:  # pyqasm sets sys.tracebacklimit = 0, process-wide, on every error it raises
        if had_limit:
            sys.tracebacklimit = limit
        elif hasattr(sys, "tracebacklimit"):
            del sys.tracebacklimit


def _external_gates(source: str) -> list[str]:
    """Standard gates, but not those the program defines itself: its own definition wins."""
    own = set(re.findall(r"(?m)^\s*gate\s+([A-Za-z_]\w*)", source))
    return [g for g in STANDARD_GATES if g not in own]


def pyqasm_unrolled(source: str) -> QuantumCircuit:
    import qiskit.qasm3

    return qiskit.qasm3.loads(pyqasm_text(source)[0])
