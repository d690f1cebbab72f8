"""Refusals: each names what and where, in our words (no exception text, module or type names)."""

from __future__ import annotations

import pytest

from desktop_app.core.programs import ProgramError, load_program
from desktop_app.core.qasm.wording import looks_internal
from tests.unit.test_qasm_differential import CASES, app_counts

V3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


def refusal(source: str) -> ProgramError:
    with pytest.raises(ProgramError) as info:
        load_program(source, "p.qasm")
    error = info.value
    assert error.line is not None and error.column is not None, str(error)
    assert not looks_internal(error.message), str(error)
    assert "\n" not in error.message
    return error


@pytest.mark.parametrize(
    ("source", "line", "column", "words"),
    [
        (V3 + "defcal x $0 { }\nqubit q;\n", 3, 1, "('defcal') are not supported"),
        (V3 + 'defcalgrammar "openpulse";\nqubit q;\n', 3, 1, "'defcalgrammar'"),
        (V3 + "qubit q;\ncal { }\n", 4, 1, "'cal') are not supported"),
        # timing is left out with a warning where it cannot change outcomes, refused where it
        # is a value the program computes with (tests/unit/test_qasm_timing_aliases.py)
        (V3 + "qubit q;\n  stretch s;\nrx(s / 1ns) q;\n", 5, 4, "used as a value"),
        (V3 + "extern f(int) -> int;\nqubit q;\n", 3, 1, "'extern' functions are not supported"),
        # `// box` in a comment is not the feature
        (V3 + "// box here\nqubit q;\nbit c;\nx q;\nc = measure q;\nextern g();\n", 8, 1, "extern"),
    ],
)
def test_features_no_simulator_runs_are_named_at_their_place(
    source: str, line: int, column: int, words: str
) -> None:
    error = refusal(source)
    assert (error.line, error.column) == (line, column)
    assert words in error.message and "not supported" in error.message


def test_redefining_a_standard_gate_after_the_include_is_located() -> None:
    error = refusal(V3 + "qubit[2] q;\ngate cu(t) a, b { ctrl @ rx(t) a, b; }\n")
    assert (error.line, error.column) == (4, 6)
    assert "'cu' is already defined by stdgates.inc" in error.message


def test_a_semicolon_that_is_there_is_not_reported_missing() -> None:
    error = refusal(V3 + "const int n;\nqubit q;\n")
    assert (error.line, error.column) == (3, 12)
    assert "expected ';'" not in error.message and "'='" in error.message


@pytest.mark.parametrize(
    "source",
    [
        # a measured angle register shifted in a loop (the specification's ipe.qasm does this)
        V3 + "qubit q;\nangle[4] c;\nfor uint i in [0:3] { h q; measure q -> c[0]; c <<= 1; }\n",
        # a subroutine returning a measurement, used in a condition
        V3 + "def f(qubit a) -> bit { return measure a; }\nqubit q;\nbit b;\nif (f(q)) x q;\n",
        V3 + "qubit q;\ninput float theta;\nrx(theta) q;\n",
        V3 + "qubit[2] q;\nx q[0], q[1];\n",
        V3 + "qubit q;\nbit c;\nc = measure q;\nint n = c;\n",
        V3 + "qubit q;\npow(0.5 * undefined_name) @ x q;\n",
        V3 + "gate g a { x a; }\nqubit[2] q;\ng q[0], q[1];\n",
        "OPENQASM 3.0;\nqubit q;\nh q;\n",  # no include: h is not defined
        V3 + "qubit[2] q;\nqubit[3] r;\ncx q, r;\n",
        V3 + "const int n = 2;\nqubit[n] q;\nfor int i in [0:n] { x q[i]; }\n",
        V3 + "complex[float[64]] z = 1 + 2im;\nqubit q;\n",
    ],
)
def test_refusals_of_valid_and_invalid_programs_are_plain(source: str) -> None:
    refusal(source)


def _mutants(source: str) -> list[str]:
    """Broken variants of a valid program: each line dropped, each ';' dropped, a name misspelt."""
    lines = source.splitlines(keepends=True)
    out = ["".join(lines[:k] + lines[k + 1 :]) for k in range(2, len(lines))]
    out += [source[:i] + source[i + 1 :] for i, ch in enumerate(source) if ch == ";"][2:]
    out += [source.replace("q[", "w[", 1), source.replace("measure", "meassure", 1)]
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_refusal_of_every_mutant_is_plain_and_located(name: str) -> None:
    """Walks every refusal that the broken variants of the differential suite's programs produce."""
    refused = 0
    for mutant in _mutants(CASES[name][0]):
        try:
            load_program(mutant, "m.qasm")
        except ProgramError as error:
            refused += 1
            assert error.line is not None and error.column is not None, (mutant, str(error))
            assert not looks_internal(error.message), (mutant, str(error))
    assert refused > 0


