"""Every question and message box of the app goes through here (tests replace these functions)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


def _box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
    buttons: QMessageBox.StandardButton,
) -> QMessageBox:
    # plain text: the text carries profile and file names, which may look like HTML
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """One plain error message (no traceback)."""
    _box(parent, QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok).exec()


def ask(parent: QWidget | None, title: str, question: str) -> bool:
    """A yes/no question; True for yes."""
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    box = _box(parent, QMessageBox.Icon.Question, title, question, buttons)
    box.setDefaultButton(QMessageBox.StandardButton.No)  # the safe answer is the default
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_open_path(
    parent: QWidget | None, title: str, directory: str, file_filter: str
) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, directory, file_filter)
    return path or None


def ask_save_path(
    parent: QWidget | None, title: str, suggested: str, file_filter: str
) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None
