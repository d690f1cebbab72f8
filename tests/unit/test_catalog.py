"""The backend catalog."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_app.core.catalog import LOCAL_SIMULATOR, Backend, builtin_backends, find_backend
from desktop_app.core.errors import UserInputError
from desktop_app.core.program_limits import MAX_DECLARED_QUBITS

AZURE = {
    "ionq.qpu.forte-1": ("IonQ", "hardware", 36, "ionq.circuit.v1"),
    "ionq.qpu.forte-enterprise-1": ("IonQ", "hardware", 36, "ionq.circuit.v1"),
    "ionq.simulator": ("IonQ", "simulator", 29, "ionq.circuit.v1"),
    "rigetti.sim.qvm": ("Rigetti", "simulator", 20, "rigetti.quil.v1"),
    "quantinuum.sim.h2-1sc": ("Quantinuum", "simulator", 56, "honeywell.openqasm.v1"),
    "quantinuum.sim.h2-1e": ("Quantinuum", "simulator", 56, "honeywell.openqasm.v1"),
}


def test_local_simulator_comes_first() -> None:
    backends = builtin_backends()
    assert backends[0].name == LOCAL_SIMULATOR == "local.simulator"
    local = backends[0]
    assert (local.provider, local.kind, local.is_local) == ("Local", "simulator", True)
    # no fixed statevector cap: the method fits the program (tests/unit/test_local_methods.py)
    assert local.num_qubits == MAX_DECLARED_QUBITS


def test_azure_targets() -> None:
    rows = {b.name: b for b in builtin_backends() if not b.is_local}
    assert {n: (b.provider, b.kind, b.num_qubits, b.input_format) for n, b in rows.items()} == AZURE
    for backend in rows.values():
        assert not backend.is_local
        assert "Azure" in backend.description and "profile" in backend.description


def test_rigetti_qubits_match_the_azure_sdk() -> None:
    rigetti = pytest.importorskip("azure.quantum.target.rigetti")
    assert find_backend("rigetti.sim.qvm").num_qubits == rigetti.RigettiTarget.num_qubits(
        "rigetti.sim.qvm"
    )


def test_find_backend() -> None:
    assert find_backend("ionq.simulator").provider == "IonQ"
    with pytest.raises(UserInputError) as info:
        find_backend("ionq.qpu.aria-9")
    text = str(info.value)
    assert "ionq.qpu.aria-9" in text
    assert all(name in text for name in [LOCAL_SIMULATOR, *AZURE])


def test_backend_is_a_frozen_dataclass() -> None:
    backend = find_backend(LOCAL_SIMULATOR)
    assert dataclasses.is_dataclass(Backend)
    with pytest.raises(dataclasses.FrozenInstanceError):
        backend.num_qubits = 3  # type: ignore[misc]
    # builtin_backends returns a fresh list: callers may not change the catalog.
    builtin_backends().clear()
    assert len(builtin_backends()) == 10  # the simulator, 3 offline emulations, 6 Azure targets


def test_target_name_is_read_in_one_place() -> None:
    from desktop_app.core.catalog import target_name

    emulator = target_name("quantinuum.sim.h2-1e")
    assert (emulator.provider_id, emulator.segment, emulator.is_simulator) == (
        "quantinuum",
        "sim",
        True,
    )
    assert target_name("IonQ.QPU.Forte-1").provider_id == "ionq"  # the service lower-cases it
    assert not target_name("ionq.qpu.forte-1").is_simulator
    assert target_name("ionq.simulator").is_simulator
    assert target_name("local.simulator").is_local and not target_name("rigetti.sim.qvm").is_local
    assert target_name("pasqal").segment == ""


def test_the_offline_emulations_follow_the_local_simulator() -> None:
    backends = builtin_backends()
    emulators = [b for b in backends if b.kind == "emulator"]
    assert [b.name for b in backends[: 1 + len(emulators)]] == [
        LOCAL_SIMULATOR,
        *(b.name for b in emulators),
    ]
    assert {b.provider for b in emulators} == {"IonQ", "Quantinuum", "Rigetti"}
    for backend in emulators:
        assert backend.is_local and "approximation" in backend.description
        assert find_backend(backend.name) == backend
