"""The credentials dialog, offline: validation as typed, paste of a resource ID, and the profile
life cycle (save / edit / rename / duplicate / delete / import / export) with the secret only in
the keyring (an in-memory keyring backend here; the real Secret Service is in tests/integration).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from desktop_app.core import paths
from desktop_app.core.azure.profiles import ProfileStore
from desktop_app.core.azure.secret_binding import decode
from desktop_app.core.azure.secrets import NO_KEYRING_MESSAGE, SERVICE_NAME, SecretStore
from desktop_app.ui import messages
from desktop_app.ui import tasks as background
from desktop_app.ui.credentials.dialog import CredentialsDialog
from desktop_app.ui.credentials.form import SECRET_IN_KEYRING, SECRET_IN_SESSION, SECRET_NOT_STORED
from tests.memory_keyring import MemoryKeyring

CANARY = "canary-Gq3!z-5d1f0a77"
SUB = "0f6c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "11111111-2222-3333-4444-555555555555"
RESOURCE_ID = (
    f"/subscriptions/{SUB}/resourceGroups/rg-quantum/providers/Microsoft.Quantum/Workspaces/ws-lab"
)
PORTAL_URL = (
    "https://portal.azure.com/#@contoso.onmicrosoft.com/resource/subscriptions/"
    f"{SUB.upper()}/resourceGroups/rg-quantum/providers/Microsoft.Quantum/Workspaces/ws-lab/overview"
)


class Answers:
    """The ui.messages seam: records questions, answers them as told."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.questions: list[str] = []
        self.errors: list[str] = []
        self.answer = True
        self.open_path: str | None = None
        self.save_path: str | None = None
        monkeypatch.setattr(messages, "ask", self._ask)
        monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: self.errors.append(text))
        monkeypatch.setattr(messages, "ask_open_path", lambda *_a: self.open_path)
        monkeypatch.setattr(messages, "ask_save_path", lambda *_a: self.save_path)

    def _ask(self, _parent: object, _title: str, question: str) -> bool:
        self.questions.append(question)
        return self.answer


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


@pytest.fixture
def memory() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def secrets(memory: MemoryKeyring) -> SecretStore:
    return SecretStore(backend=memory)


@pytest.fixture
def store(secrets: SecretStore) -> ProfileStore:
    return ProfileStore(secrets=secrets)


@pytest.fixture
def dialog(
    qtbot: QtBot, store: ProfileStore, secrets: SecretStore, answers: Answers
) -> Iterator[CredentialsDialog]:
    dlg = CredentialsDialog(store, secrets)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    yield dlg
    dlg.tester.cancel()
    assert background.wait_idle(30_000)


def error_of(dlg: CredentialsDialog, key: str) -> str:
    label = dlg.form.findChild(QLabel, f"{key}Error")
    assert label is not None, key
    return label.text() if label.isVisible() else ""


