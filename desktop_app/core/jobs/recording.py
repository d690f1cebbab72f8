"""Every run goes through the job ledger: local runs and Azure jobs alike.

`run_recorded` wraps an executor's `run`. A local run gets its ledger row first (Waiting ->
Executing -> its result, an error, or Cancelled). An Azure run gets a `LedgerRecorder` as the
executor's `JobRecorder`: the row, with the Azure job id chosen on our side, is committed BEFORE the
submit call (write-ahead), so a crash after Azure accepted the job cannot lose it; start-up
reconciliation (`core.reconcile`) picks such rows up again.

The returned `RunResult.job_id` is the LEDGER id of the run (the Azure id is in the ledger row).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from desktop_app.core.azure.errors import UNCONFIRMED_SUBMIT
from desktop_app.core.cancel import Cancelled, Detached
from desktop_app.core.errors import QuantumDeskError, error_code
from desktop_app.core.jobs import live_runs
from desktop_app.core.jobs.live_runs import LiveRun
from desktop_app.core.ledger.errors import LedgerError
from desktop_app.core.ledger.models import FINAL_STATUSES
from desktop_app.core.request import RecordsRemoteJobs
from desktop_app.core.results import JobStatus, RunResult

if TYPE_CHECKING:
    from desktop_app.core.azure.job_recorder import AzureJobInfo
    from desktop_app.core.cancel import CancelToken, ProgressCallback
    from desktop_app.core.ledger.store import Ledger
    from desktop_app.core.request import Executor, RunRequest

log = logging.getLogger(__name__)


def billed_cost_of(details: Mapping[str, Any]) -> dict[str, Any] | None:
    """The service's cost figures of a finished job in the ledger's cost convention."""
    cost = details.get("cost_estimate")
    if not isinstance(cost, Mapping):
        return None
    return {
        "amount": cost.get("estimated_total"),
        "currency": cost.get("currency"),
        "events": list(cost.get("events") or []),
        "source": "azure",
    }


class LedgerRecorder:
    """The Azure executor's `JobRecorder` on top of the ledger (calls come from worker threads).

    `options` and `estimated_cost` are written with the row `job_created` makes (the executor's
    `AzureJobInfo` does not carry them). Jobs created elsewhere (resumed ones) are found by their
    Azure id.
    """

    def __init__(
        self,
        ledger: Ledger,
        *,
        options: Mapping[str, object] | None = None,
        estimated_cost: Mapping[str, Any] | None = None,
    ) -> None:
        self.ledger = ledger
        self.options = dict(options or {})
        self.estimated_cost = estimated_cost
        self.created: list[str] = []  # ledger ids of the rows job_created made, in order
        self.finished: set[str] = set()  # ledger ids job_finished recorded
        self._ids: dict[str, str] = {}  # Azure job id -> ledger id
        self._live: list[LiveRun] = []  # this process is running these jobs (live_runs)
        self._lock = threading.Lock()

    def release(self) -> None:
        """The run is over: other processes may reconcile its jobs from now on."""
        with self._lock:
            live, self._live = self._live, []
        for run in live:
            run.release()

    def ledger_id(self, azure_job_id: str) -> str | None:
        with self._lock:
            known = self._ids.get(azure_job_id)
        if known is not None:
            return known
        row = self.ledger.find_by_azure_id(azure_job_id)
        if row is None:
            return None
        with self._lock:
            self._ids[azure_job_id] = row.id
        return row.id

    def job_created(self, info: AzureJobInfo) -> None:
        # Held before the row exists: `jobs reconcile` elsewhere never sees it Submitting unheld.
        live = live_runs.hold(self.ledger.path, info.job_id)
        with self._lock:
            self._live.append(live)
        ledger_id = self.ledger.create_job(
            backend=info.backend,
            program=info.program_source,
            shots=info.shots,
            options=self.options,
            profile=info.profile,
            name=info.name,
            program_path=info.program_path,
            azure_job_id=info.job_id,
            status=JobStatus.SUBMITTING,
            estimated_cost=self.estimated_cost,
        )
        with self._lock:
            self._ids[info.job_id] = ledger_id
            self.created.append(ledger_id)

    def job_status(self, job_id: str, status: JobStatus, azure_status: str) -> None:
        ledger_id = self.ledger_id(job_id)
        if ledger_id is None:
            log.warning("status of Azure job %s, which is not in the ledger", job_id)
            return
        row = self.ledger.get(ledger_id)
        if status == JobStatus.NEVER_SUBMITTED:
            # The service refused the submit: the job never existed there (not a lost job).
            if row.status == JobStatus.SUBMITTING:
                self.ledger.mark_never_submitted(ledger_id, azure_status or "refused")
            return
        if status.is_final:
            # The outcome is written by job_finished (or by run_recorded when the download
            # fails): a final status without its result would never be looked at again.
            if row.status == JobStatus.SUBMITTING:
                self.ledger.mark_submitted(ledger_id, status=JobStatus.EXECUTING)
            return
        if row.status == JobStatus.SUBMITTING:
            self.ledger.mark_submitted(ledger_id, status=status.value)
        else:
            self.ledger.set_status(ledger_id, status.value, detail=azure_status or None)

    def job_finished(self, job_id: str, result: RunResult, details: Mapping[str, Any]) -> None:
        ledger_id = self.ledger_id(job_id)
        if ledger_id is None:
            log.warning("result of Azure job %s, which is not in the ledger", job_id)
            return
        raw = details.get("raw_result")
        self.ledger.record_result(
            ledger_id,
            result,
            raw=raw if isinstance(raw, bytes | str) else None,
            raw_content_type=str(details.get("raw_content_type") or "") or None,
            billed_cost=billed_cost_of(details),
        )
        with self._lock:
            self.finished.add(ledger_id)


def run_recorded(
    request: RunRequest,
    executor: Executor,
    ledger: Ledger,
    cancel: CancelToken,
    progress: ProgressCallback,
    *,
    estimated_cost: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run `request` on `executor`, recording it in `ledger`; the result's `job_id` is the ledger
    id. Raises what the executor raises (ProgramError, UserInputError, Cancelled) after recording
    the outcome; LedgerError when the ledger cannot be written (nothing is submitted to Azure
    then)."""
    if isinstance(executor, RecordsRemoteJobs):
        return _run_remote(request, executor, ledger, cancel, progress, estimated_cost)
    ledger_id = _new_row(ledger, request, JobStatus.WAITING, estimated_cost)
    try:
        ledger.mark_submitted(ledger_id, status=JobStatus.EXECUTING)
        result = executor.run(request, cancel, progress)
    except BaseException as exc:
        _record_exception(ledger, ledger_id, exc)
        raise
    ledger.record_result(ledger_id, result)
    return replace(result, job_id=ledger_id)


