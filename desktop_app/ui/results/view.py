"""The results area: one panel per backend (histogram over a counts table), side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.results import export_image
from desktop_app.ui.results.counts_model import CountsModel

if TYPE_CHECKING:
    from desktop_app.core.results import RunResult
    from desktop_app.ui.results.histogram import Histogram


class ResultPanel(QGroupBox):
    """One backend: status line, then (once done) histogram and counts table."""

    def __init__(self, backend: str, parent: QWidget | None = None) -> None:
        super().__init__(backend, parent)
        self.setObjectName(f"result:{backend}")
        self.backend = backend
        self.result: RunResult | None = None
        self.histogram: Histogram | None = None
        self.counts_model = CountsModel(self)
        self._layout = QVBoxLayout(self)
        self.status = QLabel("Waiting", self)
        # No word wrap (a height-for-width label makes the scroll area scroll vertically); a long
        # message must not widen the panel: it is cut, the tooltip holds all of it.
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.status)
        self._layout.addStretch(1)  # keeps a lone status line at the top; replaced by the chart
        self.table = QTableView(self)
        self.table.setObjectName("countsTable")
        self.table.setModel(self.counts_model)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setMinimumHeight(70)
        self.table.hide()
        self.setMinimumWidth(280)  # four backends side by side fit a 1400 px window

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setToolTip(text)

    def set_result(self, result: RunResult) -> None:
        from desktop_app.ui.results.histogram import (
            Histogram,  # QtCharts: loaded on the first result
        )

        self.result = result
        self.set_status(_summary(result))
        if not (result.counts or result.probabilities):
            return
        if self.histogram is None:
            self.histogram = Histogram(self)
            self._layout.takeAt(self._layout.count() - 1)  # the stretch
            self._layout.addWidget(self.histogram, 3)
            self._layout.addWidget(self.table, 2)
            self.histogram.show()
        if result.counts and not result.exact:
            self.histogram.set_values({k: float(v) for k, v in result.counts.items()}, "Count")
        else:
            self.histogram.set_values(dict(result.probabilities), "Probability")
        self.counts_model.set_counts(dict(result.counts), dict(result.probabilities))
        self.table.show()


def _summary(result: RunResult) -> str:
    text = f"{result.status.value}, {result.shots:,} shots"
    total = result.timings.get("total")
    if total is not None:
        text += f", {total:.2f} s"
    if result.error_message:
        text += f": {result.error_message}"
    return text


class ResultsView(QScrollArea):
    """objectName `resultsView`; panels keyed by backend name, in the order they were added."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsView")
        self.setWidgetResizable(True)
        self._container = QWidget(self)
        self._row = QHBoxLayout(self._container)
        self._placeholder = QLabel("Results appear here: pick a backend and press Run.", self)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._row.addWidget(self._placeholder)
        self._panels: dict[str, ResultPanel] = {}
        self.title = "Results"  # the program's name, for exported images
        self.setWidget(self._container)

    def clear(self) -> None:
        for panel in self._panels.values():
            self._row.removeWidget(panel)
            panel.deleteLater()
        self._panels.clear()
        self._placeholder.show()

    def panel(self, backend: str) -> ResultPanel:
        """The panel of `backend`, created when missing."""
        if backend not in self._panels:
            self._placeholder.hide()
            panel = ResultPanel(backend, self._container)
            self._row.addWidget(panel, 1)
            self._panels[backend] = panel
        return self._panels[backend]

    def panels(self) -> list[ResultPanel]:
        return list(self._panels.values())

    def results(self) -> list[RunResult]:
        return [p.result for p in self._panels.values() if p.result is not None]

    def caption(self, title: str = "") -> list[str]:
        return export_image.caption(title or self.title, self.results())

    def save_png(self, path: str) -> None:
        """All panels as one PNG, under a caption (title, backends, shots, date)."""
        if not self.results():
            raise OSError("there are no results to draw")
        export_image.save_png(self._container, self.caption(), path)

    def save_svg(self, path: str) -> None:
        if not self.results():
            raise OSError("there are no results to draw")
        export_image.save_svg(self._container, self.caption(), path)

    def charts_pixmap(self) -> QPixmap | None:
        """All panels as one image (for PNG export); None when there is nothing to show."""
        if not self.results():
            return None
        return self._container.grab()
