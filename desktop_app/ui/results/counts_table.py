"""The counts table of one result; Ctrl+C copies the selected cells as tab-separated text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractItemModel, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktop_app.ui.results.counts_model import HEADERS, CountsModel, tsv_lines

if TYPE_CHECKING:
    from desktop_app.ui.results.ranking import Ranking


def _everything_tsv(ranking: Ranking | None, order: Sequence[str]) -> str:
    return "\n".join(["\t".join(HEADERS), *tsv_lines(ranking, order)]) + "\n"


class CountsTable(QTableView):
    """`copied` is emitted when a wide result's every outcome reached the clipboard."""

    copied = Signal()

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
            return _everything_tsv(*self.counts().shown())
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
        """Copy the selection; every outcome of a wide result is written out on a pool thread
        (644,000 lines: ~1 s) and reaches the clipboard when made."""
        from desktop_app.ui.results.ranking import WIDE

        if self._everything and self.counts().total_rows() > WIDE:
            from desktop_app.ui.tasks import Lane, run_task

            shown = self.counts().shown()
            run_task(lambda: _everything_tsv(*shown), lane=Lane.LONG, on_finished=self._on_tsv_made)
            return True
        text = self.selection_tsv()
        if text:
            QGuiApplication.clipboard().setText(text)
        return bool(text)

    @Slot(object)
    def _on_tsv_made(self, text: object) -> None:
        QGuiApplication.clipboard().setText(str(text))
        self.copied.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)
