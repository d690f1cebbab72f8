"""Exporting a ledger job: the files parse back to the same counts, and are written atomically."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from desktop_app.core.errors import UserInputError
from desktop_app.core.ledger.export import export_bundle, export_job
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus, RunResult, from_json_dict, read_csv, read_json

BELL = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[2] c;\nh q[0];\ncx q[0], q[1];\n'
COUNTS = {"00": 247, "01": 3, "10": 1, "11": 249}
RAW = b'{"histogram": {"0": 0.494, "1": 0.006, "2": 0.002, "3": 0.498}}'


@pytest.fixture
def ledger(tmp_path: Path):
    with open_ledger(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def _finished_job(ledger: Ledger) -> str:
    job_id = ledger.create_job(
        backend="ionq.simulator",
        program=BELL,
        shots=500,
        options={"error-mitigation": {"debias": False}},
        profile="lab-workspace",
        azure_job_id="0f3c8a2e-2b1c-11f1-9b7e-0242ac120002",
        estimated_cost={"amount": 0.0, "currency": "USD"},
        name="bell on ionq",
        tags=["week3"],
    )
    ledger.mark_submitted(job_id)
    ledger.set_status(job_id, "Executing")
    result = RunResult.from_counts("ionq.simulator", COUNTS, shots=500, job_id="az")
    ledger.record_result(
        job_id,
        result,
        raw=RAW,
        raw_content_type="application/json",
        billed_cost={"amount": 0.0, "currency": "USD"},
    )
    return job_id


def test_bundle_holds_everything_and_parses_back(ledger: Ledger, tmp_path: Path) -> None:
    record = ledger.get(_finished_job(ledger))
    target = tmp_path / "out" / "bundle.zip"
    export_job(record, target)

    with zipfile.ZipFile(target) as bundle:
        assert bundle.testzip() is None
        names = set(bundle.namelist())
        assert names == {
            "README.txt",
            "program.qasm",
            "settings.json",
            "job.json",
            "counts.csv",
            "counts.json",
            "raw_result.json",
            "costs.json",
            "versions.json",
            "status_history.json",
            "reproduce.json",  # an Azure simulator: no noise model, no seed
        }
        assert bundle.read("program.qasm").decode() == BELL
        assert bundle.read("raw_result.json") == RAW
        settings = json.loads(bundle.read("settings.json"))
        assert settings == {
            "backend": "ionq.simulator",
            "shots": 500,
            "options": {"error-mitigation": {"debias": False}},
            "profile": "lab-workspace",
            "program_file": None,
            "program_sha256": record.program_sha256,
        }
        job = json.loads(bundle.read("job.json"))
        assert job["azure_job_id"] == "0f3c8a2e-2b1c-11f1-9b7e-0242ac120002"
        assert job["status"] == "Succeeded" and job["tags"] == ["week3"]
        costs = json.loads(bundle.read("costs.json"))
        assert costs["billed"] == {"amount": 0.0, "currency": "USD"}
        assert costs["estimated"] == {"amount": 0.0, "currency": "USD"}
        versions = json.loads(bundle.read("versions.json"))
        assert versions["quantum-desk"] and versions["python"]
        history = json.loads(bundle.read("status_history.json"))
        assert [h["status"] for h in history] == ["Submitting", "Waiting", "Executing", "Succeeded"]

        # the counts, in both formats, parse back to the same numbers
        counts_json = json.loads(bundle.read("counts.json"))
        assert len(counts_json) == 1
        assert from_json_dict(counts_json[0]).counts == COUNTS
        rows = list(csv.DictReader(io.StringIO(bundle.read("counts.csv").decode())))
        assert {r["bitstring"]: int(r["count"]) for r in rows} == COUNTS
        assert {r["backend"] for r in rows} == {"ionq.simulator"}
    assert [p.name for p in target.parent.iterdir()] == ["bundle.zip"]  # no temp file left


def test_csv_and_json_export_read_back(ledger: Ledger, tmp_path: Path) -> None:
    record = ledger.get(_finished_job(ledger))
    export_job(record, tmp_path / "counts.CSV")
    export_job(record, tmp_path / "counts.json")
    assert read_csv(tmp_path / "counts.CSV") == {"ionq.simulator": COUNTS}
    (back,) = read_json(tmp_path / "counts.json")
    assert back.counts == COUNTS and back.status == JobStatus.SUCCEEDED


def test_job_without_results(ledger: Ledger, tmp_path: Path) -> None:
    job_id = ledger.create_job(backend="rigetti.qpu.ankaa-3", program=BELL, shots=10)
    ledger.record_result(job_id, RunResult.failed("rigetti.qpu.ankaa-3", 10, "E1", "broken"))
    record = ledger.get(job_id)
    with pytest.raises(UserInputError, match="no results"):
        export_job(record, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
    # a bundle is still useful: program, settings, error, history
    export_bundle(record, tmp_path / "failed.zip")
    with zipfile.ZipFile(tmp_path / "failed.zip") as bundle:
        assert "counts.csv" not in bundle.namelist()
        assert "raw_result.json" not in bundle.namelist()
        job = json.loads(bundle.read("job.json"))
        assert (job["error_code"], job["error_message"]) == ("E1", "broken")


def test_unknown_suffix_and_failed_write_leave_nothing(ledger: Ledger, tmp_path: Path) -> None:
    record = ledger.get(_finished_job(ledger))
    with pytest.raises(UserInputError, match=r"\.zip.*\.csv.*\.json"):
        export_job(record, tmp_path / "counts.txt")
    # a target that cannot be replaced (a directory) fails at the final rename: a plain error,
    # and no temporary file is left behind
    (tmp_path / "taken.zip").mkdir()
    with pytest.raises(UserInputError, match=r"Cannot write .*taken\.zip"):
        export_job(record, tmp_path / "taken.zip")
    assert (tmp_path / "taken.zip").is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
