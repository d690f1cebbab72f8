"""The job ledger: records, status history, write-ahead, queries, schema versions."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop_app.core import paths
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.errors import JobNotFoundError, LedgerCorruptError, LedgerTooNewError
from desktop_app.core.ledger.models import (
    FINAL_STATUSES,
    JobFilter,
    JobOrder,
    LedgerChange,
    new_azure_job_id,
    program_sha256,
)
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.rows import collect_versions
from desktop_app.core.ledger.schema import SCHEMA_VERSION
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus, RunResult

BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n'


@pytest.fixture
def ledger(tmp_path: Path):
    with open_ledger(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def test_default_location_is_the_data_dir_and_wal() -> None:
    with open_ledger() as ledger:
        assert ledger.path == paths.data_dir() / "ledger.sqlite3"
        assert ledger.path.exists()
    conn = sqlite3.connect(paths.data_dir() / "ledger.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_statuses_extend_job_status() -> None:
    for status in JobStatus:
        assert JobStatus(status.value) == status
    assert JobStatus.SUBMITTING not in FINAL_STATUSES
    assert JobStatus.NEVER_SUBMITTED in FINAL_STATUSES


def test_local_job_round_trip(ledger: Ledger) -> None:
    job_id = ledger.create_job(
        backend="local.simulator",
        program=BELL,
        shots=1000,
        options={"seed": 7},
        profile="lab",
        name="bell",
        program_path="/tmp/bell.qasm",
        status=JobStatus.WAITING,
        tags=["teaching", " week1 ", "teaching"],
        estimated_cost={"amount": 0.0, "currency": "USD"},
    )
    uuid.UUID(job_id)  # a uuid4 string
    ledger.mark_submitted(job_id, status=JobStatus.EXECUTING)
    result = RunResult.from_counts(
        "local.simulator", {"00": 489, "11": 511}, timings={"total": 0.1}
    )
    ledger.record_result(job_id, result, raw='{"00": 489, "11": 511}', raw_content_type="text/json")

    record = ledger.get(job_id)
    assert record.backend == "local.simulator"
    assert record.program == BELL
    assert record.program_sha256 == program_sha256(BELL)
    assert record.shots == 1000
    assert record.options == {"seed": 7}
    assert record.profile == "lab"
    assert record.name == "bell"
    assert record.tags == ("teaching", "week1")
    assert record.status == JobStatus.SUCCEEDED
    assert record.counts == {"00": 489, "11": 511}
    assert record.has_result
    assert record.raw_result == b'{"00": 489, "11": 511}'
    assert record.raw_result_type == "text/json"
    assert record.estimated_cost == {"amount": 0.0, "currency": "USD"}
    assert record.submitted_at is not None and record.completed_at is not None
    assert record.created_at <= record.submitted_at <= record.completed_at
    assert record.versions["quantum-desk"] == collect_versions()["quantum-desk"]
    assert record.versions["qiskit"]  # installed in the venv
    assert [h.status for h in record.history] == ["Waiting", "Executing", "Succeeded"]
    assert record.history[-1].at == record.completed_at
    again = record.run_result()
    assert again is not None and again.counts == result.counts


def test_write_ahead_then_never_submitted(ledger: Ledger) -> None:
    azure_id = new_azure_job_id()
    assert uuid.UUID(azure_id).version == 1
    job_id = ledger.create_job(
        backend="ionq.simulator", program=BELL, shots=100, azure_job_id=azure_id, profile="p"
    )
    row = ledger.find_by_azure_id(azure_id)
    assert row is not None and row.id == job_id and row.status == JobStatus.SUBMITTING
    assert row.submitted_at is None
    assert [r.id for r in ledger.unfinished_jobs()] == [job_id]

    ledger.mark_never_submitted(job_id)
    assert ledger.unfinished_jobs() == []
    record = ledger.get(job_id)
    assert record.status == "NeverSubmitted"
    assert record.completed_at is not None
    assert [h.status for h in record.history] == ["Submitting", "NeverSubmitted"]
    assert record.history[-1].detail == "not found at the service"


def test_submitted_azure_job_is_unfinished_until_final(ledger: Ledger) -> None:
    azure_id = new_azure_job_id()
    job_id = ledger.create_job(backend="ionq.qpu", program=BELL, shots=100, azure_job_id=azure_id)
    ledger.mark_submitted(job_id)
    assert ledger.get(job_id).status == "Waiting"
    assert [r.azure_job_id for r in ledger.unfinished_jobs()] == [azure_id]
    ledger.set_error(job_id, "QuotaExceeded", "Quota exceeded", status=JobStatus.FAILED)
    ledger.set_costs(job_id, billed={"amount": 0.0, "currency": "USD"})
    record = ledger.get(job_id)
    assert (record.status, record.error_code, record.error_message) == (
        "Failed",
        "QuotaExceeded",
        "Quota exceeded",
    )
    assert record.billed_cost == {"amount": 0.0, "currency": "USD"}
    assert ledger.unfinished_jobs() == []


def test_duplicate_azure_id_is_refused(ledger: Ledger) -> None:
    azure_id = new_azure_job_id()
    ledger.create_job(backend="ionq.qpu", program=BELL, shots=1, azure_job_id=azure_id)
    with pytest.raises(QuantumDeskError, match=azure_id):
        ledger.create_job(backend="ionq.qpu", program=BELL, shots=1, azure_job_id=azure_id)
    assert ledger.count() == 1  # the failed insert left nothing behind


def test_final_status_is_not_undone_by_a_late_update(ledger: Ledger) -> None:
    job_id = ledger.create_job(backend="b", program=BELL, shots=1, status="Waiting")
    assert ledger.set_status(job_id, "Cancelled")
    assert not ledger.set_status(job_id, "Executing")  # a stale poll
    assert not ledger.set_status(job_id, "Cancelled")  # no change, no history row
    record = ledger.get(job_id)
    assert record.status == "Cancelled"
    assert [h.status for h in record.history] == ["Waiting", "Cancelled"]


def test_failed_result_keeps_the_error(ledger: Ledger) -> None:
    job_id = ledger.create_job(backend="b", program=BELL, shots=10, status="Executing")
    ledger.record_result(job_id, RunResult.failed("b", 10, "InvalidProgram", "bad gate"))
    record = ledger.get(job_id)
    assert record.status == "Failed" and not record.has_result
    assert (record.error_code, record.error_message) == ("InvalidProgram", "bad gate")


def test_rename_tag_delete(ledger: Ledger) -> None:
    a = ledger.create_job(backend="b", program=BELL, shots=1)
    b = ledger.create_job(backend="b", program=BELL, shots=1)
    ledger.rename(a, "  renamed  ")
    ledger.set_tags(a, ["x", "y"])
    for job_id in (a, b):
        ledger.record_result(job_id, RunResult.from_counts("b", {"0": 1}), raw=b"0")
    assert ledger.get(a).name == "renamed"
    assert ledger.page(JobFilter(tag="y"))[0].id == a
    assert ledger.delete([a, "no-such-id"]) == 1
    with pytest.raises(JobNotFoundError, match="No job"):
        ledger.get(a)
    with pytest.raises(JobNotFoundError):
        ledger.rename(a, "gone")
    assert [r.id for r in ledger.page()] == [b]
    # history and result rows went with the job (foreign keys cascade); the program is b's too
    conn = sqlite3.connect(ledger.path)
    try:
        (b_seq,) = conn.execute("SELECT seq FROM jobs WHERE id = ?", (b,)).fetchone()
        for table in ("status_history", "job_results"):
            jobs = {r[0] for r in conn.execute(f"SELECT job FROM {table}")}
            assert jobs == {b_seq}, table
        assert conn.execute("SELECT COUNT(*) FROM programs").fetchone()[0] == 1
    finally:
        conn.close()
    assert ledger.delete([b]) == 1  # the last job of a program takes it along
    conn = sqlite3.connect(ledger.path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM programs").fetchone()[0] == 0
    finally:
        conn.close()
    assert ledger.count(JobFilter(text="qelib1")) == 0


def test_filters_sort_and_paging(ledger: Ledger) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ids = []
    with ledger.transaction():
        for i in range(30):
            ids.append(
                ledger.create_job(
                    backend=("ionq.simulator", "local.simulator", "rigetti.sim.qvm")[i % 3],
                    program=BELL + (f"// marker-{i}\n" if i == 17 else ""),
                    shots=100 + i,
                    name=f"job {i:02d}",
                    status=("Waiting", "Succeeded")[i % 2],
                    tags=["special"] if i == 5 else [],
                    created_at=start + timedelta(hours=i),
                )
            )
    assert ledger.count() == 30
    assert ledger.count(JobFilter(backends=("ionq.simulator",))) == 10
    assert ledger.count(JobFilter(statuses=("Succeeded",))) == 15
    assert ledger.count(JobFilter(backends=("ionq.simulator",), statuses=("Succeeded",))) == 5
    window = JobFilter(since=start + timedelta(hours=10), until=start + timedelta(hours=20))
    assert ledger.count(window) == 10
    assert [r.id for r in ledger.page(JobFilter(text="MARKER-17"))] == [ids[17]]  # program text
    assert [r.id for r in ledger.page(JobFilter(text="job 2"))] == ids[
        29:19:-1
    ]  # name, newest first
    assert [r.id for r in ledger.page(JobFilter(text="speci"))] == [ids[5]]  # tags
    assert ledger.count(JobFilter(text="100%")) == 0  # LIKE wildcards are literal
    assert ledger.count(JobFilter(text="rigetti")) == 10

    newest = ledger.page(limit=5)
    assert [r.id for r in newest] == ids[29:24:-1]
    assert [r.id for r in ledger.page(offset=25, limit=10)] == ids[4::-1]
    by_shots = ledger.page(order=JobOrder("shots", descending=False), limit=3)
    assert [r.shots for r in by_shots] == [100, 101, 102]
    by_name = ledger.page(order=JobOrder("name", descending=True), limit=1)
    assert by_name[0].name == "job 29"
    with pytest.raises(ValueError, match="sort"):
        ledger.page(order=JobOrder("program; DROP TABLE jobs", descending=True))  # type: ignore[arg-type]
    assert ledger.backends() == ["ionq.simulator", "local.simulator", "rigetti.sim.qvm"]


def test_rows_read_as_they_go_are_the_pages_rows(ledger: Ledger) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with ledger.transaction():
        for i in range(25):
            ledger.create_job(
                backend=("ionq.simulator", "local.simulator")[i % 2],
                program=BELL + f"// run {i}\n",
                shots=100 + i,
                name=f"job {i:02d}",
                created_at=start + timedelta(hours=i // 3),  # ties: seq decides
            )
    for flt, order, limit in [
        (JobFilter(), JobOrder(), None),
        (JobFilter(), JobOrder(), 7),
        (JobFilter(backends=("ionq.simulator",)), JobOrder("shots", descending=False), None),
        (JobFilter(text="job 1"), JobOrder(), None),  # the names' trigram index
        (JobFilter(text="run 2"), JobOrder("name", descending=True), 3),  # program text too
    ]:
        read = [r.id for r in ledger.rows(flt, order, limit=limit, chunk=2)]
        assert read == [r.id for r in ledger.page(flt, order, limit=limit)], (flt, order, limit)
        assert read  # every case finds jobs
    assert list(ledger.rows(JobFilter(text="nowhere"))) == []


def test_resolve_by_id_azure_id_and_prefix(ledger: Ledger) -> None:
    azure_id = new_azure_job_id()
    job_id = ledger.create_job(backend="b", program=BELL, shots=1, azure_job_id=azure_id)
    assert ledger.resolve(job_id) == job_id
    assert ledger.resolve(azure_id) == job_id
    assert ledger.resolve(job_id[:8]) == job_id
    with pytest.raises(JobNotFoundError, match="nope"):
        ledger.resolve("nope")
    with pytest.raises(JobNotFoundError, match=str(ledger.path)):
        ledger.resolve("00000000-0000-0000-0000-000000000000")


def test_subscribers_hear_committed_changes_only(ledger: Ledger) -> None:
    heard: list[LedgerChange] = []
    unsubscribe = ledger.subscribe(heard.append)
    job_id = ledger.create_job(backend="b", program=BELL, shots=1)
    assert heard == [LedgerChange("created", (job_id,))]
    heard.clear()
    ledger.record_result(job_id, RunResult.from_counts("b", {"1": 3}), raw=b"raw")
    assert heard == [LedgerChange("updated", (job_id,))]  # several updates, one notice
    heard.clear()
    with pytest.raises(RuntimeError), ledger.transaction():
        ledger.rename(job_id, "x")
        raise RuntimeError("rolled back")
    assert heard == []
    assert ledger.get(job_id).name == ""
    ledger.delete([job_id])
    assert heard == [LedgerChange("deleted", (job_id,))]
    unsubscribe()
    ledger.create_job(backend="b", program=BELL, shots=1)
    assert len(heard) == 1


def test_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    open_ledger(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LedgerTooNewError, match="newer Quantum Desk") as caught:
        open_ledger(path, recover=True)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before


def test_an_empty_file_is_not_taken_as_new_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    sqlite3.connect(path).close()  # 0 bytes: a ledger cut off, never a new one (issue 14)
    with pytest.raises(LedgerCorruptError, match="empty"):
        open_ledger(path)
    with open_ledger(path, recover=True) as ledger:
        assert ledger.recovered_from is not None and ledger.recovered_from.stat().st_size == 0
        job_id = ledger.create_job(backend="b", program=BELL, shots=3)
    with open_ledger(path) as ledger:  # second open: no migration, data kept
        assert ledger.get(job_id).shots == 3
        assert ledger.integrity_check() == "ok"


def test_naive_times_are_refused(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="timezone"):
        ledger.create_job(backend="b", program=BELL, shots=1, created_at=datetime(2026, 1, 1))


def test_forward_migration_keeps_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core.ledger import schema as ledger_schema

    path = tmp_path / "ledger.sqlite3"
    with open_ledger(path) as ledger:
        job_id = ledger.create_job(backend="b", program=BELL, shots=4)
    v2 = ("ALTER TABLE jobs ADD COLUMN note TEXT NOT NULL DEFAULT 'migrated'",)
    monkeypatch.setattr(ledger_schema, "MIGRATIONS", (*ledger_schema.MIGRATIONS, v2))
    monkeypatch.setattr(ledger_schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert ledger_schema.migrate(conn) == SCHEMA_VERSION  # the version found
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute("SELECT shots, note FROM jobs WHERE id = ?", (job_id,)).fetchone() == (
            4,
            "migrated",
        )
        assert ledger_schema.migrate(conn) == SCHEMA_VERSION + 1  # idempotent
    finally:
        conn.close()


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core.ledger import schema as ledger_schema

    path = tmp_path / "ledger.sqlite3"
    open_ledger(path).close()
    bad = ("ALTER TABLE jobs ADD COLUMN ok TEXT", "ALTER TABLE no_such_table ADD COLUMN x TEXT")
    monkeypatch.setattr(ledger_schema, "MIGRATIONS", (*ledger_schema.MIGRATIONS, bad))
    monkeypatch.setattr(ledger_schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError):
            ledger_schema.migrate(conn)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = [r[1] for r in conn.execute("PRAGMA table_info(jobs)")]
        assert "ok" not in columns
    finally:
        conn.close()
