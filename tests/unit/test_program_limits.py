"""Limits on work (issue 14): hostile files and programs end in one located line, bounded.

Every hostile input is generated here, in a temporary folder (never committed). The CLI cases run
`python -m desktop_app run FILE` through tests/unit/hostile_harness.py (wall-clock and address-space
limits, peak memory asserted); the rest call desktop_app.core.program_limits directly.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core import program_limits as limits
from desktop_app.core import program_scan, program_tokens
from desktop_app.core.program_limits import (
    LimitError,
    read_program_bytes,
    resolve_include,
)
from desktop_app.core.program_scan import check_source
from desktop_app.core.programs import ProgramError, load_program, load_program_file
from tests.unit.hostile_harness import (
    ADDRESS_SPACE_BYTES,
    assert_refused,
    run_cli,
    run_limited,
)

V3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
V2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
SECRET = "top-secret-token-8d41"  # what a hostile include would try to show in an error


def _doubling(levels: int) -> str:
    gates = "".join(f"gate g{i} a {{ g{i - 1} a; g{i - 1} a; }}\n" for i in range(1, levels + 1))
    return V3 + "gate g0 a { x a; }\n" + gates + f"qubit q;\nbit c;\ng{levels} q;\nc = measure q;\n"


def _chain(levels: int, header: str = V3) -> str:
    gates = "".join(f"gate g{i} a {{ g{i - 1} a; }}\n" for i in range(1, levels))
    body = "qubit q;\nbit c;\n" if header == V3 else "qreg q[1];\ncreg c[1];\n"
    measure = "c = measure q;\n" if header == V3 else "measure q -> c;\n"
    return header + "gate g0 a { x a; }\n" + gates + body + f"g{levels - 1} q;\n" + measure


# name -> (program text, (line, column) of the refusal or None for the file, words of the message)
PROGRAMS: dict[str, tuple[str, tuple[int, int] | None, tuple[str, ...]]] = {
    "a billion qubits (OpenQASM 3)": (
        V3 + "qubit[1000000000] q;\nbit c;\nc[0] = measure q[0];\n",
        (3, 7),
        ("1,000,000,000 qubits", "1,000"),
    ),
    "a billion qubits (OpenQASM 2)": (
        V2 + "qreg q[1000000000];\ncreg c[1];\nmeasure q[0] -> c[0];\n",
        (3, 8),
        ("1,000,000,000 qubits",),
    ),
    "100,000 registers": (
        V3
        + "".join(" ".join(f"bit r{i}_{j};" for j in range(100)) + "\n" for i in range(1000))
        + "qubit q;\nr0_0 = measure q;\n",
        (13, 1),
        ("more than 1,000 registers",),
    ),
    "a gate with 10,000 parameters": (
        V3 + "gate g(\n" + ",\n".join(f"p{i}" for i in range(10_000)) + "\n) a { rx(p0) a; }\n"
        "qubit q;\nbit c;\nc = measure q;\n",
        (3, 7),
        ("gate 'g' has 10,000 parameters", "64"),
    ),
    "40 nested doubling gate definitions": (
        _doubling(40),
        (46, 1),
        ("1,099,511,627,776 gates", "1,000,000"),
    ),
    "a 5,000-deep gate chain": (
        _chain(5000),
        (67, 6),
        ("'g64'", "65 levels deep", "the most is 64"),
    ),
    "a 5,000-deep gate chain (OpenQASM 2)": (
        _chain(5000, V2),
        (67, 6),
        ("'g64'", "levels deep"),
    ),
    "3,000 nested if blocks": (
        V3 + "qubit q;\nbit c;\nc = measure q;\n" + "if (c) {\n" * 3000 + "x q;\n" + "}\n" * 3000,
        (38, 4),
        ("nested more than 32 deep",),
    ),
    "3,000 else-if branches": (
        V3 + "qubit q;\nbit c;\nc = measure q;\nif (c) x q;\n" + "else if (c) x q;\n" * 3000,
        (38, 1),
        ("nested more than 32 deep",),
    ),
    "300 unary minus signs": (
        V3 + "qubit q;\nbit c;\nrx(" + "-" * 300 + "0.5) q;\nc = measure q;\n",
        (5, 132),
        ("more than 128 operators",),
    ),
    "a 10 MB line": (
        V3 + "qubit q;\nbit c;\n" + "x q; " * 2_000_000 + "\nc = measure q;\n",
        None,
        ("larger than 5 MB",),
    ),
    "a 40,000-character line": (
        V3 + "qubit q;\nbit c;\n" + "x q; " * 8_000 + "\nc = measure q;\n",
        (5, 10_001),
        ("longer than 10,000 characters",),
    ),
    "a million lines": (
        V3 + "qubit q;\nbit c;\n" + "\n" * 1_000_000 + "c = measure q;\n",
        (100_001, 1),
        ("more than 100,000 lines",),
    ),
    "while (true)": (
        V3 + "qubit q;\nbit c;\nwhile (true) { x q; }\nc = measure q;\n",
        (5, 1),
        ("while loop can never stop",),
    ),
    "for over 1e8": (
        V3 + "qubit q;\nbit c;\nfor int i in [0:100000000] { x q; }\nc = measure q;\n",
        (5, 1),
        ("100,000,001 times", "100,000"),
    ),
    "redefining a standard gate after stdgates.inc": (
        V3 + "gate h a { x a; }\nqubit q;\nbit c;\nh q;\nc = measure q;\n",
        (3, 6),
        ("'h' is already defined by stdgates.inc (included on line 2)",),
    ),
    "for over 1e8 through a constant": (
        V3 + "const int n = 10 ** 8;\nqubit q;\nbit c;\nfor int i in [1:n] { x q; }\n",
        (6, 1),
        ("100,000,000 times",),
    ),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_hostile_program_is_refused_by_the_cli(tmp_path: Path, name: str) -> None:
    source, where, words = PROGRAMS[name]
    program = tmp_path / "hostile.qasm"
    program.write_text(source, encoding="utf-8")
    location = str(program) if where is None else f"{program}:{where[0]}:{where[1]}"
    assert_refused(run_cli("run", str(program)), location, *words)


@pytest.mark.parametrize(
    ("source", "outcome"),
    [
        (_chain(limits.MAX_DEFINITION_DEPTH), "1"),  # one x through 64 definitions
        # c is 0, so no branch runs; then x and a second measurement give 1
        (
            V3
            + "qubit q;\nbit c;\nc = measure q;\n"
            + "if (c) {\n" * 30
            + "x q;\n"
            + "}\n" * 30
            + "x q;\nc = measure q;\n",
            "1",
        ),
        (V3 + "qubit q;\nbit c;\nfor int i in [1:1000] { x q; }\nc = measure q;\n", "0"),
    ],
    ids=["64-deep gate chain", "30 nested if blocks", "for over 1,000"],
)
def test_programs_at_the_limits_run(tmp_path: Path, source: str, outcome: str) -> None:
    program = tmp_path / "edge.qasm"
    program.write_text(source, encoding="utf-8")
    result = run_cli("run", str(program), "--json", "--shots", "10")
    assert result.returncode == 0, result.stderr
    assert f'"{outcome}": 10' in result.stdout


ENDLESS = V3 + "qubit q;\nbit c;\nc = measure q;\nwhile (c == false) { reset q; c = measure q; }\n"


def test_a_measured_while_loop_that_never_ends_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No pre-scan can tell that this loop never ends: the simulation's time bound ends it."""
    from desktop_app.cli import main

    monkeypatch.setattr(limits, "MAX_WHILE_LOOP_SECONDS", 2.0)
    program = tmp_path / "endless.qasm"
    program.write_text(ENDLESS)
    assert main(["run", str(program), "--shots", "5"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "quantum-desk: local.simulator: the simulation did not end within 2 s: a while loop"
    )
    assert err.count("\n") == 1


def test_a_measured_while_loop_that_ends_runs(tmp_path: Path) -> None:
    program = tmp_path / "until.qasm"
    until = "while (!c) { h q; c = measure q; }\n"
    program.write_text(V3 + "qubit q;\nbit c;\nc = measure q;\n" + until)
    outcome = run_cli("run", str(program), "--json", "--shots", "20")
    assert outcome.returncode == 0, outcome.stderr
    assert '"1": 20' in outcome.stdout


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.qasm"
    os.mkfifo(path)
    return path


def _zero_link(folder: Path) -> Path:
    path = folder / "zero.qasm"
    path.symlink_to("/dev/zero")
    return path


def _oversized(folder: Path) -> Path:
    path = folder / "big.qasm"
    with path.open("wb") as handle:  # valid-looking text: a comment just over the limit
        handle.write(b"OPENQASM 3.0;\n//" + b"x" * limits.MAX_FILE_BYTES + b"\n")
    return path


def _socket(folder: Path) -> Path:
    path = folder / "sock.qasm"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays
    return path


FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "a FIFO": (_fifo, "named pipe"),
    "a symlink to /dev/zero": (_zero_link, "a device"),
    "a file over 5 MB": (_oversized, "larger than 5 MB"),
    "a socket": (_socket, "a socket"),
    "a folder": (lambda folder: folder, "a folder"),
}


