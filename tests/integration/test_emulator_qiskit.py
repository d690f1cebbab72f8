"""azure.quantum.qiskit.AzureQuantumProvider against the emulator: QIR and passthrough formats."""

from __future__ import annotations

import pytest

from tests.azure_emulator.fixtures import AzureEnv
from tests.integration.test_emulator_sdk import workspace

pytestmark = pytest.mark.azure


def _circuits():
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    bell = QuantumCircuit(2, 2, name="bell")
    bell.h(0)
    bell.cx(0, 1)
    bell.measure([0, 1], [0, 1])
    asym = QuantumCircuit(3, 3, name="asym")  # qubit 0 and 2 flipped: Qiskit counts "101"
    asym.x(0)
    asym.x(2)
    asym.measure([0, 1, 2], [0, 1, 2])
    q, a, b = QuantumRegister(3, "q"), ClassicalRegister(1, "a"), ClassicalRegister(2, "b")
    two_regs = QuantumCircuit(q, a, b, name="two_regs")
    two_regs.x(0)
    two_regs.x(2)
    two_regs.measure(q[0], a[0])
    two_regs.measure(q[1], b[0])
    two_regs.measure(q[2], b[1])
    return bell, asym, two_regs


@pytest.fixture
def provider(azure_env: AzureEnv):
    from azure.quantum.qiskit import AzureQuantumProvider

    return AzureQuantumProvider(workspace(azure_env))


@pytest.mark.parametrize("target", ["ionq.simulator", "quantinuum.sim.h2-1e", "rigetti.sim.qvm"])
def test_qir_default_round_trip(provider, target: str) -> None:
    bell, asym, two_regs = _circuits()
    backend = provider.get_backend(target)
    counts = backend.run(bell, shots=200).result().get_counts()
    assert set(counts) <= {"00", "01", "10", "11"}
    assert counts.get("00", 0) + counts.get("11", 0) > 160
    noiseless = not target.endswith("1e")
    asym_counts = backend.run(asym, shots=20).result().get_counts()
    assert max(asym_counts, key=asym_counts.get) == "101"
    assert asym_counts == {"101": 20} or not noiseless
    regs_counts = backend.run(two_regs, shots=10).result().get_counts()
    assert max(regs_counts, key=regs_counts.get) == "10 1"  # register b then a, as Qiskit prints
    assert regs_counts == {"10 1": 10} or not noiseless


def test_ionq_passthrough_round_trip(provider) -> None:
    bell, asym, _ = _circuits()
    backend = provider.get_backend(
        "ionq.simulator", input_data_format="ionq.circuit.v1", gateset="qis"
    )
    counts = backend.run(bell, shots=1000).result().get_counts()
    assert set(counts) == {"00", "11"} and 400 < counts["00"] < 600
    assert backend.run(asym, shots=10).result().get_counts() == {"101": 10}


def test_quantinuum_passthrough_round_trip(provider) -> None:
    bell, asym, _ = _circuits()
    backend = provider.get_backend(
        "quantinuum.sim.h2-1e", input_data_format="honeywell.openqasm.v1"
    )
    counts = backend.run(bell, shots=100).result().get_counts()
    assert counts.get("00", 0) + counts.get("11", 0) > 80
    asym_counts = backend.run(asym, shots=50).result().get_counts()
    assert max(asym_counts, key=asym_counts.get) == "101"
