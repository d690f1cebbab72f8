"""The lab's profile in the credentials dialog: shown, never editable (an administrator installed
it for every user of the machine; `quantum-desk lab show` prints the same), with the role a
student needs on the workspace and whom to ask."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.core.azure.credentials import LEAST_PRIVILEGE_ROLE
from desktop_app.core.azure.lab import LabFileError, load_lab
from desktop_app.ui.plain_text import plain


def lab_text() -> str:
    """What the note says: the lab's profile and where it came from, or why it is not used."""
    try:
        found = load_lab()
    except LabFileError as exc:
        return f"{exc} The lab's profile is not used until the file is fixed."
    if found is None:
        return ""
    p = found.profile
    targets = ", ".join(found.allowed_targets) or "every target of the workspace"
    contact = f" {found.contact}" if found.contact else ""
    return (
        f"Lab profile '{p.name}' (read-only, set up by your lab in {found.source}): workspace "
        f"{p.workspace_name}, you sign in with your own account ({p.sign_in}); targets: "
        f"{targets}. Your account needs the '{LEAST_PRIVILEGE_ROLE}' role on the workspace; "
        f"an administrator needs Owner or User Access Administrator to grant it.{contact} A "
        "profile of your own with the same name is used instead."
    )


class LabNote(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        plain(self)
        self.setObjectName("labProfileNote")
        self.setWordWrap(True)
        self.setText(lab_text())
        self.setVisible(bool(self.text()))
