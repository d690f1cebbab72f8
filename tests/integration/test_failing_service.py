"""A failing service (issue 14): retries bounded by a deadline and announced, diagnoses from the
real cause, a submit whose answer was lost kept open and reconciled by its id. Driven by the
loopback emulator's fault switches; the ledger is the real one in the test's data dir."""

from __future__ import annotations

import pytest

from desktop_app.core.azure import credentials
from desktop_app.core.azure.errors import UNCONFIRMED_SUBMIT
from desktop_app.core.azure.executor import AzureExecutor
from desktop_app.core.azure.polling import PollSchedule
from desktop_app.core.azure.retry import Notice
from desktop_app.core.azure.secrets import default_secret_store
from desktop_app.core.cancel import CancelToken
from desktop_app.core.jobs.reconcile import reconcile_unfinished
from desktop_app.core.jobs.recording import run_recorded
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.results import JobStatus, RunResult
from tests.integration.test_azure_run_emulator import _profile, _request, env  # noqa: F401

pytestmark = pytest.mark.azure

# Short back-off and a 2 s deadline: every persistent fault below ends in seconds.
QUICK = PollSchedule(first=0.05, factor=1.5, maximum=0.2, retry_deadline=2.0)
JOB = r"/jobs/[0-9a-f-]+$"
WRONG = ("Workspace", "role", "connection test failed", "Tenant", "location", "Traceback")


def _run(backend: str = "ionq.simulator") -> tuple[RunResult, list[str], str]:
    """One recorded run; returns the result, the progress lines and the ledger row's status."""
    lines: list[str] = []
    with open_ledger() as ledger:
        result = run_recorded(
            _request(backend),
            AzureExecutor(schedule=QUICK),
            ledger,
            CancelToken(),
            lambda message, _f: lines.append(message),
        )
        assert result.job_id is not None
        status = ledger.get(result.job_id).status
    return result, lines, status


def _plain(message: str | None) -> str:
    assert message
    for wrong in WRONG:
        assert wrong not in message, message
    return message


def test_persistent_503_on_the_storage_sas_call_fails_the_submit_with_its_reason(env):  # noqa: F811
    _profile(env)
    sas = "/storage/sasUri"
    env.emulator.add_fault("status", role="dp", path=sas, status=503, retry_after=0.05)
    result, lines, status = _run()
    assert result.status is JobStatus.FAILED and status == JobStatus.FAILED
    assert "the service answered 503" in _plain(result.error_message)
    notices = [line for line in lines if isinstance(line, Notice)]
    assert notices and all("retrying in" in n and "503" in n for n in notices)
    assert not env.emulator.requests_matching(role="dp", method="PUT", path_contains="/jobs/")


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 503, "retry_after": 0.05},
        {"kind": "status", "status": 429, "retry_after": 0.05},
        {"kind": "drop"},
    ],
    ids=["503", "429", "dropped"],
)
def test_persistent_failures_while_polling_leave_the_job_open(env, fault):  # noqa: F811
    _profile(env)
    emulator = env.emulator
    queued = emulator.add_fault("stay_queued", target="ionq.simulator")
    failing = emulator.add_fault(fault.pop("kind"), role="dp", method="GET", path=JOB, **fault)
    result, lines, status = _run()
    assert result.status is JobStatus.FAILED and status == JobStatus.WAITING  # open, not failed
    assert "Checking status did not succeed" in _plain(result.error_message)
    assert "stays open" in result.error_message
    assert any(isinstance(line, Notice) and "retrying in" in line for line in lines)
    # Once the service answers again, reconciliation follows the job to its end.
    emulator.remove_fault(failing)
    emulator.remove_fault(queued)
    with open_ledger() as ledger:
        report = reconcile_unfinished(ledger, CancelToken(), lambda *_: None, schedule=QUICK)
        assert report.finished == [result.job_id]
        assert ledger.get(result.job_id).status == JobStatus.SUCCEEDED


@pytest.mark.parametrize("kind", ["status", "drop"])
def test_lost_answer_to_the_job_put_is_looked_up_by_its_id(env, kind):  # noqa: F811
    """Azure created the job, its answer was a 500 or never came: the job is found, not lost."""
    _profile(env)
    options = {"status": 500, "retry_after": 0.05} if kind == "status" else {}
    env.emulator.add_fault(kind, role="dp", method="PUT", path=JOB, after=True, **options)
    result, _lines, status = _run()
    assert result.status is JobStatus.SUCCEEDED and status == JobStatus.SUCCEEDED
    assert len(env.emulator.world.jobs) == 1  # the same id on every attempt: one job


def test_unconfirmed_submit_stays_open_and_is_reconciled_by_its_id(env):  # noqa: F811
    _profile(env)
    emulator = env.emulator
    put = emulator.add_fault(
        "status", role="dp", method="PUT", path=JOB, status=503, retry_after=0.05, after=True
    )
    get = emulator.add_fault("drop", role="dp", method="GET", path=JOB)
    result, _lines, status = _run()
    assert status == JobStatus.SUBMITTING and result.error_code == UNCONFIRMED_SUBMIT
    assert "may exist at Azure" in _plain(result.error_message)
    emulator.remove_fault(put)
    emulator.remove_fault(get)
    with open_ledger() as ledger:
        report = reconcile_unfinished(ledger, CancelToken(), lambda *_: None, schedule=QUICK)
        assert report.never_submitted == [] and report.finished == [result.job_id]
        assert ledger.get(result.job_id).status == JobStatus.SUCCEEDED


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"kind": "status", "status": 500, "retry_after": 0.05}, "the service answered 500"),
        ({"kind": "status", "status": 409}, "conflict"),
        ({"kind": "drop"}, "the connection was dropped"),
    ],
    ids=["500", "409", "dropped"],
)
def test_failed_job_put_is_explained_from_its_cause(env, fault, said):  # noqa: F811
    _profile(env)
    env.emulator.add_fault(fault.pop("kind"), role="dp", method="PUT", path=JOB, **fault)
    result, _lines, status = _run()
    # a 4xx is a refusal (no job exists at Azure: never submitted); a 5xx or a drop is a failure
    refused = fault.get("status") == 409
    assert result.status is JobStatus.FAILED
    assert status == (JobStatus.NEVER_SUBMITTED if refused else JobStatus.FAILED)
    assert said in _plain(result.error_message)


def test_404_on_a_poll_says_the_job_is_gone(env):  # noqa: F811
    _profile(env)
    env.emulator.add_fault("stay_queued", target="ionq.simulator")
    env.emulator.add_fault("status", role="dp", method="GET", path=JOB, status=404)
    result, _lines, _status = _run()
    assert result.status is JobStatus.FAILED
    assert "has no job" in _plain(result.error_message)


def test_entra_429_is_busy_not_an_unknown_tenant(env):  # noqa: F811
    profile = _profile(env)
    env.emulator.add_fault("status", role="aad", status=429, retry_after=0.05)
    report = credentials.test_connection(profile, default_secret_store().get)
    assert not report.ok and "busy" in _plain(report.message) and "429" in report.message


def test_garbage_arm_answer_is_not_a_wrong_location(env):  # noqa: F811
    profile = _profile(env)
    env.emulator.add_fault("status", role="arm", status=200)  # an error body, not a workspace
    report = credentials.test_connection(profile, default_secret_store().get)
    assert not report.ok and "Resource Manager" in _plain(report.message)
