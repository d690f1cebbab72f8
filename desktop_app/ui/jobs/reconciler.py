"""Start-up reconciliation in the background: one worker QObject on its own QThread calls
`core.reconcile.reconcile_unfinished`; the report comes back by a signal.

Following a job that is queued for hours keeps the thread busy that long; `shutdown()` (window
close) stops following (the jobs stay open in the ledger for the next start, and are never
cancelled at Azure) and waits for the thread: quit() + wait(), never terminate().
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.core.cancel import CancelToken
from desktop_app.core.ledger.errors import LedgerError
from desktop_app.core.ledger.store import Ledger

if TYPE_CHECKING:
    from desktop_app.core.azure.executor import PollSchedule

log = logging.getLogger(__name__)


class _Worker(QObject):
    """Lives on the reconciler's thread; never touches a widget."""

    progress = Signal(str)
    finished = Signal(object)  # ReconcileReport
    failed = Signal(str)

    def __init__(self, ledger: Ledger) -> None:
        super().__init__()
        self.ledger = ledger
        self.schedule: PollSchedule | None = None  # None: the executor's default

    @Slot(object, object)
    def _on_reconciler_startRequested(
        self, token: CancelToken, started_before: datetime | None
    ) -> None:
        from desktop_app.core.jobs.reconcile import reconcile_unfinished

        try:
            report = reconcile_unfinished(
                self.ledger,
                token,
                lambda message, _fraction: self.progress.emit(message),
                started_before=started_before,
                schedule=self.schedule,
            )
        except LedgerError as exc:
            log.warning("reconciliation stopped: %s", exc)
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug must not kill the thread: log it, tell the user
            log.exception("reconciliation failed")
            self.failed.emit(
                f"Picking up unfinished jobs failed ({type(exc).__name__}); see the log"
            )
        else:
            self.finished.emit(report)


class Reconciler(QObject):
    """`start(started_before)` settles the ledger's unfinished jobs created before that time.

    Signals: `progress(str)`, `finished(object ReconcileReport)`, `failed(str plain message)`.
    """

    progress = Signal(str)
    finished = Signal(object)
    failed = Signal(str)

    _startRequested = Signal(object, object)

    def __init__(self, ledger: Ledger, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName("quantum-desk-reconciler")
        self._worker = _Worker(ledger)
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._startRequested.connect(self._worker._on_reconciler_startRequested)
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self._on_worker_finished)
        self._worker.failed.connect(self._on_worker_failed)
        self._token: CancelToken | None = None

    def set_schedule(self, schedule: PollSchedule | None) -> None:
        """How often followed jobs are polled (tests poll fast); None: the executor's default."""
        self._worker.schedule = schedule

    @property
    def running(self) -> bool:
        return self._token is not None

    def start(self, started_before: datetime | None = None) -> None:
        if self._token is not None:
            return  # one reconciliation at a time
        if not self._thread.isRunning():
            self._thread.start()
        self._token = CancelToken()
        self._startRequested.emit(self._token, started_before)

    def shutdown(self) -> None:
        """Stop following jobs and stop the thread (quit + wait; never terminate)."""
        if self._token is not None:
            self._token.detach()  # stop following; the jobs stay open at Azure and in the ledger
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    @Slot(object)
    def _on_worker_finished(self, report: object) -> None:
        self._token = None
        self.finished.emit(report)

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        self._token = None
        self.failed.emit(message)
