"""A bar chart drawn with QPainter: groups of bars along an outcome axis, a value axis with our
ticks, value labels over a lone series' bars, a legend and title lines for the overlay, a tooltip
for the bar under the mouse. The histogram and the overlay chart are this widget with their data.

Why not pyqtgraph (used here until 2026-12-01): its scene of Python graphics items cost the GUI
thread 15-20 ms to redraw one pane and ~50 ms to build one, so 8 panes held it 51 ms (median) per
result arriving (tests/bench/bench_results_view.py); its import (with numpy) took ~1 s after the
first paint. A few dozen bars, ticks and labels are a few QPainter calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QToolTip, QWidget

from desktop_app.ui.results.plot_parts import OutcomeAxis, ValueAxis, series_colour

TICK = 5.0  # tick length, pixels
GAP = 4.0  # between an axis' parts
SWATCH = 12.0  # a legend entry's colour square
NO_BAR = (-1, -1)
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTRE = Qt.AlignmentFlag.AlignCenter
ABOVE = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
BELOW = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop


@dataclass(frozen=True)
class Series:
    """One row of bars: its value in each group, drawn in the palette's `colour_index` colour."""

    name: str
    values: tuple[float, ...]
    colour_index: int = 0


class BarChart(QWidget):
    """Groups of bars; `group_width` of each group's slot is shared by its series' bars, each
    filling `bar_fill` of its share."""

    group_width = 0.7
    bar_fill = 1.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.x_axis = OutcomeAxis()
        self.y_axis = ValueAxis()
        self.series: list[Series] = []
        self.value_labels: tuple[str, ...] = ()  # written over the bars of a lone series
        self.title_lines: list[str] = []
        self.legend = False
        self._hovered = NO_BAR
        self._widths: dict[str, float] = {}
        self.setMouseTracking(True)  # the tooltip follows the bar under the mouse
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # the chart fills its rect
        self.setMinimumSize(260, 150)

    # ---- what subclasses answer
    def bar_tooltip(self, group: int, series: int) -> str:
        return ""

    # ---- colours (read at every paint, so a palette change is a repaint)
    def colour(self, series: int) -> QColor:
        return series_colour(self.palette(), series)

    def text_colour(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Text)

    def background(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Base)

    # ---- geometry, in the coordinates of `area` (the widget's rect, or an image's)
    def _title_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.9))
        return font

    def _advance(self, text: str) -> float:
        """The width of `text` in the widget's font (kept: a paint asks for each label's)."""
        width = self._widths.get(text)
        if width is None:
            if len(self._widths) > 1024:  # a long session's many results
                self._widths.clear()
            width = self._widths[text] = QFontMetricsF(self.font()).horizontalAdvance(text)
        return width

    def plot_rect(self, area: QRectF) -> QRectF:
        """Where the bars go: `area` less the axes, title lines and legend."""
        return self._layout(area)[0]

    def _layout(self, area: QRectF) -> tuple[QRectF, bool]:
        """The plot's rectangle in `area`, and whether the outcome labels stand upright (when
        they are long, or wider than their bars' slots)."""
        line = QFontMetricsF(self.font()).height()
        tick_width = max((self._advance(t) for _, t in self.y_axis.ticks()), default=0.0)
        left = GAP + (line + GAP if self.y_axis.title else 0.0) + tick_width + GAP + TICK
        top = 10.0  # room for the top tick's label
        if self.title_lines:
            top += len(self.title_lines) * QFontMetricsF(self._title_font()).height() + GAP
        if self.legend and self.series:
            top += line + GAP
        right = 10.0
        slot = (area.width() - left - right) / max(1, len(self.x_axis.labels))
        widest = max((self._advance(t) for t in self.x_axis.labels), default=0.0)
        upright = self.x_axis.rotated or widest > slot - 2
        bottom = TICK + GAP + (widest if upright else line) + GAP
        return area.adjusted(left, top, -right, -bottom), upright

    def _slot(self, plot: QRectF) -> float:
        return plot.width() / max(1, len(self.x_axis.labels))

    def _y(self, plot: QRectF, value: float) -> float:
        top = self.y_axis.top or 1.0
        return plot.bottom() - min(max(value, 0.0), top) / top * plot.height()

    def bar_rect(self, group: int, series: int, plot: QRectF) -> QRectF:
        slot = self._slot(plot)
        share = slot * self.group_width / max(1, len(self.series))
        left = plot.left() + group * slot + slot * (1 - self.group_width) / 2 + series * share
        inset = share * (1 - self.bar_fill) / 2
        y = self._y(plot, self.series[series].values[group])
        return QRectF(left + inset, y, share - 2 * inset, plot.bottom() - y)

    def hit(self, pos: QPointF) -> tuple[int, int]:
        """(group, series) of the bar column under `pos` (widget coordinates), or NO_BAR."""
        plot = self.plot_rect(QRectF(self.rect()))
        if not self.series or not plot.contains(pos):
            return NO_BAR
        group = int((pos.x() - plot.left()) // self._slot(plot))
        for series in range(len(self.series)):
            if 0 <= group < len(self.series[series].values):
                bar = self.bar_rect(group, series, plot)
                if bar.left() <= pos.x() <= bar.right():
                    return (group, series)
        return NO_BAR

    def centre(self, group: int, series: int) -> QPointF:
        """The middle of a bar, in widget coordinates (tests, keyboard hints)."""
        return self.bar_rect(group, series, self.plot_rect(QRectF(self.rect()))).center()

    # ---- drawing
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.paint_chart(painter, QRectF(self.rect()))
        painter.end()

    def render_into(self, painter: QPainter, target: QRectF) -> None:
        """Draw the chart into `target` of an image (any size: laid out for it)."""
        painter.save()
        self.paint_chart(painter, target)
        painter.restore()

    def paint_chart(self, painter: QPainter, area: QRectF) -> None:
        painter.setFont(self.font())
        painter.fillRect(area, self.background())
        plot, upright = self._layout(area)
        if plot.width() <= 0 or plot.height() <= 0:
            return
        line = QFontMetricsF(self.font()).height()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for index, series in enumerate(self.series):
            colour = self.colour(series.colour_index)
            for group in range(min(len(series.values), len(self.x_axis.labels))):
                painter.fillRect(self.bar_rect(group, index, plot), colour)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setPen(QPen(self.text_colour()))
        self._paint_value_axis(painter, area, plot, line)
        self._paint_outcome_axis(painter, plot, upright, line)
        self._paint_value_labels(painter, plot, line)
        self._paint_title_and_legend(painter, area, line)

    def _paint_value_axis(self, painter: QPainter, area: QRectF, plot: QRectF, line: float) -> None:
        painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))
        for value, text in self.y_axis.ticks():
            y = self._y(plot, value)
            painter.drawLine(QPointF(plot.left() - TICK, y), QPointF(plot.left(), y))
            box = QRectF(area.left(), y - line / 2, plot.left() - TICK - GAP - area.left(), line)
            painter.drawText(box, int(RIGHT), text)
        if self.y_axis.title:
            painter.save()
            painter.translate(area.left() + GAP + line / 2, plot.center().y())
            painter.rotate(-90)
            painter.drawText(
                QRectF(-plot.height() / 2, -line / 2, plot.height(), line),
                int(CENTRE),
                self.y_axis.title,
            )
            painter.restore()

    def _paint_outcome_axis(
        self, painter: QPainter, plot: QRectF, upright: bool, line: float
    ) -> None:
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        slot = self._slot(plot)
        for index, label in enumerate(self.x_axis.labels):
            x = plot.left() + (index + 0.5) * slot
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + TICK))
            below = plot.bottom() + TICK + GAP
            if not upright:
                painter.drawText(QRectF(x - slot / 2, below, slot, line), int(BELOW), label)
                continue
            painter.save()
            painter.translate(x, below)
            painter.rotate(-90)
            width = self._advance(label) + 1
            painter.drawText(QRectF(-width, -line / 2, width, line), int(RIGHT), label)
            painter.restore()

    def _paint_value_labels(self, painter: QPainter, plot: QRectF, line: float) -> None:
        if len(self.series) != 1:
            return
        slot = self._slot(plot)
        for index, text in enumerate(self.value_labels):
            bar = self.bar_rect(index, 0, plot)
            box = QRectF(bar.center().x() - slot / 2, bar.top() - line - 3, slot, line)
            painter.drawText(box, int(ABOVE), text)

    def _paint_title_and_legend(self, painter: QPainter, area: QRectF, line: float) -> None:
        y = area.top() + 2
        if self.title_lines:
            font = self._title_font()
            painter.setFont(font)
            height = QFontMetricsF(font).height()
            for text in self.title_lines:
                painter.drawText(QRectF(area.left(), y, area.width(), height), int(CENTRE), text)
                y += height
            painter.setFont(self.font())
            y += GAP
        if not (self.legend and self.series):
            return
        widths = [SWATCH + GAP + self._advance(s.name) for s in self.series]
        x = area.right() - 10 - sum(widths) - 3 * GAP * (len(widths) - 1)
        for series, width in zip(self.series, widths, strict=True):
            swatch = QRectF(x, y + (line - SWATCH) / 2, SWATCH, SWATCH)
            painter.fillRect(swatch, self.colour(series.colour_index))
            painter.drawText(QRectF(x + SWATCH + GAP, y, width, line), int(LEFT), series.name)
            x += width + 3 * GAP

    # ---- the mouse and the palette
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        where = self.hit(event.position())
        if where == self._hovered:
            return
        self._hovered = where
        if where != NO_BAR:
            QToolTip.showText(event.globalPosition().toPoint(), self.bar_tooltip(*where), self)
        else:
            QToolTip.hideText()

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)
        self._hovered = NO_BAR
        QToolTip.hideText()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._widths.clear()
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.update()
