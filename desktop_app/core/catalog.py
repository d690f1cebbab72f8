"""The backends Quantum Desk knows: the embedded simulator and the Azure Quantum targets.

Plain data, no qiskit or azure import: the backend table is shown before anything heavy loads.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.errors import UserInputError

LOCAL_SIMULATOR = "local.simulator"

# A statevector of n qubits holds 2**n complex128 amplitudes (16 bytes each): 30 qubits is 16 GiB,
# which fits a 24 GiB machine with the OS and the app; 31 (32 GiB) does not.
LOCAL_MAX_QUBITS = 30

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

    @property
    def is_simulator(self) -> bool:
        return self.kind == "simulator"


_BUILTIN: tuple[Backend, ...] = (
    Backend(
        LOCAL_SIMULATOR,
        "Local",
        "simulator",
        LOCAL_MAX_QUBITS,
        "qiskit.circuit",
        True,
        "Ideal (noise-free) simulator on this computer, qiskit-aer; "
        f"up to {LOCAL_MAX_QUBITS} qubits (statevector memory).",
    ),
    Backend(
        "ionq.qpu.forte-1",
        "IonQ",
        "hardware",
        36,
        "ionq.circuit.v1",
        False,
        f"IonQ Forte 1 trapped-ion quantum computer. {_NEEDS_PROFILE}",
    ),
    Backend(
        "ionq.qpu.forte-enterprise-1",
        "IonQ",
        "hardware",
        36,
        "ionq.circuit.v1",
        False,
        f"IonQ Forte Enterprise 1 trapped-ion quantum computer. {_NEEDS_PROFILE}",
    ),
    Backend(
        "ionq.simulator",
        "IonQ",
        "simulator",
        29,
        "ionq.circuit.v1",
        False,
        f"IonQ cloud simulator (ideal; returns exact probabilities). {_NEEDS_PROFILE}",
    ),
    Backend(
        "rigetti.sim.qvm",
        "Rigetti",
        "simulator",
        20,  # azure.quantum.target.rigetti.RigettiTarget.num_qubits("rigetti.sim.qvm")
        "rigetti.quil.v1",
        False,
        f"Rigetti Quantum Virtual Machine (Quil simulator). {_NEEDS_PROFILE}",
    ),
    Backend(
        "quantinuum.sim.h2-1sc",
        "Quantinuum",
        "simulator",
        56,
        "honeywell.openqasm.v1",
        False,
        f"Quantinuum H2-1 syntax checker: validates the program, returns all-zero results. "
        f"{_NEEDS_PROFILE}",
    ),
    Backend(
        "quantinuum.sim.h2-1e",
        "Quantinuum",
        "simulator",
        56,
        "honeywell.openqasm.v1",
        False,
        f"Quantinuum H2-1 emulator with the hardware's noise model. {_NEEDS_PROFILE}",
    ),
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
    return [_BUILTIN[0], *_emulation_backends(), *_BUILTIN[1:]]


def backend_names() -> list[str]:
    return [backend.name for backend in builtin_backends()]


def find_backend(name: str) -> Backend:
    for backend in builtin_backends():
        if backend.name == name:
            return backend
    raise UserInputError(f"unknown backend '{name}'; known backends: {', '.join(backend_names())}")
