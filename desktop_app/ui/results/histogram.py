"""A QtCharts bar histogram of one result (QtCharts is imported only when one is shown).

Bars come from ui.results.chart_data; hovering a bar shows its full outcome, count and
probability; counts get whole-number ticks.
"""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt, Slot
from PySide6.QtGui import QColor, QCursor, QPainter
from PySide6.QtWidgets import QToolTip, QWidget

from desktop_app.ui.results.chart_data import (
    PERCENT,
    Bar,
    ChartOptions,
    axis_top,
    integer_tick_step,
)

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
        self.setMinimumSize(260, 150)
        self._bars: list[Bar] = []
        self._exact = False
        self.y_axis: QValueAxis | None = None
        self.x_axis: QBarCategoryAxis | None = None

    def bars(self) -> list[tuple[str, float]]:
        """(outcome, value) of each bar shown, left to right ("rest (n)" for the folded bar)."""
        return [(b.outcome or b.label, b.value) for b in self._bars]

    def shown_bars(self) -> list[Bar]:
        return list(self._bars)

    def set_values(self, values: dict[str, float], value_title: str) -> None:
        """Plain values (the job detail's chart): the largest MAX_BARS, in bitstring order."""
        total = sum(values.values()) or 1.0
        bars = [Bar(k, v, v, v / total) for k, v in top_outcomes(values)]
        top = max((b.value for b in bars), default=1.0)
        self.show_bars(bars, value_title, top, exact=value_title != "Count")
        if len(values) > len(bars):
            self.chart().setTitle(f"{len(bars)} most frequent of {len(values)} outcomes")

    def show_bars(
        self,
        bars: list[Bar],
        value_title: str,
        y_max: float,
        *,
        exact: bool = False,
        options: ChartOptions | None = None,
    ) -> None:
        """Draw `bars` on a value axis from 0 to about `y_max` (shared by the panes)."""
        self._bars, self._exact = list(bars), exact
        chart = QChart()
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        bar_set = QBarSet(value_title)
        bar_set.setColor(QColor("#3b6fb6"))
        bar_set.setLabelColor(QColor("#1f1f1f"))  # above the bar, on the chart's background
        for bar in self._bars:
            bar_set.append(float(bar.value))
        series = QBarSeries()
        series.append(bar_set)
        series.setLabelsVisible(len(self._bars) <= 8)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        percent = options is not None and options.mode == PERCENT
        series.setLabelsFormat("@value %" if percent else "@value")
        series.setLabelsPrecision(3 if percent or exact else 12)
        series.hovered.connect(self._on_series_hovered)
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append([bar.label for bar in self._bars])
        if any(len(bar.label) > 4 for bar in self._bars):
            x_axis.setLabelsAngle(-90)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x_axis)
        y_axis = QValueAxis()
        y_axis.setTitleText(value_title)
        if percent or exact:
            y_axis.setRange(0, axis_top(y_max, 1.0) if y_max > 0 else 1.0)
            y_axis.applyNiceNumbers()
            y_axis.setLabelFormat("%.0f" if y_axis.max() >= 10 else "%.2f")
        else:  # counts: whole-number ticks ("0, 1, 2", never "0,0,1,1,1")
            step = integer_tick_step(y_max * 1.2)
            y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
            y_axis.setTickAnchor(0)
            y_axis.setTickInterval(step)
            y_axis.setRange(0, axis_top(y_max, step))
            y_axis.setLabelFormat("%d")
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y_axis)
        self.x_axis, self.y_axis = x_axis, y_axis
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def tooltip(self, index: int) -> str:
        if not 0 <= index < len(self._bars):
            return ""
        return self._bars[index].tooltip(self._exact)

    @Slot(bool, int, QBarSet)
    def _on_series_hovered(self, status: bool, index: int, _bar_set: QBarSet) -> None:
        if status:
            QToolTip.showText(QCursor.pos(), self.tooltip(index), self)
        else:
            QToolTip.hideText()