@pytest.mark.parametrize("name", list(FILES))
def test_hostile_file_is_refused_by_the_cli(tmp_path: Path, name: str) -> None:
    make, words = FILES[name]
    path = make(tmp_path)
    assert_refused(run_cli("run", str(path)), str(path), words)


def test_the_device_itself_is_refused_by_the_cli() -> None:
    assert_refused(run_cli("run", "/dev/zero"), "/dev/zero", "a device")


def _include_case(tmp_path: Path, written: str) -> Path:
    """A program in tmp/prog including `written`; a secret file sits next to the folder."""
    (tmp_path / "secret.txt").write_text(f"{SECRET} more words\n")
    folder = tmp_path / "prog"
    folder.mkdir()
    (folder / "link.inc").symlink_to(tmp_path / "secret.txt")
    program = folder / "prog.qasm"
    program.write_text(V2 + f'include "{written}";\nqreg q[1];\ncreg c[1];\nmeasure q -> c;\n')
    return program


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("../secret.txt", "only a file name"),
        ("{tmp}/secret.txt", "only a file name"),
        ("/etc/passwd", "only a file name"),
        ("sub/../../secret.txt", "only a file name"),
        ("link.inc", "link to a file outside"),
        ("nothing-here.inc", "no such file"),
    ],
)
def test_openqasm2_include_outside_the_program_folder_is_refused(
    tmp_path: Path, written: str, words: str
) -> None:
    written = written.replace("{tmp}", str(tmp_path))
    program = _include_case(tmp_path, written)
    outcome = run_cli("run", str(program))
    message = assert_refused(outcome, f"{program}:3:9", words)
    assert SECRET not in outcome.stderr and "more words" not in outcome.stderr
    assert written in message  # the path as written in the program, nothing from the file


