"""`quantum-desk run` (a fresh process, the real SDK, the loopback emulator) against each refusal
and state the emulator's fault switches produce (issue 10): every one ends in one plain message,
and the job ledger records what really happened (a refused submit is NeverSubmitted, a job left
running is still open, never "failed")."""

from __future__ import annotations

import json
import signal
from typing import Any

import pytest

from desktop_app.core.cancel import CancelToken
from desktop_app.core.jobs.reconcile import reconcile_unfinished
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.results import JobStatus
from tests.azure_emulator.dataplane import _NO_OUTPUT_FORMAT, _SESSION_TERMINAL
from tests.integration.test_azure_run_emulator import _profile, env  # noqa: F401
from tests.integration.test_crash_recovery import wait_for
from tests.integration.test_emulator_sdk import workspace
from tests.integration.test_failing_service_cli import RUN, _finish, _start

pytestmark = pytest.mark.azure

# Technical words no message to a user may carry (status codes, service codes, Python names).
TECHNICAL = ("HTTP", "Error", "Exception", "Traceback", "azure.", "InvalidJobDefinition", "409")


def _plain(message: str) -> str:
    for word in TECHNICAL:
        assert word not in message, message
    assert "\n" not in message.strip(), message
    return message


def _refusal_fault(em: Any, kind: str) -> None:
    if kind in ("target_unavailable", "provider_not_enabled"):
        em.add_fault(kind, target="ionq.simulator")
        return
    # The app never opens sessions and always names its output format: these two recorded
    # 400 refusals are replayed on its job PUT with the service's own code and message.
    _status, code, message = _SESSION_TERMINAL if kind == "session_terminal" else _NO_OUTPUT_FORMAT
    em.add_fault(
        "status", role="dp", method="PUT", path=r"/jobs/", status=400, code=code, message=message
    )


REFUSALS = {
    "target_unavailable": "ionq.simulator is not available right now",
    "provider_not_enabled": "The provider of ionq.simulator is not enabled in this Azure Quantum",
    "session_terminal": "The session the job was sent to has already ended",
    "no_output_format": "Azure Quantum did not accept the job for ionq.simulator: it lacks the "
    "format its results should come in",
}


@pytest.mark.parametrize("kind", list(REFUSALS))
def test_a_refused_submit_says_why_and_is_never_submitted(env, kind):  # noqa: F811
    _profile(env)
    _refusal_fault(env.emulator, kind)
    code, out, err = _finish(_start(env, *RUN))
    assert code == 1 and "Traceback" not in err
    (result,) = json.loads(out)
    assert result["status"] == "Failed"
    assert _plain(result["error"]["message"]).startswith(REFUSALS[kind])
    assert env.emulator.world.jobs == {}  # nothing at the service
    with open_ledger() as ledger:
        row = ledger.get(result["id"])
        assert row.status == JobStatus.NEVER_SUBMITTED and row.azure_job_id
        assert row.error_message == result["error"]["message"]
        assert ledger.unfinished_jobs() == []  # not a job reconciliation must look for


def test_a_refused_submit_in_the_table_output(env):  # noqa: F811
    _profile(env)
    env.emulator.add_fault("target_unavailable", target="ionq.simulator")
    code, out, err = _finish(_start(env, *[a for a in RUN if a != "--json"]))
    assert code == 1 and err == ""
    head, message, *_ = out.splitlines()
    assert head.startswith("ionq.simulator  Failed  1,000 shots")
    assert _plain(message.strip()).startswith(REFUSALS["target_unavailable"])


def _ledger_row_reaches(status: JobStatus) -> None:
    with open_ledger() as ledger:
        wait_for(
            lambda: [r for r in ledger.unfinished_jobs() if r.status == status],
            what=f"the run's ledger row to be {status}",
        )


