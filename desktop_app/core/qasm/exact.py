"""Exact outcome probabilities of a small circuit, and whether two circuits give the same ones.

A route independent of qiskit-aer: qiskit's Statevector, branching on every mid-circuit
measurement and reset, following `if_else` on the bits measured so far. Used to check a rewritten
program against a second reading of it, and by the tests as the reference distribution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

MAX_QUBITS = 16  # 2**16 amplitudes per branch: milliseconds
MAX_BRANCHES = 512
_TOLERANCE = 1e-9


class TooHard(Exception):
    """The circuit is too large or uses what this route does not follow."""


def distribution(circuit: QuantumCircuit) -> dict[str, float]:
    """Outcome -> probability, keyed like aer's counts with registers joined (clbit 0 rightmost)."""
    from qiskit.quantum_info import Statevector

    if circuit.num_qubits > MAX_QUBITS:
        raise TooHard(f"{circuit.num_qubits} qubits")
    start = Statevector.from_label("0" * circuit.num_qubits) if circuit.num_qubits else None
    branches: list[tuple[float, Any, tuple[int, ...]]] = [(1.0, start, (0,) * circuit.num_clbits)]
    branches = _run(circuit, circuit.data, branches)
    result: dict[str, float] = {}
    for weight, _, bits in branches:
        key = "".join(str(b) for b in reversed(bits))
        result[key] = result.get(key, 0.0) + weight
    return {k: v for k, v in result.items() if v > _TOLERANCE}


def _run(
    circuit: QuantumCircuit, data: Any, branches: list[tuple[float, Any, tuple[int, ...]]]
) -> list[tuple[float, Any, tuple[int, ...]]]:
    for instruction in data:
        operation = instruction.operation
        qubits = [circuit.find_bit(q).index for q in instruction.qubits]
        clbits = [circuit.find_bit(c).index for c in instruction.clbits]
        name = operation.name
        if name in ("barrier", "delay", "id"):
            continue
        if name == "measure":
            branches = [b for branch in branches for b in _measure(branch, qubits[0], clbits[0])]
        elif name == "reset":
            branches = [b for branch in branches for b in _reset(branch, qubits[0])]
        elif name == "if_else":
            branches = _if_else(circuit, instruction, branches)
        elif clbits or getattr(operation, "_directive", False):
            raise TooHard(name)
        else:
            try:
                branches = [(w, s.evolve(operation, qargs=qubits), bits) for w, s, bits in branches]
            except Exception as exc:  # an instruction without a matrix (control flow, box, ...)
                raise TooHard(name) from exc
        if len(branches) > MAX_BRANCHES:
            raise TooHard("too many measurement branches")
    return branches


def _measure(
    branch: tuple[float, Any, tuple[int, ...]], qubit: int, clbit: int
) -> list[tuple[float, Any, tuple[int, ...]]]:
    weight, state, bits = branch
    out = []
    probabilities = state.probabilities([qubit])
    for outcome in (0, 1):
        p = float(probabilities[outcome])
        if p <= _TOLERANCE:
            continue
        projected = _project(state, qubit, outcome, p)
        new_bits = (*bits[:clbit], outcome, *bits[clbit + 1 :])
        out.append((weight * p, projected, new_bits))
    return out


def _reset(
    branch: tuple[float, Any, tuple[int, ...]], qubit: int
) -> list[tuple[float, Any, tuple[int, ...]]]:
    from qiskit.circuit.library import XGate

    weight, state, bits = branch
    out = []
    probabilities = state.probabilities([qubit])
    for outcome in (0, 1):
        p = float(probabilities[outcome])
        if p <= _TOLERANCE:
            continue
        projected = _project(state, qubit, outcome, p)
        if outcome:
            projected = projected.evolve(XGate(), qargs=[qubit])
        out.append((weight * p, projected, bits))
    # Reset discards which way it went: merge nothing (the states differ), keep both branches.
    return out


def _project(state: Any, qubit: int, outcome: int, p: float) -> Any:
    import numpy as np
    from qiskit.quantum_info import Statevector

    data = np.array(state.data, copy=True)
    mask = ((np.arange(len(data)) >> qubit) & 1) != outcome
    data[mask] = 0
    return Statevector(data / np.sqrt(p))


def _if_else(
    circuit: QuantumCircuit, instruction: Any, branches: list[tuple[float, Any, tuple[int, ...]]]
) -> list[tuple[float, Any, tuple[int, ...]]]:
    operation = instruction.operation
    condition = operation.condition
    true_body, false_body = (
        operation.blocks[0],
        operation.blocks[1] if len(operation.blocks) > 1 else None,
    )
    out = []
    for branch in branches:
        taken = _holds(circuit, condition, branch[2])
        body = true_body if taken else false_body
        if body is None:
            out.append(branch)
            continue
        out.extend(_run_block(circuit, instruction, body, [branch]))
    return out


def _run_block(
    circuit: QuantumCircuit,
    instruction: Any,
    body: QuantumCircuit,
    branches: list[tuple[float, Any, tuple[int, ...]]],
) -> list[tuple[float, Any, tuple[int, ...]]]:
    """Run a control-flow block: its qubits/clbits map onto the outer instruction's."""
    from qiskit import QuantumCircuit

    outer = QuantumCircuit(circuit.qubits, circuit.clbits)
    outer.compose(
        body, qubits=list(instruction.qubits), clbits=list(instruction.clbits), inplace=True
    )
    return _run(outer, outer.data, branches)


def _holds(circuit: QuantumCircuit, condition: Any, bits: tuple[int, ...]) -> bool:
    from qiskit.circuit import ClassicalRegister, Clbit

    if not isinstance(condition, tuple):
        raise TooHard("a classical expression")
    target, value = condition
    if isinstance(target, Clbit):
        return bool(bits[circuit.find_bit(target).index] == int(value))
    if isinstance(target, ClassicalRegister):
        number = sum(bits[circuit.find_bit(c).index] << i for i, c in enumerate(target))
        return bool(number == int(value))
    raise TooHard("this condition")


def total_variation(p: dict[str, float], q: dict[str, float]) -> float:
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in set(p) | set(q))


def same_outcomes(a: QuantumCircuit, b: QuantumCircuit) -> bool | None:
    """True/False when both circuits' exact distributions can be computed; None when too hard."""
    if a == b:  # the same instructions on the same bits: the same distribution at any size
        return True
    if a.num_clbits != b.num_clbits:
        return False
    try:
        return total_variation(distribution(a), distribution(b)) < 1e-6
    except TooHard:
        return None
