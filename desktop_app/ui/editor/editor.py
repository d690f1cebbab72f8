"""The OpenQASM editor: line numbers, highlighting, error marking, .qasm drops.

Tab and Shift+Tab move the focus (Qt's tabChangesFocus), so the keyboard can leave the editor;
Ctrl+Tab indents (the selected lines, or at the cursor) and Ctrl+Shift+Tab unindents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFontDatabase, QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from desktop_app.ui.appearance import is_dark
from desktop_app.ui.editor.highlighter import QasmHighlighter

if TYPE_CHECKING:  # imported where used: not needed before the first paint
    from PySide6.QtGui import QDragEnterEvent, QDropEvent, QTextCursor

PROGRAM_SUFFIXES = (".qasm", ".qasm2", ".qasm3", ".inc")
INDENT = "    "


def dropped_program_paths(urls: list[str]) -> list[str]:
    return [u for u in urls if u.lower().endswith(PROGRAM_SUFFIXES)]


def _indent_key(event: QKeyEvent) -> int | None:
    """+1 for Ctrl+Tab, -1 for Ctrl+Shift+Tab (Qt reports that as Backtab), else None."""
    ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
    if not ctrl:
        return None
    if event.key() == Qt.Key.Key_Tab:
        return -1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
    if event.key() == Qt.Key.Key_Backtab:
        return -1
    return None


class _LineNumberArea(QWidget):
    def __init__(self, editor: ProgramEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self._editor.line_number_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._editor.paint_line_numbers(self, event)


class ProgramEditor(QPlainTextEdit):
    """Emits `fileDropped(path)` when a program file is dropped on it."""

    fileDropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("programEditor")
        self.setAccessibleName("OpenQASM program")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.setTabChangesFocus(True)
        self._highlighter = QasmHighlighter(self.document(), dark=is_dark(self.palette()))
        self._numbers = _LineNumberArea(self)
        self._error_line: int | None = None
        self.blockCountChanged.connect(self._on_document_blockCountChanged)
        self.updateRequest.connect(self._on_editor_updateRequest)
        self.textChanged.connect(self._on_editor_textChanged)
        self._on_document_blockCountChanged(0)

    # ---- error marking
    def mark_error(self, line: int | None, column: int | None) -> None:
        """Highlight 1-based `line` and put the cursor at `column` (1-based) on it."""
        if line is None or line < 1:
            return
        from PySide6.QtGui import QTextCursor

        block = self.document().findBlockByNumber(min(line, self.blockCount()) - 1)
        cursor = QTextCursor(block)
        col = max(0, min((column or 1) - 1, block.length() - 1))
        cursor.setPosition(block.position() + col)
        self.setTextCursor(cursor)
        self.centerCursor()
        self._error_line = line
        self._show_error_line()

    def _show_error_line(self) -> None:
        if self._error_line is None:
            return
        from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextFormat
        from PySide6.QtWidgets import QTextEdit

        block = self.document().findBlockByNumber(min(self._error_line, self.blockCount()) - 1)
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(self._error_colors()[0]))
        fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selection.format = fmt
        selection.cursor = QTextCursor(block)
        self.setExtraSelections([selection])
        self._numbers.update()

    def clear_error(self) -> None:
        if self._error_line is not None:
            self._error_line = None
            self.setExtraSelections([])
            self._numbers.update()

    @property
    def error_line(self) -> int | None:
        return self._error_line

    # ---- colours: they follow the palette (ui.appearance switches it with the OS scheme)
    @property
    def highlighter(self) -> QasmHighlighter:
        return self._highlighter

    def _error_colors(self) -> tuple[str, str]:
        """The error line's background and its line number's colour."""
        return ("#5a2323", "#ff7b7b") if self._highlighter.dark else ("#ffd7d7", "#c00000")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._highlighter.set_dark(is_dark(self.palette()))
            self._show_error_line()  # its background in the new colours

    @Slot()
    def _on_editor_textChanged(self) -> None:
        self.clear_error()

    # ---- indentation (Tab itself moves the focus)
    def event(self, event: QEvent) -> bool:
        # Ctrl+Tab must reach keyPressEvent, not the focus chain or a tab widget's shortcut.
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            if _indent_key(event) is not None:
                if event.type() == QEvent.Type.ShortcutOverride:
                    event.accept()
                    return True
                self.keyPressEvent(event)
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        direction = _indent_key(event)
        if direction is None:
            super().keyPressEvent(event)
        elif direction > 0:
            self.indent()
        else:
            self.unindent()

    def indent(self) -> None:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            cursor.insertText(INDENT)
            return
        self._each_selected_line(lambda line: line.insertText(INDENT))

    def unindent(self) -> None:
        def strip(line: QTextCursor) -> None:
            text = line.block().text()
            width = len(text) - len(text.lstrip(" "))
            remove = 1 if text.startswith("\t") else min(width, len(INDENT))
            for _ in range(remove):
                line.deleteChar()

        self._each_selected_line(strip)

    def _each_selected_line(self, edit: Callable[[QTextCursor], None]) -> None:
        cursor = self.textCursor()
        document = self.document()
        first = document.findBlock(cursor.selectionStart()).blockNumber()
        end = cursor.selectionEnd()
        last_block = document.findBlock(end)
        last = last_block.blockNumber()
        if cursor.hasSelection() and end == last_block.position() and last > first:
            last -= 1  # a selection ending at a line's start does not include that line
        from PySide6.QtGui import QTextCursor

        cursor.beginEditBlock()
        for number in range(first, last + 1):
            line = QTextCursor(document.findBlockByNumber(number))
            edit(line)
        cursor.endEditBlock()

    # ---- drag and drop of program files
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._program_paths(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if self._program_paths(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._program_paths(event)
        if paths:
            event.acceptProposedAction()
            self.fileDropped.emit(paths[0])
        else:
            super().dropEvent(event)

    @staticmethod
    def _program_paths(event: QDropEvent) -> list[str]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return dropped_program_paths([u.toLocalFile() for u in mime.urls() if u.isLocalFile()])

    # ---- line numbers
    def line_number_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 10 + self.fontMetrics().horizontalAdvance("9") * max(2, digits)

    @Slot(int)
    def _on_document_blockCountChanged(self, _count: int) -> None:
        self.setViewportMargins(self.line_number_width(), 0, 0, 0)

    @Slot(QRect, int)
    def _on_editor_updateRequest(self, rect: QRect, dy: int) -> None:
        if dy:
            self._numbers.scroll(0, dy)
        else:
            self._numbers.update(0, rect.y(), self._numbers.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        rect = self.contentsRect()
        self._numbers.setGeometry(
            QRect(rect.left(), rect.top(), self.line_number_width(), rect.height())
        )

    def paint_line_numbers(self, area: QWidget, event: QPaintEvent) -> None:
        painter = QPainter(area)
        painter.fillRect(event.rect(), self.palette().alternateBase())
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                is_error = number + 1 == self._error_line
                painter.setPen(
                    QColor(self._error_colors()[1])
                    if is_error
                    else self.palette().placeholderText().color()
                )
                painter.drawText(
                    0, top, area.width() - 5, height, Qt.AlignmentFlag.AlignRight, str(number + 1)
                )
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()
