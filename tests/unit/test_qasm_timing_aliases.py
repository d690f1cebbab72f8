"""Timing left out with a warning, and `let` aliases: each against exact probabilities of a circuit
built here with qiskit's API (tests/unit/test_qasm_differential.py's reference), never parsed from
the same text; refusals located and in plain words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

from desktop_app.core.programs import ProgramError, load_program
from desktop_app.core.qasm import exact, timing
from desktop_app.core.qasm.wording import looks_internal
from tests.unit.test_programs_refusals import _mutants
from tests.unit.test_qasm_differential import V3, assert_matches, reference


def _bell_then_x() -> QuantumCircuit:
    q, c = QuantumRegister(3, "q"), ClassicalRegister(3, "c")
    qc = QuantumCircuit(q, c)
    qc.h(q[0])
    qc.cx(q[0], q[1])
    qc.x(q[2])
    qc.measure(q, c)
    return qc


def _ry_ladder() -> QuantumCircuit:
    q, c = QuantumRegister(3, "q"), ClassicalRegister(3, "c")
    qc = QuantumCircuit(q, c)
    for i in range(3):
        qc.ry(0.4 * (i + 1), q[i])
    qc.cx(q[0], q[2])
    qc.measure(q, c)
    return qc


def _physical() -> QuantumCircuit:
    q, c = QuantumRegister(3, "q"), ClassicalRegister(3, "c")
    qc = QuantumCircuit(q, c)
    qc.x(q[0])
    qc.ry(0.5, q[0])
    qc.cx(q[0], q[1])
    qc.h(q[2])
    qc.measure(q, c)
    return qc


def _aliases() -> QuantumCircuit:
    q, c = QuantumRegister(4, "q"), ClassicalRegister(4, "c")
    qc = QuantumCircuit(q, c)
    qc.x(q[0])  # the loop's p[0] for i = 0, 1
    qc.x(q[1])
    qc.h(q[0])  # a[0]
    qc.cx(q[0], q[1])  # a[0], b[0]
    qc.ry(0.3, q[2])  # b[1]
    qc.x(q[3])  # whole[2]
    qc.cx(q[3], q[0])  # one, io
    qc.measure(q, c)
    return qc


TIMING: dict[str, tuple[str, Callable[[], QuantumCircuit], str]] = {
    "stretch, delays and barriers (qiskit's importer afterwards)": (
        V3 + "stretch g;\nqubit[3] q;\nbit[3] c;\nbarrier q;\nh q[0];\ndelay[g] q[1];\n"
        "cx q[0], q[1];\ndelay[2 * g] q[0], q[2];\nx q[2];\nbarrier q;\nc = measure q;\n",
        _bell_then_x,
        "qiskit-qasm3",
    ),
    "box with a designator, durations, durationof (unrolled)": (
        V3 + "const int n = 3;\nqubit[n] q;\nbit[n] c;\nconst duration t = 20ns;\n"
        "duration d = 2 * t + durationof({x q[0];});\n"
        "box[4 * t] {\n  for int i in [0:n - 1] {\n    delay[d] q[i];\n"
        "    ry(0.4 * (i + 1)) q[i];\n  }\n}\nbox { cx q[0], q[2]; delay[t] q; }\nc = measure q;\n",
        _ry_ladder,
        "unrolled",
    ),
    "physical qubits in a box, stretch arithmetic with durationof (dd.qasm's shape)": (
        V3 + "stretch a;\nduration s = -0.5 * durationof({x $0;}) + a;\nbit[3] c;\n"
        "box {\n  delay[s] $0;\n  x $0;\n  delay[s] $0;\n  ry(0.5) $0;\n  cx $0, $1;\n"
        "  h $2;\n}\nc[0] = measure $0;\nc[1] = measure $1;\nc[2] = measure $2;\n",
        _physical,
        "qiskit-qasm3",
    ),
}

ALIASES: dict[str, tuple[str, Callable[[], QuantumCircuit], str]] = {
    "let: index sets, slices, concatenation, one qubit, inside a loop": (
        V3 + "const int n = 2;\nqubit[4] q;\nbit[4] c;\nlet a = q[{0, 2}];\nlet b = q[1:3];\n"
        "let one = q[3];\nlet io = q[0];\n"
        "for int i in [0:n - 1] {\n  let p = q[{i, i + 2}];\n  x p[0];\n  let io = p[1];\n}\n"
        "h a[0];\ncx a[0], b[0];\nry(0.3) b[1];\nlet whole = a ++ one;\nx whole[2];\n"
        "cx one, io;\nc = measure q;\n",
        _aliases,
        "unrolled",
    ),
    # physical qubits are declared by their use: not "undeclared" on the unrolled route either
    "physical qubits in a loop (unrolled)": (
        V3 + "const int n = 2;\nbit[3] c;\nfor int i in [0:n - 1] { ry(0.4 * (i + 1)) $0; }\n"
        "let pair = $0 ++ $2;\nry(0.8) $1;\nry(1.2) $2;\nry(-0.8) pair[0];\ncx pair[0], pair[1];\n"
        "c[0] = measure $0;\nc[1] = measure $1;\nc[2] = measure $2;\n",
        _ry_ladder,
        "unrolled",
    ),
}


@pytest.mark.parametrize("name", sorted(TIMING) + sorted(ALIASES))
def test_distribution_matches_the_reference(name: str) -> None:
    source, build, route = {**TIMING, **ALIASES}[name]
    expected = reference(build())
    assert exact.total_variation(exact.distribution(load_program(source).circuit), expected) < 1e-9
    assert_matches(source, expected, route)  # the app's simulator, within sampling noise


def test_timing_left_out_is_a_visible_warning_at_its_place() -> None:
    source = TIMING["stretch, delays and barriers (qiskit's importer afterwards)"][0]
    program = load_program(source, "t.qasm")
    assert program.source == source  # what the user wrote is kept: only the reading skips timing
    assert program.warnings[0].startswith("t.qasm:3:1: 'stretch' declaration left out")
    assert program.warnings[1].startswith("t.qasm:8:1: 'delay' (and 1 more) left out")
    assert all("no notion of time" in w and not looks_internal(w) for w in program.warnings)
    assert "delay" not in program.circuit.count_ops()
    assert program.circuit.count_ops()["barrier"] == 2  # barriers stay: they are in the circuit


def test_braces_in_comments_and_designators_are_not_the_box_body() -> None:
    source = (
        V3 + "qubit q;\nbit c;\nbox[durationof({x q;})] /* { */ // {\n{ x q; }\n"
        "  box { x q; } box[durationof({x q;})]{ x q; }\nc = measure q;\n"
    )
    program = load_program(source, "b.qasm")
    assert exact.distribution(program.circuit) == pytest.approx({"1": 1.0})  # three x gates
    assert program.warnings == (
        "b.qasm:5:1: 'box' (and 2 more) left out (the statements inside run as written): the "
        "simulator has no notion of time, and timing does not change an ideal simulation's "
        "outcomes",
    )


def test_a_plain_delay_stays_without_warning() -> None:
    program = load_program(V3 + "qubit q;\nbit c;\nx q;\ndelay[100ns] q;\nc = measure q;\n")
    assert program.warnings == () and program.route == "qiskit-qasm3"
    assert program.circuit.count_ops()["delay"] == 1


def test_positions_after_the_blanked_statements_are_the_users() -> None:
    source = V3 + "stretch g;\nqubit q;\ndelay[g] q;\nbox {\n  x q;\n}\nh r;\n"
    with pytest.raises(ProgramError) as info:
        load_program(source, "p.qasm")
    assert (info.value.line, info.value.column) == (9, 3)
    assert "r" in info.value.message and not looks_internal(info.value.message)


@pytest.mark.parametrize(
    ("source", "line", "column", "words"),
    [
        # a duration the program computes with: timing would change a rotation angle
        (V3 + "duration d = 10ns;\nqubit q;\nrx(d / 1ns) q;\n", 5, 4, "used as a value"),
        (V3 + "qubit q;\nfloat f = durationof({x q;}) / 1ns;\n", 4, 11, "used as a value"),
        (V3 + "qubit q;\nbox { bit b; x q; }\n", 4, 1, "'box' holding declarations"),
        (
            V3 + "stretch s;\nqubit q;\nbit c;\nc = measure q;\nextern f(int) -> int;\n",
            7,
            1,
            "'extern'",
        ),
    ],
)
def test_timing_that_cannot_be_left_out_is_refused_in_place(
    source: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(ProgramError) as info:
        load_program(source, "p.qasm")
    error = info.value
    assert (error.line, error.column) == (line, column), str(error)
    assert words in error.message and not looks_internal(error.message)


def test_an_edit_the_parser_does_not_confirm_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The blanked text must parse to the tree without the timing statements: a blanking that
    also removed a gate is caught by that check, and the program refused rather than run."""
    original = timing._blank

    def too_much(source: str, blanks: list[tuple[int, int, int, int]]) -> str:
        return original(source, blanks).replace("cx q[0], q[1];", "              ")

    monkeypatch.setattr(timing, "_blank", too_much)
    source = TIMING["stretch, delays and barriers (qiskit's importer afterwards)"][0]
    with pytest.raises(ProgramError) as info:
        load_program(source, "p.qasm")
    assert (info.value.line, info.value.column) == (3, 1)
    assert "could not be set aside safely" in info.value.message


