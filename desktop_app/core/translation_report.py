"""The program as a target will run it: the translated payload, its native gates (one-qubit,
two-qubit, measurements), depth and qubits used, the figures its price is computed from, and what
translation changed; for an offline emulation, the native circuit and the estimated success
probability from its published figures. Nothing is sent anywhere.

Used by `quantum-desk translate` and by the window's translation view, which runs
`reports_for_program` in a worker process (`core.local.calls.call_in_worker`): translating is
qiskit work that must not freeze the window.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from desktop_app.core.catalog import find_backend, target_name
from desktop_app.core.errors import QuantumDeskError, UserInputError
from desktop_app.core.programs import Program, load_program, load_program_file


def translation_report(program_file: str, backend: str) -> dict[str, Any]:
    """What `translate --json` prints (a dict of plain values)."""
    return program_report(load_program_file(program_file), backend)


def program_report(program: Program, backend: str) -> dict[str, Any]:
    """The report of one loaded program on one backend (UserInputError when it cannot be made)."""
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


def _price_figures(
    program: Program, backend: str, shots: int, options: Mapping[str, object]
) -> dict[str, Any]:
    """The price of this run and the figures it is computed from (gates, shots, unit prices)."""
    from desktop_app.core.azure.pricing import estimate_cost

    try:
        estimate = estimate_cost(backend, program.circuit, shots, options)
    except QuantumDeskError as exc:
        return {"price": "unknown", "formula": str(exc), "figures": {}}
    return {
        "price": estimate.display(),
        "formula": estimate.formula,
        "figures": {str(k): v for k, v in estimate.breakdown.items()},
        "table_entry": estimate.entry,
        "checked": estimate.checked,
        "source": estimate.source,
    }


def _success_of_emulated(program: Program, backend: str) -> dict[str, Any] | None:
    """For a target with an offline emulation: the estimated success probability from it."""
    from desktop_app.core.emulation_table import emulations
    from desktop_app.core.local.emulation import native_circuit, success_estimate

    emulation = next((e for e in emulations() if e.emulates == backend), None)
    if emulation is None:
        return None
    native = native_circuit(program.circuit, emulation)
    return {
        "success_estimate": round(success_estimate(native, emulation), 6),
        "emulation": emulation.name,
        "noise_source": emulation.source,
        "noise_checked": emulation.checked,
        "approximate": emulation.approximate,
    }


def reports_for_program(
    source: str,
    path: str | None,
    backends: Sequence[str],
    shots: int,
    options: Mapping[str, object],
    backend_options: Mapping[str, Mapping[str, object]] | None = None,
) -> dict[str, Any]:
    """Every backend's report (or its one-line error) with the price's figures, and the pid that
    made them (the window checks the work ran outside its process). Run in a worker process.
    `backend_options`: a backend's own options over `options` (a row's switches)."""
    program = load_program(source, path)  # ProgramError: line:column: message, for all of them
    reports: dict[str, Any] = {}
    for backend in backends:
        try:
            report = program_report(program, backend)
            own = {**options, **(backend_options or {}).get(backend, {})}
            report["price"] = _price_figures(program, backend, shots, own)
            if "success_estimate" not in report:
                emulated = _success_of_emulated(program, backend)
                if emulated is not None:
                    report.update(emulated)
        except UserInputError as exc:
            report = {"backend": backend, "error": str(exc)}
        report["text"] = report_text(report)  # formatted here: the window only shows it
        reports[backend] = report
    return {"pid": os.getpid(), "shots": shots, "reports": reports}


def report_text(report: Mapping[str, Any]) -> str:
    """One backend's report as the text the window shows and copies (plain, no markup)."""
    import json

    name = str(report.get("backend", ""))
    if "error" in report:
        return f"{name}\n\nNot translated: {report['error']}\n"
    gates = report["native_gates"]
    lines = [
        f"{name}: {report['input_data_format']}"
        + (f" (offline emulation of {report['emulates']})" if "emulates" in report else ""),
        f"Qubits used: {report['qubits_used']}    Depth: {report['depth']}",
        f"Native gates: one-qubit {gates['one_qubit']}, two-qubit {gates['two_qubit']}, "
        f"measurements {gates['measurements']}",
    ]
    price = report.get("price")
    if isinstance(price, Mapping):
        lines.append(f"Price: {price['price']} ({price['formula']})")
        figures = ", ".join(f"{k} {v}" for k, v in price.get("figures", {}).items())
        if figures:
            lines.append(f"  computed from: {figures}")
        if price.get("table_entry"):
            lines.append(
                f"  price table entry {price['table_entry']}, checked {price['checked']}: "
                f"{price['source']}"
            )
    if "success_estimate" in report:
        kind = "approximate figures" if report.get("approximate") else "published figures"
        lines.append(
            f"Estimated success probability: {float(report['success_estimate']):.3f} (an "
            f"approximation, {kind}; noise figures from {report['noise_source']}, read "
            f"{report['noise_checked']})"
        )
    lines.append("What translation changed: " + _changes_text(report["changes"]))
    payload = report["payload"]
    text = payload if isinstance(payload, str) else json.dumps(payload, indent=2)
    lines += ["", "Payload:", text.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _changes_text(changes: Mapping[str, Any]) -> str:
    parts = []
    gone = {g: n for g, n in (changes.get("replaced_or_removed") or {}).items() if g != "barrier"}
    new = changes.get("introduced") or {}
    if gone:
        parts.append("decomposed or removed " + ", ".join(f"{g} x{n}" for g, n in gone.items()))
    if new:
        parts.append("introduced " + ", ".join(f"{g} x{n}" for g, n in new.items()))
    if changes.get("barriers_removed"):
        parts.append("barriers removed")
    return "; ".join(parts) if parts else "nothing (every gate is native as written)"


def success_estimates(source: str, path: str | None, names: Sequence[str]) -> dict[str, Any]:
    """Backend name -> the estimated success probability of the program there (a float), or why
    there is none (a text), for the emulations and the Azure targets one emulates. Run in a worker
    process, for the backend summary."""
    from desktop_app.core.emulation_table import emulations
    from desktop_app.core.local.emulation import native_circuit, success_estimate

    program = load_program(source, path)
    table = emulations()
    estimates: dict[str, Any] = {}
    for name in names:
        emulation = next((e for e in table if name in (e.name, e.emulates)), None)
        if emulation is None:
            continue
        if program.facts.num_qubits > emulation.num_qubits:
            estimates[name] = (
                f"the program uses more than the {emulation.num_qubits} qubits {emulation.name} "
                "simulates"
            )
            continue
        try:
            estimates[name] = success_estimate(
                native_circuit(program.circuit, emulation), emulation
            )
        except QuantumDeskError as exc:
            estimates[name] = str(exc)
    return {"pid": os.getpid(), "estimates": estimates}
