"""The QDK as the second reading of programs only our unroller reads (qasm/second_reading.py):
its samples confirm our exact distribution, refuse a wrong unrolling, and never refuse a right
one by chance; where it cannot check, the program runs with a warning that says why."""

from __future__ import annotations

import random
from typing import Any

import pytest

from desktop_app.core.programs import ProgramError, load_program
from desktop_app.core.qasm import routes, second_reading
from desktop_app.core.qasm.exact import distribution

V3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
# A subroutine returning a measured bit: qiskit's importer and pyqasm 1.3 cannot read it.
SYNDROME = (
    V3 + "def syndrome(qubit[2] d, qubit a) -> bit {\n  bit b;\n  cx d[0], a;\n  cx d[1], a;\n"
    "  b = measure a;\n  return b;\n}\nqubit[2] q;\nqubit a;\nbit syn;\nbit[2] c;\nh q[0];\n"
    "syn = syndrome(q, a);\nif (syn == 1) x q[0];\nc = measure q;\n"
)
# The same, read through a cast of a bit register: the QDK reads it big-endian.
CAST = (
    V3 + "def two(qubit[2] a) -> bit[2] {\n  bit[2] b;\n  b = measure a;\n  return b;\n}\n"
    "qubit[3] q;\nbit[2] m;\nbit c;\nx q[0];\nm = two(q[0:1]);\nif (int[2](m) == 1) x q[2];\n"
    "c = measure q[2];\n"
)

qdk = pytest.importorskip("qdk.openqasm")


def test_only_our_unroller_reads_these() -> None:
    for source in (SYNDROME, CAST):
        with pytest.raises(Exception):  # noqa: B017 - any refusal: the point is that it refuses
            routes.qiskit_importer(source)
        with pytest.raises(Exception):  # noqa: B017
            routes.pyqasm_unrolled(source)


def test_the_qdk_confirms_a_right_unrolling() -> None:
    program = load_program(SYNDROME, "s.qasm")
    assert program.warnings == ()
    # q[0] in |+>: the syndrome reads it, the correction sets it back to 0; q[1] stays 0
    assert distribution(program.circuit) == pytest.approx({"000": 0.5, "001": 0.5})


def test_a_wrong_unrolling_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    right = routes.unrolled

    def wrong(tree: Any) -> Any:  # the real unroller, with one gate too many first
        circuit, registers = right(tree)
        flipped = circuit.copy_empty_like()
        flipped.x(1)
        return flipped.compose(circuit), registers

    monkeypatch.setattr(routes, "unrolled", wrong)
    second_reading.qdk_counts.cache_clear()
    with pytest.raises(ProgramError) as info:
        load_program(SYNDROME, "s.qasm")
    assert "different results" in info.value.message
    assert (info.value.line, info.value.column) == (3, 1)


def test_a_register_read_as_a_number_is_not_refused_on_the_qdks_word() -> None:
    # The specification's cast (little-endian): m = "01" (m[0] = 1) is 1, so q[2] is flipped.
    program = load_program(CAST, "c.qasm")
    assert distribution(program.circuit) == pytest.approx({"101": 1.0})
    counts = second_reading.qdk_counts(CAST)
    assert counts == {"001": second_reading.SHOTS}  # the QDK's big-endian reading: 2 != 1
    (warning,) = program.warnings
    assert warning.startswith("c.qasm:3:1: ") and "opposite bit order" in warning


def test_without_the_qdk_the_program_runs_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    second_reading.qdk_counts.cache_clear()
    monkeypatch.setitem(sys.modules, "qdk.openqasm", None)  # as where the extra is not installed
    try:
        program = load_program(SYNDROME, "s.qasm")
    finally:
        second_reading.qdk_counts.cache_clear()
    (warning,) = program.warnings
    assert "no second reading could check" in warning and "not installed" in warning


def test_a_loop_the_exact_route_cannot_follow_is_checked_by_samples() -> None:
    source = V3 + "qubit q;\nbit b = 1;\nwhile (b != 0) {\n  h q;\n  b = measure q;\n}\n"
    program = load_program(source, "w.qasm")
    assert program.warnings == ()  # the QDK's samples and aer's samples of ours agree


def test_right_samples_are_never_refused_and_clear_differences_are() -> None:
    rng = random.Random(5)
    for _ in range(200):
        weights = [rng.random() ** 3 for _ in range(8)]
        expected = {format(k, "03b"): w / sum(weights) for k, w in enumerate(weights)}
        keys = list(expected)
        draw = rng.choices(keys, weights=[expected[k] for k in keys], k=second_reading.SHOTS)
        counts = {k: draw.count(k) for k in keys if draw.count(k)}
        other = rng.choices(keys, weights=[expected[k] for k in keys], k=second_reading.SHOTS)
        assert second_reading.agrees(expected, counts)
        assert second_reading.samples_agree(counts, {k: other.count(k) for k in set(other)})
    half = {"00": 0.5, "11": 0.5}
    assert not second_reading.agrees(half, {"00": 700, "11": 300})
    assert not second_reading.agrees(half, {"00": 499, "11": 499, "01": 2})  # impossible outcome
    assert not second_reading.samples_agree({"00": 700, "11": 300}, {"00": 500, "11": 500})
