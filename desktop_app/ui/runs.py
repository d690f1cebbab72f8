"""Runs requests from one QThread: a worker QObject calls the core executors, signals bring results.

The worker thread only supervises: the local simulator runs in a worker process (see
core.local_executor), so the GUI thread never waits on the interpreter lock or the network.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.core.cancel import Cancelled, CancelToken, ProgressCallback
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.jobs.dispatch import executor_for
from desktop_app.core.request import RunRequest

if TYPE_CHECKING:
    from desktop_app.core.ledger.store import Ledger
    from desktop_app.core.results import RunResult

log = logging.getLogger(__name__)


class _Worker(QObject):
    """Lives on the executor's QThread; never touches a widget."""

    jobStarted = Signal(str)
    jobProgress = Signal(str, str)
    jobFinished = Signal(object)
    jobFailed = Signal(str, str)
    programError = Signal(object)
    runFinished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.ledger: Ledger | None = None  # the app's job ledger: every run is recorded in it

    @Slot(object, object)
    def _on_executor_runRequested(self, requests: list[RunRequest], token: CancelToken) -> None:
        # Backends run side by side: each on a plain thread that only waits (on the network or on
        # the simulator process); this QThread waits for all of them, then reports the run done.
        program_errors: list[object] = []
        lock = threading.Lock()
        with ThreadPoolExecutor(max(1, len(requests)), thread_name_prefix="qd-run") as pool:
            for request in requests:
                pool.submit(self._run_one, request, token, program_errors, lock)
        self.runFinished.emit()

    def _run_one(
        self,
        request: RunRequest,
        token: CancelToken,
        program_errors: list[object],
        lock: threading.Lock,
    ) -> None:
        from desktop_app.core.programs import ProgramError
        from desktop_app.core.results import RunResult

        backend = request.backend
        if token.cancelled:
            self.jobFinished.emit(RunResult.cancelled(backend, request.shots))
            return
        self.jobStarted.emit(backend)
        try:
            result = self._run(request, token)
        except Cancelled:
            self.jobFinished.emit(RunResult.cancelled(backend, request.shots))
        except ProgramError as exc:
            with lock:  # the same program on every backend: mark it once
                first = not program_errors
                program_errors.append(exc)
            if first:
                self.programError.emit(exc)
            self.jobFailed.emit(backend, str(exc))
        except QuantumDeskError as exc:
            self.jobFailed.emit(backend, str(exc))
        except Exception as exc:  # a bug must not kill the run: log it, tell the user
            log.exception("run on %s failed", backend)
            self.jobFailed.emit(backend, f"unexpected {type(exc).__name__}; see the log")
        else:
            self.jobFinished.emit(result)

    def _run(self, request: RunRequest, token: CancelToken) -> RunResult:
        """One request; with the app's ledger, recorded in it (Azure: write-ahead)."""
        executor = executor_for(request.backend)
        progress = self._progress_of(request.backend)
        if self.ledger is None:
            return executor.run(request, token, progress)
        from desktop_app.core.jobs.recording import run_recorded

        estimate = _estimate_of(request)
        return run_recorded(
            request, executor, self.ledger, token, progress, estimated_cost=estimate
        )

    def _progress_of(self, backend: str) -> ProgressCallback:
        def progress(message: str, _fraction: float | None) -> None:
            self.jobProgress.emit(backend, message)

        return progress

    @Slot()
    def _on_executor_prewarmRequested(self) -> None:
        from desktop_app.core.local.executor import prewarm

        try:
            prewarm()
        except OSError:
            log.warning("could not start a simulator process in advance", exc_info=True)


def _estimate_of(request: RunRequest) -> dict[str, object] | None:
    """The ledger's estimated cost of an Azure run (budgets count it), made on this thread."""
    if request.profile is None:
        return None
    from desktop_app.core.azure.pricing import estimate_request

    try:
        estimate = estimate_request(request)
    except QuantumDeskError as exc:  # the run itself will report the problem
        log.info("no estimate recorded for %s: %s", request.backend, exc)
        return None
    return None if estimate is None else estimate.to_ledger()


class RunExecutor(QObject):
    """start(requests) runs them side by side off the GUI thread; cancel() stops the whole run."""

    jobStarted = Signal(str)  # backend
    jobProgress = Signal(str, str)  # backend, message
    jobFinished = Signal(object)  # RunResult (also for cancelled runs)
    jobFailed = Signal(str, str)  # backend, plain message
    programError = Signal(object)  # ProgramError (line/column), before its jobFailed
    runFinished = Signal()

    _runRequested = Signal(object, object)
    _prewarmRequested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName("quantum-desk-executor")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._runRequested.connect(self._worker._on_executor_runRequested)
        self._prewarmRequested.connect(self._worker._on_executor_prewarmRequested)
        self._worker.jobStarted.connect(self.jobStarted)
        self._worker.jobProgress.connect(self.jobProgress)
        self._worker.jobFinished.connect(self.jobFinished)
        self._worker.jobFailed.connect(self.jobFailed)
        self._worker.programError.connect(self.programError)
        self._worker.runFinished.connect(self._on_worker_runFinished)
        self._token: CancelToken | None = None
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._token is not None

    def set_ledger(self, ledger: Ledger | None) -> None:
        """Record every run from now on in `ledger` (the result's job_id is its ledger id)."""
        self._worker.ledger = ledger

    def start(self, requests: Sequence[RunRequest]) -> None:
        if self._token is not None:
            raise RuntimeError("a run is already in progress")
        self._token = CancelToken()
        self._runRequested.emit(list(requests), self._token)

    def cancel(self) -> None:
        """Set from the GUI thread; the worker sees it within 50 ms and kills the simulator."""
        if self._token is not None:
            self._token.cancel()

    def prewarm(self) -> None:
        """Start a simulator process in the background: the first Run will not wait for imports."""
        self._prewarmRequested.emit()

    def shutdown(self) -> None:
        """Stop following what runs and stop the thread (quit + wait; never terminate).

        Azure jobs are detached, not cancelled: they stay open in the ledger and the next start
        picks them up again. A local simulation is ended with its worker process."""
        if self._token is not None:
            self._token.detach()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    @Slot()
    def _on_worker_runFinished(self) -> None:
        self._token = None
        self.runFinished.emit()
