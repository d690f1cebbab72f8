"""Several backends' results on one axis as grouped bars (pyqtgraph, loaded with the first chart),
with the distance between every two of them (core.compare) written on the chart.

Each outcome is a group; inside it one bar per backend, in one colour per backend (legend).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Slot
from PySide6.QtGui import QCursor, QPainter, QPalette
from PySide6.QtWidgets import QToolTip, QWidget

from desktop_app.core.compare import Distance, pairwise
from desktop_app.core.results import RunResult
from desktop_app.ui.results.chart_data import (
    PERCENT,
    ChartOptions,
    Group,
    overlay_groups,
    value_title,
)
from desktop_app.ui.results.histogram import render_plot
from desktop_app.ui.results.plot_parts import BarPlot, series_colour

GROUP_WIDTH = 0.8  # of one outcome's slot; the backends' bars share it


def distance_lines(found: list[Distance]) -> list[str]:
    return [
        f"{d.first} vs {d.second}: total variation distance {d.total_variation:.3f}, "
        f"Hellinger fidelity {d.hellinger_fidelity:.3f}"
        for d in found
    ]


class OverlayChart(BarPlot):
    """objectName `overlayChart`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overlayChart")
        self.setMinimumSize(320, 220)
        self.results: list[RunResult] = []
        self.groups: list[Group] = []
        self.distances: list[Distance] = []
        self.series: list[pg.BarGraphItem] = []
        self._options = ChartOptions()
        self._hovered: tuple[int, int] = (-1, -1)
        self.scene().sigMouseMoved.connect(self._on_scene_mouseMoved)

    def show_results(self, results: list[RunResult], options: ChartOptions) -> None:
        self.results = [r for r in results if r.counts or r.probabilities]
        self._options = options
        self.groups = overlay_groups(self.results, options)
        self.distances = pairwise(self.results)
        self._draw()

    def backend_values(self) -> dict[str, list[tuple[str, float]]]:
        """backend -> (outcome label, value) of its bar in each group, left to right."""
        return {
            result.backend: [(g.label, g.bars[i].value) for g in self.groups]
            for i, result in enumerate(self.results)
        }

    def distance_text(self) -> str:
        return "\n".join(distance_lines(self.distances))

    def _draw(self) -> None:
        item = self.getPlotItem()
        item.clear()
        if item.legend is not None:
            item.legend.scene().removeItem(item.legend)
            item.legend = None
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        base.setAlpha(220)  # bars behind the legend stay faintly visible
        item.addLegend(
            offset=(-10, 4),
            colCount=max(1, len(self.results)),  # one row: it covers as little as it can
            labelTextColor=palette.color(QPalette.ColorRole.Text),
            brush=pg.mkBrush(base),
        )
        self.series = []
        count = max(1, len(self.results))
        width = GROUP_WIDTH / count
        for index, result in enumerate(self.results):
            colour = series_colour(self.palette(), index)
            bars = pg.BarGraphItem(
                x=[g + (index - (count - 1) / 2) * width for g in range(len(self.groups))],
                height=[group.bars[index].value for group in self.groups],
                width=width * 0.92,
                brush=colour,
                pen=pg.mkPen(colour),
                name=result.backend,
            )
            item.addItem(bars)  # named: the legend lists it
            self.series.append(bars)
        self.x_axis.set_labels([g.label for g in self.groups])
        any_exact = any(r.exact or not r.counts for r in self.results)
        percent = self._options.mode == PERCENT
        top = max((b.value for g in self.groups for b in g.bars), default=1.0) * 1.1  # legend room
        self.y_axis.configure(
            value_title(self._options, any_exact), top, whole_numbers=not (percent or any_exact)
        )
        lines = distance_lines(self.distances)
        item.setTitle("<br>".join(lines) if lines else None, size="9pt")
        self.set_range(len(self.groups), self.y_axis.top)

    def palette_changed(self) -> None:
        if self.results:
            self._draw()

    def bar_at(self, scene_pos: QPointF) -> tuple[int, int]:
        """(group, backend) of the bar under `scene_pos`, or (-1, -1)."""
        view = self.getPlotItem().getViewBox()
        if not self.results or not view.sceneBoundingRect().contains(scene_pos):
            return (-1, -1)
        x = float(view.mapSceneToView(scene_pos).x())
        group = round(x)
        width = GROUP_WIDTH / len(self.results)
        backend = int((x - group + GROUP_WIDTH / 2) // width)
        if 0 <= group < len(self.groups) and 0 <= backend < len(self.results):
            return (group, backend)
        return (-1, -1)

    def bar_centre(self, group: int, backend: int) -> QPointF:
        width = GROUP_WIDTH / len(self.results)
        x = group + (backend - (len(self.results) - 1) / 2) * width
        value = self.groups[group].bars[backend].value
        centre: QPointF = self.getPlotItem().getViewBox().mapViewToScene(QPointF(x, value / 2))
        return centre

    def tooltip(self, group: int, backend: int) -> str:
        result = self.results[backend]
        exact = result.exact or not result.counts
        return f"{result.backend}\n{self.groups[group].bars[backend].tooltip(exact)}"

    @Slot(object)
    def _on_scene_mouseMoved(self, scene_pos: QPointF) -> None:
        where = self.bar_at(scene_pos)
        if where == self._hovered:
            return
        self._hovered = where
        if where[0] >= 0:
            QToolTip.showText(QCursor.pos(), self.tooltip(*where), self)
        else:
            QToolTip.hideText()

    def render_into(self, painter: QPainter, target: QRectF, size: QSize) -> None:
        render_plot(self, painter, target, size)