def type_into(qtbot: QtBot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def fill_valid(
    qtbot: QtBot, dlg: CredentialsDialog, name: str = "lab", secret: str | None = CANARY
) -> None:
    form = dlg.form
    type_into(qtbot, form.name_input, name)
    type_into(qtbot, form.resource_id_input, RESOURCE_ID)
    form.location_input.lineEdit().clear()
    type_into(qtbot, form.location_input.lineEdit(), "eastus")
    type_into(qtbot, form.tenant_input, TENANT)
    type_into(qtbot, form.client_input, CLIENT)
    if secret is not None:
        type_into(qtbot, form.secret_input, secret)


def kept(memory: MemoryKeyring) -> dict[str, str]:
    """Profile name -> secret of each keyring entry; each is bound to an identity."""
    out = {}
    for (service, name), value in memory.items.items():
        assert service == SERVICE_NAME
        identity, secret = decode(value)
        assert identity is not None, value
        out[name] = secret
    return out


def file_text() -> str:
    return (paths.config_dir() / "profiles.json").read_text(encoding="utf-8")


def assert_no_secret_on_disk(*roots: Path) -> None:
    for root in (paths.config_dir(), paths.data_dir(), paths.cache_dir(), *roots):
        for path in (p for p in root.rglob("*") if p.is_file()):
            assert CANARY.encode() not in path.read_bytes(), path


def save_new(qtbot: QtBot, dlg: CredentialsDialog, name: str = "lab") -> None:
    fill_valid(qtbot, dlg, name)
    assert dlg.save_button.isEnabled()
    qtbot.keyClick(dlg.form.name_input, Qt.Key.Key_Return)  # Enter = Save
    assert dlg.editing == name


# ---------------------------------------------------------------- validation as typed


def test_empty_new_form_shows_no_errors_but_cannot_be_saved(dialog: CredentialsDialog):
    assert all(not error_of(dialog, key) for key in dialog.form.error_labels)
    assert not dialog.save_button.isEnabled()
    assert not dialog.test_button.isEnabled()
    assert dialog.profile_list.count() == 0


def test_guid_validated_as_typed(qtbot: QtBot, dialog: CredentialsDialog):
    type_into(qtbot, dialog.form.tenant_input, "72f988bf-86f1")
    assert "must be a GUID" in error_of(dialog, "tenant_id")
    assert error_of(dialog, "client_id") == ""  # untouched fields stay quiet
    type_into(qtbot, dialog.form.tenant_input, "-41af-91ab-2d7cd011db47")
    assert error_of(dialog, "tenant_id") == ""
    type_into(qtbot, dialog.form.client_input, "not-a-guid")
    assert "The client (application) ID must be a GUID" in error_of(dialog, "client_id")


def test_region_validated_with_completion(qtbot: QtBot, dialog: CredentialsDialog):
    combo = dialog.form.location_input
    assert combo.isEditable() and combo.findText("westeurope") >= 0
    type_into(qtbot, combo.lineEdit(), "mars-north")
    assert "'mars-north' is not an Azure region name" in error_of(dialog, "location")
    completer = combo.completer()
    completer.setCompletionPrefix("europe")  # contains-match, case-insensitive
    found = {
        completer.completionModel().index(i, 0).data()
        for i in range(completer.completionModel().rowCount())
    }
    assert found == {"northeurope", "westeurope"}
    combo.lineEdit().clear()
    type_into(qtbot, combo.lineEdit(), "West Europe")  # the portal's display name is accepted
    assert error_of(dialog, "location") == ""


def test_bad_resource_id_and_parts_are_named(qtbot: QtBot, dialog: CredentialsDialog):
    type_into(qtbot, dialog.form.resource_id_input, "/subscriptions/123/oops")
    assert "Expected a workspace resource ID" in error_of(dialog, "resource_id")
    dialog.form.resource_id_input.clear()
    type_into(qtbot, dialog.form.subscription_input, SUB)
    type_into(qtbot, dialog.form.resource_group_input, "rg")
    type_into(qtbot, dialog.form.workspace_input, "-bad-")
    assert "cannot start or end with a hyphen" in error_of(dialog, "workspace")
    assert error_of(dialog, "subscription") == ""
    # the parts compose the resource ID as typed
    assert dialog.form.resource_id_input.text() == (
        f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Quantum/Workspaces/-bad-"
    )


@pytest.mark.parametrize("pasted", [RESOURCE_ID, PORTAL_URL])
def test_paste_of_resource_id_fills_the_parts(qtbot: QtBot, dialog: CredentialsDialog, pasted: str):
    QGuiApplication.clipboard().setText(pasted)
    dialog.form.resource_id_input.setFocus()
    qtbot.keySequence(dialog.form.resource_id_input, QKeySequence.StandardKey.Paste)
    form = dialog.form
    assert form.subscription_input.text() == SUB  # lower-cased from the URL
    assert form.resource_group_input.text() == "rg-quantum"
    assert form.workspace_input.text() == "ws-lab"
    assert form.resource_id_input.text() == RESOURCE_ID  # a URL becomes the canonical ID
    assert error_of(dialog, "resource_id") == ""


def test_paste_of_resource_id_into_a_part_field(qtbot: QtBot, dialog: CredentialsDialog):
    QGuiApplication.clipboard().setText(PORTAL_URL)
    dialog.form.workspace_input.setFocus()
    qtbot.keySequence(dialog.form.workspace_input, QKeySequence.StandardKey.Paste)
    assert dialog.form.workspace_input.text() == "ws-lab"
    assert dialog.form.resource_id_input.text() == RESOURCE_ID


def test_advanced_collapsed_by_default_and_validated(qtbot: QtBot, dialog: CredentialsDialog):
    form = dialog.form
    assert not form.advanced_section.isVisible()
    qtbot.mouseClick(form.advanced_toggle, Qt.MouseButton.LeftButton)
    assert form.advanced_section.isVisible()
    type_into(qtbot, form.authority_input, "http://login.example")
    assert "must start with https://" in error_of(dialog, "authority_host")


def test_enter_does_not_save_an_invalid_form(qtbot: QtBot, dialog: CredentialsDialog):
    fill_valid(qtbot, dialog)
    type_into(qtbot, dialog.form.client_input, "x")  # now invalid
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.form.client_input, Qt.Key.Key_Return)
    assert dialog.editing is None
    assert not (paths.config_dir() / "profiles.json").exists()