def test_an_alias_of_classical_bits_is_refused_plainly() -> None:
    with pytest.raises(ProgramError) as info:
        load_program(V3 + "const int n = 1;\nqubit q;\nbit[2] c;\nlet b = c[0:1];\n", "p.qasm")
    assert info.value.line is not None and info.value.column is not None
    assert not looks_internal(info.value.message)


@pytest.mark.parametrize("name", sorted(TIMING) + sorted(ALIASES))
def test_every_refusal_of_every_mutant_is_plain_and_located(name: str) -> None:
    refused = 0
    for mutant in _mutants({**TIMING, **ALIASES}[name][0]):
        try:
            load_program(mutant, "m.qasm")
        except ProgramError as error:
            refused += 1
            assert error.line is not None and error.column is not None, (mutant, str(error))
            assert not looks_internal(error.message), (mutant, str(error))
    assert refused > 0


def test_cli_run_says_what_was_left_out(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.cli import main

    path = tmp_path / "timed.qasm"
    path.write_text(TIMING["stretch, delays and barriers (qiskit's importer afterwards)"][0])
    code = main(["run", str(path), "--shots", "20"])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in out + err
    assert f"quantum-desk: warning: {path}:3:1: 'stretch' declaration left out" in err
    assert "100" in out or "111" in out  # q0 = q1 (a Bell pair), q2 = 1
