"""Table model of one result: outcome, count, probability; in bitstring order or most frequent
first, as the view's Sort choice says (the same order as the chart above it). Both orders come
ranked with the result (ui/results/ranking.py).

A QStandardItemModel filled a chunk of rows at a time as the table scrolls (fetchMore): Qt then
answers the cells' roles itself. A Python model's per-cell calls (7 roles, and rowCount and
columnCount for each index) made a pane's first table cost ~12 ms of GUI thread against ~4 ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontDatabase, QStandardItem, QStandardItemModel

from desktop_app.ui.results.chart_data import BY_BITSTRING, BY_COUNT

if TYPE_CHECKING:
    from desktop_app.ui.results.ranking import Ranking

_Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Outcome", "Count", "Probability")
CHUNK = 64  # rows made at a time: a pane shows 5-20
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
Row = tuple[str, int | None, float]


def _cells(row: Row) -> tuple[str, str, str]:
    """A row's cells as the table shows them: outcome, count (a dash for an exact result's),
    probability."""
    outcome, count, probability = row
    return outcome, "—" if count is None else str(count), f"{probability:.4f}"


class CountsModel(QStandardItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(list(HEADERS))
        self._ranking: Ranking | None = None
        self._order: Sequence[str] = ()  # the outcomes in the table's order
        self.order = BY_BITSTRING  # chart_data.BY_BITSTRING or BY_COUNT (`sort` is Qt's)

    def show(self, ranking: Ranking | None, sort: str | None = None) -> None:
        """The outcomes of `ranking` (None: no rows), in `sort` order (None: as before)."""
        self._ranking = ranking
        self._put_in_order(self.order if sort is None else sort)

    def set_sort(self, sort: str) -> None:
        """Put the rows in `sort` order (the view's Sort choice changed)."""
        if sort != self.order:
            self._put_in_order(sort)  # a new order: the selection goes with it

    def _put_in_order(self, sort: str) -> None:
        self.order = sort
        ranking = self._ranking
        if ranking is None:
            self._order = ()
        else:  # ranked once per result (ranking.py): no sort here
            self._order = ranking.by_count if sort == BY_COUNT else ranking.by_outcome
        self._refill()

    def _row(self, outcome: str) -> Row:
        assert self._ranking is not None
        return _row(self._ranking, outcome)

    def shown(self) -> tuple[Ranking | None, Sequence[str]]:
        """The ranking and the order of the rows, for `tsv_lines` (on any thread)."""
        return self._ranking, self._order

    def outcomes(self) -> list[str]:
        return list(self._order)

    def total_rows(self) -> int:
        """Every outcome's row, made or not yet."""
        return len(self._order)

    def _refill(self) -> None:
        """A new result or order: one model reset (a view lays out once), the first chunk made
        inside it with the item model's own row signals held back."""
        self.beginResetModel()
        self.blockSignals(True)
        try:
            self.setRowCount(0)
            self._append(min(CHUNK, len(self._order)))
        finally:
            self.blockSignals(False)
        self.endResetModel()

    def _append(self, count: int) -> None:
        start = self.rowCount()
        rows = [self._row(outcome) for outcome in self._order[start : start + count]]
        if not rows:
            return
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setRowCount(start + len(rows))  # one insertion for the chunk, then its cells
        for row, values in enumerate(rows, start):
            outcome, shots_text, chance_text = _cells(values)
            name = QStandardItem(outcome)
            name.setFont(font)
            shots = QStandardItem(shots_text)
            if values[1] is not None:
                shots.setData(values[1], Qt.ItemDataRole.DisplayRole)  # a number, as before
            chance = QStandardItem(chance_text)
            for column, item in enumerate((name, shots, chance)):
                item.setEditable(False)
                if column:
                    item.setTextAlignment(_RIGHT)
                self.setItem(row, column, item)

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self.rowCount() < len(self._order)

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent):
            self._append(CHUNK)

    def tsv_lines(self) -> list[str]:
        """Every outcome as a tab-separated line of the table's cells, made into rows or not."""
        return tsv_lines(*self.shown())


def _row(ranking: Ranking, outcome: str) -> Row:
    count = ranking.result.counts.get(outcome)
    return outcome, count, ranking.probabilities.get(outcome, 0.0)


def tsv_lines(ranking: Ranking | None, order: Sequence[str]) -> list[str]:
    """The lines of `CountsModel.tsv_lines` for `shown()`: plain Python, for a pool thread too."""
    if ranking is None:
        return []
    return ["\t".join(_cells(_row(ranking, outcome))) for outcome in order]
