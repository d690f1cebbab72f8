"""Start-up reconciliation in the background: `core.jobs.reconcile.reconcile_unfinished` as one
task on the long-work lane of `ui.tasks`; the report comes back by a signal. With Azure jobs to
look up it runs in the Azure worker process (`core.azure.process`): the window's process never
imports the Azure SDK; the ledger writes still happen here.

Following a job that is queued for hours keeps the task busy that long; `shutdown()` (window
close) stops following (the jobs stay open in the ledger for the next start, and are never
cancelled at Azure) and waits for the task to end.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.cancel import CancelToken, ProgressCallback
from desktop_app.core.ledger.errors import LedgerError
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui.tasks import Lane, run_task

if TYPE_CHECKING:
    from desktop_app.core.azure.polling import PollSchedule
    from desktop_app.core.jobs.reconcile import ReconcileReport

log = logging.getLogger(__name__)


class Reconciler(QObject):
    """`start(started_before)` settles the ledger's unfinished jobs created before that time.

    Signals: `progress(str)`, `finished(object ReconcileReport)`, `failed(str plain message)`.
    """

    progress = Signal(str)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, ledger: Ledger, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.schedule: PollSchedule | None = None  # None: the executor's default
        self._token: CancelToken | None = None
        self._idle = threading.Event()
        self._idle.set()

    def set_schedule(self, schedule: PollSchedule | None) -> None:
        """How often followed jobs are polled (tests poll fast); None: the executor's default."""
        self.schedule = schedule

    @property
    def running(self) -> bool:
        return self._token is not None

    def start(self, started_before: datetime | None = None) -> None:
        if self._token is not None:
            return  # one reconciliation at a time
        token = self._token = CancelToken()
        ledger, schedule = self.ledger, self.schedule
        self._idle.clear()

        def reconcile(progress: ProgressCallback) -> ReconcileReport:
            from desktop_app.core.jobs.reconcile import (
                azure_jobs_open,
                reconcile_in_worker,
                reconcile_unfinished,
            )

            try:
                if not azure_jobs_open(ledger, started_before):  # local runs only: no SDK
                    return reconcile_unfinished(
                        ledger, token, progress, started_before=started_before
                    )
                from desktop_app.core.azure.process import call_in_azure_worker

                # The SDK work runs in the Azure worker process; its ledger calls run here.
                report: ReconcileReport = call_in_azure_worker(
                    reconcile_in_worker,
                    ledger.path,
                    started_before,
                    schedule,
                    cancel=token,
                    progress=progress,
                    ledger=ledger,
                )
                return report
            finally:
                self._idle.set()  # a plain Event: safe to set from the pool thread

        run_task(
            reconcile,
            lane=Lane.LONG,
            with_progress=True,
            on_progress=self.progress.emit,
            on_finished=self._on_task_finished,
            on_failed=self._on_task_failed,
        )

    def shutdown(self, timeout_s: float = 30.0) -> None:
        """Stop following jobs and wait for the task to end."""
        if self._token is not None:
            self._token.detach()  # stop following; the jobs stay open at Azure and in the ledger
        if not self._idle.wait(timeout_s):
            log.warning("reconciliation was still ending when the window closed")

    @Slot(object)
    def _on_task_finished(self, report: object) -> None:
        self._token = None
        self.finished.emit(report)

    @Slot(object)
    def _on_task_failed(self, exc: object) -> None:
        self._token = None
        if isinstance(exc, LedgerError):
            log.warning("reconciliation stopped: %s", exc)
            self.failed.emit(str(exc))
        else:  # a bug (already logged by ui.tasks): tell the user in plain words
            self.failed.emit("Picking up unfinished jobs failed unexpectedly; the log has details.")
