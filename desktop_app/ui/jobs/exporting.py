"""A job's results or reproducibility bundle written off the GUI thread, its progress in words.

A bundle takes seconds: its `translation.json` is made by qiskit in a worker process
(`core.jobs.bundle.export_with_parts`, through `core.local.calls.call_in_worker`), and the file is
written whole or not at all (`core.atomic_files`). Both happen on the long-work lane of `ui.tasks`
(its thread only waits), so the window keeps answering; `JobExport` brings the outcome back and
`ExportLine` shows it. An export outlives the dialog it was started from (closing the dialog does
not stop the file being written, and its failure is still said); `cancel_all()` stops those still
under way at exit.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.core.cancel import Cancelled, CancelToken, ProgressCallback
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.models import JobRecord
from desktop_app.ui.plain_text import plain
from desktop_app.ui.tasks import Lane, run_task

log = logging.getLogger(__name__)

_running: set[JobExport] = set()  # started and not ended: kept alive here, not by a widget


def running() -> list[JobExport]:
    """The exports still under way."""
    return list(_running)


def cancel_all() -> None:
    """At exit: stop every export still under way (no file is left half written)."""
    for export in list(_running):
        export.cancel()


def _export_on_thread(
    record: JobRecord, path: Path, cancel: CancelToken, progress: ProgressCallback
) -> str:
    """Pool thread: the whole export (core only; no widget is touched here)."""
    from desktop_app.core.jobs.bundle import export_with_parts

    return export_with_parts(record, path, cancel, progress)


class JobExport(QObject):
    """One export of a job to `path`: `progress(str)`, then `finished(Path)` or `failed(str)`
    (a plain message). `written`, `note` (what the file lacks) and `error` say how it ended."""

    progress = Signal(str)
    finished = Signal(object)  # the Path written
    failed = Signal(str)

    def __init__(self, record: JobRecord, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.record, self.path = record, Path(path)
        self.written: Path | None = None
        self.note = ""
        self.error: str | None = None
        self._cancel = CancelToken()

    @property
    def done(self) -> bool:
        return self.written is not None or self.error is not None

    def start(self) -> None:
        _running.add(self)
        self.progress.emit(f"Exporting job {self.record.name or self.record.id} to {self.path}…")
        run_task(
            functools.partial(_export_on_thread, self.record, self.path, self._cancel),
            lane=Lane.LONG,
            with_progress=True,
            on_progress=self._on_task_progress,
            on_finished=self._on_task_finished,
            on_failed=self._on_task_failed,
        )

    def finish(self, path: Path) -> None:
        """The file is written (also for an export made on the GUI thread: a histogram image is
        Qt painting)."""
        self.written = Path(path)
        _running.discard(self)
        self.finished.emit(self.written)

    def fail(self, message: str) -> None:
        self.error = message
        _running.discard(self)
        self.failed.emit(message)

    def cancel(self) -> None:
        """Stop an export still under way (at exit): no file is left behind."""
        self._cancel.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancel.cancelled

    @Slot(str)
    def _on_task_progress(self, message: str) -> None:
        self.progress.emit(message)

    @Slot(object)
    def _on_task_finished(self, note: object) -> None:
        self.note = str(note or "")
        log.info("exported job %s to %s", self.record.id, self.path)
        self.finish(self.path)

    @Slot(object)
    def _on_task_failed(self, exc: object) -> None:
        if isinstance(exc, Cancelled):
            self.fail("the export was stopped")
        elif isinstance(exc, QuantumDeskError | OSError):
            self.fail(str(exc))
        else:  # a bug: logged by ui.tasks
            self.fail("the export failed unexpectedly; the log has details")


class ExportLine(QLabel):
    """A line under the export buttons: what the export is doing, where it wrote, or why not
    (objectName `jobExportStatus`; hidden until the first export)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        plain(self)  # paths and job names as they are
        self.setObjectName("jobExportStatus")
        self.setWordWrap(True)
        self.hide()

    def follow(self, job: JobExport) -> None:
        job.progress.connect(self._on_job_progress)
        job.finished.connect(self._on_job_finished)
        job.failed.connect(self._on_job_failed)

    def say(self, text: str) -> None:
        self.setText(text)
        self.show()

    @Slot(str)
    def _on_job_progress(self, message: str) -> None:
        self.say(message)

    @Slot(object)
    def _on_job_finished(self, path: object) -> None:
        job = self.sender()
        note = job.note if isinstance(job, JobExport) else ""
        self.say(f"Saved to {path}." + (f" {note}" if note else ""))

    @Slot(str)
    def _on_job_failed(self, message: str) -> None:
        self.say(f"The export failed: {message}")
