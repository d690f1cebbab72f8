"""core.circuit_drawing: the program read and drawn as an SVG (qiskit's text drawer), in a worker
process; errors and oversized circuits say so in plain words."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pytest

from desktop_app.core.circuit_drawing import (
    MAX_QUBITS,
    CircuitTooLarge,
    draw_program,
    text_to_svg,
)
from desktop_app.core.local import executor
from desktop_app.core.local.calls import call_in_worker
from desktop_app.core.programs import ProgramError

BELL = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
cx q[0], q[1];
c = measure q;
"""
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True, scope="module")
def _end_workers() -> object:
    yield
    executor.shutdown_workers()


def svg_words(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_a_bell_program_is_drawn_with_its_gates() -> None:
    drawing = draw_program(BELL, "bell.qasm")
    assert drawing.qubits == 2
    assert drawing.operations == {"h": 1, "cx": 1, "measure": 2}
    root = ET.fromstring(drawing.svg)
    words = svg_words(drawing.svg)
    assert words.count("H") == 1 and words.count("X") == 1  # the Hadamard and the CNOT target
    assert words.count("M") == 2  # both measurements
    assert words[:1] == ["q_0:"] and "q_1:" in words
    assert len(list(root.iter(f"{SVG}circle"))) == 1  # the CNOT's control dot
    assert len(list(root.iter(f"{SVG}line"))) > 20  # wires and gate boxes
    assert root.find(f"{SVG}title").text == "bell.qasm"
    assert "┤ H ├" in drawing.art  # the same picture as text


def test_the_drawing_is_made_in_a_worker_process() -> None:
    drawing = call_in_worker(draw_program, (BELL, None), what="drawing the circuit", timeout=30)
    assert drawing.drawn_by != os.getpid()
    assert drawing.operations["cx"] == 1


def test_an_erroneous_program_names_its_line_and_column() -> None:
    with pytest.raises(ProgramError) as caught:
        call_in_worker(draw_program, (BELL.replace("cx q[0]", "cz q[7]"), None), timeout=30)
    assert caught.value.line == 6 and caught.value.column is not None
    assert "Traceback" not in str(caught.value) and "Error" not in str(caught.value)


def test_a_circuit_too_large_to_draw_is_refused_with_its_size() -> None:
    wide = f'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[{MAX_QUBITS + 1}] q;\nh q;\n'
    with pytest.raises(CircuitTooLarge, match=rf"{MAX_QUBITS + 1} qubits.*up to {MAX_QUBITS}"):
        draw_program(wide)
    deep = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[1] q;\n' + "x q[0];\n" * 401
    with pytest.raises(CircuitTooLarge, match="401 operations"):
        draw_program(deep)


def test_text_art_is_escaped_and_laid_on_a_grid() -> None:
    svg = text_to_svg("a<b>&c ─┤\n  d", title="x & y")
    assert svg_words(svg) == ["a<b>&c", "d"]
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "x & y"
    texts = list(root.iter(f"{SVG}text"))
    assert float(texts[1].get("x")) > float(texts[0].get("x"))  # column 2 is right of column 0
    assert float(texts[1].get("y")) > float(texts[0].get("y"))  # the second line is below
    assert len(list(root.iter(f"{SVG}line"))) == 2 + 3  # ─ is two half-lines, ┤ three