def test_a_job_stuck_in_finishing_interrupted_stays_open_then_reconciles(env):  # noqa: F811
    _profile(env)
    stuck = env.emulator.add_fault("stay_finishing", target="ionq.simulator")
    process = _start(env, *RUN)
    try:
        wait_for(
            lambda: [j for j in env.emulator.world.jobs.values() if j["status"] == "Finishing"],
            what="the job to be Finishing",
        )
        _ledger_row_reaches(JobStatus.EXECUTING)  # Finishing is still running, in our words
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C
        code, out, err = _finish(process)
    assert code == 130 and out == ""
    (job_id,) = env.emulator.world.jobs
    assert _plain(err.strip()) == (
        f"quantum-desk: interrupted: the job on ionq.simulator (Azure job {job_id}) was not "
        "cancelled and goes on at Azure; it stays open in the job ledger, and `quantum-desk "
        "jobs reconcile` follows it to its result."
    )
    assert env.emulator.job(job_id)["status"] == "Finishing"  # not cancelled
    with open_ledger() as ledger:
        (row,) = ledger.unfinished_jobs()  # open, not failed
        assert row.azure_job_id == job_id and row.error_code is None
    env.emulator.remove_fault(stuck)
    with open_ledger() as ledger:  # what `jobs reconcile` (or the next window) does
        report = reconcile_unfinished(ledger, CancelToken(), lambda *_: None)
        assert report.finished == [row.id]
        assert ledger.get(row.id).status == JobStatus.SUCCEEDED


def test_a_job_cancelled_elsewhere_while_followed_ends_cancelled(env):  # noqa: F811
    """Someone cancels the job (in the portal) while the command line follows it, and the
    cancellation takes a while (CancellationRequested, Cancelling): the run ends Cancelled with
    a plain line, and the ledger says Cancelled."""
    _profile(env)
    queued = env.emulator.add_fault("stay_queued", target="ionq.simulator")
    slow = env.emulator.add_fault("slow_cancel", target="ionq.simulator")
    process = _start(env, *RUN)
    try:
        _ledger_row_reaches(JobStatus.WAITING)
        (job_id,) = env.emulator.world.jobs
        ws = workspace(env)
        # the SDK reads the job back after its cancel: CancellationRequested, or Cancelling
        # when the command line's own poll was the first read after the cancel
        answered = ws.cancel_job(ws.get_job(job_id)).details.status
        assert answered in ("CancellationRequested", "Cancelling")
        wait_for(lambda: env.emulator.job(job_id)["status"] == "Cancelling", what="Cancelling")
        assert process.poll() is None  # still following while the cancellation goes on
    finally:
        env.emulator.remove_fault(slow)
        env.emulator.remove_fault(queued)
        code, out, err = _finish(process)
    assert code == 1 and "Traceback" not in err
    (result,) = json.loads(out)
    assert result["status"] == "Cancelled"
    assert _plain(result["error"]["message"]) == (
        "The job was cancelled at Azure Quantum (not from here): run it again if you still "
        "need its result."
    )
    with open_ledger() as ledger:
        assert ledger.get(result["id"]).status == JobStatus.CANCELLED


def test_ctrl_c_while_submitting_leaves_the_job_for_reconciliation(env):  # noqa: F811
    _profile(env)
    slow = env.emulator.add_fault("latency", role="dp", method="PUT", path=r"/jobs/", delay=2.0)
    process = _start(env, *RUN)
    try:
        _ledger_row_reaches(JobStatus.SUBMITTING)
        wait_for(lambda: slow.hits > 0, what="the submit to reach the service")
    finally:
        process.send_signal(signal.SIGINT)
        code, out, err = _finish(process)
    assert code == 130 and out == ""
    with open_ledger() as ledger:
        (row,) = ledger.unfinished_jobs()
        assert row.status == JobStatus.SUBMITTING and row.error_code is None
    assert _plain(err.strip()) == (
        "quantum-desk: interrupted while submitting the job on ionq.simulator (Azure job "
        f"{row.azure_job_id}): it stays open in the job ledger, and `quantum-desk jobs "
        "reconcile` finds out whether Azure got it."
    )
    wait_for(lambda: env.emulator.job(row.azure_job_id), what="the delayed PUT to land")
    with open_ledger() as ledger:
        report = reconcile_unfinished(ledger, CancelToken(), lambda *_: None)
        assert report.finished == [row.id]
        assert ledger.get(row.id).status == JobStatus.SUCCEEDED
