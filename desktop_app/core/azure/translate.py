"""Translate a Qiskit circuit into the input format of each Azure Quantum provider.

- IonQ (`ionq.circuit.v1`): after transpiling to gates whose meaning in IonQ's JSON is unambiguous
  (qiskit-ionq aliases `p`/`cp` to `z`/`cz` with a rotation), the JSON qiskit-ionq's converter
  writes for them (`translate_ionq`, checked against that converter in tests).
- Quantinuum (`honeywell.openqasm.v1`): qiskit's OpenQASM 2 exporter after transpiling to qelib1
  gates Quantinuum's compiler accepts.
- Rigetti (`rigetti.quil.v1`): a small Quil emitter (no maintained Qiskit->Quil library exists for
  Qiskit 2), after transpiling to gates Quil's standard gate set names.

Each translation carries what is needed to read the results back in Qiskit's bit order (see
`azure_normalize`). qiskit is imported inside the functions: core stays cheap.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_app.core.catalog import target_name
from desktop_app.core.errors import UserInputError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

IONQ_INPUT = "ionq.circuit.v1"
IONQ_OUTPUT = "ionq.quantum-results.v1"
QUANTINUUM_INPUT = "honeywell.openqasm.v1"
QUANTINUUM_OUTPUT = "honeywell.quantum-results.v1"
RIGETTI_INPUT = "rigetti.quil.v1"
RIGETTI_OUTPUT = "rigetti.quil-results.v1"

# Gates whose IonQ JSON form has one meaning (no rotation-on-`z` aliasing).
IONQ_BASIS = (
    "h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "sxdg", "rx", "ry", "rz",
    "cx", "cy", "cz", "ch", "ccx", "swap", "rxx", "ryy", "rzz",
)  # fmt: skip
# qelib1.inc gates (plus rzz) that Quantinuum's OpenQASM 2 front end accepts.
QUANTINUUM_BASIS = (
    "h", "x", "y", "z", "s", "sdg", "t", "tdg", "rx", "ry", "rz", "u1", "u2", "u3",
    "cx", "cy", "cz", "ch", "ccx", "swap", "rzz", "reset",
)  # fmt: skip
# Quil standard gates (DAGGER for the inverses), see the Quil specification.
RIGETTI_BASIS = (
    "h", "x", "y", "z", "s", "sdg", "t", "tdg", "rx", "ry", "rz", "p",
    "cx", "cz", "cp", "swap", "ccx", "reset",
)  # fmt: skip
_DIRECTIVES = ("measure",)

_QUIL_GATES = {
    "h": "H", "x": "X", "y": "Y", "z": "Z", "s": "S", "sdg": "DAGGER S", "t": "T",
    "tdg": "DAGGER T", "rx": "RX", "ry": "RY", "rz": "RZ", "p": "PHASE", "cx": "CNOT",
    "cz": "CZ", "cp": "CPHASE", "swap": "SWAP", "ccx": "CCNOT",
}  # fmt: skip


@dataclass(frozen=True)
class GateStats:
    """What providers bill on: gates of the circuit as submitted, and measurements."""

    one_qubit: int
    two_qubit: int
    multi_qubit: tuple[int, ...]  # qubit count of each gate acting on 3+ qubits
    measurements: int
    resets: int
    num_qubits: int
    # the one- and two-qubit gates the 3+-qubit gates decompose into (their Qiskit definition)
    multi_decomposed: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Translation:
    """A program ready for `Target.submit`, and how to read its results back."""

    target: str
    input_data: str | dict[str, Any]
    input_data_format: str
    output_data_format: str
    content_type: str
    num_qubits: int
    num_clbits: int
    # IonQ: classical bit i was measured from qubit meas_map[i] (None: never written)
    meas_map: tuple[int | None, ...] = ()
    # Quantinuum: register name -> the circuit's clbit index of each register bit (bit 0 first)
    registers: tuple[tuple[str, tuple[int, ...]], ...] = ()
    stats: GateStats = field(default_factory=lambda: GateStats(0, 0, (), 0, 0, 0))
    # the circuit as submitted: its gate names with their counts, and its depth
    native_counts: tuple[tuple[str, int], ...] = ()
    depth: int = 0

    def metadata(self) -> dict[str, str]:
        """Job metadata (strings only) that lets a later session normalize the results."""
        return {
            "quantum_desk": "1",
            "num_clbits": str(self.num_clbits),
            "num_qubits": str(self.num_qubits),
            "meas_map": json.dumps(list(self.meas_map)),
            "registers": json.dumps([[n, list(b)] for n, b in self.registers]),
        }


PROVIDERS = ("ionq", "quantinuum", "rigetti")  # the providers whose formats we translate to


def provider_of(target: str) -> str:
    """'ionq', 'quantinuum' or 'rigetti' from a target id; UserInputError for anything else."""
    provider = target_name(target).provider_id
    if provider in PROVIDERS:
        return provider
    raise UserInputError(
        f"Quantum Desk cannot translate programs for the Azure target '{target}' yet: "
        "it supports IonQ, Quantinuum and Rigetti targets."
    )


def translate(circuit: QuantumCircuit, target: str) -> Translation:
    """Translate `circuit` for the Azure target `target` (raises UserInputError when it cannot)."""
    from qiskit.transpiler.passes import UnrollForLoops

    provider = provider_of(target)
    circuit = UnrollForLoops()(circuit)  # a `for` loop is just repeated gates
    _reject_control_flow(circuit, target)
    if not any(inst.operation.name == "measure" for inst in circuit.data):
        raise UserInputError(
            f"The program measures no qubit, so {target} would return nothing: add 'measure' "
            "instructions."
        )
    if provider == "ionq":
        return to_ionq(circuit, target)
    if provider == "quantinuum":
        return to_quantinuum(circuit, target)
    return to_rigetti(circuit, target)


def _reject_control_flow(circuit: QuantumCircuit, target: str) -> None:
    for inst in circuit.data:
        if inst.operation.name in ("if_else", "while_loop", "for_loop", "switch_case", "box"):
            raise UserInputError(
                f"The program uses classical control flow ('{inst.operation.name}'), which "
                f"Quantum Desk cannot send to {target}: remove it or run it on the local simulator."
            )


def _transpile(circuit: QuantumCircuit, basis: Sequence[str], target: str) -> QuantumCircuit:
    from qiskit import transpile
    from qiskit.transpiler.exceptions import TranspilerError

    try:
        # No coupling map: the layout stays trivial, so qubit i remains qubit i.
        out: QuantumCircuit = transpile(
            circuit, basis_gates=[*basis, *_DIRECTIVES], optimization_level=1, seed_transpiler=1
        )
    except TranspilerError as exc:
        raise UserInputError(
            f"The program cannot be expressed in the gates {target} accepts: {exc}"
        ) from exc
    return out


def _decomposed(operation: Any) -> tuple[int, int]:
    """(one-qubit, two-qubit) gates of `operation`'s definition, recursively."""
    one = two = 0
    definition = getattr(operation, "definition", None)
    for inst in definition.data if definition is not None else ():
        if inst.operation.name == "barrier":
            continue
        if len(inst.qubits) == 1:
            one += 1
        elif len(inst.qubits) == 2:
            two += 1
        else:
            sub_one, sub_two = _decomposed(inst.operation)
            one, two = one + sub_one, two + sub_two
    return one, two


