"""One way to make a window's QAction: its text, what it runs, and its standard shortcut."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence


def make_action(
    parent: QObject,
    text: str,
    slot: Callable[[], object],
    shortcut: QKeySequence.StandardKey | None = None,
) -> QAction:
    # by keyword: QAction(text, parent) makes PySide weigh the QAction(QIcon, text) overload, which
    # loads QIcon's Python type and its enums (~4 ms) before the window's first paint
    action = QAction(text=text, parent=parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    return action
