"""Start-up reconciliation: settle every job the ledger still has open from an earlier session.

- A local run (no Azure id) cannot outlive the app that ran it: it is marked Failed "Interrupted".
  Only rows created before `started_before` are touched (this session's own runs are not); a
  second Quantum Desk running at the same time may see its local run marked too, and its later
  result still lands (a final status may be replaced by another final one).
- An Azure job is looked up on the service with its profile: found -> followed to the end by
  `AzureExecutor.resume` (results go to the ledger through a `LedgerRecorder`); not found (404)
  -> NeverSubmitted when the submit was never confirmed (the write-ahead row of a crash before
  the PUT), Failed "JobNotFound" when it was (deleted from the workspace since).
- Service unreachable, sign-in or profile problems: the jobs stay open for the next start, with
  one log line and one report line per profile (no error per job).

Stopping (`cancel`) stops FOLLOWING jobs; it never cancels them at Azure.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from desktop_app.core.azure.errors import explain
from desktop_app.core.azure.retry import Notice
from desktop_app.core.azure.session import is_transient, open_profile_workspace
from desktop_app.core.azure.workspace import close_workspace
from desktop_app.core.cancel import Cancelled, CancelToken, ProgressCallback
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.jobs import live_runs
from desktop_app.core.jobs.recording import LedgerRecorder
from desktop_app.core.ledger.errors import LedgerError
from desktop_app.core.ledger.models import FINAL_STATUSES
from desktop_app.core.results import JobStatus

if TYPE_CHECKING:
    from desktop_app.core.azure.polling import PollSchedule
    from desktop_app.core.azure.process_worker import WorkerContext
    from desktop_app.core.ledger.models import JobRow
    from desktop_app.core.ledger.store import Ledger
    from desktop_app.core.results import RunResult

log = logging.getLogger(__name__)

INTERRUPTED_CODE = "Interrupted"
INTERRUPTED_MESSAGE = (
    "Quantum Desk was closed or stopped while this local run was in progress: run it again."
)
LIVE_REASON = "another Quantum Desk (window or command) is running this job right now"
MAX_PARALLEL = 8  # jobs followed at once (each waits on the service in its own thread)

# A callable opening the workspace of a profile name: (workspace, Profile); the default opens
# the saved profile with its secret from the keyring.
WorkspaceOpener = Callable[[str], tuple[Any, Any]]


@dataclass
class ReconcileReport:
    """What reconciliation did, by ledger id."""

    interrupted: list[str] = field(default_factory=list)  # local runs marked Failed
    never_submitted: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)  # Azure jobs now in a final status
    still_open: list[str] = field(default_factory=list)  # followed, but not final yet (stopped)
    deferred: dict[str, str] = field(default_factory=dict)  # ledger id -> plain reason
    problems: list[str] = field(default_factory=list)  # one plain line per profile problem

    @property
    def total(self) -> int:
        return (
            len(self.interrupted)
            + len(self.never_submitted)
            + len(self.finished)
            + len(self.still_open)
            + len(self.deferred)
        )

    def summary(self) -> str:
        """One plain sentence for a status bar ("" when there was nothing to do)."""
        parts = [
            f"{n} {label}"
            for n, label in (
                (len(self.finished), "finished"),
                (len(self.still_open), "still running"),
                (len(self.never_submitted), "never reached Azure"),
                (len(self.interrupted), "interrupted local run(s)"),
                (len(self.deferred), "left for later"),
            )
            if n
        ]
        if not parts:
            return ""
        text = "Unfinished jobs from earlier: " + ", ".join(parts) + "."
        return text + (" " + "; ".join(self.problems) + "." if self.problems else "")


def _is_not_found(exc: BaseException) -> bool:
    from azure.core.exceptions import ResourceNotFoundError

    return isinstance(exc, ResourceNotFoundError) or getattr(exc, "status_code", None) == 404


def azure_jobs_open(ledger: Ledger, started_before: datetime | None = None) -> bool:
    """Whether reconciliation has an Azure job to look up (else it needs no Azure SDK)."""
    return any(
        r.azure_job_id is not None and (started_before is None or r.created_at < started_before)
        for r in ledger.unfinished_jobs()
    )


def reconcile_in_worker(
    context: WorkerContext,
    ledger_path: Path,
    started_before: datetime | None,
    schedule: PollSchedule | None,
) -> ReconcileReport:
    """`reconcile_unfinished` in the Azure worker process (`process.call_in_azure_worker`): the
    SDK works there, each ledger call runs in the app's process on its ledger."""
    return reconcile_unfinished(
        cast("Ledger", context.remote_ledger(ledger_path)),
        context.token,
        context.progress,
        started_before=started_before,
        schedule=schedule,
        open_workspace=context.open_workspace,
    )


