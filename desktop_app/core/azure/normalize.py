"""Read each provider's raw job output back into counts keyed in Qiskit's bit order.

Qiskit order: one character per classical bit, classical bit 0 is the rightmost character.
- IonQ (`ionq.quantum-results.v1`): `{"histogram": {"<int>": probability}}`, the integer is the
  basis state of all qubits with qubit 0 as least significant bit; classical bits come from the
  measure map (clbit i <- qubit meas_map[i]).
- Quantinuum (`honeywell.quantum-results.v1`): `{"<creg>": ["<bits>", ...one per shot]}`, each
  string is the register's value with its highest bit first.
- Rigetti (`rigetti.quil-results.v1`): `{"ro": [[b0, b1, ...], ...one per shot]}`, ro[i] = clbit i.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop_app.core.azure.translate import Translation, provider_of


class OutputFormatError(ValueError):
    """The job's output does not have the shape its format promises."""


@dataclass(frozen=True)
class Readout:
    """How to turn one job's raw output into Qiskit bitstrings."""

    provider: str
    num_qubits: int
    num_clbits: int
    meas_map: tuple[int | None, ...] = ()
    registers: tuple[tuple[str, tuple[int, ...]], ...] = ()

    @classmethod
    def from_translation(cls, translation: Translation) -> Readout:
        return cls(
            provider=provider_of(translation.target),
            num_qubits=translation.num_qubits,
            num_clbits=translation.num_clbits,
            meas_map=translation.meas_map,
            registers=translation.registers,
        )

    @classmethod
    def from_metadata(cls, target: str, metadata: Mapping[str, str]) -> Readout:
        """Rebuild from the job metadata written by `Translation.metadata()` (resumed jobs)."""
        try:
            return cls(
                provider=provider_of(target),
                num_qubits=int(metadata["num_qubits"]),
                num_clbits=int(metadata["num_clbits"]),
                meas_map=tuple(json.loads(metadata.get("meas_map", "[]"))),
                registers=tuple(
                    (str(name), tuple(int(b) for b in bits))
                    for name, bits in json.loads(metadata.get("registers", "[]"))
                ),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise OutputFormatError(f"job metadata lacks the readout description: {exc}") from exc


def ionq_probabilities(raw: Mapping[str, Any], readout: Readout) -> dict[str, float]:
    histogram = raw.get("histogram")
    if not isinstance(histogram, Mapping):
        raise OutputFormatError("IonQ output has no 'histogram' object")
    probs: dict[str, float] = {}
    for key, value in histogram.items():
        try:
            state = int(key)
            p = float(value)
        except (TypeError, ValueError) as exc:
            raise OutputFormatError(f"IonQ histogram entry {key!r}: {value!r}") from exc
        chars = ["0" if qubit is None else str((state >> qubit) & 1) for qubit in readout.meas_map]
        bitstring = "".join(reversed(chars))
        probs[bitstring] = probs.get(bitstring, 0.0) + p
    return probs


def quantinuum_counts(raw: Mapping[str, Any], readout: Readout) -> dict[str, int]:
    if not readout.registers:
        raise OutputFormatError("the program has no classical register to read")
    per_register: list[tuple[tuple[int, ...], list[str]]] = []
    for name, clbits in readout.registers:
        shots = raw.get(name)
        if not isinstance(shots, list):
            raise OutputFormatError(f"Quantinuum output has no register '{name}'")
        per_register.append((clbits, [str(s) for s in shots]))
    n_shots = len(per_register[0][1])
    if any(len(shots) != n_shots for _, shots in per_register):
        raise OutputFormatError("Quantinuum registers have different numbers of shots")
    counts: Counter[str] = Counter()
    for shot in range(n_shots):
        bits = ["0"] * readout.num_clbits
        for clbits, shots in per_register:
            value = shots[shot]
            if len(value) != len(clbits) or set(value) - {"0", "1"}:
                raise OutputFormatError(f"Quantinuum shot {value!r} does not fit its register")
            for position, clbit in enumerate(clbits):
                bits[clbit] = value[len(value) - 1 - position]
        counts["".join(reversed(bits))] += 1
    return dict(counts)


def rigetti_counts(raw: Mapping[str, Any], readout: Readout) -> dict[str, int]:
    shots = raw.get("ro")
    if not isinstance(shots, list):
        raise OutputFormatError("Rigetti output has no 'ro' readout")
    counts: Counter[str] = Counter()
    for shot in shots:
        if not isinstance(shot, list) or len(shot) < readout.num_clbits:
            raise OutputFormatError(f"Rigetti shot {shot!r} is shorter than the readout")
        bits = [str(int(b)) for b in shot[: readout.num_clbits]]
        counts["".join(reversed(bits))] += 1
    return dict(counts)


def parse_output(payload: bytes) -> Mapping[str, Any]:
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OutputFormatError(f"job output is not JSON: {exc}") from exc
    if not isinstance(data, Mapping):
        raise OutputFormatError("job output is not a JSON object")
    return data
