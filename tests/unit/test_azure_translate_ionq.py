"""Our IonQ gate list (core.azure.translate_ionq) against qiskit-ionq's own converter."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.random import random_circuit
from qiskit_ionq import exceptions as ionq_exceptions
from qiskit_ionq.helpers import qiskit_circ_to_ionq_circ

from desktop_app.core.azure.translate import IONQ_BASIS
from desktop_app.core.azure.translate_ionq import ionq_gates
from desktop_app.core.errors import UserInputError


def _theirs(circuit: QuantumCircuit) -> tuple[list[dict[str, object]], tuple[int | None, ...]]:
    gates, _, meas_map = qiskit_circ_to_ionq_circ(circuit, gateset="qis")
    return gates, tuple(meas_map)


def _one_gate(name: str) -> QuantumCircuit:
    qc = QuantumCircuit(3, 3)
    angle = math.pi / 7
    if name in ("rx", "ry", "rz"):
        getattr(qc, name)(angle, 1)
    elif name in ("rxx", "ryy", "rzz"):
        getattr(qc, name)(angle, 2, 0)
    elif name == "ccx":
        qc.ccx(2, 0, 1)
    elif name in ("cx", "cy", "cz", "ch", "swap"):
        getattr(qc, name)(2, 1)
    else:
        getattr(qc, name)(1)
    qc.barrier()
    qc.measure([2, 0, 1], [0, 1, 2])
    return qc


@pytest.mark.parametrize("name", IONQ_BASIS)
def test_every_gate_of_the_basis_is_written_as_qiskit_ionq_writes_it(name: str) -> None:
    circuit = _one_gate(name)
    assert circuit.count_ops()[name] == 1
    assert ionq_gates(circuit, "ionq.simulator") == _theirs(circuit)


@pytest.mark.parametrize("seed", range(12))
def test_random_circuits_in_the_basis_match(seed: int) -> None:
    circuit = random_circuit(5, 6, max_operands=3, measure=True, seed=seed)
    compiled = transpile(
        circuit, basis_gates=[*IONQ_BASIS, "measure"], optimization_level=1, seed_transpiler=1
    )
    assert ionq_gates(compiled, "ionq.simulator") == _theirs(compiled)


def test_a_gate_after_a_measurement_is_refused_as_qiskit_ionq_refuses_it() -> None:
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.measure(0, 0)
    circuit.cx(1, 0)
    circuit.measure(1, 1)
    with pytest.raises(ionq_exceptions.IonQMidCircuitMeasurementError):
        _theirs(circuit)
    with pytest.raises(UserInputError, match="'cx' acts on qubit 0 after it was measured"):
        ionq_gates(circuit, "ionq.simulator")


def test_a_gate_outside_the_basis_is_refused_in_plain_words() -> None:
    circuit = QuantumCircuit(1, 1)
    circuit.p(0.3, 0)
    circuit.measure(0, 0)
    with pytest.raises(UserInputError, match="does not accept the gate 'p'"):
        ionq_gates(circuit, "ionq.qpu.forte-1")


def test_translating_for_ionq_imports_no_http_client() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from qiskit import qasm2\n"
        "from desktop_app.core.azure.translate import translate\n"
        'qc = qasm2.loads(\'OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[2]; '
        "h q[0]; cx q[0],q[1]; measure q -> c;')\n"
        "translate(qc, 'ionq.simulator')\n"
        "print(sorted(m for m in ('requests', 'urllib3', 'qiskit_ionq') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True,
        cwd=root,
    )  # fmt: skip
    assert done.stdout.strip() == "[]"