def test_sign_in_profile_needs_no_secret(
    qtbot: QtBot, dialog: CredentialsDialog, memory: MemoryKeyring
):
    form = dialog.form
    form.auth_kind_input.setCurrentIndex(form.auth_kind_input.findData("azure-sign-in"))
    assert not form.secret_input.isVisible()
    assert "(optional)" in form.tenant_label.text()
    type_into(qtbot, form.name_input, "lab-sign-in")
    type_into(qtbot, form.resource_id_input, RESOURCE_ID)
    type_into(qtbot, form.location_input.lineEdit(), "eastus")
    assert dialog.save_button.isEnabled()
    assert dialog.save()
    assert json.loads(file_text())["profiles"][0]["auth_kind"] == "azure-sign-in"
    assert memory.items == {}


# ---------------------------------------------------------------- life cycle


def test_save_keeps_the_secret_only_in_the_keyring(
    qtbot: QtBot, dialog: CredentialsDialog, memory: MemoryKeyring
):
    save_new(qtbot, dialog)
    assert kept(memory) == {"lab": CANARY}
    saved = json.loads(file_text())["profiles"]
    assert saved == [
        {
            "name": "lab",
            "resource_id": RESOURCE_ID,
            "location": "eastus",
            "auth_kind": "service-principal",
            "tenant_id": TENANT,
            "client_id": CLIENT,
        }
    ]
    assert_no_secret_on_disk()
    # never echoed back: the field is empty and says where the secret is
    assert dialog.form.secret_input.text() == ""
    assert dialog.form.secret_input.placeholderText() == SECRET_IN_KEYRING
    assert "The secret is in the system keyring" in dialog.status_label.text()
    assert [dialog.profile_list.item(i).text() for i in range(dialog.profile_list.count())] == [
        "lab"
    ]


def test_edit_with_empty_secret_keeps_it(
    qtbot: QtBot, dialog: CredentialsDialog, memory: MemoryKeyring
):
    save_new(qtbot, dialog)
    combo = dialog.form.location_input
    combo.lineEdit().selectAll()
    type_into(qtbot, combo.lineEdit(), "westus2")
    assert dialog.windowTitle().endswith("*")
    assert dialog.save()
    assert json.loads(file_text())["profiles"][0]["location"] == "westus2"
    assert kept(memory) == {"lab": CANARY}
    # a typed secret replaces it
    type_into(qtbot, dialog.form.secret_input, "new-secret-value")
    assert dialog.save()
    assert kept(memory) == {"lab": "new-secret-value"}


def test_rename_moves_the_secret(qtbot: QtBot, dialog: CredentialsDialog, memory: MemoryKeyring):
    save_new(qtbot, dialog)
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    assert dialog.form.name_input.hasFocus()
    qtbot.keyClicks(dialog.form.name_input, "physics-lab")  # replaces the selected name
    qtbot.keyClick(dialog.form.name_input, Qt.Key.Key_Return)
    assert dialog.editing == "physics-lab"
    assert [p["name"] for p in json.loads(file_text())["profiles"]] == ["physics-lab"]
    assert kept(memory) == {"physics-lab": CANARY}


def test_rename_to_a_taken_name_is_shown_beside_the_name(qtbot: QtBot, dialog: CredentialsDialog):
    save_new(qtbot, dialog, "one")
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    save_new(qtbot, dialog, "two")
    dialog.form.name_input.selectAll()
    type_into(qtbot, dialog.form.name_input, "ONE")
    assert not dialog.save()
    assert "already exists" in error_of(dialog, "name")
    assert not dialog.save_button.isEnabled()


def test_duplicate_copies_everything_but_the_secret(
    qtbot: QtBot, dialog: CredentialsDialog, memory: MemoryKeyring
):
    save_new(qtbot, dialog)
    qtbot.mouseClick(dialog.duplicate_button, Qt.MouseButton.LeftButton)
    assert dialog.editing == "lab (copy)"
    profiles = json.loads(file_text())["profiles"]
    assert [p["name"] for p in profiles] == ["lab", "lab (copy)"]
    assert profiles[0] | {"name": "x"} == profiles[1] | {"name": "x"}
    assert kept(memory) == {"lab": CANARY}
    assert error_of(dialog, "secret") == SECRET_NOT_STORED
    assert "secret was not copied" in dialog.status_label.text()


