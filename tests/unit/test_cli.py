"""The headless CLI: `run` and `backends` on good and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main

ROOT = Path(__file__).resolve().parents[2]
BELL = ROOT / "resources" / "examples" / "bell.qasm"
GHZ5 = ROOT / "resources" / "examples" / "ghz5.qasm"


def _run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QDK_PYTHON_TELEMETRY": "none"}
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_end_to_end_bell_json() -> None:
    proc = _run_module("run", str(BELL), "--json", "--shots", "2000")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    document = json.loads(proc.stdout)  # exactly one JSON document
    assert len(document) == 1
    result = document[0]
    assert {"backend", "shots", "counts", "status", "probabilities", "exact", "timings"} <= set(
        result
    )
    assert (result["backend"], result["shots"], result["status"]) == (
        "local.simulator",
        2000,
        "Succeeded",
    )
    assert set(result["counts"]) == {"00", "11"}
    assert sum(result["counts"].values()) == 2000
    assert 0.4 < result["probabilities"]["00"] < 0.6


def test_end_to_end_bad_program_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.qasm"
    bad.write_text('OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0]\ncx q[0], q[1];\n')
    proc = _run_module("run", str(bad))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1
    assert f"{bad}:4:7: expected ';'" in proc.stderr


def test_end_to_end_backends_json() -> None:
    proc = _run_module("backends", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows[0]["name"] == "local.simulator"
    assert {"name", "provider", "kind", "num_qubits", "input_format", "is_local"} <= set(rows[0])
    assert len(rows) == 10  # the simulator, 3 offline emulations, 6 Azure targets


def test_the_run_header_marks_thousands_as_the_window_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", str(GHZ5), "--shots", "1500", "--seed", "5"]) == 0
    assert "local.simulator  Succeeded  1,500 shots" in capsys.readouterr().out


def test_table_output_with_seed_is_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(GHZ5), "--shots", "500", "--seed", "5"]) == 0
    first = capsys.readouterr().out
    assert main(["run", str(GHZ5), "--shots", "500", "--seed", "5"]) == 0
    second = capsys.readouterr().out
    assert "local.simulator  Succeeded  500 shots" in first
    assert "11111" in first and "00000" in first
    strip = [line for line in first.splitlines() if " s" not in line or "OUTCOME" in line]
    assert strip == [line for line in second.splitlines() if " s" not in line or "OUTCOME" in line]


def test_repeated_backend_and_json_seed(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "run",
            str(BELL),
            "--backend",
            "local.simulator",
            "--backend",
            "local.simulator",
            "--json",
            "--seed",
            "1",
            "--shots",
            "64",
        ]
    )
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert len(document) == 1 and sum(document[0]["counts"].values()) == 64


def test_backends_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backends"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["NAME", "PROVIDER", "KIND", "QUBITS"]
    assert out[1].split()[:4] == ["local.simulator", "Local", "simulator", "1000"]  # by method
    assert any(line.startswith("rigetti.sim.qvm") and " 20 " in line for line in out)


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("quantum-desk: error: ")
    return err


def test_unreadable_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _error(capsys, ["run", str(tmp_path / "missing.qasm")])
    assert "missing.qasm" in err and "cannot read" in err


def test_bad_openqasm_gives_file_line_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "unknown.qasm"
    bad.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nfoo q[0];\n')
    err = _error(capsys, ["run", str(bad)])
    assert f"{bad}:4:1: " in err and "foo" in err


def test_unknown_backend_lists_the_known(capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(capsys, ["run", str(BELL), "--backend", "ionq.qpu.nowhere"])
    assert "ionq.qpu.nowhere" in err and "local.simulator" in err and "rigetti.sim.qvm" in err


@pytest.mark.parametrize("shots", ["0", "1000001", "-5", "lots"])
def test_shots_out_of_range(capsys: pytest.CaptureFixture[str], shots: str) -> None:
    err = _error(capsys, ["run", str(BELL), "--shots", shots])
    assert "--shots" in err


def test_shots_limits_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(BELL), "--shots", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["shots"] == 1


def test_too_many_qubits_for_the_backend(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    big = tmp_path / "big.qasm"
    big.write_text(
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[31] q;\nbit[31] c;\nc = measure q;\n'
    )
    # (local.simulator has no fixed cap: tests/unit/test_local_methods.py)
    # Rigetti's QVM has 20 qubits: checked before the Azure profile.
    err = _error(capsys, ["run", str(big), "--backend", "rigetti.sim.qvm", "--profile", "p"])
    assert "rigetti.sim.qvm has 20" in err


def test_azure_backend_needs_a_profile(capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(capsys, ["run", str(BELL), "--backend", "ionq.simulator"])
    assert "ionq.simulator needs an Azure profile" in err and "--profile" in err


def test_program_without_measurement(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "nomeasure.qasm"
    path.write_text('OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit q;\nh q;\n')
    err = _error(capsys, ["run", str(path)])
    assert "measures nothing" in err