def _stats(circuit: QuantumCircuit) -> GateStats:
    one = two = meas = resets = 0
    multi: list[int] = []
    split = [0, 0]
    for inst in circuit.data:
        name = inst.operation.name
        if name == "barrier":
            continue
        if name == "measure":
            meas += 1
        elif name == "reset":
            resets += 1
        elif len(inst.qubits) == 1:
            one += 1
        elif len(inst.qubits) == 2:
            two += 1
        else:
            multi.append(len(inst.qubits))
            sub_one, sub_two = _decomposed(inst.operation)
            split = [split[0] + sub_one, split[1] + sub_two]
    return GateStats(one, two, tuple(multi), meas, resets, circuit.num_qubits, (split[0], split[1]))


def _translation(compiled: QuantumCircuit, target: str, **fields: Any) -> Translation:
    """A Translation of `compiled`: its size and gate statistics, plus the format's fields."""
    return Translation(
        target=target,
        num_qubits=compiled.num_qubits,
        num_clbits=compiled.num_clbits,
        stats=_stats(compiled),
        native_counts=tuple(sorted((str(k), int(v)) for k, v in compiled.count_ops().items())),
        depth=int(compiled.depth()),
        **fields,
    )


def _measure_map(circuit: QuantumCircuit) -> tuple[int | None, ...]:
    """clbit index -> the qubit last measured into it."""
    mapping: list[int | None] = [None] * circuit.num_clbits
    for inst in circuit.data:
        if inst.operation.name == "measure":
            mapping[circuit.find_bit(inst.clbits[0]).index] = circuit.find_bit(inst.qubits[0]).index
    return tuple(mapping)


