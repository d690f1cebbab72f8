"""The Jobs view's open detail dialogs, one per job: opened at once, or, for a job with a wide
result, once the job is read on the ledger lane (ui/jobs/job_reads.py)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from desktop_app.core.ledger.store import Ledger
from desktop_app.ui.jobs.detail import JobDetailDialog, LoadedJob
from desktop_app.ui.jobs.job_reads import JobReads
from desktop_app.ui.jobs.ledger_events import LedgerEvents


class DetailDialogs(QObject):
    """`open(job_id)`; `opened(job_id)` once its dialog is shown."""

    opened = Signal(str)

    def __init__(
        self, owner: QWidget, ledger: Ledger, events: LedgerEvents, reads: JobReads
    ) -> None:
        super().__init__(owner)
        self._owner, self._ledger, self._events = owner, ledger, events
        self._dialogs: dict[str, JobDetailDialog] = {}
        self._reads = reads

    def open(self, job_id: str) -> JobDetailDialog | None:
        """The job's dialog, shown and raised; None when it opens later (or cannot open)."""
        dialog = self._dialogs.get(job_id)
        if dialog is not None:
            self._show(job_id, dialog)
        elif not self._reads.reading(job_id):  # else on its way
            self._reads.read(
                job_id, lambda loaded: self._loaded(job_id, loaded), "Cannot open job", rank=True
            )
        return self._dialogs.get(job_id)  # there when it was read at once

    def dialogs(self) -> dict[str, JobDetailDialog]:
        return dict(self._dialogs)

    def shutdown(self) -> None:
        """Stop following the ledger."""
        for dialog in self._dialogs.values():
            dialog.detach()

    def close(self, job_id: str) -> None:
        dialog = self._dialogs.pop(job_id, None)
        if dialog is not None:
            dialog.close()

    def _loaded(self, job_id: str, loaded: LoadedJob) -> None:
        dialog = self._dialogs.get(job_id)
        if dialog is None:
            dialog = JobDetailDialog(
                self._ledger, job_id, self._owner, events=self._events, loaded=loaded
            )
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda _r, j=job_id: self._dialogs.pop(j, None))
            self._dialogs[job_id] = dialog
        self._show(job_id, dialog)

    def _show(self, job_id: str, dialog: JobDetailDialog) -> None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.opened.emit(job_id)