def test_openqasm2_include_next_to_the_program_runs(tmp_path: Path) -> None:
    (tmp_path / "mine.inc").write_text("gate flip a { x a; }\n")
    program = tmp_path / "prog.qasm"
    program.write_text(
        V2 + 'include "mine.inc";\nqreg q[1];\ncreg c[1];\nflip q[0];\nmeasure q -> c;\n'
    )
    outcome = run_cli("run", str(program), "--json", "--shots", "10")
    assert outcome.returncode == 0, outcome.stderr
    assert '"1": 10' in outcome.stdout


def test_harness_limits_address_space_and_wall_clock() -> None:
    """The bounds the CLI cases rely on are real: past them the child fails or is killed."""
    grab = f"bytearray({ADDRESS_SPACE_BYTES + 2**20})"
    outcome = run_limited([sys.executable, "-c", grab])
    assert outcome.returncode == 1 and "MemoryError" in outcome.stderr
    with pytest.raises(AssertionError, match="still running after 1 s"):
        run_limited([sys.executable, "-c", "while True: pass"], wall_seconds=1.0)


# ---------------------------------------------------------------- program_limits directly


def test_read_program_bytes_reads_at_most_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "p.qasm"
    path.write_bytes(b"x" * 50)
    assert read_program_bytes(path, limit=50) == b"x" * 50
    with pytest.raises(LimitError, match="larger than") as info:
        read_program_bytes(path, limit=49)
    assert info.value.file == str(path) and info.value.line is None


def test_read_program_bytes_refuses_special_files_without_blocking(tmp_path: Path) -> None:
    for make, words in FILES.values():
        with pytest.raises(LimitError, match=words):
            read_program_bytes(make(tmp_path))
    with pytest.raises(LimitError, match="No such file"):
        read_program_bytes(tmp_path / "missing.qasm")


def test_load_program_file_reports_limits_as_program_errors(tmp_path: Path) -> None:
    link = _zero_link(tmp_path)
    with pytest.raises(ProgramError) as info:
        load_program_file(link)
    assert (
        str(info.value)
        == f"{link}: this is a device, not a program file: only regular files are read"
    )


def _refusal(source: str, path: str | None = "p.qasm") -> LimitError:
    with pytest.raises(LimitError) as info:
        check_source(source, path)
    return info.value


