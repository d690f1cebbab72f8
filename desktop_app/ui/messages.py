"""Every question and message box of the app goes through here (tests replace these functions)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """One plain error message (no traceback)."""
    QMessageBox.critical(parent, title, text)


def ask(parent: QWidget | None, title: str, question: str) -> bool:
    """A yes/no question; True for yes."""
    answer = QMessageBox.question(parent, title, question)
    return answer == QMessageBox.StandardButton.Yes


def ask_save_changes(parent: QWidget | None, name: str) -> str:
    """Unsaved edits are about to go: "save", "discard" or "cancel"."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.warning(
        parent,
        "Unsaved changes",
        f"{name} has changes that are not saved. Save them first?",
        buttons.Save | buttons.Discard | buttons.Cancel,
        buttons.Save,
    )
    if answer == buttons.Save:
        return "save"
    return "discard" if answer == buttons.Discard else "cancel"


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    """A plain message with an OK button (rich text allowed)."""
    QMessageBox.information(parent, title, text)


def show_note(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    """A rich-text message that does not block (the welcome, About, the shortcuts)."""
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent
    )
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setModal(False)
    box.show()
    return box


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
