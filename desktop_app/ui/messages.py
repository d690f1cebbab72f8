"""Every question and message box of the app goes through here (tests replace these functions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:  # QMessageBox's Python side costs ~8 ms: built with the first message
    from PySide6.QtWidgets import QMessageBox


def _box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton,
) -> QMessageBox:
    from PySide6.QtWidgets import QMessageBox

    # plain text: the text carries profile and file names, which may look like HTML
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """One plain error message (no traceback)."""
    from PySide6.QtWidgets import QMessageBox

    _box(parent, QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok).exec()


def ask(parent: QWidget | None, title: str, question: str) -> bool:
    """A yes/no question; True for yes."""
    from PySide6.QtWidgets import QMessageBox

    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    box = _box(parent, QMessageBox.Icon.Question, title, question, buttons)
    box.setDefaultButton(QMessageBox.StandardButton.No)  # the safe answer is the default
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_save_changes(parent: QWidget | None, name: str) -> str:
    """Unsaved edits are about to go: "save", "discard" or "cancel"."""
    from PySide6.QtWidgets import QMessageBox

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
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.information(parent, title, text)


def show_note(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    """A rich-text message that does not block (the welcome, About, the shortcuts)."""
    from PySide6.QtWidgets import QMessageBox

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
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getOpenFileName(parent, title, directory, file_filter)
    return path or None


def ask_save_path(
    parent: QWidget | None, title: str, suggested: str, file_filter: str
) -> str | None:
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


@dataclass(frozen=True)
class SpendQuestion:
    """Before a run that may cost money: what it may cost, and the choices besides Cancel."""

    title: str
    text: str  # each paid backend with its estimate, and the totals per unit
    details: str = ""  # formulas and price-table entries (the box's "Show Details...")
    remember: str | None = None  # "Don't ask again under ..." (None: not offered)
    free_first: str | None = None  # "Try it on ionq.simulator first (free)" (None: not offered)


@dataclass(frozen=True)
class SpendAnswer:
    choice: Literal["cancel", "run", "free_first"]
    remember: bool = False


def spend_box(parent: QWidget | None, question: SpendQuestion) -> QMessageBox:
    """The question's box, not shown yet. Cancel is the default and the Escape button: Enter
    never spends money."""
    from PySide6.QtWidgets import QCheckBox, QMessageBox, QPushButton

    box = QMessageBox(QMessageBox.Icon.Warning, question.title, question.text, parent=parent)
    box.setObjectName("spendQuestion")
    run = box.addButton("Run and pay", QMessageBox.ButtonRole.AcceptRole)
    run.setObjectName("spendRun")
    if question.free_first:
        free = box.addButton(question.free_first, QMessageBox.ButtonRole.ActionRole)
        free.setObjectName("spendFreeFirst")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    for button in box.buttons():
        if isinstance(button, QPushButton):
            button.setAutoDefault(button is cancel)
    if question.details:
        box.setDetailedText(question.details)
    if question.remember:
        check = QCheckBox(question.remember, box)
        check.setObjectName("spendRemember")
        box.setCheckBox(check)  # unticked: "don't ask again" is off by default
    return box


def spend_answer(box: QMessageBox) -> SpendAnswer:
    """What the user chose in a closed `spend_box`."""
    clicked = box.clickedButton()
    name = clicked.objectName() if clicked is not None else ""
    check = box.checkBox()
    remember = check is not None and check.isChecked()
    if name == "spendRun":
        return SpendAnswer("run", remember)
    if name == "spendFreeFirst":
        return SpendAnswer("free_first")
    return SpendAnswer("cancel")


def ask_to_spend(parent: QWidget | None, question: SpendQuestion) -> SpendAnswer:
    box = spend_box(parent, question)
    try:
        box.exec()
        return spend_answer(box)
    finally:
        box.deleteLater()