@pytest.mark.parametrize(
    ("source", "where", "words"),
    [
        (V3 + f"qubit[{limits.MAX_DECLARED_QUBITS}] a;\nqubit b;\n", (4, 1), "1,001 qubits"),
        (V3 + "const int n = 1 << 40;\nqubit[n] q;\n", (4, 7), "1,099,511,627,776 qubits"),
        (V3 + "qubit[2 ** 2 ** 2 ** 9] q;\n", (3, 7), "more than"),
        (V3 + "input int n;\nqubit[n] q;\n", (4, 7), "whole number"),
        (V3 + f"bit[{limits.MAX_DECLARED_BITS + 1}] c;\n", (3, 5), "classical bits"),
        (V3 + "array[int[32], 10000, 10000] a;\n", (3, 1), "100,000,000 elements"),
        (V3 + "qubit[1000] q;\nfor int i in [0:9999] { h q; }\n", (4, 1), "10,000,000 gates"),
        (V3 + "qubit q;\npow(900000) @ x q;\npow(200000) @ x q;\n", (5, 1), "1,100,000 gates"),
        (V3 + "qubit[2] q;\nctrl(1000) @ x q[0], q[1];\n", (4, 6), "1,000 controls"),
        (
            V3 + "qubit q;\nfor int i in [0:999] { for int j in [0:i] { for int k in [0:i] {"
            " x q; } } }\n",
            (4, 1),
            "1,000,000,000 gates",
        ),  # an upper bound: i at its largest
        (V3 + "qubit q;\nfor int i in my_array { x q; }\n", (4, 14), "cannot tell"),
        (V3 + "def f(qubit a) { f(a); }\n", (3, 18), "calls itself"),
        (V3 + "qubit q;\nbit c;\nwhile (c) { x q; }\n", (5, 1), "never stop"),
        (V3 + "qubit q;\nbit c;\nwhile (!false) { c = measure q; }\n", (5, 1), "never stop"),
        (V3 + "qubit q;\nrx(" + "1+" * 200 + "1) q;\n", (4, 261), "operators"),
        (V3 + "gate g " + ", ".join(f"a{i}" for i in range(65)) + " { }\n", (3, 8), "65 qubits"),
        (V3 + "qubit q;\nf(" + ", ".join(["q"] * 200) + ");\n", (4, 2), "200 arguments"),
        ('OPENQASM 2.0;\ninclude "stdgates.inc";\n', (2, 9), "OpenQASM 3 library"),
    ],
)
def test_check_source_refuses_with_the_place(
    source: str, where: tuple[int, int], words: str
) -> None:
    error = _refusal(source)
    assert (error.file, error.line, error.column) == ("p.qasm", *where), error.message
    assert words in error.message


@pytest.mark.parametrize(
    "source",
    [
        V3 + f"qubit[{limits.MAX_DECLARED_QUBITS}] q;\n",
        V3 + "const uint n = 4;\nqubit[n] q;\nbit[n] c;\nfor uint i in [0:n - 1] { h q[i]; }\n",
        V3 + "qubit[4] q;\nfor int i in [0:3] { for int j in [i + 1:3] { cz q[i], q[j]; } }\n",
        V3 + "qubit q;\nbit b;\nb = measure q;\nwhile (b) { reset q; h q; b = measure q; }\n",
        V3 + "qubit q;\nfor int i in {1, 5, 9} { rx(i * 0.1) q; }\n",
        V3 + "/* qubit[1000000000] q; */\n// while (true) {}\nqubit q;\n",
        _chain(limits.MAX_DEFINITION_DEPTH),
        _doubling(19),  # 524,288 gates: under MAX_EXPANDED_GATES
        V3 + "qubit q;\nbit c;\nc = measure q;\n" + "if (c) {\n" * 31 + "x q;\n" + "}\n" * 31,
        V3 + "qubit q;\nrx(" + "1+" * 127 + "1) q;\n",
        V2 + "qreg q[3];\ncreg c[3];\nif(c==1) x q[0];\nmeasure q -> c;\n",
        V3 + "qubit[2] q;\nbit[2] c;\nswitch (c) { case 0 { x q[0]; } default { h q; } }\n",
    ],
)
def test_check_source_accepts_programs_within_the_limits(source: str) -> None:
    check_source(source, "p.qasm")


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("1_000 * 2", 2000),
        ("0x10 + 0b11 + 0o7", 26),
        ("n - 1", 6),
        ("-(n) ** 2", -49),
        ("2 ** 2 ** 2 ** 9", program_tokens.HUGE),
        ("1 << 70", program_tokens.HUGE),
        ("1e9", 10**9),
        ("7 / 2", 3),
        ("1 / 0", None),
        ("1.5", None),
        ("m + 1", None),
        ("f(3)", None),
        ("true", None),
    ],
)
def test_size_expressions(expression: str, value: int | None) -> None:
    tokens = program_tokens.tokenize(expression, None).text
    assert program_tokens.evaluate(tokens, {"n": 7}) == value


