"""A QtCharts bar histogram of one result (QtCharts is imported only when one is shown)."""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

MAX_BARS = 32  # beyond this the labels are unreadable: the most frequent outcomes are shown


def top_outcomes(values: dict[str, float], limit: int = MAX_BARS) -> list[tuple[str, float]]:
    """The `limit` largest outcomes, in bitstring order."""
    largest = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return sorted(largest)


class Histogram(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("histogram")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(300, 150)
        self._bars: list[tuple[str, float]] = []

    def bars(self) -> list[tuple[str, float]]:
        """(outcome, value) of each bar shown, left to right."""
        return list(self._bars)

    def set_values(self, values: dict[str, float], value_title: str) -> None:
        self._bars = top_outcomes(values)
        chart = QChart()
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        if len(values) > len(self._bars):
            chart.setTitle(f"{len(self._bars)} most frequent of {len(values)} outcomes")
        bar_set = QBarSet(value_title)
        bar_set.setColor(QColor("#3b6fb6"))
        for _, value in self._bars:
            bar_set.append(float(value))
        series = QBarSeries()
        series.append(bar_set)
        series.setLabelsVisible(len(self._bars) <= 8)
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append([key for key, _ in self._bars])
        if self._bars and len(self._bars[0][0]) > 4:
            x_axis.setLabelsAngle(-90)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x_axis)
        y_axis = QValueAxis()
        top = max((v for _, v in self._bars), default=1.0)
        y_axis.setRange(0, top * 1.1 if top > 0 else 1.0)
        y_axis.applyNiceNumbers()
        y_axis.setTitleText(value_title)
        if value_title == "Count":
            y_axis.setLabelFormat("%d")
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y_axis)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()
