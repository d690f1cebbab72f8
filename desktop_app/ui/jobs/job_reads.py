"""A job read for what the Jobs view does with it (its detail dialog, an export): at once, or,
for a job with a wide result, on the ledger lane behind a busy cursor.

Reading a 1,000,000-shot job's result (644,000 outcomes: 16 MB of JSON) and making a RunResult
of it takes ~2 s; done on the GUI thread, the window froze that long at a double click, and at
an export from the context menu.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui import messages
from desktop_app.ui.jobs.detail import LoadedJob, load_job
from desktop_app.ui.tasks import BackgroundCalls, Lane

# A stored result larger than this (compressed; ~20,000 outcomes) is read off the GUI thread.
LOAD_LATER_BYTES = 64 * 1024

Then = Callable[[LoadedJob], None]


class JobReads(QObject):
    """`read(job_id, then, failure)`: `then(LoadedJob)` on the GUI thread, now or once read."""

    def __init__(self, owner: QWidget, ledger: Ledger) -> None:
        super().__init__(owner)
        self._owner, self._ledger = owner, ledger
        self._calls = BackgroundCalls(self, lane=Lane.LEDGER)
        self._calls.finished.connect(self._on_calls_finished)
        self._calls.failed.connect(self._on_calls_failed)
        self._waiting: dict[int, tuple[str, Then, str]] = {}  # ticket -> job, then, failure

    def read(self, job_id: str, then: Then, failure: str) -> None:
        """Read the job and call `then` with it: at once for a small result, else once read on
        the ledger lane. A job that cannot be read is said in a message box titled `failure`."""
        try:
            if self._ledger.result_bytes(job_id) > LOAD_LATER_BYTES:
                QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
                ticket = self._calls.submit(lambda: load_job(self._ledger, job_id))
                self._waiting[ticket] = (job_id, then, failure)
                return
            loaded = load_job(self._ledger, job_id)
        except QuantumDeskError as exc:
            messages.show_error(self._owner, failure, str(exc))
            return
        then(loaded)

    def reading(self, job_id: str) -> bool:
        """Whether the job is being read on the ledger lane."""
        return any(job == job_id for job, _then, _failure in self._waiting.values())

    def shutdown(self) -> None:
        """Reads still under way are no longer waited for: the busy cursor goes now, and their
        answers are dropped."""
        for _ in self._waiting:
            QApplication.restoreOverrideCursor()
        self._waiting.clear()

    def _answered(self, ticket: int) -> tuple[str, Then, str] | None:
        """What waited for `ticket`, its busy cursor gone; None after shutdown()."""
        waiting = self._waiting.pop(ticket, None)
        if waiting is not None:
            QApplication.restoreOverrideCursor()
        return waiting

    @Slot(int, object)
    def _on_calls_finished(self, ticket: int, loaded: object) -> None:
        waiting = self._answered(ticket)
        if waiting is not None and isinstance(loaded, LoadedJob):
            waiting[1](loaded)

    @Slot(int, object)
    def _on_calls_failed(self, ticket: int, exc: object) -> None:
        waiting = self._answered(ticket)
        if waiting is None:
            return
        job_id, _then, failure = waiting
        if isinstance(exc, QuantumDeskError):
            messages.show_error(self._owner, failure, str(exc))
        else:  # a bug: logged by ui.tasks
            messages.show_error(self._owner, failure, f"The job {job_id} could not be read.")
