"""Run programs on Azure Quantum targets: submit, poll, cancel, download, normalize.

Built on the unmodified azure-quantum SDK: `Workspace.get_targets(name).submit(...)` with our
own translation (`azure_translate`), and the job id made on our side with the SDK's own
`Job.create_job_id()` and passed as `job_id=` (Target.submit forwards it to
`Job.from_input_data`), so a `JobRecorder` (the ledger) knows the id BEFORE the job is created.

Polling backs off from `PollSchedule.first` to `PollSchedule.maximum` seconds, never gives up on a
job for taking long, and rides out transient failures (HTTP 408/429/5xx with Retry-After, dropped
connections); azure-identity credentials renew expired tokens on their own. The result blob is read
through the SDK's `Job.download_data` (not `get_results`, which polls with a 300 s timeout and
prints dots); a missing blob or an expired link re-fetches the job for a fresh link.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from desktop_app.core.azure_normalize import (
    OutputFormatError,
    Readout,
    ionq_probabilities,
    parse_output,
    quantinuum_counts,
    rigetti_counts,
)
from desktop_app.core.cancel import Cancelled, Detached
from desktop_app.core.errors import QuantumDeskError, UserInputError
from desktop_app.core.results import JobStatus, RunResult

os.environ.setdefault("QDK_PYTHON_TELEMETRY", "none")

if TYPE_CHECKING:
    from desktop_app.core.cancel import CancelToken, ProgressCallback
    from desktop_app.core.executors import RunRequest
    from desktop_app.core.profiles import Profile

log = logging.getLogger(__name__)

TRANSIENT_HTTP = frozenset({408, 429, 500, 502, 503, 504})
_AZURE_STATUS = {
    "queued": JobStatus.WAITING,
    "waiting": JobStatus.WAITING,
    "executing": JobStatus.EXECUTING,
    "finishing": JobStatus.EXECUTING,
    "cancellationrequested": JobStatus.EXECUTING,
    "cancelling": JobStatus.EXECUTING,
    "succeeded": JobStatus.SUCCEEDED,
    "completed": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "cancelled": JobStatus.CANCELLED,
}
_DOWNLOAD_ATTEMPTS = 6
_CANCEL_GRACE_POLLS = 20  # polls after a cancel request before giving up on seeing "Cancelled"
# The Python-heavy steps of a job (sign-in, workspace client, submit; download and normalize) run
# at most this many at a time in the process: 20 jobs doing them at once kept the GUI thread
# waiting for the GIL 40-130 ms at a time (tests/bench/bench_azure_gui_stall.py). The GIL
# serializes that work anyway, so the cap costs little; polling and queue waits are not capped.
_BUSY_STEPS = threading.BoundedSemaphore(2)


def enum_text(value: object) -> str:
    """The service's text for an SDK enum member or a plain string ('' for None).

    The SDK's enums mix in str, but in Python 3.11 `str(member)` is 'Class.MEMBER'.
    """
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def job_status_of(azure_status: object) -> JobStatus:
    """The app's status for an Azure job status string (unknown ones count as waiting)."""
    return _AZURE_STATUS.get(enum_text(azure_status).lower(), JobStatus.WAITING)


@dataclass(frozen=True)
class PollSchedule:
    """Seconds between status polls: `first`, growing by `factor`, capped at `maximum`."""

    first: float = 0.2  # the SDK's own first wait (Job._default_poll_wait)
    factor: float = 1.5
    maximum: float = 60.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(self.maximum, delay * self.factor)


FAST_POLLING = PollSchedule(first=0.2, factor=1.5, maximum=1.0)  # tests and the emulator


@dataclass(frozen=True)
class AzureJobInfo:
    """What the ledger records about a job before it is submitted."""

    job_id: str
    backend: str
    profile: str | None
    shots: int
    name: str
    input_data_format: str
    output_data_format: str
    metadata: Mapping[str, str]
    program_source: str
    program_path: str | None


