"""Offline emulations of Azure hardware targets: the program on the target's native gates and
connectivity, and a noise model in qiskit-aer built from the figures of `core.emulation_table`
(each with its source and date). An emulation is labelled an approximation everywhere.

qiskit and qiskit-aer are imported inside the functions: the catalog reads this module's data
before anything heavy loads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from desktop_app.core.emulation_table import TRANSPILE_SEED as TRANSPILE_SEED  # bundles record it
from desktop_app.core.emulation_table import Emulation
from desktop_app.core.errors import UserInputError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import CouplingMap
    from qiskit_aer.noise import NoiseModel


def depolarizing_parameter(infidelity: float, num_qubits: int) -> float:
    """The depolarizing parameter whose channel has this average gate infidelity.

    For E(rho) = (1 - l) rho + l I/d: process fidelity 1 - l (1 - 1/d^2), and average fidelity
    (d F_pro + 1) / (d + 1), so l = infidelity * d / (d - 1) (2r for one qubit, 4r/3 for two).
    """
    dim = 2**num_qubits
    return float(infidelity * dim / (dim - 1))


def noise_model(emulation: Emulation, scale: float = 1.0) -> NoiseModel:
    """qiskit-aer's noise model of the emulation, every error rate multiplied by `scale`."""
    from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

    model = NoiseModel(basis_gates=list(emulation.basis))
    one = [g for g in emulation.basis if g in _ONE_QUBIT]
    two = [g for g in emulation.basis if g in _TWO_QUBIT]
    p1 = depolarizing_parameter(emulation.error_1q * scale, 1)
    p2 = depolarizing_parameter(emulation.error_2q * scale, 2)
    if p1 > 0:
        model.add_all_qubit_quantum_error(depolarizing_error(p1, 1), one)
    if p2 > 0:
        model.add_all_qubit_quantum_error(depolarizing_error(p2, 2), two)
    p_read = emulation.readout_error * scale
    if p_read > 0:
        model.add_all_qubit_readout_error(
            ReadoutError([[1 - p_read, p_read], [p_read, 1 - p_read]])
        )
    return model


_ONE_QUBIT = frozenset({"rz", "rx", "ry", "r", "sx", "x", "u"})
_TWO_QUBIT = frozenset({"rxx", "rzz", "cz", "cx", "ecr"})


def coupling_map(emulation: Emulation, num_qubits: int) -> CouplingMap | None:
    """None for all-to-all; a square-lattice patch just large enough for `num_qubits`."""
    if emulation.connectivity == "all-to-all":
        return None
    from qiskit.transpiler import CouplingMap

    columns = max(1, math.ceil(math.sqrt(num_qubits)))
    rows = max(1, math.ceil(num_qubits / columns))
    return CouplingMap.from_grid(rows, columns)


def native_circuit(circuit: QuantumCircuit, emulation: Emulation) -> QuantumCircuit:
    """`circuit` as the target runs it: its native gates on its connectivity (fixed seed)."""
    from qiskit import transpile

    coupling = coupling_map(emulation, circuit.num_qubits)
    native: QuantumCircuit = transpile(
        circuit,
        basis_gates=[*emulation.basis, "measure", "reset"],
        coupling_map=coupling,
        optimization_level=1,
        seed_transpiler=TRANSPILE_SEED,
    )
    return native


def success_estimate(native: QuantumCircuit, emulation: Emulation) -> float:
    """Estimated success probability: the product of the gate and readout fidelities over the
    native circuit (errors assumed independent; a rough guide, shown before the run)."""
    estimate = 1.0
    for inst in native.data:
        name = inst.operation.name
        if name == "measure":
            estimate *= 1 - emulation.readout_error
        elif name in ("barrier", "reset"):
            continue
        elif len(inst.qubits) == 1:
            estimate *= 1 - emulation.error_1q
        else:
            estimate *= 1 - emulation.error_2q
    return estimate


def emulated(
    circuit: QuantumCircuit, emulation: Emulation, options: Mapping[str, object]
) -> tuple[Any, QuantumCircuit]:
    """The noisy simulator of `emulation` and `circuit` ready for it (native gates, routed).

    `options["noise_scale"]` multiplies every error rate (0 gives the ideal limit of the same
    native circuit)."""
    from qiskit_aer import AerSimulator

    scale = options.get("noise_scale", 1.0)
    if not isinstance(scale, int | float) or not 0 <= scale <= 100:
        raise UserInputError("noise_scale must be a number between 0 and 100")
    native = native_circuit(circuit, emulation)
    return AerSimulator(noise_model=noise_model(emulation, float(scale))), native
