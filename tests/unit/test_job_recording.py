"""Every run goes into the ledger: run_recorded (local runs), LedgerRecorder (the Azure executor's
JobRecorder), start-up reconciliation without a network, and the CLI's ledger ids."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.azure.executor import AzureExecutor
from desktop_app.core.azure.job_recorder import AzureJobInfo
from desktop_app.core.cancel import Cancelled, CancelToken, no_progress
from desktop_app.core.errors import UserInputError
from desktop_app.core.jobs.dispatch import executor_for
from desktop_app.core.jobs.reconcile import INTERRUPTED_CODE, reconcile_unfinished
from desktop_app.core.jobs.recording import LedgerRecorder, billed_cost_of, run_recorded
from desktop_app.core.ledger.models import new_azure_job_id, utc_now
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.programs import ProgramError
from desktop_app.core.request import RunRequest
from desktop_app.core.results import JobStatus, RunResult

ROOT = Path(__file__).resolve().parents[2]
BELL_FILE = ROOT / "resources" / "examples" / "bell.qasm"
BELL = BELL_FILE.read_text(encoding="utf-8")


@pytest.fixture
def ledger(tmp_path: Path):
    with open_ledger(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def _local(source: str = BELL, shots: int = 200) -> RunRequest:
    return RunRequest(source, "bell.qasm", "local.simulator", shots, {"seed": 7})


def _history(ledger: Ledger, job_id: str) -> list[str]:
    return [change.status for change in ledger.get(job_id).history]


# --------------------------------------------------------------------------- local runs
def test_local_run_is_recorded_with_its_counts(ledger: Ledger) -> None:
    executor = executor_for("local.simulator", isolate=False)
    result = run_recorded(_local(), executor, ledger, CancelToken(), no_progress)

    assert result.status is JobStatus.SUCCEEDED
    assert result.job_id is not None
    record = ledger.get(result.job_id)  # the returned job_id is the ledger id
    assert record.status == JobStatus.SUCCEEDED
    assert record.azure_job_id is None
    assert record.counts == result.counts and sum(result.counts.values()) == 200
    assert record.program == BELL and record.options == {"seed": 7}
    assert record.program_path == "bell.qasm"
    assert _history(ledger, result.job_id) == ["Waiting", "Executing", "Succeeded"]
    assert record.completed_at is not None and record.submitted_at is not None
    assert ledger.count() == 1


def test_local_program_error_is_recorded_and_raised(ledger: Ledger) -> None:
    executor = executor_for("local.simulator", isolate=False)
    with pytest.raises(ProgramError) as caught:
        run_recorded(
            _local("OPENQASM 2.0;\nqreg q[1;\n"), executor, ledger, CancelToken(), no_progress
        )

    (row,) = ledger.page()
    assert row.status == JobStatus.FAILED
    assert row.error_code == "program"  # a plain word, never a Python class name
    assert row.error_message == str(caught.value)


def test_local_cancel_is_recorded(ledger: Ledger) -> None:
    cancel = CancelToken()
    cancel.cancel()
    executor = executor_for("local.simulator", isolate=False)
    with pytest.raises(Cancelled):
        run_recorded(_local(), executor, ledger, cancel, no_progress)

    (row,) = ledger.page()
    assert row.status == JobStatus.CANCELLED
    assert ledger.unfinished_jobs() == []


def test_azure_run_that_cannot_start_is_still_recorded(ledger: Ledger) -> None:
    # No profile at all: the executor refuses before any job exists; the run is in the ledger.
    request = RunRequest(BELL, "bell.qasm", "ionq.simulator", 100)
    with pytest.raises(UserInputError) as caught:
        run_recorded(request, AzureExecutor(), ledger, CancelToken(), no_progress)

    (row,) = ledger.page()
    assert row.status == JobStatus.FAILED and row.azure_job_id is None
    assert row.error_message == str(caught.value)
    assert "profile" in row.error_message


# ---------------------------------------------------------------------- LedgerRecorder
def _info(job_id: str) -> AzureJobInfo:
    return AzureJobInfo(
        job_id=job_id,
        backend="ionq.simulator",
        profile="lab",
        shots=100,
        name="quantum-desk bell.qasm",
        input_data_format="ionq.circuit.v1",
        output_data_format="ionq.quantum-results.v1",
        metadata={},
        program_source=BELL,
        program_path="bell.qasm",
    )


def test_recorder_writes_ahead_then_follows_the_job(ledger: Ledger) -> None:
    recorder = LedgerRecorder(
        ledger, options={"error_mitigation": False}, estimated_cost={"amount": 0.0}
    )
    azure_id = new_azure_job_id()
    recorder.job_created(_info(azure_id))

    (ledger_id,) = recorder.created
    row = ledger.get(ledger_id)
    assert row.status == JobStatus.SUBMITTING and row.submitted_at is None
    assert (row.azure_job_id, row.profile, row.shots) == (azure_id, "lab", 100)
    assert row.options == {"error_mitigation": False}
    assert row.estimated_cost == {"amount": 0.0}
    assert [r.id for r in ledger.unfinished_jobs()] == [ledger_id]  # a crash now loses nothing

    recorder.job_status(azure_id, JobStatus.WAITING, "Waiting")
    assert ledger.get(ledger_id).status == JobStatus.WAITING
    assert ledger.get(ledger_id).submitted_at is not None
    recorder.job_status(azure_id, JobStatus.EXECUTING, "Executing")
    # A final status alone is not written: the result comes with job_finished.
    recorder.job_status(azure_id, JobStatus.SUCCEEDED, "Succeeded")
    assert ledger.get(ledger_id).status == JobStatus.EXECUTING

    result = RunResult.from_probabilities(
        "ionq.simulator", {"00": 0.5, "11": 0.5}, 100, job_id=azure_id
    )
    cost = {"currency": "USD", "estimated_total": 0.0, "events": []}
    recorder.job_finished(azure_id, result, {"cost_estimate": cost, "azure_status": "Succeeded"})
    record = ledger.get(ledger_id)
    assert record.status == JobStatus.SUCCEEDED
    assert record.counts == {"00": 50, "11": 50}
    assert record.billed_cost == billed_cost_of({"cost_estimate": cost})
    assert record.billed_cost is not None and record.billed_cost["currency"] == "USD"
    assert _history(ledger, ledger_id) == ["Submitting", "Waiting", "Executing", "Succeeded"]
    assert ledger_id in recorder.finished


def test_recorder_finds_a_job_created_by_an_earlier_session(ledger: Ledger) -> None:
    azure_id = new_azure_job_id()
    ledger_id = ledger.create_job(
        backend="ionq.simulator", program=BELL, shots=100, azure_job_id=azure_id, profile="lab"
    )
    recorder = LedgerRecorder(ledger)  # a fresh recorder, as reconciliation uses
    recorder.job_status(azure_id, JobStatus.WAITING, "Waiting")
    assert ledger.get(ledger_id).status == JobStatus.WAITING
    assert recorder.ledger_id(azure_id) == ledger_id
    assert recorder.ledger_id(new_azure_job_id()) is None


# ------------------------------------------------------------------ reconciliation (offline)
def test_reconcile_marks_interrupted_local_runs_only_from_before(ledger: Ledger) -> None:
    old = ledger.create_job(
        backend="local.simulator",
        program=BELL,
        shots=10,
        status="Waiting",
        created_at=utc_now() - timedelta(minutes=5),
    )
    ledger.mark_submitted(old, status="Executing")
    started = utc_now()
    mine = ledger.create_job(  # this session's own run, started after reconciliation began
        backend="local.simulator",
        program=BELL,
        shots=10,
        status="Waiting",
        created_at=started + timedelta(seconds=1),
    )
    report = reconcile_unfinished(ledger, CancelToken(), no_progress, started_before=started)

    assert report.interrupted == [old]
    assert report.summary() == "Unfinished jobs from earlier: 1 interrupted local run(s)."
    record = ledger.get(old)
    assert record.status == JobStatus.FAILED and record.error_code == INTERRUPTED_CODE
    assert ledger.get(mine).status == JobStatus.WAITING
    # Its late result (a second instance's run) still lands: final -> final is allowed.
    ledger.record_result(old, RunResult.from_counts("local.simulator", {"00": 10}))
    assert ledger.get(old).status == JobStatus.SUCCEEDED


def test_reconcile_defers_jobs_whose_profile_is_unusable(ledger: Ledger) -> None:
    ids = [
        ledger.create_job(
            backend="ionq.simulator",
            program=BELL,
            shots=10,
            azure_job_id=new_azure_job_id(),
            profile="gone",
        )
        for _ in range(3)
    ]
    no_profile = ledger.create_job(
        backend="ionq.simulator", program=BELL, shots=10, azure_job_id=new_azure_job_id()
    )
    messages: list[str] = []
    report = reconcile_unfinished(ledger, CancelToken(), lambda m, f: messages.append(m))

    assert set(report.deferred) == {*ids, no_profile}
    assert len(report.problems) == 1 and "gone" in report.problems[0]  # one line, not three
    assert all(ledger.get(i).status == JobStatus.SUBMITTING for i in [*ids, no_profile])
    assert report.finished == report.never_submitted == []
    assert messages[-1] == report.problems[0]


def test_reconcile_offline_leaves_jobs_for_later_with_one_problem(ledger: Ledger) -> None:
    import socket
    import time

    from desktop_app.core.azure.profiles import Profile, ProfileStore
    from desktop_app.core.azure.secrets import default_secret_store

    with socket.socket() as probe:  # a loopback port nobody listens on: "no network"
        probe.bind(("127.0.0.1", 0))
        closed = f"https://127.0.0.1:{probe.getsockname()[1]}"
    profile = ProfileStore().create(
        Profile(
            name="offline",
            resource_id="/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"
            "/providers/Microsoft.Quantum/Workspaces/ws",
            location="eastus",
            tenant_id="11111111-1111-1111-1111-111111111111",
            client_id="22222222-2222-2222-2222-222222222222",
            authority_host=closed,
            arm_endpoint=closed,
        ).validated(),
        allow_custom_endpoints=True,  # a loopback port: confirmed, as a user would
    )
    default_secret_store().set(profile, "not-a-real-secret")
    try:
        ids = [
            ledger.create_job(
                backend="ionq.simulator",
                program=BELL,
                shots=10,
                status="Waiting",
                azure_job_id=new_azure_job_id(),
                profile="offline",
            )
            for _ in range(3)
        ]
        started = time.monotonic()
        report = reconcile_unfinished(ledger, CancelToken(), no_progress)
        elapsed = time.monotonic() - started
    finally:
        default_secret_store().delete("offline")

    assert set(report.deferred) == set(ids)
    assert report.problems == [
        "Azure Quantum could not be reached for profile offline: will try again later"
    ]
    assert all(ledger.get(i).status == JobStatus.WAITING for i in ids)
    assert report.summary().startswith("Unfinished jobs from earlier: 3 left for later. Azure")
    assert elapsed < 30  # one attempt for the profile, not one (with retries) per job


# ------------------------------------------------------------------------------------ CLI
def test_cli_run_prints_and_records_the_ledger_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(BELL_FILE), "--json", "--shots", "300", "--seed", "3"]) == 0
    (document,) = json.loads(capsys.readouterr().out)
    assert document["azure_job_id"] is None and document["job_id"] == document["id"]
    with open_ledger() as ledger:
        record = ledger.get(document["id"])
    assert record.status == JobStatus.SUCCEEDED and record.counts == document["counts"]
    assert record.options == {"seed": 3}

    assert main(["run", str(BELL_FILE), "--shots", "300"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    with open_ledger() as ledger:
        newest = ledger.page(limit=1)[0]
    assert header.startswith("local.simulator  Succeeded") and f"job {newest.id}" in header


def test_cli_reconcile_settles_interrupted_runs(capsys: pytest.CaptureFixture[str]) -> None:
    with open_ledger() as ledger:
        job = ledger.create_job(backend="local.simulator", program=BELL, shots=5, status="Waiting")
    assert main(["jobs", "reconcile", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["interrupted"] == [job] and summary["deferred"] == {}
    assert main(["jobs", "reconcile"]) == 0
    assert capsys.readouterr().out.strip() == "No unfinished jobs."
