"""`quantum-desk translate --json` (issue 15): native gate counts checked by hand, and each payload,
decoded by the loopback emulator's own readers and simulated ideally, gives the program's
distribution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.compare import total_variation_distance
from tests.azure_emulator.circuits import from_ionq, from_qasm2, from_quil

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
QFT4 = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[4] q;\nbit[4] c;\nx q[0];\nh q[2];\n'
    "h q[3];\ncp(pi/2) q[2], q[3];\nh q[2];\ncp(pi/4) q[1], q[3];\ncp(pi/2) q[1], q[2];\n"
    "h q[1];\ncp(pi/8) q[0], q[3];\ncp(pi/4) q[0], q[2];\ncp(pi/2) q[0], q[1];\nh q[0];\n"
    "c = measure q;\n"
)
TARGETS = ("ionq.qpu.forte-1", "quantinuum.sim.h2-1e", "rigetti.sim.qvm")


def _report(capsys: pytest.CaptureFixture[str], path: Path, backend: str) -> dict[str, object]:
    assert main(["translate", str(path), "--backend", backend, "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def _distribution(circuit) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from qiskit.quantum_info import Statevector

    measured = {}
    for inst in circuit.data:
        if inst.operation.name == "measure":
            qubit = circuit.find_bit(inst.qubits[0]).index
            measured[circuit.find_bit(inst.clbits[0]).index] = qubit
    if not measured:  # IonQ's JSON measures every qubit at the end, into bit i from qubit i
        measured = {i: i for i in range(circuit.num_qubits)}
    state = Statevector(circuit.remove_final_measurements(inplace=False))
    return state.probabilities_dict(qargs=[measured[c] for c in range(len(measured))])


@pytest.mark.parametrize("backend", TARGETS)
@pytest.mark.parametrize(
    ("example", "expected"),
    [
        # hand-counted: Bell is h + cx + 2 measurements; GHZ-5 is h + 4 cx + 5 measurements, and
        # every target here accepts h and cx as they are
        ("bell.qasm", {"one_qubit": 1, "two_qubit": 1, "measurements": 2}),
        ("ghz5.qasm", {"one_qubit": 1, "two_qubit": 4, "measurements": 5}),
    ],
)
def test_native_gate_counts_by_hand(
    capsys: pytest.CaptureFixture[str], backend: str, example: str, expected: dict[str, int]
) -> None:
    report = _report(capsys, EXAMPLES / example, backend)
    gates = report["native_gates"]
    assert isinstance(gates, dict)
    assert {k: gates[k] for k in expected} == expected
    assert report["qubits_used"] == expected["measurements"]


def test_qft_controlled_phases_are_decomposed_where_the_target_lacks_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    program = tmp_path / "qft4.qasm"
    program.write_text(QFT4, encoding="utf-8")
    rigetti = _report(capsys, program, "rigetti.sim.qvm")
    # Quil has CPHASE: the six cp stay six two-qubit gates, x + 5 h stay six one-qubit gates
    assert rigetti["native_gates"] == {
        "one_qubit": 6,
        "two_qubit": 6,
        "multi_qubit": [],
        "measurements": 4,
        "resets": 0,
    }
    ionq = _report(capsys, program, "ionq.qpu.forte-1")
    changes = ionq["changes"]
    assert isinstance(changes, dict) and changes["replaced_or_removed"] == {"cp": 6}
    # IonQ's JSON has rzz but no cp: each cp(t) is rzz(-t/2) with rz(t/2) on both qubits
    assert changes["introduced"] == {"rz": 12, "rzz": 6}
    gates = ionq["native_gates"]
    assert isinstance(gates, dict) and (gates["one_qubit"], gates["two_qubit"]) == (6 + 12, 6)


@pytest.mark.parametrize("backend", TARGETS)
@pytest.mark.parametrize("example", ["bell.qasm", "ghz5.qasm", "qft4"])
def test_the_payload_runs_as_the_program(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, backend: str, example: str
) -> None:
    from desktop_app.core.programs import load_program_file

    if example == "qft4":
        path = tmp_path / "qft4.qasm"
        path.write_text(QFT4, encoding="utf-8")
    else:
        path = EXAMPLES / example
    report = _report(capsys, path, backend)
    payload = report["payload"]
    decode = {"ionq": from_ionq, "quantinuum": from_qasm2, "rigetti": from_quil}
    circuit = decode[backend.split(".")[0]](payload)
    expected = _distribution(load_program_file(str(path)).circuit)
    assert total_variation_distance(_distribution(circuit), expected) < 1e-9


def test_an_emulation_shows_native_gates_and_a_success_estimate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = _report(capsys, EXAMPLES / "bell.qasm", "local.emulator.quantinuum-h2-1")
    assert report["emulates"] == "quantinuum.qpu.h2-1"
    changes = report["changes"]
    assert isinstance(changes, dict) and set(changes["introduced"]) <= {"rz", "r", "rzz"}
    estimate = report["success_estimate"]
    assert isinstance(estimate, float) and 0.98 < estimate < 1.0
    assert report["approximate"] is False and "provider-quantinuum" in str(report["noise_source"])


def test_the_local_simulator_is_refused_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["translate", str(EXAMPLES / "bell.qasm"), "--backend", "local.simulator"]) == 2
    assert "runs the program as written" in capsys.readouterr().err
