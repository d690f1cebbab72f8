"""The jobs view's questions (a name, tags, what to delete) and its cost total line: small
dialogs over Qt's standard ones; the view calls them by name, so tests can answer for the user."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.ledger.models import CostTotal
from desktop_app.ui.plain_text import plain


# ------------------------------------------------------------------ questions (tests replace these)
@dataclass(frozen=True)
class DeleteChoice:
    remote: bool  # also delete the jobs at Azure


def ask_text(parent: QWidget | None, title: str, label: str, text: str) -> str | None:
    """One line of text, or None when cancelled."""
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def ask_delete(parent: QWidget | None, question: str, offer_remote: bool) -> DeleteChoice | None:
    """Confirm a deletion; with `offer_remote` a check box offers to delete at Azure too."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Delete jobs")
    layout = QVBoxLayout(dialog)
    label = plain(QLabel(question, dialog))
    label.setWordWrap(True)
    layout.addWidget(label)
    remote = QCheckBox("Also delete the jobs at Azure Quantum (their results there)", dialog)
    remote.setVisible(offer_remote)
    layout.addWidget(remote)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No, dialog
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return DeleteChoice(remote=offer_remote and remote.isChecked())
    finally:
        dialog.deleteLater()


def cost_total_text(totals: dict[str, CostTotal]) -> str:
    """'Cost of these jobs: $170.68; 11.20 eHQC (1 billed, 1 unknown)' (empty without costs)."""
    from desktop_app.core.azure.price_table import format_amount

    known = [t for t in totals.values() if t.jobs]
    parts = [format_amount(t.amount, t.unit) for t in sorted(known, key=lambda t: t.unit)]
    billed = sum(t.billed for t in totals.values())
    unknown = sum(t.unknown for t in totals.values())
    if not parts and not unknown:
        return ""
    notes = [f"{billed} billed" if billed else "", f"{unknown} unknown" if unknown else ""]
    note = ", ".join(n for n in notes if n)
    return f"Cost of these jobs: {'; '.join(parts) or '—'}" + (f" ({note})" if note else "")