def test_delete_asks_and_removes_the_secret(
    qtbot: QtBot, dialog: CredentialsDialog, memory: MemoryKeyring, answers: Answers
):
    save_new(qtbot, dialog)
    answers.answer = False
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert answers.questions == [
        "Delete profile 'lab' and its stored client secret? This cannot be undone."
    ]
    assert memory.items and json.loads(file_text())["profiles"]
    answers.answer = True
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert memory.items == {}
    assert json.loads(file_text())["profiles"] == []
    assert dialog.editing is None and dialog.profile_list.count() == 0


def test_export_and_import_never_carry_the_secret(
    qtbot: QtBot, dialog: CredentialsDialog, memory: MemoryKeyring, answers: Answers, tmp_path: Path
):
    save_new(qtbot, dialog)
    answers.save_path = str(tmp_path / "profiles-export.json")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    exported = Path(answers.save_path).read_text(encoding="utf-8")
    assert CANARY not in exported and '"lab"' in exported
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    answers.open_path = answers.save_path
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.editing == "lab"
    assert memory.items == {}
    assert error_of(dialog, "secret") == SECRET_NOT_STORED
    # importing again: the name exists -> asked whether to replace
    answers.answer = False
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "already exists" in answers.questions[-1]
    assert_no_secret_on_disk(tmp_path)


def test_bad_import_file_names_file_and_field(
    qtbot: QtBot, dialog: CredentialsDialog, answers: Answers, tmp_path: Path
):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "profiles": [
                    {
                        "name": "x",
                        "resource_id": RESOURCE_ID,
                        "location": "eastus",
                        "tenant_id": "nope",
                        "client_id": CLIENT,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    answers.open_path = str(bad)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert len(answers.errors) == 1
    assert str(bad) in answers.errors[0] and "profiles[0].tenant_id" in answers.errors[0]
    assert dialog.profile_list.count() == 0


def test_unsaved_changes_are_asked_about_on_escape(
    qtbot: QtBot, dialog: CredentialsDialog, answers: Answers
):
    type_into(qtbot, dialog.form.name_input, "half")
    answers.answer = False
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and answers.questions == ["Discard the changes to the new profile?"]
    answers.answer = True
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_escape_closes_a_clean_dialog(qtbot: QtBot, dialog: CredentialsDialog, answers: Answers):
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and answers.questions == []


# ---------------------------------------------------------------- no usable keyring


def test_no_keyring_says_so_and_offers_session_only(qtbot: QtBot, answers: Answers):
    secrets = SecretStore(backend=fail.Keyring())
    dlg = CredentialsDialog(ProfileStore(secrets=secrets), secrets)
    qtbot.addWidget(dlg)
    dlg.show()
    form = dlg.form
    assert form.keyring_banner.isVisible()
    assert form.keyring_banner.text() == NO_KEYRING_MESSAGE
    assert form.session_only_check.isVisible() and not form.secret_input.isEnabled()
    fill_valid(qtbot, dlg, secret=None)
    assert dlg.save_button.isEnabled()  # savable without a secret, with a plain hint
    assert "tick 'Keep the secret for this session only'" in error_of(dlg, "secret")
    qtbot.mouseClick(form.session_only_check, Qt.MouseButton.LeftButton)
    assert form.secret_input.isEnabled()
    assert "Enter the client secret" in error_of(dlg, "secret")
    type_into(qtbot, form.secret_input, CANARY)
    assert dlg.save()
    assert "kept for this session only" in dlg.status_label.text()
    assert secrets.get(dlg.store.get("lab")) == CANARY
    assert form.secret_input.placeholderText() == SECRET_IN_SESSION
    assert_no_secret_on_disk()


def test_monthly_budget_is_validated_as_typed_and_saved_with_the_profile(
    qtbot: QtBot, dialog: CredentialsDialog, store: ProfileStore
):
    fill_valid(qtbot, dialog)
    budget = dialog.form.findChild(QLineEdit, "budgetInput")
    assert budget is not None and budget.text() == ""  # no budget unless one is typed
    type_into(qtbot, budget, "lots")
    assert "such as '200 USD' or '40 HQC'" in error_of(dialog, "budget")
    assert not dialog.save()
    budget.clear()
    type_into(qtbot, budget, "$150")
    assert error_of(dialog, "budget") == ""
    assert dialog.save()
    assert store.get("lab").budget == "150 USD"
    assert '"budget": "150 USD"' in file_text()
