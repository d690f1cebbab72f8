"""From the Jobs tab back to the window: open a job's program in the editor, or run it again.

The job's record (program, its file, backend, shots) is read on the ledger lane; then, on the GUI
thread, the window asks about unsaved edits as it does before any Open, loads the program (as its
file when that file still holds the same text, else as an untitled program) and, for a re-run,
ticks exactly the job's backend, sets its shots (and a local simulator job's method) and presses
Run, so the usual checks, prices and confirmations apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLabel, QSpinBox, QTabWidget, QWidget

from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.local.method_names import AUTOMATIC, OPTION
from desktop_app.ui.backends.model import BackendModel
from desktop_app.ui.tasks import Lane, run_task

if TYPE_CHECKING:  # the main window imports this module before its first paint: keep it light
    from desktop_app.core.ledger.store import Ledger
    from desktop_app.ui.backends.pane import BackendPane
    from desktop_app.ui.jobs.view import JobsView

log = logging.getLogger(__name__)


def queue_note(model: BackendModel, backend: str, state: str) -> str:
    """While a job is queued: the backend's average queue time as the service last reported it
    (the backend summary's Queue column), e.g. " (average queue: 2 min)"."""
    if state != "Queued" or not model.has_backend(backend):
        return ""
    row = next(r for r in model.rows() if r.backend.name == backend)
    queue = row.info.get("queue", "")
    return f" (average queue: {queue})" if queue and queue[0].isdigit() else ""


class JobsWindow(Protocol):
    """What the bridge uses of the main window."""

    backend_model: BackendModel
    backend_pane: BackendPane
    shots_input: QSpinBox
    status_label: QLabel
    tabs: QTabWidget

    @property
    def results_view(self) -> QWidget: ...

    def confirm_discard(self) -> bool: ...
    def load_program_text(self, source: str, path: str | None) -> None: ...
    def show_error(self, text: str, line: int | None = None, column: int | None = None) -> None: ...
    def run(self) -> None: ...


@dataclass(frozen=True)
class JobProgram:
    """What a job ran: its text, the file it came from if that still holds the same text."""

    job_id: str
    name: str
    backend: str
    shots: int
    program: str
    path: str | None
    rerun: bool
    method: str = AUTOMATIC  # the local simulator's method it ran with


def read_job_program(ledger: Ledger, job_id: str, *, rerun: bool) -> JobProgram | str:
    """On the ledger lane: the job's program, or a plain message."""
    try:
        record = ledger.get(job_id)
    except QuantumDeskError as exc:
        return str(exc)
    if not record.program:
        return f"the job {record.name or record.id} has no program stored"
    path = record.program_path
    if path:
        try:
            same = Path(path).read_text(encoding="utf-8") == record.program
        except (OSError, UnicodeDecodeError):
            same = False
        path = path if same else None
    method = record.options.get(OPTION) if isinstance(record.options, dict) else None
    return JobProgram(
        record.id,
        record.name,
        record.backend,
        record.shots,
        record.program,
        path,
        rerun,
        str(method or AUTOMATIC),
    )


class JobsBridge(QObject):
    """Connects a JobsView's programRequested / rerunRequested to `window`."""

    def __init__(self, window: JobsWindow, view: JobsView, ledger: Ledger) -> None:
        super().__init__(view)
        self.window = window
        self.ledger = ledger
        view.programRequested.connect(self._on_view_programRequested)
        view.rerunRequested.connect(self._on_view_rerunRequested)

    @Slot(str)
    def _on_view_programRequested(self, job_id: str) -> None:
        self._read(job_id, rerun=False)

    @Slot(str)
    def _on_view_rerunRequested(self, job_id: str) -> None:
        self._read(job_id, rerun=True)

    def _read(self, job_id: str, *, rerun: bool) -> None:
        ledger = self.ledger
        run_task(
            lambda: read_job_program(ledger, job_id, rerun=rerun),
            lane=Lane.LEDGER,
            on_finished=self._on_read_finished,
        )

    @Slot(object)
    def _on_read_finished(self, answer: JobProgram | str) -> None:
        window = self.window
        if isinstance(answer, str):
            window.status_label.setText(f"Cannot open the job's program: {answer}")
            return
        if answer.rerun and not window.backend_model.has_backend(answer.backend):
            window.show_error(
                f"{answer.backend} is not in the backend list now (pick its profile, or "
                "refresh the backend status with F5), so the job cannot be run again."
            )
            return
        if not window.confirm_discard():  # Save / Discard / Cancel, as before any Open
            return
        window.load_program_text(answer.program, answer.path)
        label = answer.name or answer.job_id
        window.status_label.setText(f"Opened the program of the job {label}")
        if not answer.rerun:
            return
        model = window.backend_model
        for row in model.rows():
            if row.checked != (row.backend.name == answer.backend):
                model.set_checked(row.backend.name, not row.checked)
        window.shots_input.setValue(answer.shots)
        if answer.backend == LOCAL_SIMULATOR:  # the one backend with a method
            window.backend_pane.set_method(answer.method)
        window.tabs.setCurrentWidget(window.results_view)
        window.run()
