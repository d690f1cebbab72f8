"""The jobs (history) view: a filter bar over a table of every job in the ledger.

Filter by text (debounced while typing), backend, status and date; sort by clicking a header (in
SQL, see jobs_model.py); open a job (double-click, Return) in a `JobDetailDialog`; rename (F2), tag,
export and delete (Del) from the context menu. Deleting can also delete the job at Azure through the
`delete_remote` seam (a callable given by the Azure side; it runs on a worker thread).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date
from functools import partial

from PySide6.QtCore import (
    QDate,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.catalog import target_name
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.models import JobFilter, JobRow
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus
from desktop_app.ui import messages
from desktop_app.ui.jobs.cells import JobCellDelegate
from desktop_app.ui.jobs.columns import COLUMNS, SORTABLE_COLUMNS
from desktop_app.ui.jobs.compare import CompareDialog
from desktop_app.ui.jobs.detail import ExportKind, JobDetailDialog
from desktop_app.ui.jobs.detail_dialogs import DetailDialogs
from desktop_app.ui.jobs.exporting import ExportLine, JobExport, cancel_all
from desktop_app.ui.jobs.filters import (
    ALL,
    DATE_RANGES,
    UNFINISHED,
    count_text,
    date_range,
    job_filter,
    set_backend_names,
)
from desktop_app.ui.jobs.job_reads import JobReads, export_job
from desktop_app.ui.jobs.ledger_events import LedgerEvents
from desktop_app.ui.jobs.model import JOB_ROW_ROLE, JobsModel
from desktop_app.ui.jobs.pages import merged_spans
from desktop_app.ui.jobs.prompts import ask_delete, ask_text, cost_total_text
from desktop_app.ui.jobs.writes import LedgerWrites
from desktop_app.ui.plain_text import plain, tooltip
from desktop_app.ui.tasks import BackgroundCalls, Lane, run_task, wait_idle

log = logging.getLogger(__name__)

TEXT_DEBOUNCE_MS = 250
RemoteDelete = Callable[[JobRow], None]  # raises QuantumDeskError with a plain message on failure

_COLUMN_WIDTHS = (200, 170, 100, 70, 120, 150, 150, 140)


def _remote_capable(job: JobRow) -> bool:
    return job.azure_job_id is not None and not target_name(job.backend).is_local


# ----------------------------------------------------------------------------------------- view
class JobsView(QWidget):
    """objectName `jobsView`; children `jobsFilterText`, `jobsFilterBackend`, `jobsFilterStatus`,
    `jobsFilterDate`, `jobsFilterFrom`, `jobsFilterTo`, `jobsCount`, `jobsTable`.

    Call `shutdown()` before the ledger is closed (the main window's closeEvent)."""

    jobOpened = Signal(str)  # job id, after its detail dialog is shown
    programRequested = Signal(str)  # job id: open its program in the editor (the window does)
    rerunRequested = Signal(str)  # job id: run its program again on its backend and shots
    jobsDeleted = Signal(list)  # job ids deleted from the ledger

    def __init__(
        self,
        ledger: Ledger,
        parent: QWidget | None = None,
        *,
        delete_remote: RemoteDelete | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("jobsView")
        self.ledger = ledger
        self.delete_remote = delete_remote
        self.events = LedgerEvents(ledger, self)  # one listener for the table and its dialogs
        self.model = JobsModel(ledger, self, events=self.events)
        self.reads = JobReads(self, ledger)  # a wide job is read off the GUI thread
        self.details = DetailDialogs(self, ledger, self.events, self.reads)
        self.details.opened.connect(self.jobOpened)
        self._remote_calls = BackgroundCalls(self)
        self._writes = LedgerWrites(self)  # rename, tags, delete: off the GUI thread
        self._remote_calls.finished.connect(self._on_remoteCalls_finished)
        self._remote_calls.failed.connect(self._on_remoteCalls_failed)
        self._remote_jobs: dict[int, JobRow] = {}  # ticket -> job being deleted at Azure
        self._build_filter_bar()
        self._build_table()
        self._build_actions()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._filter_bar)
        layout.addWidget(self.table, 1)
        self.cost_label = QLabel(self)
        self.cost_label.setObjectName("jobsCostTotal")
        self.cost_label.setToolTip(
            "The cost of the jobs the filter shows: the billed cost when Azure Quantum reported "
            "one, else Quantum Desk's estimate. Jobs never sent are not counted."
        )
        layout.addWidget(self.cost_label)
        self.export_line = ExportLine(self)  # what an export from the context menu is doing
        layout.addWidget(self.export_line)
        self.model.refreshed.connect(self._on_model_refreshed)
        self.model.costsChanged.connect(self._on_model_costsChanged)
        self.model.countChanged.connect(self._update_count_label)
        self.model.loadFailed.connect(self._on_model_loadFailed)
        self.model.modelAboutToBeReset.connect(self._on_model_modelAboutToBeReset)
        self.model.modelReset.connect(self._on_model_modelReset)
        self._selected_before_reset: list[str] = []
        self._update_count_label()

    # ---------------------------------------------------------------- construction
    def _build_filter_bar(self) -> None:
        self.text_filter = QLineEdit(self)
        self.text_filter.setObjectName("jobsFilterText")
        self.text_filter.setPlaceholderText("Search names, backends, tags, ids and programs")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setAccessibleName("Search jobs")
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(TEXT_DEBOUNCE_MS)
        self._text_timer.timeout.connect(self.apply_filter)
        self.text_filter.textChanged.connect(self._on_textFilter_textChanged)
        self.text_filter.returnPressed.connect(self.apply_filter)

        self.backend_filter = QComboBox(self)
        self.backend_filter.setObjectName("jobsFilterBackend")
        self.backend_filter.setAccessibleName("Backend")
        self.backend_filter.addItem("All backends", ALL)
        self.backend_filter.setMinimumContentsLength(16)
        self.backend_filter.currentIndexChanged.connect(self.apply_filter)

        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("jobsFilterStatus")
        self.status_filter.setAccessibleName("Status")
        self.status_filter.addItem("All statuses", ALL)
        self.status_filter.addItem("Not finished", UNFINISHED)
        for status in JobStatus:
            self.status_filter.addItem(status.value, status.value)
        self.status_filter.currentIndexChanged.connect(self.apply_filter)

        self.date_filter = QComboBox(self)
        self.date_filter.setObjectName("jobsFilterDate")
        self.date_filter.setAccessibleName("Created")
        for text, key in DATE_RANGES:
            self.date_filter.addItem(text, key)
        self.date_filter.currentIndexChanged.connect(self._on_dateFilter_currentIndexChanged)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30), self)
        self.date_from.setObjectName("jobsFilterFrom")
        self.date_to = QDateEdit(today, self)
        self.date_to.setObjectName("jobsFilterTo")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.hide()
            edit.dateChanged.connect(self.apply_filter)

        self.count_label = plain(QLabel(self))
        self.count_label.setObjectName("jobsCount")
        # a fixed width: a changing count must not re-lay out (and so repaint) the whole table
        self.count_label.setFixedWidth(self.fontMetrics().horizontalAdvance("9,999,999 jobs …") + 8)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar = QHBoxLayout()
        bar.addWidget(self.text_filter, 3)
        bar.addWidget(self.backend_filter, 1)
        bar.addWidget(self.status_filter, 1)
        bar.addWidget(self.date_filter)
        bar.addWidget(self.date_from)
        bar.addWidget(self.date_to)
        bar.addWidget(self.count_label)
        self._filter_bar = bar

    def _build_table(self) -> None:
        self.table = QTableView(self)
        self.table.setObjectName("jobsTable")
        self.table.setAccessibleName("Jobs")
        self.table.setModel(self.model)
        self.table.setItemDelegate(JobCellDelegate(self.model, self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_customContextMenuRequested)
        # activated: Enter/Return, and a double (or, where the platform says so, single) click
        self.table.activated.connect(self._on_table_activated)
        vertical = self.table.verticalHeader()
        vertical.hide()
        # fixed row heights: the view never measures the 10,000 rows it does not show
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(_COLUMN_WIDTHS):
            header.resizeSection(column, width)
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder)
        header.setSortIndicatorShown(True)
        header.sortIndicatorChanged.connect(self._on_header_sortIndicatorChanged)
        header.setSectionsClickable(True)
        # each section painted asks if its whole column is selected, row by row (Ctrl+A at 1M
        # jobs: a 36 s freeze); a selection model of its own, never selected, answers at once
        header.setSelectionModel(QItemSelectionModel(self.model, header))

    def _build_actions(self) -> None:
        def action(text: str, slot: Callable[[], object], shortcut: QKeySequence | None) -> QAction:
            act = QAction(text, self)
            act.triggered.connect(slot)
            if shortcut is not None:
                act.setShortcut(shortcut)
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.table.addAction(act)
            return act

        self.open_action = action("&Open", self.open_selected, None)
        self.rename_action = action("&Rename…", self.rename_selected, QKeySequence(Qt.Key.Key_F2))
        self.tag_action = action("Edit &tags…", self.tag_selected, None)
        self.delete_action = action(
            "&Delete…", self.delete_selected, QKeySequence(QKeySequence.StandardKey.Delete)
        )
        self.program_action = action(
            "Open program in &editor", self.open_program_selected, QKeySequence("Ctrl+E")
        )
        self.rerun_action = action("Run &again", self.rerun_selected, QKeySequence("Ctrl+R"))
        self.compare_action = action("&Compare the two…", self.compare_selected, None)
        self.export_actions: dict[ExportKind, QAction] = {}
        for kind, text in (
            (ExportKind.CSV, "Results as &CSV…"),
            (ExportKind.JSON, "Results as &JSON…"),
            (ExportKind.BUNDLE, "Reproducibility &bundle (zip)…"),
            (ExportKind.PNG, "Histogram as &PNG…"),
            (ExportKind.SVG, "Histogram as &SVG…"),
        ):
            self.export_actions[kind] = action(text, partial(self.export_selected, kind), None)

    # ---------------------------------------------------------------- filter
    def current_filter(self) -> JobFilter:
        start: date = self.date_from.date().toPython()  # type: ignore[assignment]
        end: date = self.date_to.date().toPython()  # type: ignore[assignment]
        return job_filter(
            self.text_filter.text(),
            self.backend_filter.currentData(),
            self.status_filter.currentData(),
            date_range(self.date_filter.currentData(), start, end),
        )

    @Slot()
    def apply_filter(self) -> None:
        """Apply the filter bar now (typing applies it after a short pause)."""
        self._text_timer.stop()
        self.model.set_filter(self.current_filter())
        self._update_count_label()

    def set_date_range(self, start: QDate, end: QDate) -> None:
        """Show jobs created from `start` to `end` (inclusive, local dates)."""
        self.date_from.setDate(start)
        self.date_to.setDate(end)
        self.date_filter.setCurrentIndex(self.date_filter.findData("custom"))
        self.apply_filter()

    def _refresh_backends(self) -> None:
        """The backend list, read on the ledger lane (never a query on the GUI thread)."""
        ledger = self.ledger

        def names() -> list[str] | None:
            try:
                return ledger.backends()
            except QuantumDeskError as exc:
                log.warning("jobs view: %s", exc)
                return None

        run_task(names, lane=Lane.LEDGER, on_finished=self._on_backends_loaded)

    @Slot(object)
    def _on_backends_loaded(self, names: list[str] | None) -> None:
        if names is not None:
            set_backend_names(self.backend_filter, names)

    def _update_count_label(self) -> None:
        capped = self.model.counted_up_to()
        text = count_text(self.model.total(), capped, self.model.job_filter().text)
        if self.model.is_loading() or capped is not None:
            text += " …"
        self.count_label.setText(text)

    # ---------------------------------------------------------------- selection
    def selected_jobs(self) -> list[JobRow]:
        """The selected jobs whose rows are loaded (the others cannot be acted on yet), read
        from the selection's ranges: Ctrl+A over a million rows costs what the loaded ones do."""
        return self.model.loaded_jobs_in(self._selected_spans())

    def selected_count(self) -> int:  # rows selected, loaded or not
        return sum(last - first + 1 for first, last in self._selected_spans())

    def _selected_spans(self) -> list[tuple[int, int]]:
        selection = self.table.selectionModel().selection()
        return merged_spans(
            (r.top(), r.bottom()) for r in map(selection.at, range(selection.count()))
        )

    def select_job(self, job_id: str) -> bool:
        """Select (and scroll to) a job if its row is loaded."""
        row = self.model.loaded_row_of(job_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    # ---------------------------------------------------------------- actions
    def open_job(self, job_id: str) -> JobDetailDialog | None:
        """Show the job's detail dialog (raised if already open); None when it opens later (a
        wide result is read off the GUI thread) or cannot open."""
        return self.details.open(job_id)

    def open_dialogs(self) -> dict[str, JobDetailDialog]:
        return self.details.dialogs()

    def open_selected(self) -> None:
        for job in self.selected_jobs()[:5]:  # more at once would only clutter the screen
            self.open_job(job.id)

    @Slot()
    def open_program_selected(self) -> None:
        jobs = self.selected_jobs()
        if len(jobs) == 1:
            self.programRequested.emit(jobs[0].id)

    @Slot()
    def rerun_selected(self) -> None:
        jobs = self.selected_jobs()
        if len(jobs) == 1:
            self.rerunRequested.emit(jobs[0].id)

    @Slot()
    def compare_selected(self) -> CompareDialog | None:
        """Two selected jobs with results side by side, with their distance."""
        jobs = self.selected_jobs()
        if len(jobs) != 2:
            return None
        dialog = CompareDialog(self.ledger, (jobs[0].id, jobs[1].id), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    @Slot()
    def rename_selected(self) -> None:
        jobs = self.selected_jobs()
        if len(jobs) != 1:
            return
        job = jobs[0]
        name = ask_text(self, "Rename job", "Name:", job.name)
        if name is None:
            return
        self._writes.write(lambda: self.ledger.rename(job.id, name))

    @Slot()
    def tag_selected(self) -> None:
        jobs = self.selected_jobs()
        if not jobs:
            return
        shared = ", ".join(jobs[0].tags) if len(jobs) == 1 else ""
        label = "Tags (separated by commas):"
        if (unloaded := self.selected_count() - len(jobs)) > 0:  # as delete_selected says it
            label = (
                f"Tags for the {len(jobs):,} loaded jobs, separated by commas\n"
                f"({unloaded:,} more selected rows are not loaded: they keep their tags):"
            )
        text = ask_text(self, "Tags", label, shared)
        if text is None:
            return
        tags = [t for t in (part.strip() for part in text.split(",")) if t]

        def write() -> None:
            with self.ledger.transaction():
                for job in jobs:
                    self.ledger.set_tags(job.id, tags)

        self._writes.write(write)

    @Slot()
    def delete_selected(self) -> None:
        jobs = self.selected_jobs()
        if not jobs:
            return
        remote_jobs = [j for j in jobs if _remote_capable(j)]
        offer_remote = self.delete_remote is not None and bool(remote_jobs)
        if len(jobs) == 1:
            question = f"Delete the job {jobs[0].name or jobs[0].id} from the job ledger?"
        else:
            question = f"Delete {len(jobs):,} jobs from the job ledger?"
        question += " The program, status history and results are removed from this computer."
        if (unloaded := self.selected_count() - len(jobs)) > 0:
            question += f" ({unloaded:,} more selected rows are not loaded: they stay.)"
        choice = ask_delete(self, question, offer_remote)
        if choice is None:
            return
        local_only = [j for j in jobs if not (choice.remote and _remote_capable(j))]
        if local_only:
            self._delete_from_ledger([j.id for j in local_only])
        if choice.remote and self.delete_remote is not None:
            delete_remote = self.delete_remote
            for job in remote_jobs:
                ticket = self._remote_calls.submit(functools.partial(delete_remote, job))
                self._remote_jobs[ticket] = job

    def _delete_from_ledger(self, job_ids: list[str]) -> None:
        for job_id in job_ids:
            self.details.close(job_id)
        self._writes.write(
            lambda: self.ledger.delete(job_ids), lambda: self.jobsDeleted.emit(job_ids)
        )

    @Slot(int, object)
    def _on_remoteCalls_finished(self, ticket: int, _result: object) -> None:
        job = self._remote_jobs.pop(ticket, None)
        if job is not None:
            self._delete_from_ledger([job.id])

    @Slot(int, object)
    def _on_remoteCalls_failed(self, ticket: int, exc: object) -> None:
        job = self._remote_jobs.pop(ticket, None)
        if job is None:
            return
        # the job stays in the ledger so that the user can try again
        error = (
            str(exc) if isinstance(exc, QuantumDeskError) else "an unexpected error (see the log)"
        )
        messages.show_error(self, "Delete at Azure failed", f"Job {job.azure_job_id}: {error}")

    def export_selected(self, kind: ExportKind) -> JobExport | None:
        """The export of the one selected job; None when it starts later (a wide job is read
        off the GUI thread first), was cancelled or cannot start."""
        jobs = self.selected_jobs()
        return (
            export_job(self, self.reads, jobs[0], kind, self.export_line)
            if len(jobs) == 1
            else None
        )

    def shutdown(self) -> None:
        """Stop following the ledger and wait for background queries and deletions."""
        self._text_timer.stop()
        self.details.shutdown()
        self.reads.shutdown()
        cancel_all()  # exports still under way: none is left half made
        self.model.close()
        self.events.close()
        wait_idle()  # deletions at Azure in flight (the CALLS lane)

    # ---------------------------------------------------------------- slots
    @Slot(str)
    def _on_textFilter_textChanged(self, _text: str) -> None:
        self._text_timer.start()  # restarts: the filter applies once typing pauses

    @Slot(int)
    def _on_dateFilter_currentIndexChanged(self, _index: int) -> None:
        custom = self.date_filter.currentData() == "custom"
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)
        self.apply_filter()

    @Slot(int, Qt.SortOrder)
    def _on_header_sortIndicatorChanged(self, column: int, order: Qt.SortOrder) -> None:
        if column not in SORTABLE_COLUMNS:
            header = self.table.horizontalHeader()
            current = self.model.job_order()
            header.blockSignals(True)
            header.setSortIndicator(
                self.model.sort_column(),
                Qt.SortOrder.DescendingOrder if current.descending else Qt.SortOrder.AscendingOrder,
            )
            header.blockSignals(False)
            return
        self.model.sort(column, order)
        self._update_count_label()

    @Slot()
    def _on_model_refreshed(self) -> None:
        self._refresh_backends()
        self._update_count_label()

    @Slot()
    def _on_model_costsChanged(self) -> None:
        self.cost_label.setText(cost_total_text(self.model.cost_totals()))

    @Slot(str)
    def _on_model_loadFailed(self, message: str) -> None:
        self.count_label.setText("Could not read the job ledger")
        self.count_label.setToolTip(tooltip(message))

    @Slot()
    def _on_model_modelAboutToBeReset(self) -> None:
        self._selected_before_reset = [j.id for j in self.selected_jobs()]

    @Slot()
    def _on_model_modelReset(self) -> None:
        for job_id in self._selected_before_reset:
            row = self.model.loaded_row_of(job_id)
            if row is not None:
                self.table.selectionModel().select(
                    self.model.index(row, 0),
                    self.table.selectionModel().SelectionFlag.Select
                    | self.table.selectionModel().SelectionFlag.Rows,
                )
        self._selected_before_reset = []
        # laid out now, before the first paint: Qt's own (delayed) layout after a reset that
        # changed the row count repaints every visible cell a second time (~20 ms at 1M jobs)
        self.table.doItemsLayout()

    @Slot(QPoint)
    def _on_table_customContextMenuRequested(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row()):
            self.table.selectRow(index.row())
        menu = self.context_menu()
        if menu.isEmpty():
            menu.deleteLater()
            return
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def context_menu(self) -> QMenu:
        """The menu for the current selection (enabled actions match what can be done)."""
        jobs = self.selected_jobs()
        menu = QMenu(self)
        menu.setObjectName("jobsContextMenu")
        if not jobs:
            return menu
        one = len(jobs) == 1
        menu.addAction(self.open_action)
        menu.addAction(self.program_action)
        menu.addAction(self.rerun_action)
        menu.addAction(self.compare_action)
        self.compare_action.setEnabled(len(jobs) == 2 and all(j.has_result for j in jobs))
        menu.addSeparator()
        menu.addAction(self.rename_action)
        for act in (self.rename_action, self.program_action, self.rerun_action):
            act.setEnabled(one)
        menu.addAction(self.tag_action)
        export_menu = menu.addMenu("&Export")
        for kind, act in self.export_actions.items():
            act.setEnabled(one and (kind == ExportKind.BUNDLE or jobs[0].has_result))
            export_menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        return menu

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        job = index.data(JOB_ROW_ROLE)
        if isinstance(job, JobRow):
            self.open_job(job.id)


__all__ = ["COLUMNS", "JobsView", "ask_delete", "ask_text"]