def reconcile_unfinished(
    ledger: Ledger,
    cancel: CancelToken,
    progress: ProgressCallback,
    *,
    started_before: datetime | None = None,
    schedule: PollSchedule | None = None,
    open_workspace: WorkspaceOpener | None = None,
    max_parallel: int = MAX_PARALLEL,
) -> ReconcileReport:
    """Settle the ledger's open jobs created before `started_before` (default: all). Blocks until
    every found Azure job is final or `cancel` is set: call it from a worker thread."""
    report = ReconcileReport()
    rows = [
        r
        for r in ledger.unfinished_jobs()
        if started_before is None or r.created_at < started_before
    ]
    if not rows:
        return report
    progress(f"Checking {len(rows)} unfinished job(s)", None)
    by_profile: dict[str, list[JobRow]] = {}
    for row in rows:
        if row.azure_job_id is None:
            ledger.set_error(row.id, INTERRUPTED_CODE, INTERRUPTED_MESSAGE, status=JobStatus.FAILED)
            report.interrupted.append(row.id)
        elif not row.profile:
            report.deferred[row.id] = "the job has no Azure profile recorded"
        else:
            by_profile.setdefault(row.profile, []).append(row)
    if not by_profile:
        return report
    opener = open_workspace or open_profile_workspace
    found: list[tuple[JobRow, str]] = []
    for profile, jobs in by_profile.items():
        if cancel.cancelled:
            for row in jobs:
                report.deferred[row.id] = "reconciliation was stopped"
            continue
        found += [(row, profile) for row in _look_up(ledger, opener, profile, jobs, report)]
    _follow_all(ledger, found, cancel, progress, schedule, opener, max_parallel)
    for row, _ in found:
        _collect(ledger, row.id, report)
    if report.problems:
        progress("; ".join(report.problems), None)
    return report


