"""The counts table of one result; Ctrl+C copies the selected cells as tab-separated text."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktop_app.ui.results.counts_model import HEADERS, CountsModel


class CountsTable(QTableView):
    def __init__(self, model: CountsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countsTable")
        self.setAccessibleName("Counts")
        self.setModel(model)
        self.verticalHeader().hide()
        self.setTabKeyNavigation(False)  # Tab moves on; arrows move in the table
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        # the outcome column is sized from the rows in view, not all of up to 2^n: the outcomes
        # of one result are bitstrings of one length
        header.setResizeContentsPrecision(0)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.setMinimumHeight(70)

    def selectAll(self) -> None:
        super().selectAll()
        # Ctrl+A then Ctrl+C copies every outcome, also those not made into rows yet (up to 2^n
        # of them: made from the result's own rows, not as items); a click or a new result ends it
        self._everything = True

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        self._everything = False
        if model is not None:
            model.modelReset.connect(self._on_selection_changed)
            self.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def _on_selection_changed(self, *_: object) -> None:
        self._everything = False

    def counts(self) -> CountsModel:
        model = self.model()
        assert isinstance(model, CountsModel)
        return model

    def selection_tsv(self) -> str:
        """The selected cells, one line per row, a header line first (columns in view order)."""
        if self._everything:
            return "\n".join(["\t".join(HEADERS), *self.counts().tsv_lines()]) + "\n"
        indexes = self.selectedIndexes()
        if not indexes:
            return ""
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes})
        chosen = {(i.row(), i.column()) for i in indexes}
        model = self.model()
        lines = [
            "\t".join(
                str(model.headerData(c, self.horizontalHeader().orientation())) for c in columns
            )
        ]
        for row in rows:
            cells = [str(model.index(row, c).data()) if (row, c) in chosen else "" for c in columns]
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"

    def copy_selection(self) -> bool:
        text = self.selection_tsv()
        if text:
            QGuiApplication.clipboard().setText(text)
        return bool(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)
