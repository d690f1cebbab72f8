"""Provider input formats -> qiskit circuits, and aer results -> each provider's output format.

IonQ JSON (ionq.circuit.v1), OpenQASM 2 (honeywell.openqasm.v1), a Quil subset (rigetti.quil.v1) and
base-profile textual QIR (qir.v1) are translated here; failures raise CircuitError, which the
execution turns into the job's errorData.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # qiskit is imported lazily: it costs seconds at start-up
    from qiskit import QuantumCircuit


class CircuitError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid(message: str) -> CircuitError:
    return CircuitError("InvalidInputData", message)


# ---------------------------------------------------------------- IonQ JSON
_IONQ_1Q = {
    "x": "x",
    "y": "y",
    "z": "z",
    "h": "h",
    "s": "s",
    "si": "sdg",
    "t": "t",
    "ti": "tdg",
    "v": "sx",
    "vi": "sxdg",
    "not": "x",
    "cnot": "x",
}
_IONQ_ROT = {"rx": "rx", "ry": "ry", "rz": "rz"}
_IONQ_2Q_ROT = {"xx": "rxx", "yy": "ryy", "zz": "rzz"}


def from_ionq(payload: Any) -> QuantumCircuit:
    from qiskit import QuantumCircuit

    if not isinstance(payload, dict):
        raise invalid("IonQ input must be a JSON object with 'qubits' and 'circuit'.")
    body = payload.get("input", payload)
    qubits, gates = body.get("qubits"), body.get("circuit")
    if not isinstance(qubits, int) or qubits < 1 or not isinstance(gates, list):
        raise invalid("IonQ input needs an integer 'qubits' >= 1 and a 'circuit' list.")
    qc = QuantumCircuit(qubits)
    for index, gate in enumerate(gates):
        where = f"circuit[{index}]"
        if not isinstance(gate, dict) or "gate" not in gate:
            raise invalid(f"{where}: each gate needs a 'gate' field.")
        name = str(gate["gate"])
        targets = gate.get("targets", [gate["target"]] if "target" in gate else [])
        controls = gate.get("controls", [gate["control"]] if "control" in gate else [])
        for q in [*targets, *controls]:
            if not isinstance(q, int) or not 0 <= q < qubits:
                raise invalid(f"{where}: qubit {q!r} is outside 0..{qubits - 1}.")
        if not targets:
            raise invalid(f"{where}: gate '{name}' has no target.")
        op = _ionq_gate(name, gate, len(targets), where)
        if controls:
            op = op.control(len(controls))
        qc.append(op, [*controls, *targets])
    return qc


def _ionq_gate(name: str, gate: dict[str, Any], n_targets: int, where: str) -> Any:
    from qiskit.circuit import library as lib

    rotation = gate.get("rotation")
    if name in ("cx",):
        name = "x"
    if name in _IONQ_1Q and rotation is None:
        return {
            "x": lib.XGate,
            "y": lib.YGate,
            "z": lib.ZGate,
            "h": lib.HGate,
            "s": lib.SGate,
            "sdg": lib.SdgGate,
            "t": lib.TGate,
            "tdg": lib.TdgGate,
            "sx": lib.SXGate,
            "sxdg": lib.SXdgGate,
        }[_IONQ_1Q[name]]()
    if name == "z" and rotation is not None:  # the SDK sends p/cp as z with a rotation
        return lib.PhaseGate(float(rotation))
    if name in _IONQ_ROT:
        if rotation is None:
            raise invalid(f"{where}: gate '{name}' needs a 'rotation'.")
        return {"rx": lib.RXGate, "ry": lib.RYGate, "rz": lib.RZGate}[name](float(rotation))
    if name in _IONQ_2Q_ROT and n_targets == 2:
        return {"xx": lib.RXXGate, "yy": lib.RYYGate, "zz": lib.RZZGate}[name](float(rotation or 0))
    if name == "swap" and n_targets == 2:
        return lib.SwapGate()
    if name == "gpi":
        phi = 2 * math.pi * float(gate.get("phase", 0))
        return _gpi(phi)
    if name == "gpi2":
        return _gpi2(2 * math.pi * float(gate.get("phase", 0)))
    raise CircuitError("InvalidInputData", f"{where}: gate '{name}' is not supported by IonQ.")


def _gpi(phi: float) -> Any:
    import numpy as np
    from qiskit.circuit.library import UnitaryGate

    return UnitaryGate(np.array([[0, np.exp(-1j * phi)], [np.exp(1j * phi), 0]]), label="gpi")


def _gpi2(phi: float) -> Any:
    import numpy as np
    from qiskit.circuit.library import UnitaryGate

    return UnitaryGate(
        np.array([[1, -1j * np.exp(-1j * phi)], [-1j * np.exp(1j * phi), 1]]) / np.sqrt(2),
        label="gpi2",
    )


# ---------------------------------------------------------------- OpenQASM 2
def from_qasm2(text: str) -> QuantumCircuit:
    from qiskit import qasm2

    try:
        return qasm2.loads(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    except qasm2.QASM2ParseError as exc:
        raise invalid(f"OpenQASM 2 parse error: {exc}") from exc


# ---------------------------------------------------------------- Quil (subset)
_QUIL_FIXED = {
    "I": "id",
    "X": "x",
    "Y": "y",
    "Z": "z",
    "H": "h",
    "S": "s",
    "T": "t",
    "CNOT": "cx",
    "CZ": "cz",
    "SWAP": "swap",
    "CCNOT": "ccx",
}
_QUIL_PARAM = {"RX": "rx", "RY": "ry", "RZ": "rz", "PHASE": "p", "CPHASE": "cp"}
_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def _angle(text: str, where: str) -> float:
    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id.lower() == "pi":
            return math.pi
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = ev(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return float(_BINOPS[type(node.op)](ev(node.left), ev(node.right)))
        raise invalid(f"{where}: cannot evaluate the parameter '{text}'.")

    try:
        return ev(ast.parse(text.strip(), mode="eval").body)
    except SyntaxError as exc:
        raise invalid(f"{where}: cannot evaluate the parameter '{text}'.") from exc


def from_quil(text: str) -> QuantumCircuit:
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    declared: dict[str, int] = {}
    ops: list[tuple[str, list[float], list[int], str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        where = f"line {number}"
        if not line or line.startswith("PRAGMA"):
            continue
        if m := re.fullmatch(r"DECLARE\s+(\w+)\s+(BIT|OCTET|INTEGER|REAL)(?:\[(\d+)\])?", line):
            declared[m.group(1)] = int(m.group(3) or 1)
            continue
        if m := re.fullmatch(r"MEASURE\s+(\d+)(?:\s+(\w+)(?:\[(\d+)\])?)?", line):
            ops.append(("measure", [], [int(m.group(1))], f"{m.group(2) or ''}:{m.group(3) or 0}"))
            continue
        if m := re.fullmatch(r"RESET(?:\s+(\d+))?", line):
            ops.append(("reset", [], [int(m.group(1))] if m.group(1) else [], ""))
            continue
        if m := re.fullmatch(r"([A-Z][A-Z0-9_]*)(?:\(([^)]*)\))?((?:\s+\d+)+)", line):
            name, params, qubits = m.group(1), m.group(2), [int(q) for q in m.group(3).split()]
            if name in _QUIL_FIXED and params is None:
                ops.append((_QUIL_FIXED[name], [], qubits, ""))
            elif name in _QUIL_PARAM and params is not None:
                ops.append(
                    (_QUIL_PARAM[name], [_angle(p, where) for p in params.split(",")], qubits, "")
                )
            else:
                raise CircuitError(
                    "InvalidInputData", f"Quil {where}: unsupported instruction '{name}'."
                )
            continue
        if line.startswith("HALT"):
            break
        raise invalid(f"Quil {where}: cannot parse '{line}'.")
    used = [q for _n, _p, qs, _c in ops for q in qs]
    n_qubits = max(used) + 1 if used else 1
    qreg = QuantumRegister(n_qubits, "q")
    cregs = {name: ClassicalRegister(size, name) for name, size in declared.items()}
    qc = QuantumCircuit(qreg, *cregs.values())
    for name, params, qubits, creg in ops:
        if name == "measure":
            reg, _, idx = creg.partition(":")
            if not reg:
                continue  # MEASURE q without a target discards the result
            if reg not in cregs or int(idx) >= cregs[reg].size:
                raise invalid(f"Quil: MEASURE into undeclared memory '{reg}[{idx}]'.")
            qc.measure(qreg[qubits[0]], cregs[reg][int(idx)])
        elif name == "reset":
            qc.reset(qubits or list(range(n_qubits)))
        else:
            try:
                getattr(qc, name)(*params, *qubits)
            except Exception as exc:  # wrong arity and friends
                raise invalid(f"Quil: bad operands for {name.upper()} {qubits}: {exc}") from exc
    return qc


# ---------------------------------------------------------------- QIR (base profile, textual)
@dataclass
class QirProgram:
    circuit: QuantumCircuit
    # The output schema in record order: ("tuple", n) / ("array", n) / ("result", result index)
    records: list[tuple[str, int]] = field(default_factory=list)


_QIR_CALL = re.compile(
    r"call\s+\w+\s+@__quantum__(qis|rt)__(\w+?)(?:__body|__adj|__ctl)?\((.*)\)\s*$"
)
_QIR_1Q = {"h": "h", "x": "x", "y": "y", "z": "z", "s": "s", "t": "t"}
_QIR_ADJ = {"s": "sdg", "t": "tdg"}


def _qir_ids(args: str, kind: str) -> list[int]:
    ids = []
    for m in re.finditer(rf"%{kind}\*\s+(null|inttoptr\s*\(i64\s+(\d+)\s+to\s+%{kind}\*\))", args):
        ids.append(0 if m.group(1) == "null" else int(m.group(2)))
    return ids


def from_qir(text: str) -> QirProgram:
    from qiskit import QuantumCircuit

    if text.startswith("BC"):
        raise CircuitError(
            "InvalidInputData",
            "QIR bitcode is not supported by this emulator; submit textual LLVM IR.",
        )
    entry = re.search(r"define\s+\w+\s+@(\w+)\(\)\s*#(\d+)\s*\{(.*?)\n\}", text, re.S)
    if entry is None:
        raise invalid("QIR: no entry point function found.")
    attrs = re.search(rf"attributes\s+#{entry.group(2)}\s*=\s*\{{([^}}]*)\}}", text)
    n_qubits = n_results = 0
    if attrs:
        if m := re.search(r'"required_num_qubits"="(\d+)"', attrs.group(1)):
            n_qubits = int(m.group(1))
        if m := re.search(r'"required_num_results"="(\d+)"', attrs.group(1)):
            n_results = int(m.group(1))
    calls: list[tuple[str, str, str, bool, int]] = []
    for number, raw in enumerate(entry.group(3).splitlines(), start=1):
        line = raw.strip()
        if not line or line.endswith(":") or line.startswith(("ret", ";")):
            continue
        if line.startswith("br ") or " = " in line:
            raise CircuitError(
                "InvalidInputData",
                f"QIR line {number}: only the base profile "
                f"(straight-line code) is supported: '{line}'.",
            )
        m = _QIR_CALL.match(line)
        if m is None:
            raise invalid(f"QIR line {number}: cannot parse '{line}'.")
        calls.append((m.group(1), m.group(2), m.group(3), "__adj(" in line, number))
        for q in _qir_ids(m.group(3), "Qubit"):
            n_qubits = max(n_qubits, q + 1)
        for r in _qir_ids(m.group(3), "Result"):
            n_results = max(n_results, r + 1)
    qc = QuantumCircuit(max(n_qubits, 1), max(n_results, 1))
    records: list[tuple[str, int]] = []
    for space, name, args, adjoint, number in calls:
        qs, rs = _qir_ids(args, "Qubit"), _qir_ids(args, "Result")
        angles = [float(a) for a in re.findall(r"double\s+([-+0-9.eE]+)", args)]
        if space == "rt":
            if name in ("initialize",):
                continue
            if name in ("tuple_record_output", "array_record_output"):
                count = re.match(r"\s*i64\s+(\d+)", args)
                records.append((name.split("_")[0], int(count.group(1)) if count else 0))
            elif name == "result_record_output":
                records.append(("result", rs[0]))
            else:
                raise CircuitError(
                    "InvalidInputData", f"QIR line {number}: unsupported runtime call '{name}'."
                )
            continue
        if name in ("m", "mz", "mresetz"):
            qc.measure(qs[0], rs[0])
            if name == "mresetz":
                qc.reset(qs[0])
        elif name == "reset":
            qc.reset(qs[0])
        elif name in _QIR_1Q:
            getattr(qc, _QIR_ADJ[name] if adjoint and name in _QIR_ADJ else name)(qs[0])
        elif name in ("rx", "ry", "rz") and angles:
            getattr(qc, name)(angles[0], qs[0])
        elif name in ("rxx", "ryy", "rzz") and angles:
            getattr(qc, name)(angles[0], qs[0], qs[1])
        elif name in ("cx", "cnot"):
            qc.cx(qs[0], qs[1])
        elif name in ("cz", "cy", "swap", "ccx"):
            getattr(qc, name)(*qs)
        else:
            raise CircuitError(
                "InvalidInputData", f"QIR line {number}: unsupported gate '__quantum__qis__{name}'."
            )
    if not records:  # no output recording: every result, in order
        records = [("array", n_results), *[("result", r) for r in range(n_results)]]
    return QirProgram(qc, records)


def qir_outcome(records: list[tuple[str, int]], bits: dict[int, int]) -> Any:
    """One shot's output, in the service's JSON shape: arrays are lists, tuples {"ItemN": ...}."""
    pos = 0

    def take() -> Any:
        nonlocal pos
        kind, value = records[pos]
        pos += 1
        if kind == "result":
            return bits.get(value, 0)
        items = [take() for _ in range(value)]
        return items if kind == "array" else {f"Item{i + 1}": v for i, v in enumerate(items)}

    values = []
    while pos < len(records):
        values.append(take())
    return values[0] if len(values) == 1 else {f"Item{i + 1}": v for i, v in enumerate(values)}


def display(outcome: Any) -> str:
    if isinstance(outcome, dict):
        inner = ", ".join(display(v) for v in outcome.values())
        return f"({inner},)" if len(outcome) == 1 else f"({inner})"
    if isinstance(outcome, list):
        return "[" + ", ".join(display(v) for v in outcome) + "]"
    return str(outcome)


def microsoft_v2(records: list[tuple[str, int]], shots_bits: list[list[int]]) -> dict[str, Any]:
    shots = [qir_outcome(records, dict(enumerate(bits))) for bits in shots_bits]
    counts = Counter(display(s) for s in shots)
    first: dict[str, Any] = {}
    for s in shots:
        first.setdefault(display(s), s)
    histogram = [{"Outcome": first[d], "Display": d, "Count": c} for d, c in counts.items()]
    return {
        "DataFormat": "microsoft.quantum-results.v2",
        "Results": [{"Histogram": histogram, "Shots": shots}],
    }