def _follow_all(
    ledger: Ledger,
    found: list[tuple[JobRow, str]],
    cancel: CancelToken,
    progress: ProgressCallback,
    schedule: PollSchedule | None,
    opener: WorkspaceOpener,
    max_parallel: int,
) -> None:
    """Follow the found jobs on up to `max_parallel` threads until they end or `cancel` is set.

    Daemon threads, not a ThreadPoolExecutor: a follower can be stuck retrying a status call
    while the network is down (the executor does not give up on a job it follows); after a
    cancel we stop waiting for it, and it must not keep the process from exiting."""
    todo: queue.SimpleQueue[tuple[JobRow, str]] = queue.SimpleQueue()
    for item in found:
        todo.put(item)
    # Stopping reconciliation must never cancel a job at Azure: the followers get their own token,
    # detached (stop following, leave the job open) once `cancel` is set.
    follow = CancelToken()

    def work() -> None:
        while not cancel.cancelled:
            try:
                row, profile = todo.get_nowait()
            except queue.Empty:
                return
            try:
                _follow(ledger, row, profile, follow, progress, schedule, opener)
            except Cancelled:
                pass  # stopped, or the job was cancelled at Azure: its status tells
            except QuantumDeskError as exc:
                log.warning("reconciliation of job %s: %s", row.id, exc)
            except Exception:
                log.exception("reconciliation of job %s failed", row.id)

    threads = [
        threading.Thread(target=work, name=f"quantum-desk-follow-{n}", daemon=True)
        for n in range(min(max(1, max_parallel), len(found)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive() and not cancel.cancelled:
            thread.join(0.2)
    if cancel.cancelled:
        follow.detach()


def _look_up(
    ledger: Ledger,
    opener: WorkspaceOpener,
    profile: str,
    jobs: list[JobRow],
    report: ReconcileReport,
) -> list[JobRow]:
    """Ask the service about each job of one profile; returns the jobs it has (to follow)."""
    from desktop_app.core.azure.status import job_status_of

    try:
        workspace, _ = opener(profile)
    except Exception as exc:  # any failure: the jobs wait for the next start (logged below)
        reason = _defer_reason(profile, exc)
        log.warning("reconciliation: %s (%d job(s) left for later)", reason, len(jobs))
        report.problems.append(reason)
        for row in jobs:
            report.deferred[row.id] = reason
        return []
    found: list[JobRow] = []
    try:
        for index, row in enumerate(jobs):
            assert row.azure_job_id is not None
            if live_runs.is_live(ledger.path, row.azure_job_id):
                report.deferred[row.id] = LIVE_REASON  # its own process settles it
                continue
            try:
                job = workspace.get_job(row.azure_job_id)
            except Exception as exc:
                if _is_not_found(exc):
                    _not_found(ledger, row, report)
                    continue
                reason = _defer_reason(profile, exc)
                log.warning("reconciliation: %s (%d job(s) left)", reason, len(jobs) - index)
                report.problems.append(reason)
                for later in jobs[index:]:
                    report.deferred[later.id] = reason
                break
            if row.status == JobStatus.SUBMITTING:
                status = job_status_of(job.details.status)
                ledger.mark_submitted(
                    row.id,
                    status=JobStatus.EXECUTING if status.is_final else status.value,
                    at=job.details.creation_time,
                )
            found.append(row)
    finally:
        close_workspace(workspace)
    return found


def _not_found(ledger: Ledger, row: JobRow, report: ReconcileReport) -> None:
    assert row.azure_job_id is not None
    if live_runs.is_live(ledger.path, row.azure_job_id):  # its submit started since the check
        report.deferred[row.id] = LIVE_REASON
    elif row.status == JobStatus.SUBMITTING:
        ledger.mark_never_submitted(row.id, "not found at the service after a restart")
        report.never_submitted.append(row.id)
    else:
        ledger.set_error(
            row.id,
            "JobNotFound",
            "Azure Quantum no longer has this job (it was deleted from the workspace?).",
            status=JobStatus.FAILED,
        )
        report.finished.append(row.id)


def _defer_reason(profile: str, exc: BaseException) -> str:
    if is_transient(exc):
        return f"Azure Quantum could not be reached for profile {profile}: will try again later"
    if isinstance(exc, QuantumDeskError):
        return f"profile {profile}: {exc}"
    return f"profile {profile}: {explain(exc, None, profile)}"


def _follow(
    ledger: Ledger,
    row: JobRow,
    profile: str,
    follow: CancelToken,
    progress: ProgressCallback,
    schedule: PollSchedule | None,
    opener: WorkspaceOpener,
) -> RunResult:
    """On a follower thread: poll one job to its end; the recorder writes its result."""
    from desktop_app.core.azure.executor import AzureExecutor
    from desktop_app.core.request import RunRequest

    record = ledger.get(row.id)
    request = RunRequest(
        source=record.program,
        path=record.program_path,
        backend=record.backend,
        shots=record.shots,
        options=dict(record.options),
        profile=profile,
    )
    recorder = LedgerRecorder(ledger)
    kwargs: dict[str, Any] = {"recorder": recorder}
    if schedule is not None:
        kwargs["schedule"] = schedule
    if opener is not open_profile_workspace:
        kwargs["workspace_factory"] = lambda: opener(profile)
    executor = AzureExecutor(profile, **kwargs)
    assert row.azure_job_id is not None

    def job_progress(message: str, fraction: float | None) -> None:
        text = f"{record.backend} job {row.azure_job_id}: {message}"
        progress(Notice(text) if isinstance(message, Notice) else text, fraction)

    result = executor.resume(row.azure_job_id, request, follow, job_progress)
    if row.id not in recorder.finished and result.status.is_final:
        # resume could not finish the job (download failed, access lost): keep it open for the
        # next start, with the reason shown in the jobs view.
        ledger.set_error(row.id, result.error_code, result.error_message)
    return result


def _collect(ledger: Ledger, ledger_id: str, report: ReconcileReport) -> None:
    try:
        status = ledger.get(ledger_id).status
    except LedgerError:
        log.exception("job %s could not be read back", ledger_id)
        report.deferred[ledger_id] = "the ledger could not be read"
        return
    if status in FINAL_STATUSES:
        report.finished.append(ledger_id)
    else:
        report.still_open.append(ledger_id)
