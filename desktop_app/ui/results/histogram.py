"""A bar histogram of one result, drawn with pyqtgraph (imported only when a chart is shown).

Bars come from ui.results.chart_data; hovering a bar shows its full outcome, count and
probability; counts get whole-number ticks; colours come from the widget's palette.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Slot
from PySide6.QtGui import QCursor, QPainter, QPalette
from PySide6.QtWidgets import QToolTip, QWidget

from desktop_app.ui.results.chart_data import PERCENT, Bar, ChartOptions
from desktop_app.ui.results.plot_parts import BarPlot, series_colour

MAX_BARS = 32  # beyond this the labels are unreadable: the most frequent outcomes are shown
BAR_WIDTH = 0.7
VALUE_LABELS_UP_TO = 8  # bars that get their value written above them


def top_outcomes(values: dict[str, float], limit: int = MAX_BARS) -> list[tuple[str, float]]:
    """The `limit` largest outcomes, in bitstring order."""
    largest = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return sorted(largest)


def value_text(value: float, percent: bool, exact: bool) -> str:
    if percent:
        return f"{value:.3g} %"
    return f"{value:.3g}" if exact else f"{round(value):,}"


class Histogram(BarPlot):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("histogram")
        self._bars: list[Bar] = []
        self._exact = False
        self._percent = False
        self._title = ""
        self._y_max = 1.0
        self._hovered = -1
        self.value_labels: list[pg.TextItem] = []
        self.scene().sigMouseMoved.connect(self._on_scene_mouseMoved)

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
            self.getPlotItem().setTitle(f"{len(bars)} most frequent of {len(values)} outcomes")

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
        self._percent = options is not None and options.mode == PERCENT
        self._title, self._y_max = value_title, y_max
        self._draw()

    def set_top(self, y_max: float) -> None:
        """Another pane's result moved the shared value axis: only the axis and range change
        (the bars and their labels stay; rebuilding them for every pane at every result held
        the GUI thread ~20 ms per pane)."""
        if y_max == self._y_max or not self._bars:
            return
        self._y_max = y_max
        if self.y_axis.configure(
            self._title, self._y_max, whole_numbers=not (self._percent or self._exact)
        ):
            self.set_range(len(self._bars), self.y_axis.top)

    def _draw(self) -> None:
        item = self.getPlotItem()
        item.clear()
        self.value_labels = []
        colour = series_colour(self.palette(), 0)
        heights = [float(b.value) for b in self._bars]
        item.addItem(
            pg.BarGraphItem(
                x=list(range(len(heights))),
                height=heights,
                width=BAR_WIDTH,
                brush=colour,
                pen=pg.mkPen(colour),
            )
        )
        self.x_axis.set_labels([b.label for b in self._bars])
        self.y_axis.configure(
            self._title, self._y_max, whole_numbers=not (self._percent or self._exact)
        )
        if len(self._bars) <= VALUE_LABELS_UP_TO:
            text = self.palette().color(QPalette.ColorRole.Text)
            for index, bar in enumerate(self._bars):
                label = pg.TextItem(
                    value_text(bar.value, self._percent, self._exact), color=text, anchor=(0.5, 1)
                )
                label.setPos(index, bar.value)
                item.addItem(label)
                self.value_labels.append(label)
        self.set_range(len(self._bars), self.y_axis.top)

    def palette_changed(self) -> None:
        if self._bars:
            self._draw()

    def tooltip(self, index: int) -> str:
        if not 0 <= index < len(self._bars):
            return ""
        return self._bars[index].tooltip(self._exact)

    def bar_at(self, scene_pos: QPointF) -> int:
        """The index of the bar column under `scene_pos` (scene coordinates), or -1."""
        view = self.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            return -1
        point = view.mapSceneToView(scene_pos)
        index = round(float(point.x()))
        if 0 <= index < len(self._bars) and abs(point.x() - index) <= BAR_WIDTH / 2:
            return index
        return -1

    def bar_centre(self, index: int) -> QPointF:
        """The scene position of the middle of bar `index` (for tests and keyboard hints)."""
        view = self.getPlotItem().getViewBox()
        centre: QPointF = view.mapViewToScene(QPointF(index, self._bars[index].value / 2))
        return centre

    @Slot(object)
    def _on_scene_mouseMoved(self, scene_pos: QPointF) -> None:
        index = self.bar_at(scene_pos)
        if index == self._hovered:
            return
        self._hovered = index
        if index >= 0:
            QToolTip.showText(QCursor.pos(), self.tooltip(index), self)
        else:
            QToolTip.hideText()

    # ---- images
    def render_into(self, painter: QPainter, target: QRectF, size: QSize) -> None:
        """Draw the plot into `target`, laid out at `size` when it is not on screen."""
        render_plot(self, painter, target, size)


def render_plot(plot: BarPlot, painter: QPainter, target: QRectF, size: QSize) -> None:
    item = plot.getPlotItem()
    if not plot.isVisible():  # a hidden view is never laid out: lay its plot out at `size`
        item.setGeometry(QRectF(0, 0, size.width(), size.height()))
        item.layout.activate()
    plot.scene().prepareForPaint()
    plot.scene().render(painter, target, item.sceneBoundingRect())
