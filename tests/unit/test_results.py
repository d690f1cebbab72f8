"""Result normalization, Qiskit bit order and export."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from desktop_app.core.errors import UserInputError
from desktop_app.core.results import (
    JobStatus,
    RunResult,
    from_json_dict,
    read_csv,
    read_json,
    to_json_dict,
    write_csv,
    write_json,
)


def test_x_on_qubit0_measured_into_clbit0_is_rightmost() -> None:
    """Simulated with qiskit-aer: classical bit 0 is the rightmost character."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from desktop_app.core.programs import load_program

    program = load_program(
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\nbit[3] c;\nx q[0];\nc = measure q;\n'
    )
    sim = AerSimulator()
    raw = sim.run(transpile(program.circuit, sim), shots=50).result().get_counts()
    result = RunResult.from_counts("local.simulator", raw, num_clbits=program.facts.num_clbits)
    assert result.counts == {"001": 50}
    assert result.probabilities == {"001": 1.0}
    assert result.shots == 50 and result.status == JobStatus.SUCCEEDED and not result.exact


def test_two_registers_from_aer_join_with_clbit0_rightmost() -> None:
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from desktop_app.core.programs import load_program

    program = load_program(
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\ncreg a[1];\ncreg b[2];\n'
        "x q[0];\nx q[2];\nmeasure q[0] -> a[0];\nmeasure q[1] -> b[0];\nmeasure q[2] -> b[1];\n"
    )
    sim = AerSimulator()
    raw = sim.run(transpile(program.circuit, sim), shots=10).result().get_counts()
    assert raw == {"10 1": 10}  # aer: register b, a space, register a
    assert RunResult.from_counts("local.simulator", raw).counts == {"101": 10}


def test_from_counts_pads_and_merges() -> None:
    result = RunResult.from_counts("b", {"1": 3, "0x2": 1, "011": 4}, num_clbits=3)
    assert result.counts == {"001": 3, "010": 1, "011": 4}
    assert result.shots == 8
    assert result.probabilities == {"001": 0.375, "010": 0.125, "011": 0.5}
    assert RunResult.from_counts("b", {"1": 1, "10": 1}).counts == {"01": 1, "10": 1}
    with pytest.raises(ValueError, match="bitstring"):
        RunResult.from_counts("b", {"12": 1})
    with pytest.raises(ValueError, match="wider"):
        RunResult.from_counts("b", {"111": 1}, num_clbits=2)


def test_from_probabilities_keeps_shots_and_exactness() -> None:
    result = RunResult.from_probabilities("ionq.simulator", {"0": 0.5, "11": 0.5}, shots=101)
    assert result.exact
    assert result.probabilities == {"00": 0.5, "11": 0.5}
    assert sum(result.counts.values()) == 101
    assert sorted(result.counts.values()) == [50, 51]
    third = RunResult.from_probabilities("x", {"00": 1 / 3, "01": 1 / 3, "10": 1 / 3}, shots=100)
    assert sum(third.counts.values()) == 100


def test_failed_and_cancelled() -> None:
    failed = RunResult.failed("ionq.simulator", 10, "QuotaExceeded", "no quota left")
    assert failed.status == JobStatus.FAILED and failed.counts == {}
    assert (failed.error_code, failed.error_message) == ("QuotaExceeded", "no quota left")
    cancelled = RunResult.cancelled("local.simulator", 10)
    assert cancelled.status == "Cancelled" and cancelled.status.is_final
    assert not JobStatus.WAITING.is_final
    # one vocabulary for executors and the ledger (issue 8): the ledger's two extra states included
    assert [s.value for s in JobStatus] == [
        "Submitting",
        "Waiting",
        "Executing",
        "Succeeded",
        "Failed",
        "Cancelled",
        "NeverSubmitted",
    ]
    assert JobStatus.NEVER_SUBMITTED.is_final and not JobStatus.SUBMITTING.is_final


def _sample() -> list[RunResult]:
    return [
        RunResult.from_counts("local.simulator", {"00": 480, "11": 520}, timings={"total": 0.2}),
        RunResult.from_probabilities("ionq.simulator", {"00": 0.5, "11": 0.5}, 1000, job_id="j1"),
        RunResult.failed("rigetti.sim.qvm", 1000, "Bad", "it broke"),
    ]


def test_json_round_trip(tmp_path: Path) -> None:
    results = _sample()
    for result in results:
        assert from_json_dict(json.loads(json.dumps(to_json_dict(result)))) == result
    path = tmp_path / "out.json"
    write_json(results, path)
    assert read_json(path) == results
    document = json.loads(path.read_text())
    assert [d["backend"] for d in document] == [r.backend for r in results]
    assert document[0]["counts"] == {"00": 480, "11": 520}
    assert document[2]["error"] == {"code": "Bad", "message": "it broke"}


def test_json_rejects_bad_fields() -> None:
    good = to_json_dict(_sample()[0])
    for field, value in (("shots", "many"), ("status", "Done"), ("counts", {"2": 1})):
        with pytest.raises(UserInputError, match=field):
            from_json_dict({**good, field: value})
    with pytest.raises(UserInputError, match="backend"):
        from_json_dict({k: v for k, v in good.items() if k != "backend"})


def test_csv_holds_several_backends_and_parses_back(tmp_path: Path) -> None:
    results = _sample()
    path = tmp_path / "out.csv"
    write_csv(results, path)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["backend", "bitstring", "count", "probability"]
    assert rows[0] == {
        "backend": "local.simulator",
        "bitstring": "00",
        "count": "480",
        "probability": "0.48",
    }
    assert read_csv(path) == {r.backend: r.counts for r in results if r.counts}


def test_export_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text("old")

    def exploding():
        yield _sample()[0]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_json(exploding(), path)
    assert path.read_text() == "old"  # the old file is untouched
    assert os.listdir(tmp_path) == ["out.json"]  # and no temp file is left behind
    write_csv(_sample(), path.with_suffix(".csv"))
    assert sorted(os.listdir(tmp_path)) == ["out.csv", "out.json"]


def test_read_csv_reports_the_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("backend,bitstring,count,probability\nb,01,3,0.5\nb,0x,zz,\n")
    with pytest.raises(UserInputError, match=":3:"):
        read_csv(path)