def test_a_failing_scan_refuses_instead_of_passing_the_text_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(source: str, path: str | None) -> None:
        raise IndexError("a bug")

    monkeypatch.setattr(program_scan, "scan", broken)
    error = _refusal(V3, "p.qasm")
    assert error.message == "the program could not be checked before loading it"


def test_text_shape_limits_point_at_the_first_line_past_them() -> None:
    error = _refusal("x" * (limits.MAX_LINE_CHARS + 1), None)
    assert (error.file, error.line, error.column) == (None, 1, limits.MAX_LINE_CHARS + 1)
    error = _refusal("\n" * limits.MAX_LINES)
    assert (error.line, error.column) == (limits.MAX_LINES + 1, 1)
    check_source(V3 + "\n" * (limits.MAX_LINES - 3), "p.qasm")
    error = _refusal(";" * 9_000 + "\n" + (";" * 9_000 + "\n") * 200)
    assert "more than 1,000,000 words" in error.message and error.line == 112


def test_limits_reach_the_editor_path_as_located_program_errors() -> None:
    with pytest.raises(ProgramError) as info:
        load_program(V3 + "qubit q;\nbit c;\n" + "if (c) {\n" * 3000 + "x q;\n" + "}\n" * 3000)
    assert str(info.value).startswith("<editor>:37:4: brackets, blocks and statements are nested")


def test_include_resolution(tmp_path: Path) -> None:
    program = tmp_path / "p.qasm"
    (tmp_path / "mine.inc").write_text("gate flip a { x a; }\n")
    assert resolve_include("qelib1.inc", str(program)) is None  # built into the importer
    assert resolve_include("mine.inc", str(program)) == (tmp_path / "mine.inc").resolve()
    library = limits.library_include_dir()
    assert library is not None and (library / "qelib1.inc").is_file()
    assert limits.include_path_for(str(program)) == (str(tmp_path.resolve()), str(library))
    assert limits.include_path_for(None) == (str(library),)  # never the working directory
    for bad in ("../x.inc", "/etc/passwd", "sub/x.inc", "..", "a\\b.inc", ""):
        with pytest.raises(LimitError, match="only a file name"):
            resolve_include(bad, str(program))
    with pytest.raises(LimitError, match="save the program"):
        resolve_include("mine.inc", None)


def test_include_files_are_checked_like_programs(tmp_path: Path) -> None:
    program = tmp_path / "p.qasm"
    (tmp_path / "deep.inc").write_text(
        "gate g0 a { x a; }\n"
        + "".join(f"gate g{i} a {{ g{i - 1} a; g{i - 1} a; }}\n" for i in range(1, 41))
    )
    (tmp_path / "loop.inc").write_text('include "loop.inc";\n')
    _fifo(tmp_path)
    error = _refusal(V2 + 'include "deep.inc";\nqreg q[1];\ng40 q[0];\n', str(program))
    assert (error.file, error.line) == (str(program), 5) and "1,099,511,627,776" in error.message
    error = _refusal(V2 + 'include "loop.inc";\n', str(program))
    assert (error.file, error.line, error.column) == (str(tmp_path / "loop.inc"), 1, 9)
    assert "includes itself" in error.message
    error = _refusal(V2 + 'include "pipe.qasm";\n', str(program))
    assert (error.line, error.column) == (3, 9) and "named pipe" in error.message


def test_standard_gate_names_are_free_without_stdgates() -> None:
    check_source("OPENQASM 3.0;\ngate h a { U(0, 0, 0) a; }\n", "p.qasm")
    error = _refusal("OPENQASM 3.0;\ngate U(a, b, c) q { }\n")
    assert (error.line, error.column) == (2, 6) and "built into OpenQASM 3" in error.message
    error = _refusal(V3 + "def cx(qubit a, qubit b) { }\n")
    assert (error.line, error.column) == (3, 5) and "stdgates.inc" in error.message


def test_openqasm3_includes_read_nothing(tmp_path: Path) -> None:
    """The OpenQASM 3 importers resolve no include from disk: the pre-scan leaves them alone."""
    check_source(V3 + 'include "/etc/passwd";\n', str(tmp_path / "p.qasm"))
