"""Who is signed in to the selected Azure sign-in profile, with Sign in / Sign out, and whether the
profile is the lab's (installed by an administrator, read-only here).

Signing in runs core.azure.sign_in on a LONG-lane task (a browser sign-in waits up to 5 minutes);
a device code is shown here, handed over by a queued signal from that task's thread.
"""

from __future__ import annotations

import logging
from typing import Final

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_app.core.azure.lab import LabProfile
from desktop_app.core.azure.profiles import AZURE_SIGN_IN, Profile
from desktop_app.ui.plain_text import plain
from desktop_app.ui.tasks import Lane, run_task

log = logging.getLogger(__name__)

ROLE_NOTE: Final = "Students need the 'Quantum Workspace Data Contributor' role on the workspace."


def _explain(exc: object, profile: Profile) -> str:
    from desktop_app.core.azure.credentials import explain_error
    from desktop_app.core.errors import QuantumDeskError

    if isinstance(exc, QuantumDeskError):
        return str(exc)
    if isinstance(exc, BaseException):
        return explain_error(exc, profile).message
    return "The sign-in did not finish."


class SignInBar(QWidget):
    codeShown = Signal(str, str)  # verification URL, user code (from the sign-in task's thread)
    signedIn = Signal(str)  # the profile's name, after a sign-in or sign-out changed it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInBar")
        self.profile: Profile | None = None
        self.lab: LabProfile | None = None
        self.user: str | None = None
        self.lab_label = plain(QLabel(self))
        self.lab_label.setObjectName("labProfileNote")
        self.lab_label.setWordWrap(True)
        self.who = plain(QLabel(self))
        self.who.setObjectName("signedInAs")
        self.who.setWordWrap(True)
        self.sign_in_button = QPushButton("Sign in…", self)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_out_button = QPushButton("Sign out", self)
        self.sign_out_button.setObjectName("signOutButton")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.lab_label, 1)
        row.addWidget(self.who, 2)
        row.addWidget(self.sign_in_button)
        row.addWidget(self.sign_out_button)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.sign_out_button.clicked.connect(self.sign_out)
        self.codeShown.connect(self._on_self_codeShown)
        self._busy = False
        self._cache_note = ""
        self.hide()

    def set_profile(self, profile: Profile | None, lab: LabProfile | None) -> None:
        """Show the bar for an Azure sign-in profile with a sign-in method; hidden otherwise."""
        self.profile, self.lab = profile, lab
        wanted = (
            profile is not None and profile.auth_kind == AZURE_SIGN_IN and bool(profile.sign_in)
        )
        self.setVisible(wanted)
        if lab is not None:
            self.lab_label.setText(f"Lab profile '{lab.name}' (set up by the lab: {lab.source})")
        self.lab_label.setVisible(lab is not None)
        if not wanted or profile is None:
            return
        self._show(None, "Checking who is signed in…")
        run_task(lambda p=profile: self._state(p), on_finished=self._on_state_finished)

    @staticmethod
    def _state(profile: Profile) -> tuple[Profile, str | None, str]:
        from desktop_app.core.azure import sign_in

        return profile, sign_in.signed_in_as(profile), sign_in.cache_store().message

    @Slot(object)
    def _on_state_finished(self, state: object) -> None:
        if not isinstance(state, tuple) or state[0] != self.profile:
            return  # another profile was selected meanwhile
        self._cache_note = str(state[2])
        self._show(state[1])

    def _show(self, user: str | None, note: str | None = None) -> None:
        """`note` None: the cache note (no encrypted store: signed in for this session only)."""
        self.user = user
        note = self._cache_note if note is None else note
        text = f"Signed in as {user}." if user else "Not signed in."
        self.who.setText(" ".join(t for t in (text, note) if t))
        self.who.setToolTip(ROLE_NOTE)
        self.sign_in_button.setVisible(not user)
        self.sign_out_button.setVisible(bool(user))
        self.sign_in_button.setEnabled(not self._busy)

    @Slot()
    def sign_in(self) -> None:
        profile = self.profile
        if profile is None or self._busy:
            return
        from desktop_app.core.azure import sign_in

        self._busy = True
        self._show(None, "Signing in: finish in the browser that opened…")

        def call() -> str:
            return sign_in.sign_in(profile, lambda url, code, _exp: self.codeShown.emit(url, code))

        run_task(
            call,
            lane=Lane.LONG,
            on_finished=self._on_sign_in_finished,
            on_failed=self._on_sign_in_failed,
        )

    @Slot(str, str)
    def _on_self_codeShown(self, url: str, code: str) -> None:
        self.who.setText(f"To sign in, open {url} on any device and enter the code {code}.")
        self.who.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    @Slot(object)
    def _on_sign_in_finished(self, user: object) -> None:
        self._busy = False
        self._forget()
        self._show(str(user))
        if self.profile is not None:
            self.signedIn.emit(self.profile.name)

    @Slot(object)
    def _on_sign_in_failed(self, exc: object) -> None:
        self._busy = False
        log.info("sign-in failed: %s", type(exc).__name__)
        self._show(None, _explain(exc, self.profile) if self.profile else None)

    @Slot()
    def sign_out(self) -> None:
        profile = self.profile
        if profile is None:
            return
        from desktop_app.core.azure import sign_in

        run_task(lambda: sign_in.sign_out(profile), on_finished=self._on_sign_out_finished)

    @Slot(object)
    def _on_sign_out_finished(self, _result: object) -> None:
        self._forget()
        self._show(None)
        if self.profile is not None:
            self.signedIn.emit(self.profile.name)

    def _forget(self) -> None:
        from desktop_app.core.azure.session import forget_credentials

        forget_credentials(self.profile)
