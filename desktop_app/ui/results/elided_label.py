"""A one-line label that keeps both ends of a long text readable when it is narrower than it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel


class MiddleElidedLabel(QLabel):
    """Drawn as "start…end" when too narrow (a job id's two ends tell jobs apart); `text()` stays
    the whole text, for the accessibility tree and the tooltip. Not selectable: the card's Copy
    button copies the whole id. superqt's QElidingLabel does this too, but importing superqt
    0.9 costs about 0.5 s (its package imports every widget)."""

    def shown(self) -> str:
        """The text as drawn at the label's present width."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, width)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)  # the widget's font and text colour (light and dark)
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown())
