"""Offline emulations (issue 15): native gates preserve the distribution, the noise matches its own
parameters (an exact density-matrix route vs aer's sampling), and the data table is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core import emulation_table
from desktop_app.core.compare import total_variation_distance
from desktop_app.core.emulation_table import EmulationDataError, emulations, find_emulation
from desktop_app.core.local import emulation as em
from desktop_app.core.local.worker import simulate
from desktop_app.core.request import RunRequest

BELL = (
    'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n'
    "measure q -> c;\n"
)
GHZ5 = (
    'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[5];\ncreg c[5];\nh q[0];\n'
    + "".join(f"cx q[{i}],q[{i + 1}];\n" for i in range(4))
    + "measure q -> c;\n"
)
QFT4 = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[4] q;\nbit[4] c;\nx q[0];\nh q[2];\n'
    "h q[3];\ncp(pi/2) q[2], q[3];\nh q[2];\ncp(pi/4) q[1], q[3];\ncp(pi/2) q[1], q[2];\n"
    "h q[1];\ncp(pi/8) q[0], q[3];\ncp(pi/4) q[0], q[2];\ncp(pi/2) q[0], q[1];\nh q[0];\n"
    "c = measure q;\n"
)
NAMES = [e.name for e in emulations()]


def _circuit(source: str):  # type: ignore[no-untyped-def]
    from desktop_app.core.programs import load_program

    return load_program(source).circuit


def _exact(circuit, emulation=None, scale: float = 1.0) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The outcome distribution by an independent route: qiskit.quantum_info density matrices,
    each native gate followed by its depolarizing channel, readout flips applied to the bits."""
    from qiskit.quantum_info import DensityMatrix, Operator
    from qiskit_aer.noise import depolarizing_error

    dm = DensityMatrix.from_label("0" * circuit.num_qubits)
    measured: dict[int, int] = {}  # clbit -> qubit
    for inst in circuit.data:
        name = inst.operation.name
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        if name == "measure":
            measured[circuit.find_bit(inst.clbits[0]).index] = qubits[0]
            continue
        if name == "barrier":
            continue
        dm = dm.evolve(Operator(inst.operation), qubits)
        if emulation is not None:
            infidelity = emulation.error_1q if len(qubits) == 1 else emulation.error_2q
            p = em.depolarizing_parameter(infidelity * scale, len(qubits))
            if p > 0:
                dm = dm.evolve(depolarizing_error(p, len(qubits)).to_quantumchannel(), qubits)
    probs = dm.probabilities_dict(qargs=[measured[c] for c in range(circuit.num_clbits)])
    flip = emulation.readout_error * scale if emulation is not None else 0.0
    result: dict[str, float] = {}
    for key, value in probs.items():  # key: clbit n-1 ... clbit 0
        for outcome in range(2**circuit.num_clbits):
            bits = format(outcome, f"0{circuit.num_clbits}b")
            weight = value
            for a, b in zip(key, bits, strict=True):
                weight *= flip if a != b else 1 - flip
            result[bits] = result.get(bits, 0.0) + weight
    return result


def _run(source: str, backend: str, shots: int, **options: object) -> dict[str, float]:
    result = simulate(
        RunRequest(source, None, backend, shots, options={"seed": 11, **options}), lambda m, f: None
    )
    return result.probabilities


def test_the_table_has_sources_and_dates() -> None:
    assert {e.emulates for e in emulations()} == {
        "ionq.qpu.forte-1",
        "quantinuum.qpu.h2-1",
        "rigetti.qpu.cepheus-1-108q",
    }
    for e in emulations():
        assert e.source.strip() and e.checked == "2026-12-01"
        assert "approximation" in e.summary


def test_depolarizing_parameter_gives_the_published_average_fidelity() -> None:
    from qiskit.quantum_info import average_gate_fidelity
    from qiskit_aer.noise import depolarizing_error

    for qubits, infidelity in ((1, 0.0005), (2, 0.004)):
        channel = depolarizing_error(em.depolarizing_parameter(infidelity, qubits), qubits)
        fidelity = average_gate_fidelity(channel.to_quantumchannel())
        assert fidelity == pytest.approx(1 - infidelity, abs=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("source", [BELL, GHZ5, QFT4], ids=["bell", "ghz5", "qft4"])
def test_native_transpilation_preserves_the_distribution(name: str, source: str) -> None:
    emulation = find_emulation(name)
    assert emulation is not None
    circuit = _circuit(source)
    native = em.native_circuit(circuit, emulation)
    used = {inst.operation.name for inst in native.data} - {"measure", "barrier"}
    assert used <= set(emulation.basis)
    assert total_variation_distance(_exact(native), _exact(circuit)) < 1e-9


@pytest.mark.parametrize("name", NAMES)
def test_bell_error_rate_is_what_its_own_parameters_predict(name: str) -> None:
    emulation = find_emulation(name)
    assert emulation is not None
    native = em.native_circuit(_circuit(BELL), emulation)
    expected = _exact(native, emulation)
    shots = 40_000
    sampled = _run(BELL, name, shots)
    # sampling noise of a 4-outcome distribution: TVD below 5/sqrt(shots) with high probability
    assert total_variation_distance(sampled, expected) < 5 / shots**0.5
    error_rate = expected.get("01", 0) + expected.get("10", 0)
    readout_only = 2 * emulation.readout_error * (1 - emulation.readout_error)
    assert error_rate >= readout_only - 1e-12  # noise adds to what readout alone flips
    assert error_rate < 1 - em.success_estimate(native, emulation) + 1e-9  # union-style bound


def test_ghz5_fidelity_drops_as_the_noise_grows() -> None:
    name = "local.emulator.ionq-forte-1"
    fidelities = []
    for scale in (1.0, 5.0, 20.0):
        probs = _run(GHZ5, name, 20_000, noise_scale=scale)
        fidelities.append(probs.get("00000", 0) + probs.get("11111", 0))
    assert fidelities[0] > fidelities[1] > fidelities[2]
    assert fidelities[0] > 0.9


@pytest.mark.parametrize("name", NAMES)
def test_the_ideal_limit_is_the_ideal_distribution(name: str) -> None:
    probs = _run(GHZ5, name, 4000, noise_scale=0)
    assert set(probs) == {"00000", "11111"}
    assert abs(probs["00000"] - 0.5) < 0.05


def test_success_estimate_is_the_product_of_fidelities() -> None:
    from qiskit import QuantumCircuit

    emulation = find_emulation("local.emulator.quantinuum-h2-1")
    assert emulation is not None
    native = QuantumCircuit(2, 2)
    native.rz(0.1, 0)
    native.rzz(0.3, 0, 1)
    native.measure([0, 1], [0, 1])
    expected = (1 - 0.00004) * (1 - 0.003) * (1 - 0.003) ** 2
    assert em.success_estimate(native, emulation) == pytest.approx(expected)


def test_a_bad_table_names_the_file_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "emulations.toml"
    good = emulation_table.data_file().read_text(encoding="utf-8")
    table.write_text(good.replace("error_2q = 0.004 ", "error_2q = 4 ", 1), encoding="utf-8")
    monkeypatch.setenv("QUANTUM_DESK_EMULATIONS_FILE", str(table))
    emulation_table.emulations.cache_clear()
    try:
        with pytest.raises(EmulationDataError, match=r"emulation 1: field 'error_2q'"):
            emulations()
        from desktop_app.core.catalog import builtin_backends

        assert all(b.kind != "emulator" for b in builtin_backends())  # the app still starts
    finally:
        emulation_table.emulations.cache_clear()
