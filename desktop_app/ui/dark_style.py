"""The dark style: Fusion with check boxes that show on a dark base.

Its own module: defining a QProxyStyle builds the Python side of QStyle (its many enums), which
the window does not need before its first paint in the light scheme (ui.appearance imports this
when it applies the dark one).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QWidget

_CHECK_BOXES = frozenset(
    {
        QStyle.PrimitiveElement.PE_IndicatorCheckBox,
        QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck,
    }
)


class DarkFusion(QProxyStyle):
    """Fusion for the dark palette. Fusion outlines a check box in the window colour made darker,
    which vanishes on a dark base (the backend table's boxes could not be seen): a frame in the
    palette's placeholder grey is drawn over it."""

    def __init__(self) -> None:
        super().__init__("Fusion")
        self.setObjectName("darkFusion")

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element in _CHECK_BOXES:
            painter.save()
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.PlaceholderText), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
            painter.restore()
