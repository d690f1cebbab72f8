"""Table model of one result: outcome, count, probability; in bitstring order or most frequent
first, as the view's Sort choice says (the same order as the chart above it)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontDatabase

from desktop_app.ui.results.chart_data import BY_BITSTRING, BY_COUNT

_Index = QModelIndex | QPersistentModelIndex
_HEADERS = ("Outcome", "Count", "Probability")


class CountsModel(QAbstractTableModel):
    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._rows: list[tuple[str, int | None, float]] = []
        self.order = BY_BITSTRING  # chart_data.BY_BITSTRING or BY_COUNT (`sort` is Qt's)
        self._fixed_font: QFont | None = None  # the outcomes' font, asked for each cell painted

    def set_counts(
        self, counts: dict[str, int], probabilities: dict[str, float], sort: str | None = None
    ) -> None:
        keys = set(counts) | set(probabilities)
        rows = [(k, counts.get(k), probabilities.get(k, 0.0)) for k in keys]
        self.beginResetModel()
        self._rows = self._sorted(rows, self.order if sort is None else sort)
        self.endResetModel()

    def set_sort(self, sort: str) -> None:
        """Put the rows in `sort` order (the view's Sort choice changed)."""
        if sort == self.order:
            return
        self.beginResetModel()  # a new order: the selection goes with it
        self._rows = self._sorted(self._rows, sort)
        self.endResetModel()

    def _sorted(
        self, rows: list[tuple[str, int | None, float]], sort: str
    ) -> list[tuple[str, int | None, float]]:
        self.order = sort
        if sort == BY_COUNT:  # an exact result has no counts: its probabilities decide
            return sorted(rows, key=lambda r: (-(r[1] or 0), -r[2], r[0]))
        return sorted(rows, key=lambda r: r[0])

    def outcomes(self) -> list[str]:
        return [r[0] for r in self._rows]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _HEADERS[section] if 0 <= section < len(_HEADERS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        outcome, count, probability = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return outcome
            if index.column() == 1:
                return "—" if count is None else count
            return f"{probability:.4f}"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and index.column() == 0:
            if self._fixed_font is None:
                self._fixed_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
            return self._fixed_font
        return None
