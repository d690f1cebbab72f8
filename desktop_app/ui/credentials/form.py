"""The fields of one Azure Quantum profile, validated as typed, each with its error beside it.

The rules are core.profiles' validators; this widget only shows them. A pasted workspace resource
ID or portal URL (in the resource-ID field or any of its three part fields) fills subscription,
resource group and workspace. The client secret is masked and never shown back: for a saved
profile the field is empty with a placeholder saying where the secret is, and empty means keep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.azure import endpoints, profile_fields, profiles
from desktop_app.core.azure.profile_fields import (
    AZURE_REGIONS,
    ProfileError,
    ResourceIdParts,
    parse_resource_id,
)
from desktop_app.core.azure.profiles import SERVICE_PRINCIPAL, Profile
from desktop_app.core.azure.secret_binding import SecretIdentity, canonical_authority
from desktop_app.core.azure.secrets import KeyringStatus
from desktop_app.ui.credentials.texts import (
    AUTH_LABELS,
    CUSTOM_CONFIRM_TEXT,
    CUSTOM_NOT_CONFIRMED,
    SECRET_IDENTITY_EDITED,
    SECRET_IN_KEYRING,
    SECRET_IN_SESSION,
    SECRET_MISSING,
    SECRET_NO_KEYRING,
    SECRET_NOT_STORED,
    SECRET_OTHER_IDENTITY,
    SECRET_REQUIRED,
)
from desktop_app.ui.plain_text import plain

log = logging.getLogger(__name__)

_ERROR_STYLE: Final = "color:#b3261e;"
_HINT_STYLE: Final = "color:#663c00;"
_BANNER_STYLE: Final = "background:#fff4e5; color:#663c00; border:1px solid #ffd8a8; padding:6px;"

# Part fields of the resource ID, in order, with their validators.
_PARTS: Final = ("subscription", "resource_group", "workspace")


class ProfileForm(QWidget):
    """`edited()` on any user change; `validityChanged(bool)` when is_valid() flips."""

    edited = Signal()
    validityChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileForm")
        self._new = True
        self._secret_state = "none"  # "keyring" | "session" | "none" | "other"
        self._loaded: Profile | None = None  # the saved profile shown (None: a new one)
        # the custom endpoints the tick was given for (None: adopt the next ones, on load)
        self._custom_seen: tuple[tuple[str, str], ...] | None = None
        self._keyring_usable = True
        self._touched: set[str] = set()
        self._external: dict[str, str] = {}  # errors from saving (e.g. a name already taken)
        self._valid = False
        self.error_labels: dict[str, QLabel] = {}
        self._build()
        self._update_auth_rows()
        self._revalidate()

    # ---------------------------------------------------------------- construction
    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        return edit

    def _with_error(self, key: str, field: QWidget) -> QWidget:
        """The field with its error label below it (the label is empty while the field is fine)."""
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(field)
        label = plain(QLabel(box))  # messages quote what was typed
        label.setObjectName(f"{key}Error")
        label.setStyleSheet(_ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        layout.addWidget(label)
        self.error_labels[key] = label
        return box

    def _build(self) -> None:
        self.name_input = self._line("nameInput", "e.g. my-lab-workspace")
        self.resource_id_input = self._line(
            "resourceIdInput", "Paste the workspace's resource ID or its portal URL"
        )
        self.resource_id_input.setToolTip(
            "The workspace's Overview page in the Azure portal shows it as 'Resource ID'; "
            "pasting the page's URL works too."
        )
        self.subscription_input = self._line("subscriptionInput", "subscription GUID")
        self.resource_group_input = self._line("resourceGroupInput", "resource group name")
        self.workspace_input = self._line("workspaceInput", "workspace name")
        self.location_input = QComboBox(self)
        self.location_input.setObjectName("locationInput")
        self.location_input.setEditable(True)
        self.location_input.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.location_input.addItems(sorted(AZURE_REGIONS))
        completer = QCompleter(sorted(AZURE_REGIONS), self.location_input)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.location_input.setCompleter(completer)
        self.location_input.setCurrentIndex(-1)
        location_edit = self.location_input.lineEdit()
        if location_edit is not None:
            location_edit.setPlaceholderText("Azure region, e.g. eastus")
        self.auth_kind_input = QComboBox(self)
        self.auth_kind_input.setObjectName("authKindInput")
        for kind, label in AUTH_LABELS.items():
            self.auth_kind_input.addItem(label, kind)
        self.tenant_input = self._line("tenantIdInput", "directory (tenant) GUID")
        self.client_input = self._line("clientIdInput", "application (client) GUID")
        self.secret_input = self._line("secretInput", SECRET_MISSING)
        self.secret_input.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_input.setClearButtonEnabled(False)
        self.secret_input.setAccessibleName("Client secret")
        self.keyring_banner = plain(QLabel(self))
        self.keyring_banner.setObjectName("keyringStatus")
        self.keyring_banner.setWordWrap(True)
        self.keyring_banner.setStyleSheet(_BANNER_STYLE)
        self.keyring_banner.hide()
        self.session_only_check = QCheckBox(
            "Keep the secret for this session only (forgotten when Quantum Desk closes; "
            "nothing is written to disk)",
            self,
        )
        self.session_only_check.setObjectName("sessionOnlyCheck")
        self.session_only_check.hide()
        self.authority_input = self._line(
            "authorityInput", "https://login.microsoftonline.com (default)"
        )
        self.arm_input = self._line("armEndpointInput", "https://management.azure.com (default)")
        self.custom_label = plain(QLabel(self))
        self.custom_label.setObjectName("customEndpointsLabel")
        self.custom_label.setWordWrap(True)
        self.custom_label.setStyleSheet(_BANNER_STYLE)
        self.custom_label.hide()
        self.custom_check = QCheckBox(CUSTOM_CONFIRM_TEXT, self)
        self.custom_check.setObjectName("customEndpointsCheck")
        self.custom_check.hide()
        self.budget_input = self._line("budgetInput", "none, or e.g. 200 USD or 40 HQC")
        self.budget_input.setToolTip(
            "Runs that would take this month's spending past it are refused (estimates and "
            "billed costs of this profile's jobs)."
        )

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Name:", self._with_error("name", self.name_input))
        form.addRow("&Resource ID:", self._with_error("resource_id", self.resource_id_input))
        form.addRow("Subscription:", self._with_error("subscription", self.subscription_input))
        form.addRow(
            "Resource group:", self._with_error("resource_group", self.resource_group_input)
        )
        form.addRow("Workspace:", self._with_error("workspace", self.workspace_input))
        form.addRow("&Location:", self._with_error("location", self.location_input))
        form.addRow("Sign in &with:", self._with_error("auth_kind", self.auth_kind_input))
        self.tenant_label = QLabel("&Tenant ID:", self)
        form.addRow(self.tenant_label, self._with_error("tenant_id", self.tenant_input))
        self.client_label = QLabel("&Client ID:", self)
        form.addRow(self.client_label, self._with_error("client_id", self.client_input))
        self.secret_label = QLabel("Client &secret:", self)
        self.secret_box = self._with_error("secret", self.secret_input)
        form.addRow(self.secret_label, self.secret_box)
        form.addRow(self.keyring_banner)
        form.addRow(self.session_only_check)
        form.addRow("Monthly &budget:", self._with_error("budget", self.budget_input))
        for buddy_label, buddy in (
            (self.tenant_label, self.tenant_input),
            (self.client_label, self.client_input),
            (self.secret_label, self.secret_input),
        ):
            buddy_label.setBuddy(buddy)

        self.advanced_toggle = QToolButton(self)
        self.advanced_toggle.setObjectName("advancedToggle")
        self.advanced_toggle.setText("Advanced (sovereign clouds)")
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setAutoRaise(True)
        self.advanced_section = QWidget(self)
        self.advanced_section.setObjectName("advancedSection")
        advanced = QFormLayout(self.advanced_section)
        advanced.setContentsMargins(0, 0, 0, 0)
        advanced.addRow("Authority host:", self._with_error("authority_host", self.authority_input))
        advanced.addRow("ARM endpoint:", self._with_error("arm_endpoint", self.arm_input))
        advanced.addRow(self.custom_check)
        self.advanced_section.setVisible(False)
        form.addRow(self.advanced_toggle)
        form.addRow(self.advanced_section)
        form.addRow(self.custom_label)  # outside the fold: always seen

        self.advanced_toggle.toggled.connect(self._on_advancedToggle_toggled)
        self.resource_id_input.textEdited.connect(self._on_resourceIdInput_textEdited)
        for key, edit in self._part_inputs().items():
            edit.textEdited.connect(lambda text, k=key: self._on_part_textEdited(k, text))
        for key, edit in (
            ("name", self.name_input),
            ("tenant_id", self.tenant_input),
            ("client_id", self.client_input),
            ("secret", self.secret_input),
            ("authority_host", self.authority_input),
            ("arm_endpoint", self.arm_input),
            ("budget", self.budget_input),
        ):
            edit.textEdited.connect(lambda _text, k=key: self._user_changed(k))
        self.location_input.editTextChanged.connect(self._on_locationInput_editTextChanged)
        self.auth_kind_input.currentIndexChanged.connect(self._on_authKindInput_changed)
        self.session_only_check.toggled.connect(self._on_sessionOnlyCheck_toggled)
        self.custom_check.toggled.connect(self._on_customCheck_toggled)

    def _part_inputs(self) -> dict[str, QLineEdit]:
        return {
            "subscription": self.subscription_input,
            "resource_group": self.resource_group_input,
            "workspace": self.workspace_input,
        }

    # ---------------------------------------------------------------- public API
    def load(self, profile: Profile | None, secret_state: str = "none") -> None:
        """Show `profile` (None: an empty new profile). `secret_state`:
        keyring/session/none/other (other: typed for another identity, not used)."""
        self._new = profile is None
        self._loaded = profile
        self._secret_state = secret_state if profile is not None else "none"
        self._external.clear()
        blockers = [QSignalBlocker(w) for w in self._all_inputs()]
        try:
            self.name_input.setText(profile.name if profile else "")
            self.resource_id_input.setText(profile.resource_id if profile else "")
            self.resource_id_input.setCursorPosition(0)  # show the start of a long ID
            self._fill_parts(parse_resource_id(profile.resource_id) if profile else None)
            if profile:
                self.location_input.setCurrentText(profile.location)
            else:
                self.location_input.setCurrentIndex(-1)
                self.location_input.clearEditText()
            kind = profile.auth_kind if profile else SERVICE_PRINCIPAL
            self.auth_kind_input.setCurrentIndex(self.auth_kind_input.findData(kind))
            self.tenant_input.setText(profile.tenant_id if profile else "")
            self.client_input.setText(profile.client_id if profile else "")
            self.secret_input.clear()  # never shown back
            self.authority_input.setText((profile.authority_host or "") if profile else "")
            self.arm_input.setText((profile.arm_endpoint or "") if profile else "")
            # a saved profile's endpoints were confirmed when they were entered
            self.custom_check.setChecked(bool(profile and endpoints.custom_endpoints(profile)))
            self._custom_seen = None
            self.budget_input.setText((profile.budget or "") if profile else "")
        finally:
            del blockers
        has_advanced = bool(profile and (profile.authority_host or profile.arm_endpoint))
        self.advanced_toggle.setChecked(has_advanced)
        self._touched = set(self._all_keys()) if profile else set()
        self._update_secret_placeholder()
        self._update_auth_rows()
        self._revalidate()

    def set_keyring_status(self, status: KeyringStatus) -> None:
        """Say in plain words when there is no usable keyring, and offer the session-only way."""
        self._keyring_usable = status.usable
        self.keyring_banner.setVisible(not status.usable and self._needs_secret())
        self.session_only_check.setVisible(not status.usable and self._needs_secret())
        if not status.usable:
            self.keyring_banner.setText(status.message)
        self._update_secret_enabled()
        self._revalidate()

    def fields(self) -> dict[str, str | None]:
        """The profile fields as typed (core.profiles.FIELDS)."""
        return {
            "name": self.name_input.text(),
            "resource_id": self.resource_id_input.text(),
            "location": self.location_input.currentText(),
            "auth_kind": self.auth_kind(),
            "tenant_id": self.tenant_input.text(),
            "client_id": self.client_input.text(),
            "authority_host": self.authority_input.text() or None,
            "arm_endpoint": self.arm_input.text() or None,
            "budget": self.budget_input.text().strip() or None,
        }

    def auth_kind(self) -> str:
        return str(self.auth_kind_input.currentData())

    def custom_endpoints_confirmed(self) -> bool:
        """The user ticked the confirmation of hosts outside the known Azure clouds."""
        return self.custom_check.isChecked()

    def _typed_custom(self) -> list[endpoints.CustomEndpoint]:
        values = self.fields()
        return [
            endpoints.CustomEndpoint(field, str(values[field]))
            for field in ("authority_host", "arm_endpoint")
            if not endpoints.is_known(field, values[field])
        ]

    def _unconfirmed_custom(self) -> list[endpoints.CustomEndpoint]:
        """Typed custom endpoints the saved profile did not have (those need the tick)."""
        loaded = self._loaded
        return [
            c
            for c in self._typed_custom()
            if loaded is None
            or (getattr(loaded, c.field) or "").strip().rstrip("/") != c.url.strip().rstrip("/")
        ]

    def identity_changed(self) -> bool:
        """The typed authority, tenant or client differ from the saved profile's."""
        if self._loaded is None:
            return False
        values = self.fields()
        typed = SecretIdentity(
            canonical_authority(values["authority_host"]),
            str(values["tenant_id"] or "").strip().lower(),
            str(values["client_id"] or "").strip().lower(),
        )
        return typed != SecretIdentity.of(self._loaded)

    def secret(self) -> str:
        """The secret as typed ("" means: keep the stored one). Never logged."""
        return self.secret_input.text() if self._can_store_secret() else ""

    def errors(self) -> dict[str, str]:
        """Every problem of the form (shown or not yet), field key -> plain message."""
        values = self.fields()
        problems = profiles.validate_fields(values)
        parts = {
            "subscription": profile_fields.validate_guid(
                self.subscription_input.text(), "The subscription ID"
            ),
            "resource_group": _or_none(
                self.resource_group_input.text(), profile_fields.validate_resource_group
            ),
            "workspace": _or_none(
                self.workspace_input.text(), profile_fields.validate_workspace_name
            ),
        }
        for key, message in parts.items():
            if message:
                problems[key] = message
        if not self.resource_id_input.text().strip() and any(parts.values()):
            # the parts' own messages say what is missing; one message per problem
            problems.pop("resource_id", None)
        if self._needs_secret() and self._secret_required() and not self.secret_input.text():
            problems["secret"] = SECRET_IDENTITY_EDITED if not self._new else SECRET_REQUIRED
        unconfirmed = self._unconfirmed_custom()
        if unconfirmed and not self.custom_check.isChecked():
            for custom in unconfirmed:
                problems.setdefault(custom.field, CUSTOM_NOT_CONFIRMED)
        problems.update(self._external)
        return problems

    def is_valid(self) -> bool:
        return not self.errors()

    def profile(self) -> Profile:
        """The typed profile, validated and normalized (raises ProfileError)."""
        values = {k: v for k, v in self.fields().items() if v is not None}
        return Profile.from_fields(values)

    def show_all_errors(self) -> None:
        self._touched = set(self._all_keys())
        self._revalidate()

    def set_error(self, key: str, message: str) -> None:
        """An error found on saving (e.g. the name is taken); cleared when the field changes."""
        key = key if key in self.error_labels else "name"
        self._external[key] = message
        self._touched.add(key)
        self._revalidate()

    def focus_name(self) -> None:
        self.name_input.setFocus()
        self.name_input.selectAll()

    # ---------------------------------------------------------------- behaviour
    def _all_inputs(self) -> list[QWidget]:
        return [
            self.name_input,
            self.resource_id_input,
            *self._part_inputs().values(),
            self.location_input,
            self.auth_kind_input,
            self.tenant_input,
            self.client_input,
            self.secret_input,
            self.authority_input,
            self.arm_input,
            self.custom_check,
            self.budget_input,
        ]

    def _all_keys(self) -> list[str]:
        return list(self.error_labels)

    def _needs_secret(self) -> bool:
        return self.auth_kind() == SERVICE_PRINCIPAL

    def _can_store_secret(self) -> bool:
        return self._keyring_usable or self.session_only_check.isChecked()

    def _secret_required(self) -> bool:
        """A new service-principal profile needs its secret, when it can be kept somewhere; so
        does a saved one whose sign-in identity is being changed."""
        return (self._new or self.identity_changed()) and self._can_store_secret()

    def _user_changed(self, key: str) -> None:
        self._touched.add(key)
        self._external.pop(key, None)
        self._revalidate()
        self.edited.emit()

    def _fill_parts(self, parts: ResourceIdParts | None) -> None:
        self.subscription_input.setText(parts.subscription_id if parts else "")
        self.resource_group_input.setText(parts.resource_group if parts else "")
        self.workspace_input.setText(parts.workspace_name if parts else "")

    def _accept_resource_id(self, text: str) -> bool:
        """Split a pasted resource ID / portal URL into the fields; False when it is not one."""
        try:
            parts = parse_resource_id(text)
        except ProfileError:
            return False
        blockers = [
            QSignalBlocker(w) for w in (self.resource_id_input, *self._part_inputs().values())
        ]
        try:
            self._fill_parts(parts)
            if self.resource_id_input.text() != parts.resource_id:
                self.resource_id_input.setText(parts.resource_id)
                self.resource_id_input.setCursorPosition(0)
        finally:
            del blockers
        self._touched.update(("resource_id", *_PARTS))
        return True

    @Slot(str)
    def _on_resourceIdInput_textEdited(self, text: str) -> None:
        self._accept_resource_id(text)
        self._user_changed("resource_id")

    def _on_part_textEdited(self, key: str, text: str) -> None:
        if "/subscriptions/" in text.lower() and self._accept_resource_id(text):
            self._user_changed("resource_id")
            return
        sub, group, workspace = (e.text().strip() for e in self._part_inputs().values())
        composed = ResourceIdParts(sub, group, workspace).resource_id
        with QSignalBlocker(self.resource_id_input):
            self.resource_id_input.setText(composed if (sub or group or workspace) else "")
        self._touched.add("resource_id")
        self._user_changed(key)

    @Slot(str)
    def _on_locationInput_editTextChanged(self, _text: str) -> None:
        if self.location_input.signalsBlocked():
            return
        self._user_changed("location")

    @Slot(int)
    def _on_authKindInput_changed(self, _index: int) -> None:
        self._update_auth_rows()
        self._user_changed("auth_kind")

    @Slot(bool)
    def _on_sessionOnlyCheck_toggled(self, _checked: bool) -> None:
        self._update_secret_enabled()
        self._user_changed("secret")

    @Slot(bool)
    def _on_customCheck_toggled(self, _checked: bool) -> None:
        self._user_changed("authority_host")

    @Slot(bool)
    def _on_advancedToggle_toggled(self, shown: bool) -> None:
        self.advanced_section.setVisible(shown)
        self.advanced_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )

    def _update_auth_rows(self) -> None:
        needs_secret = self._needs_secret()
        optional = "" if needs_secret else " (optional)"
        self.tenant_label.setText(f"&Tenant ID{optional}:")
        self.client_label.setText(f"&Client ID{optional}:")
        for widget in (self.secret_label, self.secret_box):
            widget.setVisible(needs_secret)
        self.keyring_banner.setVisible(needs_secret and not self._keyring_usable)
        self.session_only_check.setVisible(needs_secret and not self._keyring_usable)

    def _update_secret_enabled(self) -> None:
        enabled = self._can_store_secret()
        self.secret_input.setEnabled(enabled)
        if not enabled:
            self.secret_input.clear()

    def _update_secret_placeholder(self) -> None:
        self.secret_input.setPlaceholderText(
            {
                "keyring": SECRET_IN_KEYRING,
                "session": SECRET_IN_SESSION,
                "other": "type it again: the stored one was for another sign-in",
            }.get(self._secret_state, SECRET_MISSING)
        )

    def _hint_for_secret(self) -> str:
        """A note (not an error) beside the secret field."""
        if not self._needs_secret() or self.secret_input.text():
            return ""
        if not self._can_store_secret():
            return SECRET_NO_KEYRING
        if not self._new and self._secret_state == "none":
            return SECRET_NOT_STORED
        if not self._new and self._secret_state == "other":
            return SECRET_OTHER_IDENTITY
        return ""

    def _update_custom(self) -> None:
        """Mark hosts outside the known clouds as custom; offer the tick for new ones."""
        custom = self._typed_custom()
        seen = tuple((c.field, c.url.strip().rstrip("/")) for c in custom)
        if self._custom_seen is not None and seen != self._custom_seen:
            with QSignalBlocker(self.custom_check):  # a tick is for the hosts it was given for
                self.custom_check.setChecked(False)
        self._custom_seen = seen
        self.custom_label.setVisible(bool(custom))
        if custom:
            self.custom_label.setText(
                "Custom endpoints: " + "; ".join(f"{c.label} {c.url}" for c in custom)
            )
        self.custom_check.setVisible(bool(custom))

    def _revalidate(self) -> None:
        self._update_custom()
        problems = self.errors()
        for key, label in self.error_labels.items():
            message = problems.get(key, "") if key in self._touched else ""
            style = _ERROR_STYLE
            if key == "secret" and not message:
                message, style = self._hint_for_secret(), _HINT_STYLE
            if label.styleSheet() != style:
                label.setStyleSheet(style)
            label.setText(message)
            label.setVisible(bool(message))
        valid = not problems
        if valid != self._valid:
            self._valid = valid
            self.validityChanged.emit(valid)


def _or_none(value: str, validate: Callable[[str], str | None]) -> str | None:
    """Run a part validator, with 'required' for an empty value."""
    if not value.strip():
        return "Required (part of the resource ID)."
    return validate(value.strip())
