"""The pieces the results charts share (pyqtgraph, imported only with a chart): a bar plot widget
coloured from the widget's QPalette (so it follows dark mode), an outcome axis whose labels turn
upright when they are wide, and a value axis with explicit ticks (whole numbers for counts).
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import QWidget

from desktop_app.ui.results.chart_data import axis_top, integer_tick_step

ROTATE_OVER = 4  # outcome labels longer than this are drawn upright
# One colour per backend on the overlay chart (Okabe-Ito, readable with colour blindness:
# https://jfly.uni-koeln.de/color/, 2008); the first is the single histogram's bar colour.
LIGHT_SERIES = ("#3b6fb6", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#7f7f7f")
DARK_SERIES = ("#7aa7e6", "#f0b840", "#33c49a", "#e09ac4", "#f08040", "#8fd0f5", "#b0b0b0")


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def series_colour(palette: QPalette, index: int) -> QColor:
    colours = DARK_SERIES if is_dark(palette) else LIGHT_SERIES
    return QColor(colours[index % len(colours)])


def nice_step(top: float, ticks: int = 5) -> float:
    """A step of 1, 2 or 5 x 10^k giving about `ticks` ticks up to `top` (fractions allowed)."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


class OutcomeAxis(pg.AxisItem):  # type: ignore[misc]
    """Bottom axis with one label per bar; wide labels are drawn upright, none are dropped."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.labels: list[str] = []
        self.rotated = False
        self._upright: list[tuple[float, str]] = []

    def set_labels(self, labels: list[str]) -> None:
        self.labels = list(labels)
        self.rotated = any(len(label) > ROTATE_OVER for label in labels)
        self.setTicks([list(enumerate(self.labels))])
        if self.rotated:
            metrics = QFontMetricsF(self.style["tickFont"] or self.font())
            widest = max((metrics.horizontalAdvance(label) for label in labels), default=0.0)
            self.setHeight(int(widest) + 14)
        else:
            self.setHeight(None)

    def generateDrawSpecs(self, p: QPainter) -> tuple[object, object, list[object]]:
        axis, ticks, texts = super().generateDrawSpecs(p)
        if not self.rotated:
            return axis, ticks, texts
        view = self.linkedView()
        self._upright = []
        if view is not None:
            for index, label in enumerate(self.labels):
                scene = view.mapViewToScene(QPointF(index, 0))
                self._upright.append((self.mapFromScene(scene).x(), label))
        return axis, ticks, []

    def drawPicture(
        self, p: QPainter, axisSpec: object, tickSpecs: object, textSpecs: object
    ) -> None:
        super().drawPicture(p, axisSpec, tickSpecs, textSpecs)
        if not self.rotated:
            return
        p.setPen(self.textPen())
        line = QFontMetricsF(p.font()).height()
        depth = self.height() - 8
        for x, label in self._upright:
            p.save()
            p.translate(x, 6)
            p.rotate(-90)
            flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            p.drawText(QRectF(-depth, -line / 2, depth, line), int(flags), label)
            p.restore()


class ValueAxis(pg.AxisItem):  # type: ignore[misc]
    """Left axis from 0 to `top` with ticks every `step`, labelled with `label_format`."""

    def __init__(self) -> None:
        super().__init__("left")
        self.title = ""
        self.top = 0.0  # not configured yet (a configured top is above 0)
        self.step = 1.0
        self.label_format = "%d"

    def configure(self, title: str, y_max: float, whole_numbers: bool) -> bool:
        """Set the axis for values up to `y_max`; False when it was set so already (a new
        maximum under the same top tick: nothing to relabel or repaint)."""
        if whole_numbers:  # counts: "0, 1, 2", never "0,0,1,1,1"
            step = float(integer_tick_step(y_max * 1.2))
            label_format = "%d"
        else:
            step = nice_step(y_max * 1.2 if y_max > 0 else 1.0)
            label_format = "%.0f" if step >= 1 else "%.2f"
        top = axis_top(y_max, step) if y_max > 0 else step
        if (title, top, step, label_format) == (self.title, self.top, self.step, self.label_format):
            return False
        self.step, self.label_format, self.top, self.title = step, label_format, top, title
        self.setLabel(title)
        count = round(self.top / self.step)
        self.setTicks(
            [[(i * self.step, self.label_format % (i * self.step)) for i in range(count + 1)]]
        )
        return True


class BarPlot(pg.PlotWidget):  # type: ignore[misc]
    """A static plot (no pan, zoom or menu) with our axes, recoloured when the palette changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.x_axis = OutcomeAxis()
        self.y_axis = ValueAxis()
        self._ready = False  # pyqtgraph's set-up changes the palette before the plot exists
        super().__init__(parent, axisItems={"bottom": self.x_axis, "left": self.y_axis})
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(False, False)
        item.getViewBox().setDefaultPadding(0.0)
        item.layout.setContentsMargins(2, 10, 10, 2)  # room for the top tick's label
        self.setMinimumSize(260, 150)
        self._ready = True
        self.apply_palette()

    def plot_item(self) -> pg.PlotItem:
        return self.getPlotItem()

    def apply_palette(self) -> None:
        palette = self.palette()
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        for axis in (self.x_axis, self.y_axis):
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        self.getPlotItem().titleLabel.setAttr("color", text.name())

    def set_range(self, bars: int, top: float) -> None:
        self.getPlotItem().getViewBox().setRange(
            xRange=(-0.5, max(bars, 1) - 0.5), yRange=(0.0, top), padding=0.0
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if self._ready and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.ApplicationPaletteChange,
        ):
            self.apply_palette()
            self.palette_changed()

    def palette_changed(self) -> None:
        """Redraw with the new colours (the charts override this)."""
