"""The backends Quantum Desk knows: the embedded simulator, its offline emulations and the Azure
Quantum targets (qubit counts and formats from `resources/targets/catalog.toml`, with sources).

Plain data, no qiskit or azure import: the backend table is shown before anything heavy loads.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.errors import UserInputError
from desktop_app.core.program_limits import MAX_DECLARED_QUBITS
from desktop_app.core.target_table import CatalogDataError, TargetEntry, TargetTable, target_table

LOCAL_SIMULATOR = "local.simulator"

# No fixed cap below the program limit: the local simulator picks the method that fits the
# program (the stabilizer method runs a 100-qubit Clifford circuit in kilobytes) and refuses a run
# whose method needs more memory than is free (core.local.methods).
LOCAL_MAX_QUBITS = MAX_DECLARED_QUBITS

_NEEDS_PROFILE = "Needs an Azure Quantum profile (quantum-desk ... --profile NAME)."


@dataclass(frozen=True)
class TargetName:
    """What a backend's name says (`provider.kind.device`, e.g. "quantinuum.sim.h2-1e"): the one
    reader of target names, for targets the workspace lists beyond the built-in ones too."""

    name: str
    provider_id: str  # lower-cased, as the service treats it: "ionq", "quantinuum", "local", ...
    segment: str  # "qpu", "sim", "simulator", ... ("" when the name has no second part)

    @property
    def is_local(self) -> bool:
        return self.provider_id == "local"

    @property
    def is_simulator(self) -> bool:
        """A simulator or emulator ("ionq.simulator", "rigetti.sim.qvm", "quantinuum.sim.*")."""
        return self.segment in ("sim", "simulator")


def target_name(name: str) -> TargetName:
    provider, _, rest = name.partition(".")
    return TargetName(name, provider.lower(), rest.partition(".")[0].lower())


@dataclass(frozen=True)
class Backend:
    """One row of the backend table. Later work (prices, availability) adds fields with defaults."""

    name: str
    provider: str  # "Local", "IonQ", "Quantinuum", "Rigetti", ...
    kind: str  # "simulator" | "hardware" | "emulator" (an offline emulation of hardware)
    num_qubits: int
    input_format: str
    is_local: bool
    description: str

    # why Quantum Desk cannot translate a program for this target ("" when it can)
    untranslatable: str = ""
    source: str = ""  # where the qubit count comes from (the target table's citation)

    @property
    def is_simulator(self) -> bool:
        return self.kind == "simulator"


_LOCAL = Backend(
    LOCAL_SIMULATOR,
    "Local",
    "simulator",
    LOCAL_MAX_QUBITS,
    "qiskit.circuit",
    True,
    "Ideal (noise-free) simulator on this computer, qiskit-aer: the stabilizer method for "
    "Clifford circuits, the statevector otherwise, matrix product state on request; a run "
    "that needs more memory than is free is refused.",
)


def _table() -> TargetTable | None:
    try:
        return target_table()
    except CatalogDataError as exc:  # a damaged table costs the offline rows, not the app
        import logging  # not at import: `quantum-desk backends` starts without it

        logging.getLogger(__name__).warning("built-in target table unavailable: %s", exc)
        return None


def _azure_backend(entry: TargetEntry, table: TargetTable) -> Backend:
    provider = table.provider(entry.provider_id)
    assert provider is not None  # parse_table checks every target names a provider
    return Backend(
        entry.name,
        provider.name,
        entry.kind,
        entry.num_qubits,
        provider.input_format,
        False,
        f"{entry.description} {_NEEDS_PROFILE}",
        "" if provider.translates else provider.reason,
        entry.source,
    )


def _azure_backends() -> tuple[Backend, ...]:
    """The target table's `shown` targets, in its order."""
    table = _table()
    if table is None:
        return ()
    return tuple(_azure_backend(t, table) for t in table.targets if t.shown)


def workspace_backend(name: str, provider_id: str) -> Backend:
    """The summary row of a target a workspace lists: the table's figures when it knows the
    target, else what the name and provider say (qubits 0: the status call does not report them)."""
    table = _table()
    entry = table.target(name) if table is not None else None
    if entry is not None and table is not None:
        return _azure_backend(entry, table)
    provider = table.provider(provider_id) if table is not None else None
    reason = ""
    if provider is None:
        reason = (
            f"Quantum Desk cannot translate programs for {provider_id} targets: it translates for "
            "IonQ, Quantinuum and Rigetti."
        )
    elif not provider.translates:
        reason = provider.reason
    return Backend(
        name,
        provider.name if provider is not None else provider_id,
        "hardware" if target_name(name).segment == "qpu" else "simulator",
        0,
        provider.input_format if provider is not None else "",
        False,
        f"{name}: listed by the workspace (not in the built-in table; qubit count not reported).",
        reason,
    )


def _emulation_backends() -> tuple[Backend, ...]:
    """The offline emulations of `core.emulation_table`, as local backends ("emulator")."""
    from desktop_app.core.emulation_table import EmulationDataError, emulations

    try:
        table = emulations()
    except EmulationDataError as exc:  # a damaged table costs the emulations, not the app
        import logging  # only here: `quantum-desk backends` starts without it

        logging.getLogger(__name__).warning("offline emulations unavailable: %s", exc)
        return ()
    return tuple(
        Backend(
            e.name,
            _PROVIDER_NAMES.get(target_name(e.emulates).provider_id, "Local"),
            "emulator",
            e.num_qubits,
            "qiskit.circuit",
            True,
            e.summary,
        )
        for e in table
    )


_PROVIDER_NAMES = {"ionq": "IonQ", "quantinuum": "Quantinuum", "rigetti": "Rigetti"}


def builtin_backends() -> list[Backend]:
    """local.simulator first, then the offline emulations, then the Azure targets."""
    return [_LOCAL, *_emulation_backends(), *_azure_backends()]


def backend_names() -> list[str]:
    return [backend.name for backend in builtin_backends()]


def find_backend(name: str) -> Backend:
    for backend in builtin_backends():
        if backend.name == name:
            return backend
    raise UserInputError(f"unknown backend '{name}'; known backends: {', '.join(backend_names())}")
