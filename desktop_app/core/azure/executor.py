"""Run programs on Azure Quantum targets: submit, poll, cancel, download, normalize.

Built on the unmodified azure-quantum SDK: its Target (`workspace.read_target`) `.submit(...)`
with our own translation (`azure_translate`), and the job id made on our side with the SDK's own
`Job.create_job_id()` and passed as `job_id=` (Target.submit forwards it to
`Job.from_input_data`), so a `JobRecorder` (the ledger) knows the id BEFORE the job is created.

Polling backs off from `PollSchedule.first` to `PollSchedule.maximum` seconds, never gives up on a
job for taking long, and rides out transient failures (HTTP 408/429/5xx with Retry-After, dropped
connections); azure-identity credentials renew expired tokens on their own. The result blob is read
through the SDK's `Job.download_data` (not `get_results`, which polls with a 300 s timeout and
prints dots); a missing blob or an expired link re-fetches the job for a fresh link.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_app.core.azure import ahead, busy_steps
from desktop_app.core.azure.errors import (
    CANCELLED_ELSEWHERE,
    CANCELLED_ELSEWHERE_MESSAGE,
    UNCONFIRMED_SUBMIT,
    AzureRunError,
    definitely_not_created,
    explain,
    hint_for,
    is_not_found,
)
from desktop_app.core.azure.job_recorder import AzureJobInfo, JobRecorder, NullRecorder
from desktop_app.core.azure.normalize import (
    OutputFormatError,
    Readout,
    parse_output,
)
from desktop_app.core.azure.outcome import cost, error_of, normalize_result, seconds_between
from desktop_app.core.azure.polling import DEFAULT_POLLING, PollSchedule
from desktop_app.core.azure.retry import (
    GaveUp,
    call_with_retries,
    failure_text,
)
from desktop_app.core.azure.session import (
    SecretProvider,
    forget_credentials,
    open_profile_workspace,
)
from desktop_app.core.azure.status import job_status_of, progress_word
from desktop_app.core.azure.workspace import close_workspace, enum_text, read_target
from desktop_app.core.cancel import JOB_ID_PROGRESS, Cancelled, Detached
from desktop_app.core.catalog import target_name
from desktop_app.core.errors import QuantumDeskError, UserInputError
from desktop_app.core.results import JobStatus, RunResult

if TYPE_CHECKING:
    from desktop_app.core.azure.profiles import Profile
    from desktop_app.core.azure.translate import Translation
    from desktop_app.core.cancel import CancelToken, ProgressCallback
    from desktop_app.core.request import RunRequest

log = logging.getLogger(__name__)

_DOWNLOAD_ATTEMPTS = 6
_CANCEL_GRACE_POLLS = 20  # polls after a cancel request before giving up on seeing "Cancelled"


# A callable giving an opened azure.quantum.Workspace (and the profile it was opened for).
WorkspaceFactory = Callable[[], tuple[Any, "Profile | None"]]


@dataclass
class _Context:
    request: RunRequest
    cancel: CancelToken
    progress: ProgressCallback
    started: float = field(default_factory=time.monotonic)
    profile: Profile | None = None
    workspace: Any = None
    reauth_left: int = 3  # fresh credentials to try when the service rejects a token (401)


class AzureExecutor:
    """Executor for Azure Quantum targets (`desktop_app.core.request.Executor`).

    `profile`: the profile name when the request does not name one. `workspace_factory`
    overrides how the workspace is opened (tests, a shared session). `recorder` receives the job
    id before submission and every status change (the ledger). `schedule` sets polling.
    """

    def __init__(
        self,
        profile: str | None = None,
        *,
        workspace_factory: WorkspaceFactory | None = None,
        recorder: JobRecorder | None = None,
        schedule: PollSchedule = DEFAULT_POLLING,
        secret_of: SecretProvider | None = None,
    ) -> None:
        self.profile = profile
        self.workspace_factory = workspace_factory
        self.recorder: JobRecorder = recorder or NullRecorder()
        self.schedule = schedule
        self.secret_of = secret_of  # None: the OS keyring's store
        # request -> its Translation made elsewhere (tests slow it down with this); None:
        # parsed and translated on this thread
        self.translator: Callable[[RunRequest, CancelToken], Translation] | None = None

    # ------------------------------------------------------------------ public

    def with_recorder(self, recorder: JobRecorder) -> AzureExecutor:
        """This executor reporting to `recorder` (`core.request.RecordsRemoteJobs`)."""
        runner = copy.copy(self)
        runner.recorder = recorder
        return runner

    def run(
        self, request: RunRequest, cancel: CancelToken, progress: ProgressCallback
    ) -> RunResult:
        from desktop_app.core.azure.translate import translate
        from desktop_app.core.programs import QISKIT_LOCK

        ctx = _Context(request, cancel, progress)
        # The sign-in, the workspace and the target are fetched on a thread of their own while
        # the program is read and translated here: the first job of a process then waits for
        # the service's answers while qiskit is imported, not after it (issue 16).
        connecting = _Connecting(self, ctx)
        try:
            if self.translator is not None:
                translation = self.translator(request, cancel)  # ProgramError, UserInputError
            else:
                with QISKIT_LOCK:  # several backends run side by side; qiskit is not thread-safe
                    program = request.parsed()  # ProgramError
                    translation = translate(program.circuit, request.backend)  # UserInputError
            cancel.raise_if_cancelled()
        except BaseException:
            connecting.abandon()  # its workspace is closed once it is open; nothing is sent
            raise
        progress("Connecting to Azure", None)
        job_id: str | None = None
        followed = False  # the job's end was read: its workspace served every call
        try:
            target = connecting.target()  # what opening the workspace or reading it raised
            slot = busy_steps.acquire(cancel)
            try:
                cancel.raise_if_cancelled()
                job = self._submit(ctx, target, translation)
            finally:
                slot.release()
            job_id = job.id
            result = self._follow(ctx, job, Readout.from_translation(translation))
            followed = True
            return result
        except AzureRunError as exc:
            return RunResult.failed(
                request.backend, request.shots, exc.code, str(exc), job_id=job_id
            )
        finally:
            self._leave_workspace(ctx, reusable=followed)

    def resume(
        self,
        job_id: str,
        request: RunRequest,
        cancel: CancelToken,
        progress: ProgressCallback,
    ) -> RunResult:
        """Pick up a job submitted earlier (e.g. before the app was closed) and follow it."""
        ctx = _Context(request, cancel, progress)
        try:
            self._open_workspace(ctx)
            job = self._call(ctx, lambda ws: ws.get_job(job_id), "Looking up the job")
            readout = Readout.from_metadata(job.details.target, job.details.metadata or {})
            return self._follow(ctx, job, readout)
        except OutputFormatError as exc:
            return RunResult.failed(
                request.backend, request.shots, "UnknownJob", str(exc), job_id=job_id
            )
        except AzureRunError as exc:
            return RunResult.failed(
                request.backend, request.shots, exc.code, str(exc), job_id=job_id
            )
        finally:
            close_workspace(ctx.workspace)

    # ------------------------------------------------------------------ steps

    def _leave_workspace(self, ctx: _Context, *, reusable: bool) -> None:
        """A run that read its job's end leaves its workspace for the next run of its profile
        (`ahead.keep`): that run then skips the ARM lookup of the workspace, a round trip to
        Azure each run. `ahead.take` hands it over only while it is young and still what the
        profile and its secret would open. Any other end closes it."""
        name = ctx.request.profile or self.profile
        if reusable and name and ctx.profile is not None and self.workspace_factory is None:
            ahead.keep(name, ctx.workspace, ctx.profile)
        else:
            close_workspace(ctx.workspace)

    def _open_workspace(self, ctx: _Context) -> None:
        request = ctx.request
        if self.workspace_factory is None:
            name = request.profile or self.profile
            if not name:
                raise UserInputError(
                    f"{request.backend} runs on Azure Quantum and needs a profile: choose one "
                    "(or pass --profile NAME)."
                )
            # the command line's, signed in while it read the program, or the status refresh's
            opened = ahead.take(name, self.secret_of)
            ctx.workspace, ctx.profile = opened or open_profile_workspace(name, self.secret_of)
            return
        try:
            ctx.workspace, ctx.profile = self.workspace_factory()
        except QuantumDeskError:
            raise
        except Exception as exc:  # azure-identity / azure-core failures: explained in plain words
            raise explain(exc, None, request.backend) from exc

    def _reauthenticate(self, ctx: _Context) -> bool:
        """After a 401 or a closed client: a new credential (no cached token) and workspace
        client; False if not possible (the caller then reports the failure)."""
        if ctx.reauth_left <= 0 or ctx.profile is None or self.workspace_factory is not None:
            return False
        ctx.reauth_left -= 1
        log.info("signing in and opening the workspace again for %s", ctx.request.backend)
        forget_credentials(ctx.profile)
        old = ctx.workspace
        ctx.workspace, ctx.profile = open_profile_workspace(ctx.profile.name, self.secret_of)
        close_workspace(old)
        return True

    def _target(self, ctx: _Context) -> Any:
        name = ctx.request.backend
        target = self._call(ctx, lambda ws: ahead.target(ws, name), "Reading the target")
        if not target or isinstance(target, list):
            raise AzureRunError(
                f"The workspace does not offer the target {name}: add the provider to the "
                "workspace in the Azure portal (Providers), or pick another target.",
                "TargetNotFound",
            )
        availability = enum_text(getattr(target, "current_availability", ""))
        if availability.lower() == "unavailable":
            raise AzureRunError(
                f"{name} is Unavailable right now (the provider has taken it offline): try "
                "again later or pick another target.",
                "TargetUnavailable",
            )
        return target

    def _call(
        self,
        ctx: _Context,
        action: Callable[[Any], Any],
        what: str,
        *,
        cancellable: bool = True,
    ) -> Any:
        """Run one service call on the current workspace, retrying transient failures with
        back-off up to the schedule's deadline (GaveUp after it; until cancelled, when
        `cancellable`) and a rejected token with a fresh one."""

        def wait(seconds: float) -> None:
            if not cancellable:
                ctx.cancel.sleep_unless_detached(seconds)
            elif ctx.cancel.wait(seconds):
                ctx.cancel.raise_if_cancelled()

        def explained(exc: Exception) -> Exception:
            if isinstance(exc, QuantumDeskError):
                return exc
            return explain(exc, ctx.profile, ctx.request.backend)

        return call_with_retries(
            lambda: action(ctx.workspace),
            what=what,
            delays=self.schedule.delays(),
            deadline=self.schedule.retry_deadline,
            progress=ctx.progress,
            wait=wait,
            reauthenticate=lambda: self._reauthenticate(ctx),
            explain=explained,
        )

    def _submit(self, ctx: _Context, target: Any, translation: Any) -> Any:
        from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
        from azure.quantum import Job

        request = ctx.request
        job_id = Job.create_job_id()  # the SDK's own id scheme (uuid1), known before the PUT
        name = request.job_name  # the same name as a local run's, in the ledger and at Azure
        metadata = translation.metadata()
        self.recorder.job_created(
            AzureJobInfo(
                job_id=job_id,
                backend=request.backend,
                profile=request.profile or self.profile,
                shots=request.shots,
                name=name,
                input_data_format=translation.input_data_format,
                output_data_format=translation.output_data_format,
                metadata=metadata,
                program_source=request.source,
                program_path=request.path,
            )
        )
        ctx.progress("Submitting", None)
        input_params = _input_params(request.backend, request.options)

        attempts = 0

        def submit(workspace: Any) -> Any:
            nonlocal attempts
            attempts += 1
            # After a re-authentication the target must belong to the new workspace.
            current = (
                target if target.workspace is workspace else read_target(workspace, request.backend)
            )
            try:
                return current.submit(
                    # the SDK never overwrites a blob: each attempt uploads its own input
                    blob_name="inputData" if attempts == 1 else f"inputData-{attempts}",
                    input_data=translation.input_data,
                    name=name,
                    shots=request.shots,
                    input_params=dict(input_params),
                    job_id=job_id,
                    metadata=metadata,
                    input_data_format=translation.input_data_format,
                    output_data_format=translation.output_data_format,
                    content_type=translation.content_type,
                )
            except ResourceExistsError as exc:
                if getattr(exc.error, "code", None) == "TargetUnavailable":
                    raise  # the service's 409 refusal of an offline target, not our own job
                # An earlier attempt was accepted but its answer was lost: same id, same job.
                try:
                    return workspace.get_job(job_id)
                except ResourceNotFoundError:
                    raise AzureRunError(
                        f"Azure Quantum refused job {job_id} as a conflict (HTTP 409) but has no "
                        "such job: run it again.",
                        "HTTP 409",
                    ) from exc

        try:
            job = self._call(ctx, submit, "Submitting")
        except AzureRunError as failure:
            job = self._confirm_submit(ctx, job_id, failure)
        log.info("submitted job %s to %s", job_id, request.backend)
        ctx.progress(f"{JOB_ID_PROGRESS}{job_id}", None)  # the live pane shows it, copyable
        return job

    def _confirm_submit(self, ctx: _Context, job_id: str, failure: AzureRunError) -> Any:
        """The submit failed. Unless the service refused it outright (a 4xx), its answer may
        have been lost after Azure created the job: ask for the job by its id, once. Not found:
        the submit failed for `failure`'s reason; no answer: the job stays open (Submitting) as
        UNCONFIRMED_SUBMIT, for reconciliation by its id."""
        if definitely_not_created(failure):
            # Refused outright: no job exists at Azure, and none ever will under this id.
            self.recorder.job_status(job_id, JobStatus.NEVER_SUBMITTED, failure.code)
            raise failure
        try:
            return ctx.workspace.get_job(job_id)
        except Exception as exc:
            if is_not_found(exc):
                raise failure from None
            reason = failure.reason if isinstance(failure, GaveUp) else failure_text(exc)
            log.warning("submit of job %s unconfirmed: %s", job_id, failure.code)
            raise AzureRunError(
                f"The submit of job {job_id} got no clear answer ({reason}), so the job may "
                "exist at Azure. It stays open in the job ledger and is looked up by its id "
                "later (`quantum-desk jobs reconcile`, or the next start of the window).",
                UNCONFIRMED_SUBMIT,
            ) from failure

    def _follow(self, ctx: _Context, job: Any, readout: Readout) -> RunResult:
        delays = self.schedule.delays()
        seen = ""
        cancel_polls: int | None = None
        while True:
            azure_status = enum_text(job.details.status)
            status = job_status_of(azure_status)
            if azure_status != seen:
                seen = azure_status
                self.recorder.job_status(job.id, status, azure_status)
                ctx.progress(progress_word(azure_status, status), None)
            if status.is_final:
                break
            if ctx.cancel.detached:
                raise Detached()  # the app is closing: the job stays open for the next start
            if ctx.cancel.cancelled and cancel_polls is None:
                ctx.progress("Cancelling", None)
                job = self._cancel(ctx, job)
                cancel_polls = 0
                continue
            if cancel_polls is not None:
                cancel_polls += 1
                if cancel_polls > _CANCEL_GRACE_POLLS:
                    log.warning("job %s still %s after cancel; leaving it", job.id, azure_status)
                    raise Cancelled()
            delay = next(delays)
            if cancel_polls is None:
                ctx.cancel.wait(delay)  # returns early when Cancel is pressed
            else:
                # the cancel already happened: just wait for it
                ctx.cancel.sleep_unless_detached(min(delay, 1.0))
            job = self._refresh(ctx, job)
        with busy_steps.held():  # not cancellable: the job is final, its result is on the way
            return self._finish(ctx, job, readout, status)

    def _refresh(self, ctx: _Context, job: Any) -> Any:
        """A fresh copy of the job. Once a job exists we keep talking to it through transient
        failures (a Cancel press is handled by the polling loop, not here)."""
        job_id = job.id
        try:
            return self._call(
                ctx, lambda ws: ws.get_job(job_id), "Checking status", cancellable=False
            )
        except GaveUp as exc:  # the job is not failed: it stays open in the ledger
            raise GaveUp(
                f"{exc} Job {job_id} stays open: `quantum-desk jobs reconcile` (or the next "
                "start of the window) follows it to its end.",
                exc.code,
                exc.reason,
            ) from exc

    def _cancel(self, ctx: _Context, job: Any) -> Any:
        job_id = job.id
        try:
            return self._call(
                ctx, lambda ws: ws.cancel_job(ws.get_job(job_id)), "Cancelling", cancellable=False
            )
        except AzureRunError as exc:
            log.warning("cancel of job %s refused: %s", job_id, exc.code)
            return self._refresh(ctx, job)

    def _finish(self, ctx: _Context, job: Any, readout: Readout, status: JobStatus) -> RunResult:
        request = ctx.request
        details = job.details
        timings = {"total": time.monotonic() - ctx.started}
        queued = seconds_between(details.creation_time, details.begin_execution_time)
        execution = seconds_between(details.begin_execution_time, details.end_execution_time)
        if queued is not None:
            timings["queued"] = queued
        if execution is not None:
            timings["execution"] = execution
        extra: dict[str, Any] = {
            "cost_estimate": cost(details),
            "azure_status": enum_text(details.status),
        }
        if status is JobStatus.CANCELLED:
            elsewhere = not ctx.cancel.cancelled  # the portal, another script, the provider
            result = RunResult(
                backend=request.backend,
                shots=request.shots,
                status=JobStatus.CANCELLED,
                timings=timings,
                job_id=job.id,
                error_code=CANCELLED_ELSEWHERE if elsewhere else None,
                error_message=CANCELLED_ELSEWHERE_MESSAGE if elsewhere else None,
            )
            self.recorder.job_finished(job.id, result, extra)
            if elsewhere:
                return result  # not our Cancel: said as the run's outcome
            raise Cancelled()
        if status is JobStatus.FAILED:
            code, message = error_of(details)
            result = RunResult.failed(
                request.backend,
                request.shots,
                code,
                f"{message} What to do: {hint_for(code, message)}",
                timings=timings,
                job_id=job.id,
            )
            self.recorder.job_finished(job.id, result, extra)
            return result
        ctx.progress("Downloading results", None)
        payload = self._download(ctx, job)
        extra["raw_result"] = payload
        extra["raw_content_type"] = "application/json"
        try:
            result = normalize_result(request, readout, parse_output(payload), timings, job.id)
        except OutputFormatError as exc:
            log.warning("job %s output unreadable: %s", job.id, exc)
            result = RunResult.failed(
                request.backend,
                request.shots,
                "UnreadableOutput",
                f"The job finished but its results could not be read ({exc}).",
                timings=timings,
                job_id=job.id,
            )
        self.recorder.job_finished(job.id, result, extra)
        ctx.progress("Done", 1.0)
        return result

    def _download(self, ctx: _Context, job: Any) -> bytes:
        from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError

        delays = self.schedule.delays()
        for attempt in range(_DOWNLOAD_ATTEMPTS):
            try:
                data = self._call(ctx, _downloader(job), "Downloading", cancellable=False)
                return bytes(data)
            except AzureRunError as exc:
                cause = exc.__cause__
                if not isinstance(cause, ResourceNotFoundError | ClientAuthenticationError):
                    raise
                log.info(
                    "download of job %s failed (%s), re-fetching the job (attempt %d)",
                    job.id,
                    type(cause).__name__,
                    attempt + 1,
                )
            ctx.cancel.sleep_unless_detached(next(delays))
            job = self._refresh(ctx, job)
        raise AzureRunError(
            "The job succeeded but its results could not be downloaded from the workspace's "
            "storage. Try again later: the results stay in the workspace.",
            "DownloadFailed",
        )


class _Connecting:
    """A run's workspace opened and its target read on a thread of their own (one busy step),
    so that the caller translates the program meanwhile. `target()` waits for it and raises what
    it raised; `abandon()` (the translation failed) leaves it to close the workspace itself."""

    def __init__(self, executor: AzureExecutor, ctx: _Context) -> None:
        self._executor, self._ctx = executor, ctx
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._abandoned = False
        self._target: Any = None
        self._error: BaseException | None = None
        threading.Thread(target=self._connect, name="azure-connect", daemon=True).start()

    def _connect(self) -> None:
        try:
            slot = busy_steps.acquire(self._ctx.cancel)
            try:
                if not self._abandoned:  # a translation that failed first: no sign-in at all
                    self._executor._open_workspace(self._ctx)
                    self._target = self._executor._target(self._ctx)
            finally:
                slot.release()
        except BaseException as exc:  # raised on the run's own thread by target()
            self._error = exc
        with self._lock:
            self._done.set()
            abandoned = self._abandoned
        if abandoned:
            close_workspace(self._ctx.workspace)

    def target(self) -> Any:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._target

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            done = self._done.is_set()
        if done:
            close_workspace(self._ctx.workspace)


def _downloader(job: Any) -> Callable[[Any], Any]:
    # The blob link (SAS) is the job's; a fresh job copy brings a fresh link.
    return lambda _workspace: job.download_data(job.details.output_data_uri)


def _input_params(backend: str, options: Mapping[str, object]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if target_name(backend).provider_id == "ionq" and "error_mitigation" in options:
        value = options["error_mitigation"]
        on = value if isinstance(value, bool) else str(value).lower() in ("1", "true", "on", "yes")
        # the key Azure's IonQ page documents ("Enabling error mitigation": option_params =
        # {"error-mitigation": {"debias": ...}}, MicrosoftDocs/quantum-docs provider-ionq.md at
        # 767bdcb1e1f1, 2026-08-13): with an underscore IonQ would ignore it and debias anyway
        params["error-mitigation"] = {"debias": bool(on)}
    return params
