"""A circuit in `translate.IONQ_BASIS` as IonQ's `ionq.circuit.v1` gate list ("qis" gate set).

The same JSON as qiskit-ionq's `helpers.qiskit_circ_to_ionq_circ` (qiskit-ionq 1.1.1, read
2026-12-01), for the gates `translate` transpiles to; tests compare the two on every one of those
gates and on random circuits. Written here because importing qiskit-ionq imports its HTTP client
too (`requests`, `urllib3`, `ssl`: ~0.13 s of a first Azure run's translation, issue 16), which a
translation never uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop_app.core.errors import UserInputError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

# qiskit gate -> IonQ's name for it (IonQ's "Supported gates"; qiskit-ionq's ionq_api_aliases)
_ONE_QUBIT = {
    "h": "h", "x": "x", "y": "y", "z": "z", "s": "s", "sdg": "si", "t": "t", "tdg": "ti",
    "sx": "v", "sxdg": "vi", "rx": "rx", "ry": "ry", "rz": "rz",
}  # fmt: skip
_CONTROLLED = {"cx": "x", "cy": "y", "cz": "z", "ch": "h", "ccx": "x"}  # controls, then one target
_PAIRS = {"swap": "swap", "rxx": "xx", "ryy": "yy", "rzz": "zz"}  # two targets
_ROTATIONS = frozenset({"rx", "ry", "rz", "rxx", "ryy", "rzz"})  # one angle: "rotation"
_SKIPPED = frozenset({"barrier", "id"})


def ionq_gates(
    circuit: QuantumCircuit, target: str
) -> tuple[list[dict[str, Any]], tuple[int | None, ...]]:
    """The gate list of `circuit` (in IONQ_BASIS) and its measurement map (clbit i was measured
    from qubit map[i]; None: never written). UserInputError for a gate outside IONQ_BASIS and for
    a gate on a qubit already measured (IonQ's format measures at the end only)."""
    gates: list[dict[str, Any]] = []
    meas_map: list[int | None] = [None] * circuit.num_clbits
    measured: set[int] = set()
    for inst in circuit.data:
        name = inst.operation.name
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        if name in _SKIPPED:
            continue
        if name == "measure":
            meas_map[circuit.find_bit(inst.clbits[0]).index] = qubits[0]
            measured.add(qubits[0])
            continue
        if name in _ONE_QUBIT:
            gate: dict[str, Any] = {"gate": _ONE_QUBIT[name], "targets": qubits}
        elif name in _CONTROLLED:
            gate = {"gate": _CONTROLLED[name], "targets": qubits[-1:], "controls": qubits[:-1]}
        elif name in _PAIRS:
            gate = {"gate": _PAIRS[name], "targets": qubits}
        else:
            raise UserInputError(f"{target} does not accept the gate '{name}' of this program.")
        used = measured.intersection(qubits)
        if used:
            raise UserInputError(
                f"{target} measures only at the end of a program: '{name}' acts on qubit "
                f"{min(used)} after it was measured."
            )
        if name in _ROTATIONS:
            gate["rotation"] = float(inst.operation.params[0])
        gates.append(gate)
    return gates, tuple(meas_map)
