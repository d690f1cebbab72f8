"""The credentials dialog: manage Azure Quantum profiles offline, test one in the background.

Create / edit / duplicate / rename (edit the name, Save) / delete profiles; import and export
them (never with secrets). Non-secret fields go to core.profiles.ProfileStore, the secret to
core.secrets.SecretStore (the OS keyring, or this session only). Enter saves when the form is
valid, Esc closes. Every question goes through ui.messages (the tests' seam).
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Final

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.azure.credentials import ConnectionReport
from desktop_app.core.azure.endpoints import custom_endpoints
from desktop_app.core.azure.profile_fields import ProfileError
from desktop_app.core.azure.profiles import (
    Profile,
    ProfileFileError,
    ProfileStore,
)
from desktop_app.core.azure.secret_binding import SecretState
from desktop_app.core.azure.secrets import (
    SecretStore,
    SecretStoreError,
    StoredIn,
    default_secret_store,
)
from desktop_app.core.azure.status import format_queue_time
from desktop_app.ui import messages
from desktop_app.ui.credentials.form import ProfileForm
from desktop_app.ui.credentials.lab_note import LabNote
from desktop_app.ui.credentials.tester import ConnectionTester
from desktop_app.ui.credentials.transfer import (
    PROFILE_FILTER,
    export_with_questions,
    import_with_questions,
    imported_summary,
)
from desktop_app.ui.plain_text import plain, tooltip

log = logging.getLogger(__name__)

NEW_ITEM_TEXT: Final = "(new profile)"
_OK_STYLE: Final = "color:#1e6b2f;"
_FAIL_STYLE: Final = "color:#b3261e;"


def _forget_cached_credentials() -> None:
    """A saved or deleted profile must not keep signing in with its old secret."""
    from desktop_app.core.azure.session import forget_credentials

    forget_credentials()


class CredentialsDialog(QDialog):
    """`profilesChanged()` after anything is saved, renamed, deleted or imported."""

    profilesChanged = Signal()

    def __init__(
        self,
        store: ProfileStore | None = None,
        secrets: SecretStore | None = None,
        parent: QWidget | None = None,
        select: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("credentialsDialog")
        self.setWindowTitle("Azure Quantum credentials")
        self.secrets = secrets if secrets is not None else default_secret_store()
        self.store = store if store is not None else ProfileStore(secrets=self.secrets)
        if self.store.secrets is None:
            self.store.secrets = self.secrets  # delete/rename must take the secret along
        self._editing: str | None = None  # the saved name of the profile in the form
        self._dirty = False
        self.tester = ConnectionTester(self)
        self._build()
        self._connect()
        self.form.set_keyring_status(self.secrets.status)
        self._reload_list(select)
        self.resize(900, 620)

    # ---------------------------------------------------------------- construction
    def _button(self, text: str, name: str, tip: str = "") -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)  # Enter is Save, nothing else
        if tip:
            button.setToolTip(tip)
        return button

    def _build(self) -> None:
        self.profile_list = QListWidget(self)
        self.profile_list.setObjectName("profileList")
        self.profile_list.setAccessibleName("Profiles")
        self.new_button = self._button("&New", "newProfileButton")
        self.duplicate_button = self._button(
            "D&uplicate", "duplicateProfileButton", "A copy under a new name (without the secret)"
        )
        self.rename_button = self._button(
            "Rena&me", "renameProfileButton", "Edit the name, then Save"
        )
        self.delete_button = self._button(
            "&Delete", "deleteProfileButton", "Delete the profile and its stored secret"
        )
        self.import_button = self._button("&Import…", "importProfilesButton")
        self.export_button = self._button(
            "E&xport…", "exportProfilesButton", "Export every profile (secrets are never exported)"
        )
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Profiles</b>", left))
        left_layout.addWidget(self.profile_list, 1)
        left_layout.addWidget(LabNote(left))  # the lab's profile: shown, not editable
        for pair in (
            (self.new_button, self.duplicate_button),
            (self.rename_button, self.delete_button),
            (self.import_button, self.export_button),
        ):
            row = QHBoxLayout()
            for button in pair:
                row.addWidget(button)
            left_layout.addLayout(row)

        self.form = ProfileForm(self)
        self.test_button = self._button(
            "&Test connection", "testConnectionButton", "Sign in and list the workspace's targets"
        )
        self.test_busy = QProgressBar(self)
        self.test_busy.setObjectName("testBusy")
        self.test_busy.setRange(0, 0)
        self.test_busy.setMaximumWidth(120)
        self.test_busy.hide()
        self.cancel_test_button = self._button("Cancel test", "cancelTestButton")
        self.cancel_test_button.hide()
        self.test_result = plain(QLabel(self))
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_targets = QListWidget(self)
        self.test_targets.setObjectName("testTargets")
        self.test_targets.setAccessibleName("Targets of the workspace")
        self.test_targets.setMaximumHeight(130)
        self.test_targets.hide()
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_busy)
        test_row.addWidget(self.cancel_test_button)
        test_row.addStretch(1)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.form)
        right_layout.addLayout(test_row)
        right_layout.addWidget(self.test_result)
        right_layout.addWidget(self.test_targets)
        right_layout.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)

        self.status_label = plain(QLabel(self))
        self.status_label.setObjectName("dialogStatus")
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

    def _connect(self) -> None:
        self.profile_list.currentItemChanged.connect(self._on_profileList_currentItemChanged)
        self.new_button.clicked.connect(self._on_newButton_clicked)
        self.duplicate_button.clicked.connect(self._on_duplicateButton_clicked)
        self.rename_button.clicked.connect(self._on_renameButton_clicked)
        self.delete_button.clicked.connect(self._on_deleteButton_clicked)
        self.import_button.clicked.connect(self._on_importButton_clicked)
        self.export_button.clicked.connect(self._on_exportButton_clicked)
        self.save_button.clicked.connect(self._on_saveButton_clicked)
        self.close_button.clicked.connect(self.reject)
        self.test_button.clicked.connect(self._on_testButton_clicked)
        self.cancel_test_button.clicked.connect(self.tester.cancel)
        self.form.edited.connect(self._on_form_edited)
        self.form.validityChanged.connect(self._on_form_validityChanged)
        self.tester.busyChanged.connect(self._on_tester_busyChanged)
        self.tester.reportReady.connect(self._on_tester_reportReady)
        self.tester.failed.connect(self._on_tester_failed)
        self.tester.cancelled.connect(self._on_tester_cancelled)

    # ---------------------------------------------------------------- list and form
    @property
    def editing(self) -> str | None:
        """The saved name of the profile being edited (None: a new, unsaved profile)."""
        return self._editing

    def _profiles(self) -> list[Profile]:
        try:
            profiles = self.store.profiles()
        except ProfileFileError as exc:  # moved aside by the store: say so, go on empty
            messages.show_error(self, "Profiles file", str(exc))
            return []
        if self.store.read_only:  # a newer version's file: usable, never rewritten
            self._say(self.store.read_only)
        return profiles

    def _reload_list(self, select: str | None = None) -> None:
        """Refill the list and show `select` (or the first profile, or a new one)."""
        profiles = self._profiles()
        names = [p.name for p in profiles]
        with QSignalBlocker(self.profile_list):
            self.profile_list.clear()
            self.profile_list.addItems(names)
            for row, profile in enumerate(profiles):
                if custom_endpoints(profile):  # marked: its hosts are outside the Azure clouds
                    item = self.profile_list.item(row)
                    item.setToolTip(
                        tooltip(
                            "custom endpoints: "
                            + ", ".join(c.url for c in custom_endpoints(profile))
                        )
                    )
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
        target = select if select in names else (names[0] if names else None)
        if target is None:
            self._show_new()
            return
        item = self.profile_list.findItems(target, Qt.MatchFlag.MatchExactly)[0]
        with QSignalBlocker(self.profile_list):
            self.profile_list.setCurrentItem(item)
        self._show_profile(target)

    def _secret_state(self, profile: Profile) -> str:
        state = self.secrets.state(profile)
        if state is SecretState.MISSING:
            return "none"
        if state is SecretState.OTHER_IDENTITY:
            return "other"
        return "keyring" if self.secrets.persistent else "session"

    def _show_profile(self, name: str) -> None:
        try:
            profile = self.store.get(name)
        except (ProfileError, ProfileFileError) as exc:
            messages.show_error(self, "Profile", str(exc))
            return
        self.tester.cancel()
        self._editing = profile.name
        state = self._secret_state(profile)
        self.form.load(profile, state)
        self._set_dirty(False)
        self._clear_test_result()
        self._update_buttons()
        if state == "other":
            self._say(
                f"Profile '{profile.name}': its sign-in changed since the secret was typed; "
                "type the secret again, then Save."
            )

    def _show_new(self) -> None:
        self.tester.cancel()
        self._editing = None
        with QSignalBlocker(self.profile_list):
            self.profile_list.setCurrentRow(-1)
            self.profile_list.clearSelection()
        self.form.load(None)
        self._set_dirty(False)
        self._clear_test_result()
        self._update_buttons()

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        title = "Azure Quantum credentials"
        self.setWindowTitle(f"{title} *" if dirty else title)

    def _confirm_discard(self) -> bool:
        if not self._dirty:
            return True
        what = f"profile '{self._editing}'" if self._editing else "the new profile"
        return messages.ask(self, "Unsaved changes", f"Discard the changes to {what}?")

    def _update_buttons(self) -> None:
        has_saved = self._editing is not None
        for button in (self.duplicate_button, self.rename_button, self.delete_button):
            button.setEnabled(has_saved)
        self.export_button.setEnabled(self.profile_list.count() > 0)
        valid = self.form.is_valid()
        self.save_button.setEnabled(valid)
        self.test_button.setEnabled(valid and not self.tester.busy)

    def _say(self, text: str) -> None:
        self.status_label.setText(text)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_profileList_currentItemChanged(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        if not self._confirm_discard():
            with QSignalBlocker(self.profile_list):
                if previous is not None:
                    self.profile_list.setCurrentItem(previous)
                else:
                    self.profile_list.setCurrentRow(-1)
            return
        self._show_profile(current.text())

    @Slot()
    def _on_form_edited(self) -> None:
        self._set_dirty(True)
        self._update_buttons()

    @Slot(bool)
    def _on_form_validityChanged(self, _valid: bool) -> None:
        self._update_buttons()

    # ---------------------------------------------------------------- actions
    @Slot()
    def _on_newButton_clicked(self) -> None:
        if self._confirm_discard():
            self._show_new()
            self.form.focus_name()
            self._say("New profile: fill in the fields, then Save.")

    def _free_name(self, base: str) -> str:
        taken = {n.casefold() for n in self.store.names()}
        candidate, counter = f"{base} (copy)", 2
        while candidate.casefold() in taken:
            candidate, counter = f"{base} (copy {counter})", counter + 1
        return candidate

    @Slot()
    def _on_duplicateButton_clicked(self) -> None:
        if self._editing is None or not self._confirm_discard():
            return
        try:
            copy = self.store.duplicate(self._editing, self._free_name(self._editing))
        except (ProfileError, ProfileFileError) as exc:
            messages.show_error(self, "Duplicate profile", str(exc))
            return
        self._reload_list(copy.name)
        self.profilesChanged.emit()
        self.form.focus_name()
        note = " The secret was not copied: type it, then Save." if copy.needs_secret else ""
        self._say(f"Duplicated as '{copy.name}'.{note}")

    @Slot()
    def _on_renameButton_clicked(self) -> None:
        if self._editing is None:
            return
        self.form.focus_name()
        self._say("Type the new name, then Save (the stored secret moves with the profile).")

    @Slot()
    def _on_deleteButton_clicked(self) -> None:
        name = self._editing
        if name is None:
            return
        if not messages.ask(
            self,
            "Delete profile",
            f"Delete profile '{name}' and its stored client secret? This cannot be undone.",
        ):
            return
        try:
            self.store.delete(name)
        except (ProfileError, ProfileFileError, SecretStoreError) as exc:
            messages.show_error(self, "Delete profile", str(exc))
            return
        _forget_cached_credentials()
        self._set_dirty(False)
        self._reload_list()
        self.profilesChanged.emit()
        self._say(f"Deleted profile '{name}' and its secret.")

    @Slot()
    def _on_importButton_clicked(self) -> None:
        if not self._confirm_discard():
            return
        path = messages.ask_open_path(self, "Import profiles", str(Path.home()), PROFILE_FILTER)
        if not path:
            return
        before = {n.casefold() for n in self.store.names()}
        imported = import_with_questions(self, self.store, Path(path))
        if imported is None:
            return
        _forget_cached_credentials()
        self._reload_list(imported[0].name if imported else None)
        self.profilesChanged.emit()
        self._say(imported_summary(imported, path, before, self.secrets))

    @Slot()
    def _on_exportButton_clicked(self) -> None:
        said = export_with_questions(self, self.store)
        if said is not None:
            self._say(said)

    def save(self) -> bool:
        """Save the form (create, or update/rename); True when saved."""
        if not self.form.is_valid():
            self.form.show_all_errors()
            self._say("Fix the fields marked in red, then Save.")
            return False
        try:
            profile = self.form.profile()
            allow = self.form.custom_endpoints_confirmed()
            if self._editing is None:
                saved = self.store.create(profile, allow_custom_endpoints=allow)
            else:
                saved = self.store.update(self._editing, profile, allow_custom_endpoints=allow)
        except ProfileError as exc:
            self.form.set_error(exc.field or "name", exc.message)
            self._update_buttons()
            return False
        except (ProfileFileError, SecretStoreError) as exc:
            messages.show_error(self, "Save profile", str(exc))
            return False
        note = self._store_secret(saved)
        _forget_cached_credentials()
        self._set_dirty(False)
        self._reload_list(saved.name)
        self.form.set_keyring_status(self.secrets.status)
        self.profilesChanged.emit()
        self._say(f"Saved profile '{saved.name}'.{note}")
        return True

    def _store_secret(self, saved: Profile) -> str:
        """Keep a typed secret (or drop one an Azure sign-in profile no longer needs)."""
        if not saved.needs_secret:
            try:
                self.secrets.delete(saved.name)
            except SecretStoreError as exc:
                messages.show_error(self, "Save profile", str(exc))
            return ""
        secret = self.form.secret()
        if not secret:
            return ""
        try:
            where = self.secrets.set(saved, secret)
        except SecretStoreError as exc:
            messages.show_error(self, "Save profile", str(exc))
            return " The secret was not kept."
        if where is StoredIn.KEYRING:
            return " The secret is in the system keyring."
        return " The secret is kept for this session only."

    @Slot()
    def _on_saveButton_clicked(self) -> None:
        self.save()

    # ---------------------------------------------------------------- test connection
    def _clear_test_result(self) -> None:
        self.test_result.clear()
        self.test_targets.clear()
        self.test_targets.hide()

    @Slot()
    def _on_testButton_clicked(self) -> None:
        try:
            profile = self.form.profile()
        except ProfileError as exc:
            self.form.set_error(exc.field or "name", exc.message)
            return
        typed = self.form.secret()
        saved_name = self._editing
        secrets = self.secrets

        def secret_of(tested: Profile) -> str | None:  # runs on the worker thread
            if typed:
                return typed
            # the stored secret of the saved profile, only for the identity in the form
            # (SecretIdentityChangedError otherwise: the report says to type it again)
            return secrets.get(dataclasses.replace(tested, name=saved_name)) if saved_name else None

        self._clear_test_result()
        self.test_result.setStyleSheet("")
        self.test_result.setText("Signing in and listing the workspace's targets…")
        self.tester.start(profile, secret_of)

    @Slot(bool)
    def _on_tester_busyChanged(self, busy: bool) -> None:
        self.test_busy.setVisible(busy)
        self.cancel_test_button.setVisible(busy)
        self._update_buttons()

    @Slot(object)
    def _on_tester_reportReady(self, report: object) -> None:
        if not isinstance(report, ConnectionReport):
            return
        self.test_result.setStyleSheet(_OK_STYLE if report.ok else _FAIL_STYLE)
        self.test_result.setText(report.message)
        for target in report.targets:
            availability = target.availability or "availability unknown"
            queue = format_queue_time(target.average_queue_time)
            self.test_targets.addItem(f"{target.name} — {availability} — queue {queue}")
        self.test_targets.setVisible(bool(report.targets))

    @Slot(str)
    def _on_tester_failed(self, message: str) -> None:
        self.test_result.setStyleSheet(_FAIL_STYLE)
        self.test_result.setText(message)

    @Slot()
    def _on_tester_cancelled(self) -> None:
        self.test_result.setStyleSheet("")
        self.test_result.setText("Connection test cancelled.")

    # ---------------------------------------------------------------- closing
    def reject(self) -> None:
        """Esc / Close: ask about unsaved changes, stop a running test."""
        if not self._confirm_discard():
            return
        self.tester.cancel()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._confirm_discard():
            event.ignore()
            return
        self.tester.cancel()
        self._dirty = False  # reject() (called by QDialog's close) must not ask again
        super().closeEvent(event)