class JobRecorder(Protocol):
    """Hooks for the job ledger; every call comes from the executor's (worker) thread."""

    def job_created(self, info: AzureJobInfo) -> None:
        """Called BEFORE the job is submitted: a crash after Azure accepts it loses nothing."""

    def job_status(self, job_id: str, status: JobStatus, azure_status: str) -> None:
        """Called on every status change seen while polling."""

    def job_finished(self, job_id: str, result: RunResult, details: Mapping[str, Any]) -> None:
        """Called once with the final result. `details`: "cost_estimate" (dict or None),
        "azure_status", and for succeeded jobs "raw_result" (bytes) and "raw_content_type"."""


class NullRecorder:
    def job_created(self, info: AzureJobInfo) -> None:
        pass

    def job_status(self, job_id: str, status: JobStatus, azure_status: str) -> None:
        pass

    def job_finished(self, job_id: str, result: RunResult, details: Mapping[str, Any]) -> None:
        pass


class AzureRunError(QuantumDeskError):
    """An Azure failure with a plain message (`code` keeps the service's code for the log)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


# A callable giving an opened azure.quantum.Workspace (and the profile it was opened for).
WorkspaceFactory = Callable[[], tuple[Any, "Profile | None"]]


_CREDENTIALS: dict[tuple[object, ...], Any] = {}
_CREDENTIALS_LOCK = threading.Lock()


def forget_credentials(profile: Profile | None = None) -> None:
    """Drop cached credentials, of one profile or all (after a profile or its secret changes,
    or when the service rejects a token)."""
    with _CREDENTIALS_LOCK:
        for key in list(_CREDENTIALS):
            if profile is None or key[0] == profile:
                del _CREDENTIALS[key]


def credential_for(profile: Profile, secret_of: Callable[[str], str | None]) -> Any:
    """One azure-identity credential per profile version (it caches and renews its tokens)."""
    import hashlib

    from desktop_app.core.credentials import build_credential

    secret = secret_of(profile.name) if profile.needs_secret else None
    digest = hashlib.sha256(secret.encode()).hexdigest() if secret else ""
    key = (profile, digest)
    with _CREDENTIALS_LOCK:
        credential = _CREDENTIALS.get(key)
        if credential is None:
            credential = build_credential(profile, secret)
            _CREDENTIALS[key] = credential
        return credential


def open_profile_workspace(profile_name: str) -> tuple[Any, Profile]:
    """The workspace of a saved profile, opened with its credential (secret from the keyring).

    Raises ProfileError (a UserInputError) for an unknown profile, AzureRunError with a plain
    message for a missing secret or any Azure failure (wrong secret, no workspace, network).
    """
    from desktop_app.core.credentials import CredentialError, open_workspace
    from desktop_app.core.profiles import ProfileStore
    from desktop_app.core.secrets import default_secret_store

    profile = ProfileStore().get(profile_name)
    try:
        credential = credential_for(profile, default_secret_store().get)
        return open_workspace(profile, credential), profile
    except CredentialError as exc:
        raise AzureRunError(str(exc), "no-secret") from exc
    except QuantumDeskError as exc:
        raise AzureRunError(str(exc), type(exc).__name__) from exc
    except Exception as exc:  # azure-identity / azure-core failures: explained in plain words
        raise explain(exc, profile, profile_name) from exc


def explain(exc: BaseException, profile: Profile | None, what: str) -> AzureRunError:
    """A plain AzureRunError for an Azure SDK failure (the raw text goes to the log only)."""
    from azure.core.exceptions import HttpResponseError

    from desktop_app.core.credentials import Problem, explain_error

    log.warning("Azure call for %s failed: %s: %s", what, type(exc).__name__, str(exc)[:500])
    service_code = service_message = None
    if isinstance(exc, HttpResponseError):
        error = getattr(exc, "error", None)
        service_code = getattr(error, "code", None)
        service_message = getattr(error, "message", None) or exc.reason
    if profile is not None:
        explained = explain_error(exc, profile)
        if explained.problem is not Problem.UNKNOWN or service_message is None:
            return AzureRunError(explained.message, explained.code or explained.problem.value)
    if service_message:
        code = str(service_code or getattr(exc, "status_code", "") or type(exc).__name__)
        return AzureRunError(
            f"Azure Quantum refused the request: {service_message} ({code}).", code
        )
    return AzureRunError(f"Azure Quantum call failed ({type(exc).__name__}).", type(exc).__name__)


def _seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


_HINTS = (
    (
        ("invalidinput", "compil", "syntax", "parse", "validation", "unsupported"),
        "The provider rejected the program: check it uses only what this target supports, and "
        "try it first on the target's local emulation.",
    ),
    (
        ("quota", "credit", "billing", "limit"),
        "The workspace's quota or credits for this provider are used up: ask the workspace owner, "
        "or use a free simulator target.",
    ),
    (
        ("unavailable", "offline", "maintenance"),
        "The target is not available right now: try again later or pick another target.",
    ),
    (
        ("timeout", "timedout"),
        "The provider gave up on the job: try again with fewer shots or a smaller program.",
    ),
    (("cancel",), "The job was cancelled: run it again if you still need the result."),
)


def hint_for(code: str, message: str) -> str:
    """A plain 'what to do' sentence for a job failure."""
    text = f"{code} {message}".lower()
    for needles, hint in _HINTS:
        if any(n in text for n in needles):
            return hint
    return (
        "Try again; if it keeps failing, look the job up in the Azure portal "
        "(Jobs of the workspace) or contact the provider's support with the job id."
    )


def _is_transient(exc: BaseException) -> bool:
    from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

    if isinstance(exc, ServiceRequestError | ServiceResponseError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, HttpResponseError):
        return exc.status_code in TRANSIENT_HTTP
    return False


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass
class _Context:
    request: RunRequest
    cancel: CancelToken
    progress: ProgressCallback
    started: float = field(default_factory=time.monotonic)
    profile: Profile | None = None
    workspace: Any = None
    reauth_left: int = 3  # fresh credentials to try when the service rejects a token (401)


def _is_rejected_token(exc: BaseException) -> bool:
    from azure.core.exceptions import ClientAuthenticationError

    return isinstance(exc, ClientAuthenticationError) and exc.status_code == 401


class AzureExecutor:
    """Executor for Azure Quantum targets (`desktop_app.core.executors.Executor`).

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
        schedule: PollSchedule = PollSchedule(),
    ) -> None:
        self.profile = profile
        self.workspace_factory = workspace_factory
        self.recorder: JobRecorder = recorder or NullRecorder()
        self.schedule = schedule

    # ------------------------------------------------------------------ public

    def run(
        self, request: RunRequest, cancel: CancelToken, progress: ProgressCallback
    ) -> RunResult:
        from desktop_app.core.azure_translate import translate
        from desktop_app.core.programs import QISKIT_LOCK, load_program

        request.validate()
        ctx = _Context(request, cancel, progress)
        with QISKIT_LOCK:  # several backends run side by side; qiskit is not thread-safe
            program = load_program(request.source, request.path)  # ProgramError
            translation = translate(program.circuit, request.backend)  # UserInputError
        cancel.raise_if_cancelled()
        progress("Connecting to Azure", None)
        job_id: str | None = None
        try:
            _acquire_busy_step(cancel)
            try:
                self._open_workspace(ctx)
                target = self._target(ctx)
                cancel.raise_if_cancelled()
                job = self._submit(ctx, target, translation)
            finally:
                _BUSY_STEPS.release()
            job_id = job.id
            return self._follow(ctx, job, Readout.from_translation(translation))
        except AzureRunError as exc:
            return RunResult.failed(
                request.backend, request.shots, exc.code, str(exc), job_id=job_id
            )
        finally:
            _close(ctx.workspace)

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
            _close(ctx.workspace)

    # ------------------------------------------------------------------ steps

    def _open_workspace(self, ctx: _Context) -> None:
        request = ctx.request
        if self.workspace_factory is None:
            name = request.profile or self.profile
            if not name:
                raise UserInputError(
                    f"{request.backend} runs on Azure Quantum and needs a profile: choose one "
                    "(or pass --profile NAME)."
                )
            ctx.workspace, ctx.profile = open_profile_workspace(name)
            return
        try:
            ctx.workspace, ctx.profile = self.workspace_factory()
        except QuantumDeskError:
            raise
        except Exception as exc:  # azure-identity / azure-core failures: explained in plain words
            raise explain(exc, None, request.backend) from exc

    def _reauthenticate(self, ctx: _Context) -> bool:
        """After a 401: a new credential (no cached token) and workspace client; False if not
        possible (the caller then reports the failure)."""
        if ctx.reauth_left <= 0 or ctx.profile is None or self.workspace_factory is not None:
            return False
        ctx.reauth_left -= 1
        log.info("the service rejected the token: signing in again for %s", ctx.request.backend)
        forget_credentials(ctx.profile)
        old = ctx.workspace
        ctx.workspace, ctx.profile = open_profile_workspace(ctx.profile.name)
        _close(old)
        return True

    def _target(self, ctx: _Context) -> Any:
        name = ctx.request.backend
        target = self._call(ctx, lambda ws: ws.get_targets(name), "Reading the target")
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
        back-off (until cancelled, when `cancellable`) and a rejected token with a fresh one."""
        delays = self.schedule.delays()
        while True:
            try:
                return action(ctx.workspace)
            except Exception as exc:
                if _is_rejected_token(exc) and self._reauthenticate(ctx):
                    continue
                if not _is_transient(exc):
                    if isinstance(exc, QuantumDeskError):
                        raise
                    raise explain(exc, ctx.profile, ctx.request.backend) from exc
                wait = max(_retry_after(exc) or 0.0, next(delays))
                log.info("%s: transient %s, retrying in %.1f s", what, type(exc).__name__, wait)
                ctx.progress(f"{what}: connection problem, retrying in {wait:.0f} s", None)
                if cancellable:
                    if ctx.cancel.wait(wait):
                        ctx.cancel.raise_if_cancelled()
                else:
                    ctx.cancel.sleep_unless_detached(wait)

    def _submit(self, ctx: _Context, target: Any, translation: Any) -> Any:
        from azure.core.exceptions import ResourceExistsError
        from azure.quantum import Job

        request = ctx.request
        job_id = Job.create_job_id()  # the SDK's own id scheme (uuid1), known before the PUT
        name = f"quantum-desk {os.path.basename(request.path or 'program')}"
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

        def submit(workspace: Any) -> Any:
            # After a re-authentication the target must belong to the new workspace.
            current = (
                target if target.workspace is workspace else workspace.get_targets(request.backend)
            )
            try:
                return current.submit(
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
                return workspace.get_job(job_id)

        job = self._call(ctx, submit, "Submitting")
        log.info("submitted job %s to %s", job_id, request.backend)
        return job

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
                ctx.progress(status.value, None)
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
        with _BUSY_STEPS:  # not cancellable: the job is final, its result is on the way
            return self._finish(ctx, job, readout, status)

    def _refresh(self, ctx: _Context, job: Any) -> Any:
        """A fresh copy of the job. Once a job exists we keep talking to it through transient
        failures (a Cancel press is handled by the polling loop, not here)."""
        job_id = job.id
        return self._call(ctx, lambda ws: ws.get_job(job_id), "Checking status", cancellable=False)

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
        queued = _seconds_between(details.creation_time, details.begin_execution_time)
        execution = _seconds_between(details.begin_execution_time, details.end_execution_time)
        if queued is not None:
            timings["queued"] = queued
        if execution is not None:
            timings["execution"] = execution
        extra: dict[str, Any] = {
            "cost_estimate": _cost(details),
            "azure_status": enum_text(details.status),
        }
        if status is JobStatus.CANCELLED:
            result = RunResult(
                backend=request.backend,
                shots=request.shots,
                status=JobStatus.CANCELLED,
                timings=timings,
                job_id=job.id,
            )
            self.recorder.job_finished(job.id, result, extra)
            raise Cancelled()
        if status is JobStatus.FAILED:
            code, message = _error_of(details)
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
            result = _normalize(request, readout, parse_output(payload), timings, job.id)
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
        last: Exception | None = None
        for attempt in range(_DOWNLOAD_ATTEMPTS):
            try:
                data = self._call(ctx, _downloader(job), "Downloading", cancellable=False)
                return bytes(data)
            except AzureRunError as exc:
                cause = exc.__cause__
                if not isinstance(cause, ResourceNotFoundError | ClientAuthenticationError):
                    raise
                last = cause
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
            type(last).__name__ if last else "DownloadFailed",
        )


def _downloader(job: Any) -> Callable[[Any], Any]:
    # The blob link (SAS) is the job's; a fresh job copy brings a fresh link.
    return lambda _workspace: job.download_data(job.details.output_data_uri)


def _acquire_busy_step(cancel: CancelToken) -> None:
    """Wait for a slot among _BUSY_STEPS; Cancelled when Cancel is pressed meanwhile."""
    while not _BUSY_STEPS.acquire(timeout=0.05):
        cancel.raise_if_cancelled()


def _input_params(backend: str, options: Mapping[str, object]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if backend.startswith("ionq.") and "error_mitigation" in options:
        value = options["error_mitigation"]
        on = value if isinstance(value, bool) else str(value).lower() in ("1", "true", "on", "yes")
        params["error_mitigation"] = {"debias": bool(on)}
    return params


def _error_of(details: Any) -> tuple[str, str]:
    error = getattr(details, "error_data", None)
    code = str(getattr(error, "code", "") or "JobFailed")
    message = str(getattr(error, "message", "") or "The provider reported a failure.")
    return code, message.rstrip(".") + "."


def _cost(details: Any) -> dict[str, Any] | None:
    estimate = getattr(details, "cost_estimate", None)
    if estimate is None:
        return None
    return {
        "currency": getattr(estimate, "currency_code", None),
        "estimated_total": getattr(estimate, "estimated_total", None),
        "events": [
            {
                "dimension": getattr(e, "dimension_name", None),
                "measure_unit": getattr(e, "measure_unit", None),
                "amount_billed": getattr(e, "amount_billed", None),
                "amount_consumed": getattr(e, "amount_consumed", None),
                "unit_price": getattr(e, "unit_price", None),
            }
            for e in (getattr(estimate, "events", None) or [])
        ],
    }


def _normalize(
    request: RunRequest,
    readout: Readout,
    raw: Mapping[str, Any],
    timings: dict[str, float],
    job_id: str,
) -> RunResult:
    common: dict[str, Any] = {
        "num_clbits": readout.num_clbits,
        "timings": timings,
        "job_id": job_id,
    }
    if readout.provider == "ionq":
        probs = ionq_probabilities(raw, readout)
        exact = ".simulator" in request.backend
        return RunResult.from_probabilities(request.backend, probs, request.shots, exact, **common)
    if readout.provider == "quantinuum":
        counts = quantinuum_counts(raw, readout)
    else:
        counts = rigetti_counts(raw, readout)
    return RunResult.from_counts(request.backend, counts, request.shots, **common)


def _close(workspace: Any) -> None:
    close = getattr(workspace, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception as exc:  # closing a client must never hide the run's outcome
        log.debug("closing the workspace client failed: %r", exc)
