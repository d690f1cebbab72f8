"""Table model of one result: outcome, count, probability; in bitstring order or most frequent
first, as the view's Sort choice says (the same order as the chart above it).

A QStandardItemModel filled a chunk of rows at a time as the table scrolls (fetchMore): Qt then
answers the cells' roles itself. A Python model's per-cell calls (7 roles, and rowCount and
columnCount for each index) made a pane's first table cost ~12 ms of GUI thread against ~4 ms.
"""

from __future__ import annotations

from operator import itemgetter

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontDatabase, QStandardItem, QStandardItemModel

from desktop_app.ui.results.chart_data import BY_BITSTRING, BY_COUNT

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
        self._rows: list[Row] = []
        self.order = BY_BITSTRING  # chart_data.BY_BITSTRING or BY_COUNT (`sort` is Qt's)

    def set_counts(
        self, counts: dict[str, int], probabilities: dict[str, float], sort: str | None = None
    ) -> None:
        if counts and probabilities.keys() <= counts.keys():  # a sampled result: one pass
            get = probabilities.get
            rows: list[Row] = [(k, c, get(k, 0.0)) for k, c in counts.items()]
        else:
            keys = set(counts) | set(probabilities)
            rows = [(k, counts.get(k), probabilities.get(k, 0.0)) for k in keys]
        self._rows = self._sorted(rows, self.order if sort is None else sort)
        self._refill()

    def set_sort(self, sort: str) -> None:
        """Put the rows in `sort` order (the view's Sort choice changed)."""
        if sort == self.order:
            return
        self._rows = self._sorted(self._rows, sort)  # a new order: the selection goes with it
        self._refill()

    def _sorted(self, rows: list[Row], sort: str) -> list[Row]:
        self.order = sort
        if sort == BY_COUNT and not all(r[1] is not None for r in rows):
            # an exact result has no counts: its probabilities decide
            return sorted(rows, key=lambda r: (-(r[1] or 0), -r[2], r[0]))
        by_outcome = sorted(rows)  # each outcome once: no key to call for 640,000 of them
        if sort == BY_COUNT:  # (-count, -probability, outcome) by stable sorts on C keys,
            by_outcome.sort(key=itemgetter(2), reverse=True)  # the least significant first
            by_outcome.sort(key=itemgetter(1), reverse=True)
        return by_outcome

    def outcomes(self) -> list[str]:
        return [r[0] for r in self._rows]

    def total_rows(self) -> int:
        """Every outcome's row, made or not yet."""
        return len(self._rows)

    def _refill(self) -> None:
        """A new result or order: one model reset (a view lays out once), the first chunk made
        inside it with the item model's own row signals held back."""
        self.beginResetModel()
        self.blockSignals(True)
        try:
            self.setRowCount(0)
            self._append(min(CHUNK, len(self._rows)))
        finally:
            self.blockSignals(False)
        self.endResetModel()

    def _append(self, count: int) -> None:
        start = self.rowCount()
        rows = self._rows[start : start + count]
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
        return not parent.isValid() and self.rowCount() < len(self._rows)

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent):
            self._append(CHUNK)

    def tsv_lines(self) -> list[str]:
        """Every outcome as a tab-separated line of the table's cells, made into rows or not."""
        return ["\t".join(_cells(row)) for row in self._rows]
