"""`quantum-desk translate FILE --backend NAME [--json]`: the program as the target will run it.

For an Azure target: the payload that would be submitted (IonQ JSON, Quantinuum OpenQASM 2,
Rigetti Quil), its gates, depth and qubits, and what translation changed. For an offline
emulation: the program on the target's native gates and connectivity, with the estimated success
probability from the emulation's published figures. Nothing is sent anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from desktop_app.core.catalog import find_backend, target_name
from desktop_app.core.errors import UserInputError
from desktop_app.core.programs import load_program_file


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "translate",
        help="show the program as a target will run it",
        description="Translate an OpenQASM program for a backend and show what would be run: "
        "the payload, its native gates, depth and qubits, and what translation changed.",
    )
    parser.add_argument("file", metavar="FILE", help="OpenQASM program (.qasm)")
    parser.add_argument(
        "--backend", required=True, metavar="NAME", help="an Azure target or emulation"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=handle)


def translation_report(program_file: str, backend: str) -> dict[str, Any]:
    """What `translate --json` prints (a dict of plain values)."""
    program = load_program_file(program_file)  # ProgramError: file:line:column: message
    chosen = find_backend(backend)  # UserInputError naming the known backends
    before = {str(k): int(v) for k, v in program.circuit.count_ops().items()}
    if chosen.kind == "emulator":
        return _emulation_report(program, backend, before)
    if target_name(backend).is_local:
        raise UserInputError(
            f"{backend} runs the program as written: translate shows Azure targets and the "
            "offline emulations (see `quantum-desk backends`)"
        )
    from desktop_app.core.azure.translate import translate

    translation = translate(program.circuit, backend)  # UserInputError: cannot translate
    after = dict(translation.native_counts)
    stats = translation.stats
    return {
        "backend": backend,
        "input_data_format": translation.input_data_format,
        "payload": translation.input_data,
        "qubits_used": translation.num_qubits,
        "depth": translation.depth,
        "native_gates": {
            "one_qubit": stats.one_qubit,
            "two_qubit": stats.two_qubit,
            "multi_qubit": list(stats.multi_qubit),
            "measurements": stats.measurements,
            "resets": stats.resets,
        },
        "changes": _changes(before, after),
    }


def _emulation_report(program: Any, backend: str, before: dict[str, int]) -> dict[str, Any]:
    from qiskit import qasm3

    from desktop_app.core.emulation_table import find_emulation
    from desktop_app.core.local.emulation import native_circuit, success_estimate

    emulation = find_emulation(backend)
    assert emulation is not None  # find_backend found it among the emulations
    native = native_circuit(program.circuit, emulation)
    after = {str(k): int(v) for k, v in native.count_ops().items()}
    counted = Counter(
        "measurements"
        if inst.operation.name == "measure"
        else "one_qubit"
        if len(inst.qubits) == 1
        else "two_qubit"
        for inst in native.data
        if inst.operation.name not in ("barrier", "reset")
    )
    return {
        "backend": backend,
        "emulates": emulation.emulates,
        "input_data_format": "openqasm3 (native gates)",
        "payload": qasm3.dumps(native),
        "qubits_used": sum(1 for q in native.qubits if _used(native, q)),
        "depth": int(native.depth()),
        "native_gates": {
            "one_qubit": counted["one_qubit"],
            "two_qubit": counted["two_qubit"],
            "measurements": counted["measurements"],
        },
        "changes": _changes(before, after),
        "success_estimate": round(success_estimate(native, emulation), 6),
        "noise_source": emulation.source,
        "noise_checked": emulation.checked,
        "approximate": emulation.approximate,
    }


def _used(circuit: Any, qubit: Any) -> bool:
    return any(qubit in inst.qubits for inst in circuit.data if inst.operation.name != "barrier")


def _changes(before: dict[str, int], after: dict[str, int]) -> dict[str, Any]:
    """The gates translation removed or decomposed, and those it introduced."""
    removed = {g: n for g, n in before.items() if g not in after}
    added = {g: n for g, n in after.items() if g not in before}
    return {
        "before": dict(sorted(before.items())),
        "after": dict(sorted(after.items())),
        "replaced_or_removed": dict(sorted(removed.items())),
        "introduced": dict(sorted(added.items())),
        "barriers_removed": "barrier" in removed,
    }


def handle(args: argparse.Namespace) -> int:
    report = translation_report(args.file, args.backend)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    gates = report["native_gates"]
    out = sys.stdout
    out.write(f"{report['backend']} ({report['input_data_format']})\n")
    out.write(
        f"qubits used {report['qubits_used']}, depth {report['depth']}, one-qubit gates "
        f"{gates['one_qubit']}, two-qubit gates {gates['two_qubit']}, measurements "
        f"{gates['measurements']}\n"
    )
    changes = report["changes"]
    if changes["replaced_or_removed"]:
        gone = ", ".join(f"{g} x{n}" for g, n in changes["replaced_or_removed"].items())
        out.write(f"translated away: {gone}\n")
    if changes["introduced"]:
        new = ", ".join(f"{g} x{n}" for g, n in changes["introduced"].items())
        out.write(f"native gates: {new}\n")
    if "success_estimate" in report:
        out.write(
            f"estimated success probability {report['success_estimate']:.3f} "
            f"(an approximation; noise figures from {report['noise_source']}, read "
            f"{report['noise_checked']})\n"
        )
    payload = report["payload"]
    out.write("\n" + (payload if isinstance(payload, str) else json.dumps(payload, indent=2)))
    out.write("\n")
    return 0
