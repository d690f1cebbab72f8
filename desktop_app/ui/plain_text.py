"""User-provided strings (profile, file, target and job names, error text) shown as plain text.

Qt guesses: a QLabel, QMessageBox or tool tip whose text looks like HTML (`<b>x</b><a href=...>`)
is rendered as rich text, links and all. Labels that show such strings are switched to plain
text; a tool tip has no such switch, so its text is escaped inside an explicit rich-text wrapper.
"""

from __future__ import annotations

from typing import overload

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain(label: QLabel) -> QLabel:
    """Show `label`'s text literally, whatever it contains; returns the label."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


@overload
def tooltip(text: str) -> str: ...
@overload
def tooltip(text: None) -> None: ...
def tooltip(text: str | None) -> str | None:
    """A tool tip that shows `text` literally (None or "" stay as they are: no tip)."""
    if not text:
        return text
    # html.escape(quote=False), without importing html (html.entities) before the first paint
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace("\n", "<br>")
    return f"<qt>{escaped}</qt>"
