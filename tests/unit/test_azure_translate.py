"""Each Azure translation, simulated back, gives the local ideal distribution in Qiskit bit order.

The translated forms are read back independently of the code under test: OpenQASM 2 by qiskit's
parser, IonQ JSON and Quil by small readers here that follow the formats' published meaning.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pytest
from qiskit import QuantumCircuit, qasm2
from qiskit.quantum_info import Statevector

from desktop_app.core.azure import translate as at
from desktop_app.core.azure.normalize import (
    OutputFormatError,
    Readout,
    ionq_probabilities,
    quantinuum_counts,
    rigetti_counts,
)
from desktop_app.core.errors import UserInputError

HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'

PROGRAMS = {
    "bell": HEADER + "qreg q[2]; creg c[2]; h q[0]; cx q[0],q[1]; measure q -> c;",
    # measured qubits land on permuted classical bits
    "ghz_permuted": HEADER + "qreg q[3]; creg c[3]; h q[0]; cx q[0],q[1]; cx q[1],q[2]; x q[1];"
    "measure q[0] -> c[2]; measure q[1] -> c[0]; measure q[2] -> c[1];",
    # not every qubit measured, one classical bit never written, many gate kinds
    "partial_rotations": HEADER
    + "qreg q[3]; creg c[3]; ry(0.7) q[0]; rx(1.1) q[1]; h q[2]; cp(0.4) q[2],q[0];"
    "u(0.3,0.2,0.1) q[1]; sdg q[0]; t q[1]; swap q[0],q[2]; ccx q[0],q[1],q[2]; sx q[0];"
    "p(0.9) q[1]; cu1(0.5) q[1],q[0]; ry(0.4) q[1];"
    "measure q[2] -> c[0]; measure q[0] -> c[2];",
    # two classical registers, the second one declared first in bit order
    "two_registers": HEADER + "qreg q[3]; creg b[2]; creg a[1]; h q[0]; cx q[0],q[2]; ry(1.2) q[1];"
    "measure q[0] -> a[0]; measure q[1] -> b[0]; measure q[2] -> b[1];",
}
EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.qasm")) if EXAMPLES.is_dir() else []
CONTROL_FLOW = ("if_else", "while_loop", "switch_case")  # for loops are unrolled

TARGETS = ("ionq.simulator", "quantinuum.sim.h2-1e", "rigetti.sim.qvm")


def _unitary_part(circuit: QuantumCircuit) -> QuantumCircuit:
    from qiskit.transpiler.passes import UnrollForLoops

    circuit = UnrollForLoops()(circuit)  # the reference runs `for` loops as repeated gates
    bare = QuantumCircuit(circuit.num_qubits)
    for inst in circuit.data:
        if inst.operation.name not in ("measure", "barrier"):
            bare.append(inst.operation, [circuit.find_bit(q).index for q in inst.qubits])
    return bare


def _clbit_distribution(state_probs: dict[int, float], meas: dict[int, int], n_clbits: int):
    """Distribution over classical bitstrings (Qiskit order) from a qubit-basis distribution."""
    out: Counter[str] = Counter()
    for state, p in state_probs.items():
        bits = ["0"] * n_clbits
        for clbit, qubit in meas.items():
            bits[clbit] = str((state >> qubit) & 1)
        out["".join(reversed(bits))] += p
    return {k: v for k, v in out.items() if v > 1e-12}


def _basis_probs(circuit: QuantumCircuit) -> dict[int, float]:
    probs = Statevector(_unitary_part(circuit)).probabilities()
    return {i: float(p) for i, p in enumerate(probs) if p > 1e-12}


def _measures(circuit: QuantumCircuit) -> dict[int, int]:
    return {
        circuit.find_bit(i.clbits[0]).index: circuit.find_bit(i.qubits[0]).index
        for i in circuit.data
        if i.operation.name == "measure"
    }


def ideal(circuit: QuantumCircuit) -> dict[str, float]:
    return _clbit_distribution(_basis_probs(circuit), _measures(circuit), circuit.num_clbits)


def assert_same_distribution(got: dict[str, float], want: dict[str, float]) -> None:
    keys = set(got) | set(want)
    assert all(len(k) == len(next(iter(want))) for k in got), got
    for key in keys:
        assert math.isclose(got.get(key, 0.0), want.get(key, 0.0), abs_tol=1e-9), (key, got, want)


# --- independent readers of the translated forms -------------------------------------------

_IONQ_1Q = {
    "h": "h",
    "x": "x",
    "y": "y",
    "z": "z",
    "s": "s",
    "si": "sdg",
    "t": "t",
    "ti": "tdg",
    "v": "sx",
    "vi": "sxdg",
}
_IONQ_ROT = {"rx": "rx", "ry": "ry", "rz": "rz", "xx": "rxx", "yy": "ryy", "zz": "rzz"}


def circuit_from_ionq(payload: dict) -> QuantumCircuit:
    from qiskit.circuit.library import standard_gates as g

    qc = QuantumCircuit(payload["qubits"])
    one = {
        "h": g.HGate,
        "x": g.XGate,
        "y": g.YGate,
        "z": g.ZGate,
        "s": g.SGate,
        "sdg": g.SdgGate,
        "t": g.TGate,
        "tdg": g.TdgGate,
        "sx": g.SXGate,
        "sxdg": g.SXdgGate,
    }
    for gate in payload["circuit"]:
        name, targets, controls = gate["gate"], gate["targets"], gate.get("controls", [])
        if name in _IONQ_ROT:
            op = getattr(qc, _IONQ_ROT[name])
            assert not controls
            op(gate["rotation"], *targets)
        elif name == "swap":
            assert not controls
            qc.swap(*targets)
        else:
            base = one[_IONQ_1Q[name]]()
            qc.append(base.control(len(controls)) if controls else base, [*controls, *targets])
    return qc


_QUIL_LINE = re.compile(r"^(DAGGER )?([A-Z]+)(?:\(([^)]*)\))? ([\d ]+)$")


def quil_read(text: str) -> tuple[QuantumCircuit, dict[int, int], int]:
    """(unitary part, ro index -> qubit, ro size) from the Quil subset the emitter writes."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    declared = re.fullmatch(r"DECLARE ro BIT\[(\d+)\]", lines[0])
    assert declared, lines[0]
    names = {
        "H": "h",
        "X": "x",
        "Y": "y",
        "Z": "z",
        "S": "s",
        "T": "t",
        "RX": "rx",
        "RY": "ry",
        "RZ": "rz",
        "PHASE": "p",
        "CNOT": "cx",
        "CZ": "cz",
        "CPHASE": "cp",
        "SWAP": "swap",
        "CCNOT": "ccx",
    }
    ops, meas = [], {}
    for ln in lines[1:]:
        m = re.fullmatch(r"MEASURE (\d+) ro\[(\d+)\]", ln)
        if m:
            meas[int(m.group(2))] = int(m.group(1))
            continue
        m = _QUIL_LINE.match(ln)
        assert m, ln
        dagger, name, params, args = m.groups()
        floats = [float(p) for p in params.split(",")] if params else []
        ops.append((names[name] + ("dg" if dagger else ""), floats, [int(a) for a in args.split()]))
    width = 1 + max([q for _, _, qs in ops for q in qs] + list(meas.values()))
    qc = QuantumCircuit(width)
    for method, floats, qubits in ops:
        getattr(qc, method)(*floats, *qubits)
    return qc, meas, int(declared.group(1))