def _new_row(
    ledger: Ledger,
    request: RunRequest,
    status: JobStatus,
    estimated_cost: Mapping[str, Any] | None = None,
) -> str:
    return ledger.create_job(
        backend=request.backend,
        program=request.source,
        shots=request.shots,
        options=dict(request.options),
        profile=request.profile,
        name=request.job_name,
        program_path=request.path,
        status=status,
        estimated_cost=estimated_cost,
    )


def _record_exception(ledger: Ledger, ledger_id: str, exc: BaseException) -> None:
    """The run ended with an exception: note it (the exception itself is re-raised)."""
    if isinstance(exc, LedgerError):
        return  # the ledger is what failed
    try:
        if isinstance(exc, Detached):
            ledger.set_status(ledger_id, JobStatus.CANCELLED, detail="stopped: the app closed")
        elif isinstance(exc, KeyboardInterrupt):
            ledger.set_status(ledger_id, JobStatus.CANCELLED, detail="interrupted (Ctrl+C)")
        elif isinstance(exc, Cancelled):
            ledger.set_status(ledger_id, JobStatus.CANCELLED, detail="cancelled by the user")
        elif isinstance(exc, QuantumDeskError):
            ledger.set_error(ledger_id, error_code(exc), str(exc), status=JobStatus.FAILED)
        else:
            ledger.set_error(
                ledger_id,
                error_code(exc),
                "an unexpected failure: the details are in the log (on the command line: "
                "--verbose)",
                status=JobStatus.FAILED,
            )
    except LedgerError:
        log.exception("could not record the end of job %s in the ledger", ledger_id)


def _run_remote(
    request: RunRequest,
    executor: RecordsRemoteJobs,
    ledger: Ledger,
    cancel: CancelToken,
    progress: ProgressCallback,
    estimated_cost: Mapping[str, Any] | None,
) -> RunResult:
    recorder = LedgerRecorder(ledger, options=request.options, estimated_cost=estimated_cost)
    try:
        return _record_remote(request, executor, recorder, cancel, progress, estimated_cost)
    finally:
        recorder.release()


def _record_remote(
    request: RunRequest,
    executor: RecordsRemoteJobs,
    recorder: LedgerRecorder,
    cancel: CancelToken,
    progress: ProgressCallback,
    estimated_cost: Mapping[str, Any] | None,
) -> RunResult:
    ledger = recorder.ledger
    runner = executor.with_recorder(recorder)
    try:
        result = runner.run(request, cancel, progress)
    except BaseException as exc:
        ledger_id = recorder.created[0] if recorder.created else None
        if ledger_id is None:
            if not isinstance(exc, LedgerError):
                _record_exception(ledger, _new_row(ledger, request, JobStatus.WAITING), exc)
        elif ledger_id not in recorder.finished:
            status = ledger.get(ledger_id).status
            if status == JobStatus.SUBMITTING:
                # Maybe Azure has it, maybe not: start-up reconciliation will find out.
                log.info("job %s ended before its submission was confirmed", ledger_id)
            elif status not in FINAL_STATUSES and not isinstance(exc, Detached | KeyboardInterrupt):
                # Detached (the app closed) or Ctrl+C on the command line: the job goes on at
                # Azure, so it stays open for reconciliation (never marked failed).
                _record_exception(ledger, ledger_id, exc)
        raise
    if not recorder.created:  # failed before a job existed (sign-in, target, ...)
        ledger_id = _new_row(ledger, request, JobStatus.WAITING, estimated_cost)
        ledger.record_result(ledger_id, result)
        return replace(result, job_id=ledger_id)
    ledger_id = recorder.created[0]
    if ledger_id not in recorder.finished:
        status = ledger.get(ledger_id).status
        if status == JobStatus.SUBMITTING and result.error_code == UNCONFIRMED_SUBMIT:
            # The submit's answer was lost: Azure may have the job. It stays Submitting, and
            # reconciliation looks it up by its id.
            ledger.set_error(ledger_id, result.error_code, result.error_message)
        elif status == JobStatus.SUBMITTING or result.status is not JobStatus.FAILED:
            ledger.record_result(ledger_id, result)  # a definitive submit error
        else:
            # The job exists at Azure but we could not follow it to the end (its result could
            # not be downloaded, access was lost): keep it open so reconciliation tries again.
            ledger.set_error(ledger_id, result.error_code, result.error_message)
    return replace(result, job_id=ledger_id)
