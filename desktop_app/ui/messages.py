"""Every question and message box of the app goes through here (tests replace these functions)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """One plain error message (no traceback)."""
    QMessageBox.critical(parent, title, text)


def ask(parent: QWidget | None, title: str, question: str) -> bool:
    """A yes/no question; True for yes."""
    answer = QMessageBox.question(parent, title, question)
    return answer == QMessageBox.StandardButton.Yes


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