# --- tests ------------------------------------------------------------------------------------


def _example_circuit(path: Path) -> QuantumCircuit:
    from desktop_app.core.programs import load_program_file

    return load_program_file(path).circuit


def _has_control_flow(circuit: QuantumCircuit) -> bool:
    return any(i.operation.name in CONTROL_FLOW for i in circuit.data)


STRAIGHT_EXAMPLES = [p for p in EXAMPLE_FILES if not _has_control_flow(_example_circuit(p))]


@pytest.fixture(params=[*sorted(PROGRAMS), *(f"example:{p.name}" for p in STRAIGHT_EXAMPLES)])
def circuit(request) -> QuantumCircuit:
    if request.param.startswith("example:"):
        return _example_circuit(EXAMPLES / request.param.removeprefix("example:"))
    legacy = qasm2.LEGACY_CUSTOM_INSTRUCTIONS
    return qasm2.loads(PROGRAMS[request.param], custom_instructions=legacy)


@pytest.mark.parametrize("path", [p for p in EXAMPLE_FILES if p not in STRAIGHT_EXAMPLES])
def test_control_flow_is_refused(path):
    qc = _example_circuit(path)
    for target in TARGETS:
        with pytest.raises(UserInputError, match="classical control flow"):
            at.translate(qc, target)


def test_ionq_json_matches_ideal_through_normalization(circuit):
    tr = at.translate(circuit, "ionq.simulator")
    assert tr.input_data_format == "ionq.circuit.v1"
    assert isinstance(tr.input_data, dict)
    assert tr.input_data["gateset"] == "qis"
    # What the IonQ simulator returns: exact probabilities over all qubits, qubit 0 = LSB.
    back = circuit_from_ionq(tr.input_data)
    histogram = {str(k): p for k, p in Statevector(back).probabilities_dict().items()}
    histogram = {str(int(k, 2)): p for k, p in histogram.items() if p > 1e-12}
    got = ionq_probabilities({"histogram": histogram}, Readout.from_translation(tr))
    assert_same_distribution(got, ideal(circuit))