def to_ionq(circuit: QuantumCircuit, target: str = "ionq.simulator") -> Translation:
    from desktop_app.core.azure.translate_ionq import ionq_gates

    if any(inst.operation.name == "reset" for inst in circuit.data):
        raise UserInputError(f"{target} cannot reset a qubit: remove the 'reset' instructions.")
    compiled = _transpile(circuit, IONQ_BASIS, target)
    gates, meas_map = ionq_gates(compiled, target)  # UserInputError: a gate after a measurement
    payload: dict[str, Any] = {"gateset": "qis", "qubits": compiled.num_qubits, "circuit": gates}
    return _translation(
        compiled,
        target,
        input_data=payload,
        input_data_format=IONQ_INPUT,
        output_data_format=IONQ_OUTPUT,
        content_type="application/json",
        meas_map=tuple(meas_map),
    )


def _plain_registers(circuit: QuantumCircuit) -> QuantumCircuit:
    """The same circuit with one register `q` and one `c` when bits lack a single register."""
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    owners = [len(circuit.find_bit(b).registers) for b in circuit.clbits]
    q_owners = [len(circuit.find_bit(b).registers) for b in circuit.qubits]
    if all(n == 1 for n in owners) and all(n == 1 for n in q_owners):
        return circuit
    plain = QuantumCircuit(QuantumRegister(circuit.num_qubits, "q"))
    if circuit.num_clbits:
        plain.add_register(ClassicalRegister(circuit.num_clbits, "c"))
    plain.compose(circuit, qubits=plain.qubits, clbits=plain.clbits, inplace=True)
    return plain


def to_quantinuum(circuit: QuantumCircuit, target: str = "quantinuum.sim.h2-1e") -> Translation:
    from qiskit import qasm2

    compiled = _plain_registers(_transpile(circuit, QUANTINUUM_BASIS, target))
    try:
        text = qasm2.dumps(compiled)
    except qasm2.QASM2ExportError as exc:
        raise UserInputError(
            f"The program cannot be written as OpenQASM 2 for {target}: {exc}"
        ) from exc
    registers = tuple(
        (reg.name, tuple(compiled.find_bit(bit).index for bit in reg)) for reg in compiled.cregs
    )
    return _translation(
        compiled,
        target,
        input_data=text,
        input_data_format=QUANTINUUM_INPUT,
        output_data_format=QUANTINUUM_OUTPUT,
        content_type="application/qasm",
        registers=registers,
    )


def _quil_number(value: float) -> str:
    text = repr(float(value))
    return text if math.isfinite(value) else "0.0"


def to_quil(circuit: QuantumCircuit, target: str = "rigetti.sim.qvm") -> str:
    """Quil text for `circuit` (already in RIGETTI_BASIS); readout in `ro`, bit i = clbit i."""
    lines = [f"DECLARE ro BIT[{max(circuit.num_clbits, 1)}]"]
    for inst in circuit.data:
        name = inst.operation.name
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        if name == "barrier":
            continue
        if name == "measure":
            lines.append(f"MEASURE {qubits[0]} ro[{circuit.find_bit(inst.clbits[0]).index}]")
        elif name == "reset":
            lines.append(f"RESET {qubits[0]}")
        elif name in _QUIL_GATES:
            params = [float(p) for p in inst.operation.params]
            args = f"({', '.join(_quil_number(p) for p in params)})" if params else ""
            lines.append(f"{_QUIL_GATES[name]}{args} {' '.join(str(q) for q in qubits)}")
        else:
            raise UserInputError(f"{target} cannot run the gate '{name}' of this program.")
    return "\n".join(lines) + "\n"


def to_rigetti(circuit: QuantumCircuit, target: str = "rigetti.sim.qvm") -> Translation:
    compiled = _transpile(circuit, RIGETTI_BASIS, target)
    return _translation(
        compiled,
        target,
        input_data=to_quil(compiled, target),
        input_data_format=RIGETTI_INPUT,
        output_data_format=RIGETTI_OUTPUT,
        content_type="text/plain",
    )
