"""A ledger written by schema 1 is migrated to schema 2 keeping every job, and programs and
results are stored once, compressed, and read back byte for byte."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop_app.core.ledger import packing
from desktop_app.core.ledger.errors import LedgerError
from desktop_app.core.ledger.models import JobFilter, program_sha256
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.schema import MIGRATIONS, SCHEMA_VERSION
from desktop_app.core.results import RunResult, to_json_dict

BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n'
GHZ = BELL.replace("q[2]", "q[3]") + "cx q[1],q[2];\n"
VERSIONS = {"quantum-desk": "0.1.0", "python": "3.11.7", "qiskit": "1.3.0"}


def _iso(moment: datetime | None) -> str | None:
    """A time as schema 1 wrote it."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _schema_1_ledger(path: Path) -> list[dict[str, object]]:
    """A file exactly as schema 1 laid it out (its own CREATE statements, user_version 1), with
    jobs covering what a job can hold. Returns what was written."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        assert isinstance(statement, str)
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    created = datetime(2026, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
    later = datetime(2026, 2, 3, 4, 6, 0, 1, tzinfo=UTC)
    success = RunResult.from_counts("ionq.simulator", {"00": 480, "11": 520})
    jobs: list[dict[str, object]] = [
        {  # an Azure job with everything: result, raw bytes (not UTF-8), costs, tags, history
            "id": "11111111-1111-4111-8111-111111111111",
            "azure_job_id": "aaaaaaaa-0000-1000-8000-000000000001",
            "name": "bell on ionq",
            "backend": "ionq.simulator",
            "profile": "lab",
            "program": BELL,
            "status": "Succeeded",
            "submitted_at": later,
            "completed_at": later,
            "tags": ["week1", "Lab"],
            "estimated_cost": {"amount": 0.0, "currency": "USD"},
            "billed_cost": {"amount": 0.0, "currency": "USD"},
            "raw": bytes(range(256)),
            "raw_type": "application/octet-stream",
            "result": to_json_dict(success),
            "error": (None, None),
        },
        {  # the same program again (one stored copy after the migration), failed, no result
            "id": "22222222-2222-4222-8222-222222222222",
            "azure_job_id": "aaaaaaaa-0000-1000-8000-000000000002",
            "name": "",
            "backend": "rigetti.sim.qvm",
            "profile": None,
            "program": BELL,
            "status": "Failed",
            "submitted_at": later,
            "completed_at": later,
            "tags": [],
            "estimated_cost": None,
            "billed_cost": None,
            "raw": None,
            "raw_type": None,
            "result": None,
            "error": ("InvalidInput", "bad gate"),
        },
        {  # a local run still open (unfinished), another program, name with non-ASCII text
            "id": "33333333-3333-4333-8333-333333333333",
            "azure_job_id": None,
            "name": "Grüße ghz",
            "backend": "local.simulator",
            "profile": None,
            "program": GHZ,
            "status": "Executing",
            "submitted_at": None,
            "completed_at": None,
            "tags": ["thesis"],
            "estimated_cost": None,
            "billed_cost": None,
            "raw": b'{"00": 1}',
            "raw_type": "application/json",
            "result": None,
            "error": (None, None),
        },
    ]
    for n, job in enumerate(jobs):
        program = str(job["program"])
        conn.execute(
            "INSERT INTO jobs (id, azure_job_id, name, backend, profile, program_sha256, "
            "program_path, shots, options, status, created_at, submitted_at, completed_at, "
            "updated_at, error_code, error_message, estimated_cost, billed_cost, versions, tags, "
            "has_result) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                job["id"],
                job["azure_job_id"],
                job["name"],
                job["backend"],
                job["profile"],
                program_sha256(program),
                f"/home/student/p{n}.qasm",
                100 * (n + 1),
                json.dumps({"seed": n}),
                job["status"],
                _iso(created),
                _iso(job["submitted_at"]),  # type: ignore[arg-type]
                _iso(job["completed_at"]),  # type: ignore[arg-type]
                _iso(later),
                *job["error"],  # type: ignore[misc]
                None if job["estimated_cost"] is None else json.dumps(job["estimated_cost"]),
                None if job["billed_cost"] is None else json.dumps(job["billed_cost"]),
                json.dumps(VERSIONS, sort_keys=True),
                json.dumps(job["tags"]),
                int(job["result"] is not None),
            ),
        )
        conn.execute("INSERT INTO job_programs VALUES (?, ?)", (job["id"], program))
        for status, at in (("Submitting", created), (job["status"], later)):
            conn.execute(
                "INSERT INTO status_history (job_id, status, at, detail) VALUES (?,?,?,?)",
                (job["id"], status, _iso(at), "moved"),
            )
        if job["raw"] is not None or job["result"] is not None:
            result = job["result"]
            conn.execute(
                "INSERT INTO job_results (job_id, raw_result, raw_result_type, counts, result) "
                "VALUES (?,?,?,?,?)",
                (
                    job["id"],
                    job["raw"],
                    job["raw_type"],
                    None if result is None else json.dumps(result["counts"]),  # type: ignore[index]
                    None if result is None else json.dumps(result),
                ),
            )
        job["created_at"] = created
    conn.close()
    return jobs


def test_a_schema_1_ledger_keeps_every_job(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    written = _schema_1_ledger(path)
    with open_ledger(path) as ledger:
        assert ledger.count() == len(written)
        for job in written:
            record = ledger.get(str(job["id"]))
            assert record.azure_job_id == job["azure_job_id"]
            assert (record.name, record.backend, record.profile) == (
                job["name"],
                job["backend"],
                job["profile"],
            )
            assert record.program == job["program"]
            assert record.program_sha256 == program_sha256(str(job["program"]))
            assert (record.status, record.created_at) == (job["status"], job["created_at"])
            assert record.submitted_at == job["submitted_at"]
            assert record.completed_at == job["completed_at"]
            assert list(record.tags) == job["tags"]
            assert record.estimated_cost == job["estimated_cost"]
            assert record.billed_cost == job["billed_cost"]
            assert (record.error_code, record.error_message) == job["error"]
            assert record.raw_result == job["raw"]
            assert record.raw_result_type == job["raw_type"]
            assert record.result == job["result"]
            result = job["result"]
            assert record.counts == (None if result is None else result["counts"])  # type: ignore[index]
            assert record.versions == VERSIONS
            assert record.options["seed"] == written.index(job)
            assert record.program_path == f"/home/student/p{written.index(job)}.qasm"
            assert [(h.status, h.detail) for h in record.history] == [
                ("Submitting", "moved"),
                (job["status"], "moved"),
            ]
        assert ledger.integrity_check() == "ok"
        # what schema 2 adds works on the migrated jobs
        assert [r.id for r in ledger.unfinished_jobs()] == [written[2]["id"]]
        assert ledger.count(JobFilter(text="GRÜSSE")) == 0  # LIKE: ü is case-sensitive
        assert ledger.count(JobFilter(text="grüße")) == 1
        assert ledger.count(JobFilter(text="cx q[1],q[2]")) == 1  # program text
        assert ledger.count(JobFilter(text="qelib1")) == 3
        assert ledger.count(JobFilter(text="AAAAAAAA-0000")) == 2  # ids, any case
        new_id = ledger.create_job(backend="local.simulator", program=GHZ, shots=5)
        assert ledger.get(new_id).program == GHZ
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT COUNT(*) FROM programs").fetchone()[0] == 2  # BELL, GHZ
        assert conn.execute("SELECT COUNT(*) FROM version_sets").fetchone()[0] == 2
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "job_programs" not in tables
    finally:
        conn.close()


def test_a_failing_migration_leaves_the_schema_1_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    _schema_1_ledger(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE jobs SET created_at = 'yesterday' WHERE name = ''")  # edited by hand
    conn.commit()
    before = conn.execute("SELECT * FROM jobs ORDER BY id").fetchall()
    conn.close()
    with pytest.raises(LedgerError):
        open_ledger(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT * FROM jobs ORDER BY id").fetchall() == before
    finally:
        conn.close()


def test_identical_programs_are_stored_once(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "ledger.sqlite3") as ledger:
        ids = [ledger.create_job(backend="b", program=BELL, shots=1) for _ in range(5)]
        other = ledger.create_job(backend="b", program=GHZ, shots=1)
        assert {ledger.get(i).program for i in ids} == {BELL}
        assert ledger.get(other).program == GHZ
        ledger.delete(ids[:4])
        assert ledger.get(ids[4]).program == BELL  # still used: kept
        path = ledger.path
    conn = sqlite3.connect(path)
    try:
        bodies = [r[0] for r in conn.execute("SELECT body FROM programs ORDER BY id")]
    finally:
        conn.close()
    assert [packing.unpack_text(b) for b in bodies] == [BELL, GHZ]
    assert all(len(b) < len(BELL) for b in bodies)  # compressed


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"x",
        bytes(range(256)) * 3,
        BELL.encode(),
        ("ünïcødé " * 50).encode("utf-8"),
        random.Random(3).randbytes(5000),  # not compressible: kept as it is
    ],
)
def test_packing_round_trips(data: bytes) -> None:
    blob = packing.pack(data)
    assert packing.unpack(blob) == data
    assert len(blob) <= len(data) + 1


def test_typical_programs_and_results_shrink() -> None:
    result = json.dumps(to_json_dict(RunResult.from_counts("ionq.simulator", {"00": 5, "11": 7})))
    for text in (BELL, GHZ, result):
        assert len(packing.pack_text(text)) < len(text) * 0.7, text


@pytest.mark.parametrize("blob", [b"", b"\x07abc", b"\x01not zlib at all", b"\x01x\x9c"])
def test_damaged_or_unknown_blobs_are_a_ledger_error(blob: bytes) -> None:
    with pytest.raises(LedgerError, match="job ledger"):
        packing.unpack(blob)


@pytest.mark.parametrize(
    "result",
    [
        RunResult.from_counts("ionq.simulator", {"0": 3, "1": 4}),  # probabilities left out
        RunResult.from_counts("ionq.simulator", {format(k, "05b"): k + 1 for k in range(32)}),
        RunResult.from_probabilities("ionq.simulator", {"00": 1 / 3, "11": 2 / 3}, shots=100),
        RunResult.from_counts("local.simulator", {}),
    ],
)
def test_results_round_trip_exactly(tmp_path: Path, result: RunResult) -> None:
    raw = bytes(range(256)) + b'{"histogram": {"0": 0.5}}' * 20
    with open_ledger(tmp_path / "ledger.sqlite3") as ledger:
        job_id = ledger.create_job(backend="ionq.simulator", program=BELL, shots=7)
        ledger.record_result(job_id, result, raw=raw, raw_content_type="application/json")
        record = ledger.get(job_id)
    assert record.raw_result == raw
    assert record.counts == result.counts
    assert record.result == to_json_dict(result)  # floats bit for bit
    assert record.run_result() == result


def test_stored_result_leaves_out_probabilities_that_follow_from_counts() -> None:
    sampled = to_json_dict(RunResult.from_counts("b", {"0": 3, "1": 4}))
    assert b'"probabilities":' not in packing.unpack(packing.pack_result(sampled))
    assert packing.unpack_result(packing.pack_result(sampled)) == sampled
    edited = {**sampled, "probabilities": {"0": 0.5, "1": 0.5}}  # not count / total: kept
    assert packing.unpack_result(packing.pack_result(edited)) == edited