def test_quantinuum_qasm_matches_ideal(circuit):
    tr = at.translate(circuit, "quantinuum.sim.h2-1e")
    assert tr.input_data_format == "honeywell.openqasm.v1"
    assert isinstance(tr.input_data, str)
    back = qasm2.loads(tr.input_data, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    used = {i.operation.name for i in back.data} - {"measure", "barrier"}
    assert used <= set(at.QUANTINUUM_BASIS), used
    assert_same_distribution(ideal(back), ideal(circuit))


def test_quantinuum_register_shots_normalize_like_qiskit(circuit):
    """Per-register shot strings (as Quantinuum returns them) give Qiskit's own counts."""
    from qiskit_aer import AerSimulator

    tr = at.translate(circuit, "quantinuum.sim.h2-1e")
    back = qasm2.loads(tr.input_data, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    result = AerSimulator(seed_simulator=7).run(back, shots=300, memory=True).result()
    memory = result.get_memory()  # "reg_last ... reg_first", each highest bit first
    names = [reg.name for reg in back.cregs]
    raw = {name: [] for name in names}
    for shot in memory:
        for name, value in zip(reversed(names), shot.split(" "), strict=True):
            raw[name].append(value)
    counts = quantinuum_counts(raw, Readout.from_translation(tr))
    want = {k.replace(" ", ""): v for k, v in result.get_counts().items()}
    assert counts == want


def test_quil_matches_ideal(circuit):
    tr = at.translate(circuit, "rigetti.sim.qvm")
    assert tr.input_data_format == "rigetti.quil.v1"
    assert isinstance(tr.input_data, str)
    bare, meas, ro_size = quil_read(tr.input_data)
    assert ro_size == circuit.num_clbits
    probs = {i: float(p) for i, p in enumerate(Statevector(bare).probabilities()) if p > 1e-12}
    # Rigetti returns ro[i] per shot; turn exact probabilities into a large integer sample.
    dist = _clbit_distribution(probs, meas, ro_size)
    shots = []
    for bitstring, p in dist.items():
        ro = [int(b) for b in reversed(bitstring)]
        shots += [ro] * round(p * 200_000)
    counts = rigetti_counts({"ro": shots}, Readout.from_translation(tr))
    total = sum(counts.values())
    got = {k: v / total for k, v in counts.items()}
    want = ideal(circuit)
    for key in set(got) | set(want):
        assert math.isclose(got.get(key, 0.0), want.get(key, 0.0), abs_tol=5e-5), key


def test_ionq_measure_map_and_metadata_roundtrip():
    qc = qasm2.loads(PROGRAMS["ghz_permuted"])
    tr = at.translate(qc, "ionq.qpu.forte-1")
    assert tr.meas_map == (1, 2, 0)
    again = Readout.from_metadata("ionq.qpu.forte-1", tr.metadata())
    assert again == Readout.from_translation(tr)
    # |q2 q1 q0> = |1 1 0>: q0=0 -> c2, q1=1 -> c0, q2=1 -> c1  => "011"
    assert ionq_probabilities({"histogram": {"6": 1.0}}, again) == {"011": 1.0}


def test_ionq_rejects_mid_circuit_measurement_and_reset():
    mid = qasm2.loads(
        HEADER + "qreg q[1]; creg c[2]; measure q[0] -> c[0]; x q[0];measure q[0] -> c[1];"
    )
    with pytest.raises(UserInputError, match="measures only at the end"):
        at.translate(mid, "ionq.simulator")
    reset = qasm2.loads(HEADER + "qreg q[1]; creg c[1]; reset q[0]; measure q[0] -> c[0];")
    with pytest.raises(UserInputError, match="reset"):
        at.translate(reset, "ionq.simulator")
    # Quantinuum and Rigetti take both
    assert "reset q[0];" in at.translate(reset, "quantinuum.sim.h2-1sc").input_data
    assert "RESET 0" in at.translate(reset, "rigetti.sim.qvm").input_data


def test_unknown_provider_and_unmeasured_program_are_plain_errors():
    bell = qasm2.loads(PROGRAMS["bell"])
    with pytest.raises(UserInputError, match=r"pasqal\.sim\.emu-tn.*IonQ, Quantinuum and Rigetti"):
        at.translate(bell, "pasqal.sim.emu-tn")
    silent = qasm2.loads(HEADER + "qreg q[1]; creg c[1]; h q[0];")
    with pytest.raises(UserInputError, match="measures no qubit"):
        at.translate(silent, "rigetti.sim.qvm")


def test_gate_stats_count_the_submitted_circuit():
    tr = at.translate(qasm2.loads(PROGRAMS["bell"]), "ionq.simulator")
    assert (tr.stats.one_qubit, tr.stats.two_qubit, tr.stats.measurements) == (1, 1, 2)
    assert tr.stats.num_qubits == 2


def test_bad_outputs_raise_format_errors():
    tr = at.translate(qasm2.loads(PROGRAMS["bell"]), "quantinuum.sim.h2-1e")
    readout = Readout.from_translation(tr)
    with pytest.raises(OutputFormatError, match="no register 'c'"):
        quantinuum_counts({"d": ["00"]}, readout)
    with pytest.raises(OutputFormatError, match="does not fit"):
        quantinuum_counts({"c": ["0"]}, readout)
    with pytest.raises(OutputFormatError, match="histogram"):
        ionq_probabilities({"counts": {}}, readout)
    with pytest.raises(OutputFormatError, match="'ro'"):
        rigetti_counts({}, readout)
