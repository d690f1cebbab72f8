"""A program's own gate named like a standard one (its own `cu(t)`, `rzz`, ...) stays its own.

The importers keep the program's definition, but the transpiler and the simulators recognise
gates by name: a custom `cu` with one parameter reaches qiskit-aer as its four-parameter `cu`
(refused, or worse, run as the wrong gate). Such gates are replaced by their own definitions.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

_MAX_DEPTH = 20


@functools.cache
def _standard() -> dict[str, type]:
    from qiskit.circuit.library import get_standard_gate_name_mapping

    return {name: type(gate) for name, gate in get_standard_gate_name_mapping().items()}


def _shadows(operation: Any) -> bool:
    standard = _standard().get(operation.name)
    return standard is not None and type(operation) is not standard


def own_gates_first(circuit: QuantumCircuit) -> QuantumCircuit:
    """`circuit`, with every gate that only shares a standard gate's name inlined."""
    if not _needs_work(circuit):
        return circuit
    return _rebuild(circuit, 0)


def _needs_work(circuit: QuantumCircuit) -> bool:
    for instruction in circuit.data:
        operation = instruction.operation
        if _shadows(operation):
            return True
        if any(_needs_work(block) for block in getattr(operation, "blocks", ())):
            return True
        definition = None if operation.name in _standard() else _definition(operation)
        if definition is not None and _needs_work(definition):
            return True
    return False


def _definition(operation: Any) -> QuantumCircuit | None:
    if getattr(operation, "blocks", ()):
        return None
    try:
        definition: QuantumCircuit | None = operation.definition
        return definition
    except Exception:  # an opaque gate: nothing inside
        return None


def _rebuild(circuit: QuantumCircuit, depth: int) -> QuantumCircuit:
    from desktop_app.core.qasm.wording import ProgramRefusal

    if depth > _MAX_DEPTH:
        raise ProgramRefusal("gate definitions nest too deeply", None, None)
    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation = instruction.operation
        blocks = getattr(operation, "blocks", ())
        if blocks:
            operation = operation.replace_blocks([_rebuild(b, depth + 1) for b in blocks])
            out.append(operation, instruction.qubits, instruction.clbits)
            continue
        definition = _definition(operation)
        if definition is not None and (_shadows(operation) or _needs_work(definition)):
            inner = _rebuild(definition, depth + 1)
            if not _shadows(operation):  # keep the program's gate, with a cleaned definition
                copy = operation.to_mutable()
                copy.definition = inner
                out.append(copy, instruction.qubits, instruction.clbits)
                continue
            out.global_phase += inner.global_phase
            for sub in inner.data:
                out.append(
                    sub.operation,
                    [instruction.qubits[inner.find_bit(q).index] for q in sub.qubits],
                    [instruction.clbits[inner.find_bit(c).index] for c in sub.clbits],
                )
            continue
        out.append(operation, instruction.qubits, instruction.clbits)
    return out
