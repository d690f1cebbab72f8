"""The circuit a target runs, for the circuit view's "As <target> runs it" (no Qt here).

- An offline emulation: the native circuit it simulates (`core.local.emulation.native_circuit`:
  the target's native gates on its connectivity, with the emulation's fixed transpiler seed).
- An Azure target: the circuit the app's translation makes the payload from (`core.azure.
  translate`): the program in the gates the provider's input format accepts. The provider's own
  compiler maps those to the hardware's native gates on its side, which the app never sees; the
  target's offline emulation, where there is one, shows native gates.

`translate` keeps its compiled circuit to itself, so it is compiled here again with the same
settings and checked against the translation's gate counts and depth: a drawing that would differ
from the payload is refused, never shown. qiskit is imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_app.core.catalog import find_backend, target_name
from desktop_app.core.errors import QuantumDeskError, UserInputError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit


@dataclass(frozen=True)
class AsRun:
    circuit: QuantumCircuit
    note: str  # one plain line: what this circuit is


def circuit_as_run(circuit: QuantumCircuit, target: str) -> AsRun:
    """`circuit` as `target` runs it; UserInputError when the target cannot run it (the same
    message the translation view and a run give) or runs the program as written."""
    backend = find_backend(target)  # UserInputError naming the known backends
    if backend.kind == "emulator":
        return _emulated(circuit, target)
    if target_name(target).is_local:
        raise UserInputError(f"{target} runs the program as written.")
    if backend.untranslatable:
        raise UserInputError(backend.untranslatable)
    return _translated(circuit, target)


def _emulated(circuit: QuantumCircuit, target: str) -> AsRun:
    from desktop_app.core.emulation_table import find_emulation
    from desktop_app.core.local.emulation import TRANSPILE_SEED, native_circuit

    emulation = find_emulation(target)
    if emulation is None:  # find_backend found it: the table changed in between
        raise UserInputError(f"{target} is no longer in the emulation table.")
    if circuit.num_qubits > emulation.num_qubits:  # as a run of it says
        raise UserInputError(
            f"the program uses {circuit.num_qubits} qubits; {target} simulates at most "
            f"{emulation.num_qubits} on this computer"
        )
    native = native_circuit(circuit, emulation)
    wiring = (
        "every qubit coupled to every other"
        if emulation.connectivity == "all-to-all"
        else "qubits laid out and routed as its couplings allow"
    )
    return AsRun(
        native,
        f"The native circuit {target} simulates: {emulation.native_gates}; {wiring} "
        f"(transpiler seed {TRANSPILE_SEED}).",
    )


def _translated(circuit: QuantumCircuit, target: str) -> AsRun:
    from qiskit import transpile
    from qiskit.transpiler.passes import UnrollForLoops

    from desktop_app.core.azure import translate as tr
    from desktop_app.core.emulation_table import emulations

    translation = tr.translate(circuit, target)  # UserInputError: why it cannot be sent
    basis = {"ionq": tr.IONQ_BASIS, "quantinuum": tr.QUANTINUUM_BASIS, "rigetti": tr.RIGETTI_BASIS}
    # the compile step of `translate`: for loops unrolled, then its basis at level 1, seed 1
    compiled: QuantumCircuit = transpile(
        UnrollForLoops()(circuit),
        basis_gates=[*basis[tr.provider_of(target)], "measure"],
        optimization_level=1,
        seed_transpiler=1,
    )
    counts = tuple(sorted((str(k), int(v)) for k, v in compiled.count_ops().items()))
    if counts != translation.native_counts or int(compiled.depth()) != translation.depth:
        raise QuantumDeskError(
            f"the drawing of the circuit sent to {target} would not match its translation, so "
            "it is not shown (the translation view, Ctrl+T, has the payload)."
        )
    provider = find_backend(target).provider
    note = (
        f"The circuit sent to {target} ({translation.input_data_format}): the gates "
        f"{provider}'s input accepts ({provider} compiles them further on its side)."
    )
    try:
        emulation = next((e for e in emulations() if e.emulates == target), None)
    except QuantumDeskError:  # a bad emulation table: the catalog says so; no hint here
        emulation = None
    if emulation is not None:
        note += f" Tick {emulation.name} to see native gates offline."
    return AsRun(compiled, note)