@pytest.mark.parametrize(
    "text",
    [
        "No module named 'openpulse'",
        "Cannot cast 'ndarray' to 'IntType'",
        "unsupported operand type(s) for *: 'int' and 'NoneType'",
        "node of type ExternDeclaration is not supported",
        "Power modifier argument must be an integer in gate operation QuantumGate(span=Span(",
        "'list' object has no attribute 'statements'",
        "x" * 400,
        # Python exception text (with and without its class), module names, type names
        "ZeroDivisionError: float division by zero",
        "float division by zero",
        "maximum recursion depth exceeded while calling a Python object",
        "object of type 'int' has no len()",
        "can't multiply sequence by non-int of type 'float'",
        "'int' object is not callable",
        "f() missing 1 required positional argument: 'x'",
        "math domain error",
        'File "/usr/lib/python3.11/ast.py", line 3, in <module>',
        "qiskit.circuit.exceptions.CircuitError: 'duplicate qubit arguments'",
        "antlr4 recognition failed",
        "openqasm3.ast.Box",
        "TypeError",
    ],
)
def test_internal_text_is_recognised(text: str) -> None:
    assert looks_internal(text)


@pytest.mark.parametrize(
    "text",
    [
        "qubit index 5 is out of range for a register of 2",
        "undefined symbol: foo",
        "expected ';' at the end of this statement",
        "gate 'cu' is already defined by stdgates.inc (included on line 2): give your gate "
        "another name",
        "an arithmetic error (division by zero or overflow)",
        "'delay' (and 1 more) left out: the simulator has no notion of time, and timing does "
        "not change an ideal simulation's outcomes",
        "a 'duration' or 'stretch' used as a value (outside 'delay' and 'box') is not "
        "supported: the simulator has no notion of time",
        "'bellprep' is a subroutine ('def'), not a gate: call it as bellprep(...)",
        "declarations of type 'uint' are not supported",  # an OpenQASM type, in qiskit's words
    ],
)
def test_plain_text_is_not_flagged(text: str) -> None:
    assert not looks_internal(text)


def test_bits_never_measured_read_as_zeros() -> None:
    counts = app_counts(V3 + "qubit q;\nbit[2] c;\nx q;\n")
    assert counts == {"00": 4000}
    # a single bit measured beside a register never written: the register reads as zeros (aer's
    # get_counts() dropped the single bit here and reported 000)
    counts = app_counts(V3 + "qubit q;\nbit a;\nbit[2] b;\nx q;\na = measure q;\n")
    assert counts == {"001": 4000}
    counts = app_counts(V3 + "qubit[2] q;\nbit[2] b;\nbit a;\nx q[1];\na = measure q[1];\n")
    assert counts == {"100": 4000}


@pytest.mark.parametrize("verbose", [False, True])
def test_cli_logs_carry_no_traceback_unless_verbose(verbose: bool) -> None:
    import subprocess
    import sys

    code = (
        "import logging\n"
        "from desktop_app.cli import _set_up_logging\n"
        f"_set_up_logging({verbose})\n"
        "try:\n    raise RuntimeError('inner detail')\n"
        "except RuntimeError:\n    logging.getLogger('x').warning('it failed', exc_info=True)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    if verbose:
        assert "Traceback" in proc.stderr and "inner detail" in proc.stderr
    else:
        assert proc.stderr == ""  # the CLI speaks for itself in plain lines, never a traceback


def test_cli_run_of_a_never_measured_program(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.cli import main

    path = tmp_path / "bits.qasm"
    path.write_text(V3 + "qubit q;\nbit[2] c;\nh q;\n")
    code = main(["run", str(path), "--shots", "20"])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in out + err
    assert "00" in out


@pytest.mark.parametrize(
    ("flag", "env", "traceback"),
    [("", "", False), ("--verbose", "", True), ("", "1", True), ("", "0", False)],
)
def test_cli_run_shows_a_logged_traceback_only_when_asked(
    tmp_path, flag: str, env: str, traceback: bool
) -> None:
    """Through `main`, as a user runs it: a failure logged with its traceback while loading a
    program reaches stderr only with --verbose or QUANTUM_DESK_DEBUG; the refusal is one line."""
    import os
    import subprocess
    import sys

    path = tmp_path / "p.qasm"
    path.write_text(V3 + "qubit q;\nbit c;\nc = measure q;\n")
    code = (
        "import logging, sys\n"
        "from desktop_app.cli import main\n"
        "from desktop_app.core import programs\n"
        "def failing(path):\n"
        "    try:\n        raise RuntimeError('inner detail')\n"
        "    except RuntimeError:\n"
        "        logging.getLogger('desktop_app.x').warning('it failed', exc_info=True)\n"
        "    raise programs.ProgramError('a plain refusal', str(path), 3, 1)\n"
        "programs.load_program_file = failing\n"
        "import desktop_app.cli.run_cmd as run_cmd\n"
        "run_cmd.load_program_file = failing\n"
        f"sys.exit(main([a for a in ['run', {str(path)!r}, {flag!r}] if a]))\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "QUANTUM_DESK_DEBUG"}
    if env:
        environment["QUANTUM_DESK_DEBUG"] = env
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=environment
    )
    assert proc.returncode == 2, proc.stderr
    assert f"quantum-desk: error: {path}:3:1: a plain refusal" in proc.stderr
    assert ("Traceback" in proc.stderr and "inner detail" in proc.stderr) is traceback, proc.stderr
    if not traceback:
        assert proc.stderr.strip().count("\n") == 0  # the one refusal line, nothing else
