"""The circuit view's "As <target> runs it": an emulation's native circuit, an Azure target's
translated circuit (the one its payload is made from), drawn like the program as written."""

from __future__ import annotations

import dataclasses
import os
import xml.etree.ElementTree as ET

import pytest

from desktop_app.core.azure import translate as tr
from desktop_app.core.circuit_drawing import MAX_OPERATIONS, CircuitTooLarge, draw_program
from desktop_app.core.errors import QuantumDeskError, UserInputError
from desktop_app.core.local import executor
from desktop_app.core.local.calls import call_in_worker
from desktop_app.core.programs import load_program
from desktop_app.core.translation_report import program_report

BELL = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
h q[0];
cx q[0], q[1];
measure q -> c;
"""
# gates IonQ's input (the qis gate set) does not take as they are
PHASES = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
u(0.3, 0.2, 0.1) q[0];
p(0.5) q[1];
cp(0.25) q[0], q[1];
measure q -> c;
"""
IONQ_EMULATION = "local.emulator.ionq-forte-1"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True, scope="module")
def _end_workers() -> object:
    yield
    executor.shutdown_workers()


def svg_words(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_bell_as_the_ionq_emulation_runs_it_is_drawn_in_native_gates() -> None:
    written = draw_program(BELL, "bell.qasm")
    assert written.target is None and written.note == ""
    assert "H" in svg_words(written.svg) and "┤ H ├" in written.art

    native = draw_program(BELL, "bell.qasm", IONQ_EMULATION)
    assert native.target == IONQ_EMULATION
    assert "h" not in native.operations and "cx" not in native.operations
    assert set(native.operations) <= {"rz", "rx", "rxx", "measure"}
    assert native.operations["rxx"] == 1 and native.operations["measure"] == 2  # the MS gate
    # the circuit the translation view reports for the emulation, gate for gate
    report = program_report(load_program(BELL), IONQ_EMULATION)
    assert native.operations == report["changes"]["after"]
    words = svg_words(native.svg)
    assert "H" not in words and any(w.startswith("Rxx(") for w in words)
    title = ET.fromstring(native.svg).find(f"{SVG}title")
    assert title is not None and title.text == f"bell.qasm as {IONQ_EMULATION} runs it"
    assert "native circuit" in native.note and "rz/rx/rxx" in native.note


def test_an_azure_target_is_drawn_as_its_payload_is_made() -> None:
    drawing = draw_program(PHASES, None, "ionq.simulator")
    translation = tr.translate(load_program(PHASES).circuit, "ionq.simulator")
    assert drawing.operations == dict(translation.native_counts)  # the payload's circuit
    assert not {"u", "p", "cp"} & set(drawing.operations)  # decomposed for IonQ's input
    assert set(drawing.operations) <= {*tr.IONQ_BASIS, "measure"}
    assert "ionq.circuit.v1" in drawing.note
    # IonQ's input takes H and CNOT as they are: Bell is sent as written, and the note points
    # at the emulation for the native gates the hardware runs
    bell = draw_program(BELL, None, "ionq.qpu.forte-1")
    assert bell.operations == {"h": 1, "cx": 1, "measure": 2}
    assert f"Tick {IONQ_EMULATION}" in bell.note
    rigetti = draw_program(PHASES, None, "rigetti.sim.qvm")
    assert (
        set(rigetti.operations) <= {*tr.RIGETTI_BASIS, "measure"} and "u" not in rigetti.operations
    )


def test_a_target_that_cannot_run_the_program_says_why() -> None:
    unmeasured = BELL.replace("measure q -> c;\n", "")
    with pytest.raises(UserInputError, match="measures no qubit"):
        draw_program(unmeasured, None, "quantinuum.sim.h2-1e")
    wide = BELL.replace("[2]", "[26]")  # drawable, but more than the emulation simulates
    with pytest.raises(UserInputError, match=f"26 qubits; {IONQ_EMULATION} simulates at most 25"):
        draw_program(wide, None, IONQ_EMULATION)
    with pytest.raises(UserInputError, match="as written"):
        draw_program(BELL, None, "local.simulator")
    with pytest.raises(UserInputError, match=r"ionq\.simulator"):  # the known backends listed
        draw_program(BELL, None, "no.such.target")


def test_a_native_circuit_over_the_size_limit_is_not_drawn() -> None:
    # 80 gates fit as written; in rz/rx/rxx each Toffoli is a dozen or more
    program = BELL.replace("h q[0];\ncx q[0], q[1];\n", "").replace("qreg q[2]", "qreg q[3]")
    program = program.replace("creg c[2]", "creg c[3]") + "ccx q[0], q[1], q[2];\nh q[2];\n" * 40
    assert draw_program(program).operations["ccx"] == 40
    with pytest.raises(CircuitTooLarge, match=f"as {IONQ_EMULATION} runs it.*{MAX_OPERATIONS}"):
        draw_program(program, None, IONQ_EMULATION)


def test_a_drawing_that_would_differ_from_the_translation_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = tr.translate

    def deeper(circuit: object, target: str) -> tr.Translation:
        translation = real(circuit, target)  # type: ignore[arg-type]
        return dataclasses.replace(translation, depth=translation.depth + 1)

    monkeypatch.setattr(tr, "translate", deeper)
    with pytest.raises(QuantumDeskError, match="would not match its translation"):
        draw_program(BELL, None, "ionq.simulator")


def test_the_native_drawing_is_made_in_a_worker_process() -> None:
    drawing = call_in_worker(
        draw_program, (BELL, None, IONQ_EMULATION), what="drawing the circuit", timeout=60
    )
    assert drawing.drawn_by != os.getpid() and "rxx" in drawing.operations
