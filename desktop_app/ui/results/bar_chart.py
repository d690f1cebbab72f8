"""A bar chart drawn with QPainter: groups of bars along an outcome axis, a value axis with our
ticks, value labels over a lone series' bars, a legend and title lines for the overlay, a tooltip
for the bar under the mouse. The histogram and the overlay chart are this widget with their data.

Labels are QStaticText, laid out once per text and font: QPainter.drawText lays a string out at
every call (~22 us a label against ~5 here), and a result landing repaints every pane whose
value axis it moves.

Why not pyqtgraph (used here until 2026-12-01): its scene of Python graphics items cost the GUI
thread 15-20 ms to redraw one pane and ~50 ms to build one, so 8 panes held it 51 ms (median) per
result arriving (tests/bench/bench_results_view.py); its import (with numpy) took ~1 s after the
first paint. A few dozen bars, ticks and labels are a few QPainter calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QStaticText,
)
from PySide6.QtWidgets import QToolTip, QWidget

from desktop_app.ui.results.plot_parts import OutcomeAxis, ValueAxis, series_colour

TICK = 5.0  # tick length, pixels
GAP = 4.0  # between an axis' parts
SWATCH = 12.0  # a legend entry's colour square
NO_BAR = (-1, -1)
# Where a label sits in its box: the fraction of the box's spare width left of it, and of its
# spare height above it (Qt's alignment flags, as plain numbers for the paint's arithmetic).
Align = tuple[float, float]
LEFT: Align = (0.0, 0.5)
RIGHT: Align = (1.0, 0.5)
CENTRE: Align = (0.5, 0.5)
ABOVE: Align = (0.5, 1.0)
BELOW: Align = (0.5, 0.0)


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
        self._texts: dict[tuple[str, bool], QStaticText] = {}  # (text, in the title font)
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

    def _draw_text(
        self, painter: QPainter, box: QRectF, align: Align, text: str, title: bool = False
    ) -> None:
        """`text` aligned in `box`, in the painter's font (the title font when `title`)."""
        static = self._texts.get((text, title))
        if static is None:
            if len(self._texts) > 1024:
                self._texts.clear()
            static = self._texts[(text, title)] = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)  # an outcome or name is never markup
            static.prepare(font=self._title_font() if title else self.font())
        size = static.size()
        x = box.left() + (box.width() - size.width()) * align[0]
        y = box.top() + (box.height() - size.height()) * align[1]
        painter.drawStaticText(QPointF(x, y), static)

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
        groups = len(self.x_axis.labels)
        rects = [
            [self.bar_rect(group, index, plot) for group in range(min(len(s.values), groups))]
            for index, s in enumerate(self.series)
        ]
        for series, bars in zip(self.series, rects, strict=True):
            colour = self.colour(series.colour_index)
            for bar in bars:
                painter.fillRect(bar, colour)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setPen(QPen(self.text_colour()))
        self._paint_value_axis(painter, area, plot, line)
        self._paint_outcome_axis(painter, plot, upright, line)
        if len(rects) == 1:
            self._paint_value_labels(painter, plot, line, rects[0])
        self._paint_title_and_legend(painter, area, line)

    def _paint_value_axis(self, painter: QPainter, area: QRectF, plot: QRectF, line: float) -> None:
        left = plot.left()
        lines = [QLineF(left, plot.top(), left, plot.bottom())]
        width = left - TICK - GAP - area.left()
        for value, text in self.y_axis.ticks():
            y = self._y(plot, value)
            lines.append(QLineF(left - TICK, y, left, y))
            self._draw_text(painter, QRectF(area.left(), y - line / 2, width, line), RIGHT, text)
        painter.drawLines(lines)
        if self.y_axis.title:
            painter.save()
            painter.translate(area.left() + GAP + line / 2, plot.center().y())
            painter.rotate(-90)
            self._draw_text(
                painter,
                QRectF(-plot.height() / 2, -line / 2, plot.height(), line),
                CENTRE,
                self.y_axis.title,
            )
            painter.restore()

    def _paint_outcome_axis(
        self, painter: QPainter, plot: QRectF, upright: bool, line: float
    ) -> None:
        bottom = plot.bottom()
        lines = [QLineF(plot.left(), bottom, plot.right(), bottom)]
        slot = self._slot(plot)
        below = bottom + TICK + GAP
        for index, label in enumerate(self.x_axis.labels):
            x = plot.left() + (index + 0.5) * slot
            lines.append(QLineF(x, bottom, x, bottom + TICK))
            if not upright:
                self._draw_text(painter, QRectF(x - slot / 2, below, slot, line), BELOW, label)
                continue
            painter.save()
            painter.translate(x, below)
            painter.rotate(-90)
            width = self._advance(label) + 1
            self._draw_text(painter, QRectF(-width, -line / 2, width, line), RIGHT, label)
            painter.restore()
        painter.drawLines(lines)

    def _paint_value_labels(
        self, painter: QPainter, plot: QRectF, line: float, bars: list[QRectF]
    ) -> None:
        """A lone series' values over its `bars`."""
        slot = self._slot(plot)
        for bar, text in zip(bars, self.value_labels, strict=False):
            box = QRectF(bar.center().x() - slot / 2, bar.top() - line - 3, slot, line)
            self._draw_text(painter, box, ABOVE, text)

    def _paint_title_and_legend(self, painter: QPainter, area: QRectF, line: float) -> None:
        y = area.top() + 2
        if self.title_lines:
            font = self._title_font()
            painter.setFont(font)
            height = QFontMetricsF(font).height()
            for text in self.title_lines:
                box = QRectF(area.left(), y, area.width(), height)
                self._draw_text(painter, box, CENTRE, text, title=True)
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
            self._draw_text(painter, QRectF(x + SWATCH + GAP, y, width, line), LEFT, series.name)
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
            self._texts.clear()
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.update()
