"""One job of the ledger in a dialog: program, settings, status history, error, costs, results.

Also the job exports shared with the jobs table's context menu: results as CSV/JSON and the
reproducibility bundle (core/ledger/export.py, with translation.json; written off the GUI thread by
ui/jobs/exporting.py), the histogram as PNG or SVG under a caption (drawn by its own painting
into a QImage or a QSvgGenerator by ui/results/export_image). Files are written next to the
target and renamed into place.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, QSize, Qt, Slot
from PySide6.QtGui import QFontDatabase, QPainter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.core.errors import QuantumDeskError, UserInputError
from desktop_app.core.ledger.errors import JobNotFoundError
from desktop_app.core.ledger.models import JobRecord, LedgerChange
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui import messages
from desktop_app.ui.editor.highlighter import QasmHighlighter
from desktop_app.ui.jobs.columns import local_time
from desktop_app.ui.jobs.exporting import ExportLine, JobExport
from desktop_app.ui.jobs.ledger_events import LedgerEvents
from desktop_app.ui.plain_text import plain
from desktop_app.ui.results import export_image
from desktop_app.ui.results.ranking import Ranking, is_wide, rank
from desktop_app.ui.results.view import ResultPanel
from desktop_app.ui.tasks import BackgroundCalls, Lane

if TYPE_CHECKING:
    from desktop_app.core.results import RunResult
    from desktop_app.ui.results.histogram import Histogram, TopValues

log = logging.getLogger(__name__)

IMAGE_SIZE = QSize(900, 520)  # histogram images rendered off screen


class ExportKind(StrEnum):
    CSV = "csv"
    JSON = "json"
    BUNDLE = "zip"
    PNG = "png"
    SVG = "svg"


_EXPORT_DIALOG: dict[ExportKind, tuple[str, str]] = {
    ExportKind.CSV: ("Export results as CSV", "CSV files (*.csv)"),
    ExportKind.JSON: ("Export results as JSON", "JSON files (*.json)"),
    ExportKind.BUNDLE: ("Export reproducibility bundle", "Zip archives (*.zip)"),
    ExportKind.PNG: ("Save histogram as PNG", "PNG images (*.png)"),
    ExportKind.SVG: ("Save histogram as SVG", "SVG images (*.svg)"),
}


# ------------------------------------------------------------------------------ histogram images
def histogram_for(result: RunResult | None, top: TopValues | None = None) -> Histogram | None:
    """A histogram of a job's result (counts, or probabilities for an exact result); `top`,
    when given, is what `top_of(result)` found of it. None when there is nothing to draw."""
    from desktop_app.ui.results.histogram import Histogram

    if result is None or not (result.counts or result.probabilities):
        return None
    histogram = Histogram()
    histogram.show_top(top or top_of(result), _charted(result)[1])
    return histogram


def top_of(result: RunResult) -> TopValues:
    """The largest of what a job's histogram draws (no Qt: for a wide one, off the GUI thread)."""
    from desktop_app.ui.results.histogram import top_values

    return top_values(_charted(result)[0])


def _charted(result: RunResult) -> tuple[Mapping[str, float], str]:
    """What a job's histogram draws: its counts, or its probabilities when it is exact."""
    if result.counts and not result.exact:
        return result.counts, "Count"
    return result.probabilities, "Probability"


def _image_parts(
    histogram: Histogram, size: QSize | None
) -> tuple[QSize, Callable[[QPainter, QRectF], None]]:
    shown = size or (histogram.size() if histogram.isVisible() else IMAGE_SIZE)
    return shown, histogram.render_into  # laid out for the image's own rectangle


def caption_for(record: JobRecord, result: RunResult | None) -> list[str]:
    """The exported image's caption: job name, date, backend and shots, and the bit order, from
    `result`, the record's already made a RunResult (making it again for the caption froze the
    window 1-2 s for a job of 644,000 outcomes)."""
    return export_image.caption(record.name or record.backend, [result] if result else [])


def save_histogram_png(
    histogram: Histogram, path: Path, size: QSize | None = None, lines: list[str] | None = None
) -> None:
    size, body = _image_parts(histogram, size)
    export_image.save_png(histogram, lines or ["Histogram"], path, body, size)


