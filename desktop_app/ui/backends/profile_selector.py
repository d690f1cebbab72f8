"""The strip above the backend summary: which Azure profile, its status line, Refresh, Credentials.

Plain widget: it shows what it is told and says what the user asked for (signals); the window's
AzureSummary does the work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QSignalBlocker, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.plain_text import plain

if TYPE_CHECKING:  # the profiles module is not needed before the first paint
    from desktop_app.core.azure.profiles import Profile

NO_PROFILE_TEXT: Final = "(none: local only)"
_NOTE_STYLE: Final = "color:#663c00;"


def profile_label(profile: Profile) -> str:
    from desktop_app.core.azure.profiles import AZURE_SIGN_IN

    kind = "Azure sign-in" if profile.auth_kind == AZURE_SIGN_IN else "own credentials"
    return f"{profile.name} ({kind})"


class ProfileSelector(QWidget):
    profileChanged = Signal(object)  # the selected profile's name, or None
    refreshRequested = Signal()
    credentialsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileSelectorBar")
        self._profiles: list[Profile] = []
        self.lab_name: str | None = None  # the lab's profile (core.azure.lab), if installed
        self.combo = QComboBox(self)
        self.combo.setObjectName("profileSelector")
        self.combo.setAccessibleName("Azure profile")
        self.combo.setToolTip("The Azure Quantum profile whose workspace the summary shows")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.refresh_button = QPushButton(self)  # the text set apart: see ui.backends.pane
        self.refresh_button.setText("Refresh")
        self.refresh_button.setObjectName("refreshStatusButton")
        self.refresh_button.setToolTip("Read availability and queue times again (F5)")
        self.credentials_button = QPushButton(self)
        self.credentials_button.setText("Credentials…")
        self.credentials_button.setObjectName("credentialsButton")
        self.busy = QProgressBar(self)
        self.busy.setObjectName("statusBusy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(60)
        self.busy.hide()
        self.status = plain(QLabel(self))  # names the profile
        self.status.setObjectName("backendStatusLine")
        self.status.setWordWrap(True)
        self.note = plain(QLabel(self))
        self.note.setObjectName("keyringNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(_NOTE_STYLE)
        self.note.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Azure &profile:", self)
        label.setBuddy(self.combo)
        row.addWidget(label)
        row.addWidget(self.combo)
        row.addWidget(self.refresh_button)
        row.addWidget(self.credentials_button)
        row.addWidget(self.busy)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.note)
        self.combo.currentIndexChanged.connect(self._on_combo_currentIndexChanged)
        self.refresh_button.clicked.connect(self.refreshRequested)
        self.credentials_button.clicked.connect(self.credentialsRequested)
        self.set_profiles([])

    def set_profiles(self, profiles: list[Profile], select: str | None = None) -> None:
        """Fill the list; keeps the selection when possible. Emits profileChanged if it moved."""
        before = self.current()
        self._profiles = list(profiles)
        names = [p.name for p in self._profiles]
        wanted = select if select in names else (before if before in names else None)
        if wanted is None and names:  # the lab's profile is every user's default
            wanted = self.lab_name if self.lab_name in names else names[0]
        with QSignalBlocker(self.combo):
            self.combo.clear()
            self.combo.addItem(NO_PROFILE_TEXT, None)
            for profile in self._profiles:
                label = profile_label(profile)
                if profile.name == self.lab_name:
                    label = f"{profile.name} (the lab's profile, your own sign-in)"
                self.combo.addItem(label, profile.name)
            self.combo.setCurrentIndex(max(0, self.combo.findData(wanted)) if wanted else 0)
        self.refresh_button.setEnabled(self.current() is not None)
        if self.current() != before:
            self.profileChanged.emit(self.current())

    def profiles(self) -> list[Profile]:
        return list(self._profiles)

    def current(self) -> str | None:
        data = self.combo.currentData()
        return str(data) if data else None

    def select(self, name: str | None) -> None:
        index = self.combo.findData(name) if name else 0
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)

    def set_note(self, text: str) -> None:
        """A plain-words note under the status (e.g. no usable keyring)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    @Slot(int)
    def _on_combo_currentIndexChanged(self, _index: int) -> None:
        self.refresh_button.setEnabled(self.current() is not None)
        self.profileChanged.emit(self.current())
