"""One run of the window: its requests on the picked backends, side by side, off the GUI thread.

Each backend is one task on the long-work lane of `ui.tasks` (it only waits: on the simulator's
or the Azure SDK's worker process, see core.local.executor and core.azure.process), so the GUI
thread never waits on the interpreter lock or the network. Signals bring each backend's outcome
back.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app.core.cancel import Cancelled, CancelToken, ProgressCallback
from desktop_app.core.catalog import target_name
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.jobs.dispatch import executor_for
from desktop_app.core.jobs.program_calls import in_worker
from desktop_app.core.request import RunRequest
from desktop_app.core.results import JobStatus, RunResult
from desktop_app.ui.tasks import Lane, run_task

if TYPE_CHECKING:
    from desktop_app.core.ledger.errors import LedgerCorruptError
    from desktop_app.core.ledger.store import Ledger
    from desktop_app.core.programs import ProgramError

log = logging.getLogger(__name__)


# Between two backends of a run handed to pool threads (see RunExecutor._launch_next): each
# prepares its job in Python for a few ms (its profile read, the request pickled); spaced, two
# seldom do at once, and twenty backends still all start within 0.2 s.
_LAUNCH_SPACING_MS = 10
SEED_LIMIT = 2**32  # seeds 0..2**32-1, as `quantum-desk run --seed` takes them


def with_seed(request: RunRequest) -> RunRequest:
    """A local run (the simulator or an emulation) with a simulator seed: the one it has, else a
    random one. The ledger records it with the options, so the job's bundle re-runs to the same
    counts; Azure runs are left as they are (the service draws its own)."""
    if not target_name(request.backend).is_local or isinstance(request.options.get("seed"), int):
        return request
    import secrets  # not before the first paint (nor is the ledger: see _run_one)

    seed = secrets.randbelow(SEED_LIMIT)
    return dataclasses.replace(request, options={**request.options, "seed": seed})


class RunExecutor(QObject):
    """start(requests) runs them side by side off the GUI thread; cancel() stops the whole run."""

    jobStarted = Signal(str)  # backend
    jobProgress = Signal(str, str)  # backend, message
    jobFinished = Signal(object)  # RunResult (also for cancelled runs)
    jobFailed = Signal(str, str)  # backend, plain message
    programError = Signal(object)  # ProgramError (line/column), before its jobFailed
    ledgerDamaged = Signal(object)  # LedgerCorruptError: recording found the ledger damaged
    runFinished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ledger: Ledger | None = None  # the app's job ledger: every run is recorded in it
        self._token: CancelToken | None = None
        self._left = 0  # backends of the current run still running
        self._program_error_shown = False
        self.outcomes: dict[str, JobStatus] = {}  # backend -> how it ended, this run
        self._backend_of: dict[QObject, str] = {}  # task -> its backend
        # backends still on a pool thread, counted there: shutdown() waits on the GUI thread, where
        # the queued answers cannot arrive meanwhile
        self._on_threads = 0
        self._on_threads_lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        # backends of the current run not yet handed to a pool thread (see _launch_next)
        self._to_launch: list[tuple[RunRequest, CancelToken, Ledger | None]] = []

    @property
    def running(self) -> bool:
        return self._token is not None

    @property
    def idle(self) -> bool:
        """No backend task of a run is still on a pool thread (after shutdown: all have ended)."""
        return self._idle.is_set()

    def set_ledger(self, ledger: Ledger | None) -> None:
        """Record every run from now on in `ledger` (the result's job_id is its ledger id)."""
        self.ledger = ledger

    def start(self, requests: Sequence[RunRequest]) -> None:
        if self._token is not None:
            raise RuntimeError("a run is already in progress")
        token = self._token = CancelToken()
        requests = [with_seed(r) for r in requests]
        self._left = len(requests)
        self._program_error_shown = False
        self.outcomes = {r.backend: JobStatus.WAITING for r in requests}
        if not requests:
            self._end_run()
            return
        self._idle.clear()  # set again on the last backend's pool thread
        with self._on_threads_lock:
            self._on_threads += len(requests)
        ledger = self.ledger
        self._to_launch = [(request, token, ledger) for request in requests]
        for request in requests:
            self.jobStarted.emit(request.backend)
        self._launch_next()

    @Slot()
    def _launch_next(self) -> None:
        """Hand the next backend to a pool thread; the rest follow one per turn of the event loop.

        Twenty threads started in one go all want the interpreter lock at once (each prepares its
        job in Python): started one at a time, the GUI thread gets its turns in between."""
        if not self._to_launch:
            return
        request, token, ledger = self._to_launch.pop(0)
        task = run_task(
            functools.partial(self._run_on_thread, request, token, ledger),
            lane=Lane.LONG,
            with_progress=True,
            on_progress=self._on_task_progress,
            on_finished=self._on_task_finished,
            on_failed=self._on_task_failed,
        )
        self._backend_of[task] = request.backend  # before any answer: they are queued to us
        if self._to_launch:
            QTimer.singleShot(_LAUNCH_SPACING_MS, self._launch_next)

    def cancel(self) -> None:
        """Set from the GUI thread; each backend sees it within 50 ms (the simulator is killed)."""
        if self._token is not None:
            self._token.cancel()

    def prewarm(self) -> None:
        """Start a simulator process (and with an Azure profile the Azure process) in the
        background: the first Run will not wait for imports."""
        run_task(_prewarm, lane=Lane.LONG)

    def shutdown(self, timeout_s: float = 30.0) -> None:
        """Stop following what runs and wait for the backends' tasks to end.

        Azure jobs are detached, not cancelled: they stay open in the ledger and the next start
        picks them up again. A local simulation is ended with its worker process."""
        if self._token is not None:
            self._token.detach()
        while self._to_launch:  # not started yet: each ends at once (detached) and says so
            self._launch_next()
        if not self._idle.wait(timeout_s):
            log.warning("a run was still ending when the window closed")

    def _run_on_thread(
        self,
        request: RunRequest,
        token: CancelToken,
        ledger: Ledger | None,
        progress: ProgressCallback,
    ) -> _Outcome:
        try:
            return _run_one(request, token, ledger, progress)
        finally:
            with self._on_threads_lock:
                self._on_threads -= 1
                if self._on_threads == 0:
                    self._idle.set()

    @Slot(str)
    def _on_task_progress(self, message: str) -> None:
        self.jobProgress.emit(self._backend_of.get(self.sender(), ""), message)

    @Slot(object)
    def _on_task_finished(self, outcome: object) -> None:
        assert isinstance(outcome, _Outcome)
        self._backend_of.pop(self.sender(), None)
        if outcome.program_error is not None and not self._program_error_shown:
            self._program_error_shown = True  # the same program on every backend: mark it once
            self.programError.emit(outcome.program_error)
        if outcome.ledger_damage is not None:
            self.ledgerDamaged.emit(outcome.ledger_damage)
        if outcome.result is not None:
            self.outcomes[outcome.backend] = outcome.result.status
            self.jobFinished.emit(outcome.result)
        else:
            self.outcomes[outcome.backend] = JobStatus.FAILED
            self.jobFailed.emit(outcome.backend, outcome.message)
        self._backend_done()

    @Slot(object)
    def _on_task_failed(self, exc: object) -> None:  # only a bug gets here (_run_one catches)
        backend = self._backend_of.pop(self.sender(), "")
        self.outcomes[backend] = JobStatus.FAILED
        self.jobFailed.emit(backend, "the run failed unexpectedly; the log has details")
        self._backend_done()

    def open_remote_jobs(self) -> list[str]:
        """Backends of the current run that are at Azure and not finished (closing detaches
        them: they keep running there and the next start picks them up)."""
        from desktop_app.core.catalog import LOCAL_SIMULATOR

        if self._token is None:
            return []
        return [
            backend
            for backend, status in self.outcomes.items()
            if backend != LOCAL_SIMULATOR and not status.is_final
        ]

    def outcome_summary(self) -> str:
        """'Finished: local.simulator Succeeded; ionq.simulator Failed' for the last run."""
        return "Finished: " + "; ".join(f"{b} {s.value}" for b, s in self.outcomes.items())

    def _backend_done(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self._end_run()

    def _end_run(self) -> None:
        self._token = None
        self.runFinished.emit()


class _Outcome:
    """What one backend's task hands back: a result, or a plain message (and a ProgramError to
    mark in the editor)."""

    def __init__(
        self,
        backend: str,
        result: RunResult | None = None,
        message: str = "",
        program_error: ProgramError | None = None,
        ledger_damage: LedgerCorruptError | None = None,
    ) -> None:
        self.backend, self.result, self.message = backend, result, message
        self.program_error = program_error
        self.ledger_damage = ledger_damage


def _run_one(
    request: RunRequest, token: CancelToken, ledger: Ledger | None, progress: ProgressCallback
) -> _Outcome:
    """On a pool thread: one backend of the run; with the app's ledger, recorded in it."""
    from desktop_app.core.ledger.errors import REPAIR_HINT, LedgerCorruptError
    from desktop_app.core.programs import ProgramError  # not before the first paint

    backend = request.backend
    if token.cancelled:
        return _Outcome(backend, RunResult.cancelled(backend, request.shots))
    try:
        # the window's Azure runs (parse and translation included) go through the Azure worker
        # process: core.azure.executor (~100 ms of imports) is not needed in this one
        executor = executor_for(backend)
        if ledger is None:
            result = executor.run(request, token, progress)
        else:
            from desktop_app.core.jobs.recording import run_recorded

            estimate = _estimate_of(request, token)
            result = run_recorded(
                request, executor, ledger, token, progress, estimated_cost=estimate
            )
    except Cancelled:
        return _Outcome(backend, RunResult.cancelled(backend, request.shots))
    except ProgramError as exc:
        return _Outcome(backend, message=str(exc), program_error=exc)
    except LedgerCorruptError as exc:  # the window asks whether to start a new ledger
        problem = str(exc).replace(REPAIR_HINT, "").strip()
        message = f"{problem} This run could not be recorded."
        return _Outcome(backend, message=message, ledger_damage=exc)
    except QuantumDeskError as exc:
        return _Outcome(backend, message=str(exc))
    except Exception:  # a bug must not kill the run: log it, tell the user
        log.exception("run on %s failed", backend)
        return _Outcome(backend, message="the run failed unexpectedly; the log has details")
    return _Outcome(backend, result)


def _prewarm() -> None:
    from desktop_app.core.local.executor import prewarm

    try:
        prewarm()
    except OSError:
        log.warning("could not start a simulator process in advance", exc_info=True)
    from desktop_app.core.azure.process import prewarm as prewarm_azure
    from desktop_app.core.azure.profiles import ProfileStore
    from desktop_app.core.errors import QuantumDeskError

    try:  # with a profile, the Azure SDK is imported in its worker process before any Run
        if ProfileStore().names():
            prewarm_azure()
    except (OSError, QuantumDeskError):
        log.warning("could not start the Azure process in advance", exc_info=True)
    for module in RUN_PATH_MODULES:  # now, while nothing runs, rather than on the first Run
        importlib.import_module(module)


# What a run's pool threads import in this process. Imported by the first Run, twenty threads
# would compile and execute them while the GUI thread waits for the interpreter lock.
RUN_PATH_MODULES = (
    "desktop_app.core.azure.job_recorder",  # in the worker's messages: unpickled here
    "desktop_app.core.azure.translate",  # a run's Translation, unpickled here on its way
    "desktop_app.core.azure.process_worker",
    "desktop_app.core.azure.secrets",
    "desktop_app.core.jobs.program_work",
    "desktop_app.core.ledger.errors",
    "desktop_app.core.jobs.recording",
    "desktop_app.core.local.calls",
    "desktop_app.core.program_limits",
    "desktop_app.core.programs",  # ProgramError, caught by every backend's thread
    "desktop_app.core.program_tokens",  # LocalSimulatorExecutor: a while loop?
    "secrets",  # with_seed, on the GUI thread
)


def _estimate_of(request: RunRequest, cancel: CancelToken) -> dict[str, object] | None:
    """The ledger's estimated cost of an Azure run (budgets count it): this pool thread waits on
    a worker process, where the program is parsed and priced."""
    if request.profile is None:
        return None
    from desktop_app.core.jobs.program_work import ESTIMATE_TIMEOUT_SECONDS, ledger_estimate

    try:
        what = "estimating the run's cost"
        return in_worker(ledger_estimate, (request,), what, ESTIMATE_TIMEOUT_SECONDS, cancel)
    except QuantumDeskError as exc:  # the run itself will report the problem
        log.info("no estimate recorded for %s: %s", request.backend, exc)
        return None
