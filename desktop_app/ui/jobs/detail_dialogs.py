"""The Jobs view's open detail dialogs, one per job: opened at once, or, for a job with a wide
result, once the job is read on the ledger lane.

Reading a 1,000,000-shot job's result (644,000 outcomes: 16 MB of JSON) and making a RunResult
of it takes ~2 s; done on the GUI thread, the window froze that long at a double click.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui import messages
from desktop_app.ui.jobs.detail import JobDetailDialog, LoadedJob, load_job
from desktop_app.ui.jobs.ledger_events import LedgerEvents
from desktop_app.ui.tasks import BackgroundCalls, Lane

log = logging.getLogger(__name__)

# A stored result larger than this (compressed; ~20,000 outcomes) is read off the GUI thread.
LOAD_LATER_BYTES = 64 * 1024


class DetailDialogs(QObject):
    """`open(job_id)`; `opened(job_id)` once its dialog is shown."""

    opened = Signal(str)

    def __init__(self, owner: QWidget, ledger: Ledger, events: LedgerEvents) -> None:
        super().__init__(owner)
        self._owner, self._ledger, self._events = owner, ledger, events
        self._dialogs: dict[str, JobDetailDialog] = {}
        self._reads = BackgroundCalls(self, lane=Lane.LEDGER)
        self._reads.finished.connect(self._on_reads_finished)
        self._reads.failed.connect(self._on_reads_failed)
        self._reading: dict[int, str] = {}  # ticket -> job id

    def open(self, job_id: str) -> JobDetailDialog | None:
        """The job's dialog, shown and raised; None when it opens later (or cannot open)."""
        dialog = self._dialogs.get(job_id)
        if dialog is None:
            if job_id in self._reading.values():
                return None  # on its way
            try:
                wide = self._ledger.result_bytes(job_id) > LOAD_LATER_BYTES
                if wide:
                    self._read_later(job_id)
                    return None
                dialog = self._made(job_id, None)
            except QuantumDeskError as exc:
                messages.show_error(self._owner, "Cannot open job", str(exc))
                return None
        self._show(job_id, dialog)
        return dialog

    def dialogs(self) -> dict[str, JobDetailDialog]:
        return dict(self._dialogs)

    def shutdown(self) -> None:
        """Stop following the ledger; reads still under way are no longer waited for."""
        for dialog in self._dialogs.values():
            dialog.detach()
        for _ in self._reading:  # their answers are dropped: the busy cursor goes now
            QApplication.restoreOverrideCursor()
        self._reading.clear()  # a late answer finds no job: it is dropped

    def close(self, job_id: str) -> None:
        dialog = self._dialogs.pop(job_id, None)
        if dialog is not None:
            dialog.close()

    def _read_later(self, job_id: str) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        ticket = self._reads.submit(lambda: load_job(self._ledger, job_id))
        self._reading[ticket] = job_id

    def _made(self, job_id: str, loaded: LoadedJob | None) -> JobDetailDialog:
        dialog = JobDetailDialog(
            self._ledger, job_id, self._owner, events=self._events, loaded=loaded
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r, j=job_id: self._dialogs.pop(j, None))
        self._dialogs[job_id] = dialog
        return dialog

    def _show(self, job_id: str, dialog: JobDetailDialog) -> None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.opened.emit(job_id)

    @Slot(int, object)
    def _on_reads_finished(self, ticket: int, loaded: object) -> None:
        job_id = self._reading.pop(ticket, None)
        if job_id is None:
            return  # after shutdown()
        QApplication.restoreOverrideCursor()
        if not isinstance(loaded, LoadedJob):
            return
        if job_id not in self._dialogs:
            self._made(job_id, loaded)
        self._show(job_id, self._dialogs[job_id])

    @Slot(int, object)
    def _on_reads_failed(self, ticket: int, exc: object) -> None:
        if self._reading.pop(ticket, None) is None:
            return  # after shutdown()
        QApplication.restoreOverrideCursor()
        if isinstance(exc, QuantumDeskError):
            messages.show_error(self._owner, "Cannot open job", str(exc))
        else:  # a bug: logged by ui.tasks
            messages.show_error(self._owner, "Cannot open job", "the job could not be read")
