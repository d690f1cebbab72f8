"""Cost estimates follow the providers' published formulas, on the circuit as it is submitted."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit, qasm2

from desktop_app.core.azure import pricing
from desktop_app.core.azure.translate import GateStats, translate

BELL = qasm2.loads(
    'OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[2]; h q[0]; cx q[0],q[1]; '
    "measure q -> c;"
)


def test_simulators_and_syntax_checkers_are_free():
    for target in ("ionq.simulator", "quantinuum.sim.h2-1sc", "rigetti.sim.qvm", "local.simulator"):
        estimate = pricing.estimate_cost(target, BELL, 1000)
        assert estimate.free and estimate.amount == 0.0, target
        assert not estimate.needs_confirmation
        assert estimate.display() == "Free"


def test_ionq_qpu_bell_1000_shots_with_and_without_mitigation():
    # Bell as submitted: 1 one-qubit gate (h), 1 two-qubit gate (cx).
    on = pricing.estimate_cost("ionq.qpu.forte-1", BELL, 1000)
    assert on.amount == pytest.approx(97.50 + 0.000220 * 1000 + 0.000975 * 1000, abs=0.01)
    assert on.unit == "USD" and on.needs_confirmation and on.is_estimate
    assert on.display().startswith("≈ $98.") and on.display().endswith("(estimate)")
    off = pricing.estimate_cost("ionq.qpu.forte-1", BELL, 1000, {"error_mitigation": False})
    assert off.amount == pytest.approx(12.4166 + 0.22 + 0.975, abs=0.01)
    # below 500 shots debiasing is not available, so the lower minimum applies
    few = pricing.estimate_cost("ionq.qpu.forte-enterprise-1", BELL, 100)
    assert few.amount == pytest.approx(12.4166 + 0.022 + 0.0975, abs=0.01)


def test_ionq_multi_controlled_gates_are_billed_as_two_qubit_gates():
    stats = GateStats(
        one_qubit=0, two_qubit=0, multi_qubit=(4,), measurements=4, resets=0, num_qubits=4
    )
    est = pricing.ionq_cost("ionq.qpu.forte-1", stats, 1000, error_mitigation=False)
    assert est.amount == pytest.approx(12.4166 + 0.000975 * 12 * 1000, abs=0.01)


def test_quantinuum_hqc_formula_counts_preparations_and_measurements():
    est = pricing.estimate_cost("quantinuum.sim.h2-1e", BELL, 1000)
    # N1q=1 (h), N2q=1 (cx), Nm = 2 preparations + 2 measurements
    assert est.amount == pytest.approx(5 + 1000 * (1 + 10 * 1 + 5 * 4) / 5000, abs=0.01)
    assert est.unit == "eHQC" and est.needs_confirmation
    assert "eHQC (estimate)" in est.display()
    qpu = pricing.estimate_cost("quantinuum.qpu.h2-1", BELL, 1000)
    assert qpu.unit == "HQC"


def test_rigetti_qpu_and_unknown_providers_cost_money_with_unknown_amount():
    for target in ("rigetti.qpu.cepheus-1-108q", "pasqal.qpu.fresnel"):
        est = pricing.estimate_cost(target, BELL, 100)
        assert est.amount is None and est.needs_confirmation
        assert est.display().startswith("Paid")


def test_estimate_uses_the_translated_circuit():
    qc = QuantumCircuit(2, 2)
    qc.cp(0.3, 0, 1)  # IonQ JSON has no controlled phase: it is rewritten before counting
    qc.measure([0, 1], [0, 1])
    est = pricing.estimate_cost("ionq.qpu.forte-1", qc, 1000, {"error_mitigation": "off"})
    stats = translate(qc, "ionq.qpu.forte-1").stats
    assert stats.one_qubit >= 1 and stats.one_qubit + stats.two_qubit > 1
    assert est.amount == pytest.approx(
        12.4166 + 0.22 * stats.one_qubit + 0.975 * stats.two_qubit, abs=0.01
    )
