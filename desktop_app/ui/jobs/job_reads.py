"""A job read for what the Jobs view does with it (its detail dialog, an export): at once, or,
for a job with a wide result, on the ledger lane behind a busy cursor.

Reading a 1,000,000-shot job's result (644,000 outcomes: 16 MB of JSON) and making a RunResult
of it takes ~2 s; done on the GUI thread, the window froze that long at a double click, and at
an export from the context menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.models import JobRow
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui import messages
from desktop_app.ui.jobs.detail import ExportKind, LoadedJob, export_record, load_job
from desktop_app.ui.jobs.exporting import ExportLine, JobExport
from desktop_app.ui.tasks import BackgroundCalls, Lane

# A stored result larger than this (compressed; ~20,000 outcomes) is read off the GUI thread.
LOAD_LATER_BYTES = 64 * 1024

Then = Callable[[LoadedJob], None]
Failed = Callable[[str], None]


class JobReads(QObject):
    """`read(job_id, then, failure)`: `then(LoadedJob)` on the GUI thread, now or once read."""

    def __init__(self, owner: QWidget, ledger: Ledger) -> None:
        super().__init__(owner)
        self._owner, self._ledger = owner, ledger
        self._calls = BackgroundCalls(self, lane=Lane.LEDGER)
        self._calls.finished.connect(self._on_calls_finished)
        self._calls.failed.connect(self._on_calls_failed)
        self._waiting: dict[int, _Waiting] = {}

    def read(
        self,
        job_id: str,
        then: Then,
        failure: str,
        failed: Failed | None = None,
        *,
        convert: bool = True,
        rank: bool = False,
        chart: bool = False,
    ) -> bool:
        """Read the job and call `then` with it: at once for a small result, else once read on
        the ledger lane (True: later); its result made a RunResult unless `convert` is False,
        and, read there, ranked for a dialog's pane (`rank`, when wide) or its histogram's
        largest values found (`chart`). A job that cannot be read is said in a message box
        titled `failure`, and to `failed` when given."""
        waiting = _Waiting(job_id, then, failure, failed)

        def load(later: bool) -> LoadedJob:
            return load_job(
                self._ledger,
                job_id,
                convert=convert,
                rank_wide=later and rank,
                chart=later and chart,
            )

        try:
            if self._ledger.result_bytes(job_id) > LOAD_LATER_BYTES:
                QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
                self._waiting[self._calls.submit(lambda: load(later=True))] = waiting
                return True
            loaded = load(later=False)
        except QuantumDeskError as exc:
            self._say_failed(waiting, str(exc))
            return False
        then(loaded)
        return False

    def reading(self, job_id: str) -> bool:
        """Whether the job is being read on the ledger lane."""
        return any(waiting.job_id == job_id for waiting in self._waiting.values())

    def shutdown(self) -> None:
        """Reads still under way are no longer waited for: the busy cursor goes now, and their
        answers are dropped."""
        for _ in self._waiting:
            QApplication.restoreOverrideCursor()
        self._waiting.clear()

    def _answered(self, ticket: int) -> _Waiting | None:
        """What waited for `ticket`, its busy cursor gone; None after shutdown()."""
        waiting = self._waiting.pop(ticket, None)
        if waiting is not None:
            QApplication.restoreOverrideCursor()
        return waiting

    @Slot(int, object)
    def _on_calls_finished(self, ticket: int, loaded: object) -> None:
        waiting = self._answered(ticket)
        if waiting is not None and isinstance(loaded, LoadedJob):
            waiting.then(loaded)

    @Slot(int, object)
    def _on_calls_failed(self, ticket: int, exc: object) -> None:
        waiting = self._answered(ticket)
        if waiting is None:
            return
        if isinstance(exc, QuantumDeskError):
            self._say_failed(waiting, str(exc))
        else:  # a bug: logged by ui.tasks
            self._say_failed(waiting, f"The job {waiting.job_id} could not be read.")

    def _say_failed(self, waiting: _Waiting, message: str) -> None:
        messages.show_error(self._owner, waiting.failure, message)
        if waiting.failed is not None:
            waiting.failed(message)


@dataclass(frozen=True)
class _Waiting:
    """A read's job and what is done with it: `then` when read, else `failure`, `failed`."""

    job_id: str
    then: Then
    failure: str
    failed: Failed | None


def export_job(
    parent: QWidget, reads: JobReads, job: JobRow, kind: ExportKind, line: ExportLine
) -> JobExport | None:
    """Export `job` (a row of the Jobs view) once `reads` has read it, `line` saying so while a
    wide one is read. The export; None when it starts later, was cancelled or cannot start."""
    started: list[JobExport | None] = []

    def export(loaded: LoadedJob) -> None:
        line.hide()  # the export says what it does from here
        started.append(
            export_record(
                parent, loaded.record, kind, line=line, result=loaded.result, top=loaded.top
            )
        )

    def failed(message: str) -> None:
        line.say(f"The export failed: {message}")

    # only an image draws the result here; the other exports convert it on their own thread
    image = kind in (ExportKind.PNG, ExportKind.SVG)
    if reads.read(job.id, export, "Export failed", failed, convert=image, chart=image):
        line.say(f"Reading job {job.name or job.id} for the export…")
    return started[0] if started else None