def save_histogram_svg(
    histogram: Histogram, path: Path, size: QSize | None = None, lines: list[str] | None = None
) -> None:
    size, body = _image_parts(histogram, size)
    export_image.save_svg(histogram, lines or ["Histogram"], path, body, size)


# ------------------------------------------------------------------------------------- exports
def _suggested_name(record: JobRecord, suffix: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in record.name.strip())
    base = stem or f"job-{record.id[:8]}"
    return str(Path.home() / f"{base}{suffix}")


def export_record(
    parent: QWidget | None,
    record: JobRecord,
    kind: ExportKind,
    histogram: Histogram | None = None,
    line: ExportLine | None = None,
    result: RunResult | None = None,
    top: TopValues | None = None,
) -> JobExport | None:
    """Ask where (`messages.ask_save_path`) and export; errors are shown (`messages.show_error`
    and `line`), never raised. Results and bundles are written off the GUI thread (see
    ui/jobs/exporting.py): the returned `JobExport` says when it is done. Histogram images are
    Qt painting, done here (from `result`, the record's as a RunResult, when given). None when
    the user cancelled."""
    title, file_filter = _EXPORT_DIALOG[kind]
    suffix = f".{kind.value}"
    chosen = messages.ask_save_path(parent, title, _suggested_name(record, suffix), file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    job = JobExport(record, path)  # no parent: it may end after the dialog closed

    def _on_job_failed(text: str) -> None:
        if job.cancelled:  # stopped at exit: no question box while the window closes
            return
        shown = parent if parent is not None and isValid(parent) else None
        messages.show_error(shown, "Export failed", f"{path}: {text}")

    job.failed.connect(_on_job_failed)
    if line is not None:
        line.follow(job)
    if kind not in (ExportKind.PNG, ExportKind.SVG):
        job.start()
        return job
    own_histogram = None
    try:
        result = result or record.run_result()  # once, for the histogram and the caption
        if histogram is None:
            own_histogram = histogram = histogram_for(result, top)
        if histogram is None:
            raise UserInputError(
                f"Job {record.name or record.id} has no results to draw (status {record.status})."
            )
        if kind == ExportKind.PNG:
            save_histogram_png(histogram, path, lines=caption_for(record, result))
        else:
            save_histogram_svg(histogram, path, lines=caption_for(record, result))
    except (OSError, QuantumDeskError) as exc:
        job.fail(str(exc))
        return job
    finally:
        if own_histogram is not None:
            own_histogram.deleteLater()
    log.info("exported job %s as %s to %s", record.id, kind.value, path)
    job.finish(path)
    return job


# -------------------------------------------------------------------------------------- dialog
def _cost_text(cost: dict[str, Any] | None) -> str:
    from desktop_app.core.jobs.spending import cost_text

    return cost_text(cost)


def _error_hint(code: str | None, message: str | None, backend: str = "") -> str:
    from desktop_app.core.catalog import LOCAL_SIMULATOR

    if backend == LOCAL_SIMULATOR:  # local advice: no Azure portal for a local refusal
        from desktop_app.core.local.advice import local_hint

        return local_hint(code or "", message or "")
    from desktop_app.core.azure.errors import hint_for

    return hint_for(code or "", message or "")


@dataclass(frozen=True)
class LoadedJob:
    """A job as its dialog shows it: the ledger's record, and its result made a RunResult
    (None: it has none, or it was not asked for)."""

    record: JobRecord
    result: RunResult | None
    ranking: Ranking | None = None  # a wide result's, when read off the GUI thread
    top: TopValues | None = None  # its histogram's, when asked for


def load_job(
    ledger: Ledger,
    job_id: str,
    *,
    convert: bool = True,
    rank_wide: bool = False,
    chart: bool = False,
) -> LoadedJob:
    """Read and, unless `convert` is False, convert (~1 s for a 644,000-outcome result: the
    Jobs view calls this on the ledger lane for a wide one, with `rank_wide` or `chart`). A
    wide result is ranked here too when `rank_wide`: ranked on a pool thread while its dialog
    painted, every one of the paint's entries into Python waited for the lock (gaps of 100-140
    ms); with `chart`, its histogram's largest values are found here (for an image export)."""
    record = ledger.get(job_id)
    result = record.run_result() if convert else None
    if result is None:
        return LoadedJob(record, None)
    drawn = bool(result.counts or result.probabilities)
    return LoadedJob(
        record,
        result,
        rank(result) if rank_wide and is_wide(result) else None,
        top_of(result) if chart and drawn else None,
    )


class JobDetailDialog(QDialog):
    """objectName `jobDetail`; shows `ledger.get(job_id)`, re-read when the ledger changes it."""

    def __init__(
        self,
        ledger: Ledger,
        job_id: str,
        parent: QWidget | None = None,
        *,
        events: LedgerEvents | None = None,
        loaded: LoadedJob | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("jobDetail")
        self.ledger = ledger
        self.job_id = job_id
        loaded = loaded or load_job(ledger, job_id)
        self.record: JobRecord = loaded.record
        self._result = loaded.result
        self._ranking = loaded.ranking
        self._reloads = BackgroundCalls(self, lane=Lane.LEDGER)  # a wide job's re-reads
        self._reloads.finished.connect(self._on_reloads_finished)
        self._reloads.failed.connect(self._on_reloads_failed)
        self.resize(900, 640)
        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("jobHeading")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.heading)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("jobTabs")
        layout.addWidget(self.tabs, 1)

        self.summary = QWidget(self)
        self._summary_layout = summary_layout = QVBoxLayout(self.summary)
        self._fields = QWidget(self.summary)  # rebuilt by _show_record
        summary_layout.addWidget(self._fields)
        self.error_box = QGroupBox("Error", self.summary)
        self.error_box.setObjectName("jobError")
        self.error_label = QLabel(self.error_box)
        self.error_label.setObjectName("jobErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(self.error_box).addWidget(self.error_label)
        summary_layout.addWidget(self.error_box)
        summary_layout.addStretch(1)
        self.tabs.addTab(self.summary, "Summary")

        self.program_view = QPlainTextEdit(self)
        self.program_view.setObjectName("jobProgram")
        self.program_view.setReadOnly(True)
        self.program_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._highlighter = QasmHighlighter(self.program_view.document())
        self.tabs.addTab(self.program_view, "Program")

        self.history_table = QTableWidget(0, 3, self)
        self.history_table.setObjectName("jobHistory")
        self.history_table.setHorizontalHeaderLabels(["Status", "Time", "Detail"])
        self.history_table.verticalHeader().hide()
        self.history_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history_table.horizontalHeader().setStretchLastSection(True)
        self.history_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.tabs.addTab(self.history_table, "History")

        self.results_page = QWidget(self)
        self._results_layout = QVBoxLayout(self.results_page)
        self.result_panel: ResultPanel | None = None
        self.no_results = QLabel(self.results_page)
        self.no_results.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._results_layout.addWidget(self.no_results)
        self.tabs.addTab(self.results_page, "Results")

        buttons = QHBoxLayout()
        self.export_buttons: dict[ExportKind, QPushButton] = {}
        for kind, text in (
            (ExportKind.CSV, "Export CSV…"),
            (ExportKind.JSON, "Export JSON…"),
            (ExportKind.BUNDLE, "Export bundle…"),
            (ExportKind.PNG, "Save PNG…"),
            (ExportKind.SVG, "Save SVG…"),
        ):
            button = QPushButton(text, self)
            button.setObjectName(f"export_{kind.value}")
            button.clicked.connect(lambda _=False, k=kind: self.export(k))
            buttons.addWidget(button)
            self.export_buttons[kind] = button
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.export_line = ExportLine(self)
        layout.addWidget(self.export_line)

        self._own_events = events is None
        self._events: LedgerEvents | None = events or LedgerEvents(ledger, self)
        self._events.changed.connect(self._on_events_changed)
        self.finished.connect(self._on_self_finished)
        self._show_record()

    # ---------------------------------------------------------------- content
    def _show_record(self) -> None:
        r = self.record
        self.setWindowTitle(f"Job {r.name or r.id[:8]} — {r.backend}")
        self.heading.setText(
            f"<b>{_escape(r.name or '(unnamed job)')}</b> &nbsp; {_escape(r.backend)} &nbsp; "
            f"<b>{_escape(r.status)}</b>"
        )
        fields_widget = QWidget(self.summary)
        form = QFormLayout(fields_widget)
        fields: list[tuple[str, str]] = [
            ("Name", r.name or "—"),
            ("Tags", ", ".join(r.tags) or "—"),
            ("Status", r.status),
            ("Local id", r.id),
            ("Azure job id", r.azure_job_id or "—"),
            ("Backend", r.backend),
            ("Profile", r.profile or "—"),
            ("Shots", f"{r.shots:,}"),
            ("Options", json.dumps(r.options, sort_keys=True) if r.options else "—"),
            ("Created", local_time(r.created_at)),
            ("Submitted", local_time(r.submitted_at) or "—"),
            ("Completed", local_time(r.completed_at) or "—"),
            ("Estimated cost", _cost_text(r.estimated_cost)),  # the app's, before the run
            ("Billed cost", _cost_text(r.billed_cost)),  # the service's costEstimate
            ("Program file", r.program_path or "—"),
            ("Program SHA-256", r.program_sha256),
            ("Versions", ", ".join(f"{k} {v}" for k, v in r.versions.items() if v) or "—"),
        ]
        for label, value in fields:
            field = plain(QLabel(value, fields_widget))  # names and paths as recorded
            field.setObjectName(f"field:{label}")
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label + ":", field)
        old_fields = self._fields
        self._summary_layout.replaceWidget(old_fields, fields_widget)
        old_fields.deleteLater()
        self._fields = fields_widget
        if r.error_code or r.error_message:
            hint = _error_hint(r.error_code, r.error_message, r.backend)
            self.error_label.setText(
                f"<b>{_escape(r.error_code or 'Error')}</b>: {_escape(r.error_message or '')}"
                f"<br><i>What to do:</i> {_escape(hint)}"
            )
            self.error_box.show()
        else:
            self.error_label.clear()
            self.error_box.hide()

        if self.program_view.toPlainText() != r.program:
            self.program_view.setPlainText(r.program)

        self.history_table.setRowCount(len(r.history))
        for row, change in enumerate(r.history):
            for column, text in enumerate((change.status, local_time(change.at), change.detail)):
                self.history_table.setItem(row, column, QTableWidgetItem(text or ""))

        result = self._result
        has_result = result is not None and bool(result.counts or result.probabilities)
        if result is not None and has_result:
            if self.result_panel is None:
                self.result_panel = ResultPanel(r.backend, self.results_page)
                self._results_layout.addWidget(self.result_panel, 1)
            self.result_panel.set_result(result, ranking=self._ranking)
            self.no_results.hide()
        else:
            self.no_results.setText(f"No results (status {r.status}).")
            self.no_results.show()
        for kind in (ExportKind.CSV, ExportKind.JSON, ExportKind.PNG, ExportKind.SVG):
            self.export_buttons[kind].setEnabled(has_result)

    def reload(self) -> None:
        """Re-read the job from the ledger (a wide result on the ledger lane); closes the dialog
        when it was deleted."""
        if self._result is not None and is_wide(self._result):
            self._reloads.submit(
                functools.partial(load_job, self.ledger, self.job_id, rank_wide=True)
            )
            return
        try:
            self._on_reloads_finished(0, load_job(self.ledger, self.job_id))
        except QuantumDeskError as exc:
            self._on_reloads_failed(0, exc)

    @Slot(int, object)
    def _on_reloads_finished(self, _ticket: int, loaded: object) -> None:
        assert isinstance(loaded, LoadedJob)
        self.record, self._result, self._ranking = loaded.record, loaded.result, loaded.ranking
        self._show_record()

    @Slot(int, object)
    def _on_reloads_failed(self, _ticket: int, exc: object) -> None:
        if isinstance(exc, JobNotFoundError):
            self.close()
        else:
            log.warning("job %s: could not re-read: %s", self.job_id, exc)

    def histogram(self) -> Histogram | None:
        return None if self.result_panel is None else self.result_panel.histogram

    def export(self, kind: ExportKind) -> JobExport | None:
        return export_record(
            self,
            self.record,
            kind,
            histogram=self.histogram(),
            line=self.export_line,
            result=self._result,
        )

    # ---------------------------------------------------------------- slots
    @Slot(object)
    def _on_events_changed(self, change: LedgerChange) -> None:
        if self.job_id in change.job_ids:
            self.reload()

    @Slot(int)
    def _on_self_finished(self, _result: int) -> None:
        self.detach()

    def detach(self) -> None:
        """Stop following the ledger (on close)."""
        if self._events is not None:
            self._events.changed.disconnect(self._on_events_changed)
            if self._own_events:
                self._events.close()
            self._events = None


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
