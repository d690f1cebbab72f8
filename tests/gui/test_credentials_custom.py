"""The credentials dialog, offline: custom endpoints need the tick and are shown as custom; a
secret typed for another identity is not used and the dialog asks for it again."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.azure.profiles import Profile, ProfileStore
from desktop_app.core.azure.secrets import SecretStore
from desktop_app.ui.credentials.dialog import CredentialsDialog
from desktop_app.ui.credentials.form import (
    CUSTOM_NOT_CONFIRMED,
    SECRET_IDENTITY_EDITED,
    SECRET_OTHER_IDENTITY,
)
from tests.gui.test_credentials_dialog import (  # fixtures and helpers of the dialog's tests
    CANARY,
    CLIENT,
    RESOURCE_ID,
    TENANT,
    answers,
    dialog,
    error_of,
    fill_valid,
    memory,
    secrets,
    store,
    type_into,
)

_FIXTURES = (answers, dialog, memory, secrets, store)  # used by name below
EVIL = "https://login.example.net:8443"


def test_a_custom_authority_needs_the_tick_and_is_marked(qtbot: QtBot, dialog: CredentialsDialog):
    fill_valid(qtbot, dialog)
    form = dialog.form
    qtbot.mouseClick(form.advanced_toggle, Qt.MouseButton.LeftButton)
    assert not form.custom_check.isVisible() and not form.custom_label.isVisible()
    type_into(qtbot, form.authority_input, "https://login.microsoftonline.us")
    assert not form.custom_check.isVisible() and dialog.save_button.isEnabled()  # a known cloud
    form.authority_input.clear()
    type_into(qtbot, form.authority_input, EVIL)
    assert form.custom_label.isVisible() and EVIL in form.custom_label.text()
    assert form.custom_check.isVisible() and not form.custom_check.isChecked()
    assert error_of(dialog, "authority_host") == CUSTOM_NOT_CONFIRMED
    assert not dialog.save_button.isEnabled() and not dialog.test_button.isEnabled()
    qtbot.mouseClick(form.custom_check, Qt.MouseButton.LeftButton)
    assert error_of(dialog, "authority_host") == ""
    # another host typed after the tick: the tick was not for it
    type_into(qtbot, form.arm_input, "https://management.example.net")
    assert not form.custom_check.isChecked() and not dialog.save_button.isEnabled()
    form.arm_input.clear()
    type_into(qtbot, form.arm_input, "https://management.azure.com")
    qtbot.mouseClick(form.custom_check, Qt.MouseButton.LeftButton)
    assert dialog.save()
    saved = dialog.store.get("lab")
    assert saved.authority_host == EVIL
    # shown again later: still marked, the tick remembered (it was confirmed when entered)
    assert dialog.form.custom_label.isVisible() and dialog.form.custom_check.isChecked()
    item = dialog.profile_list.item(0)
    assert item.font().italic() and EVIL in item.toolTip()


def test_changing_the_tenant_asks_for_the_secret_again(
    qtbot: QtBot, dialog: CredentialsDialog, secrets: SecretStore
):
    fill_valid(qtbot, dialog)
    assert dialog.save()
    form = dialog.form
    assert dialog.save_button.isEnabled()
    form.tenant_input.selectAll()
    type_into(qtbot, form.tenant_input, "99999999-9999-9999-9999-999999999999")
    assert error_of(dialog, "secret") == SECRET_IDENTITY_EDITED
    assert not dialog.save_button.isEnabled()
    type_into(qtbot, form.secret_input, "new-" + CANARY)
    assert dialog.save()
    assert secrets.get(dialog.store.get("lab")) == "new-" + CANARY


def test_a_secret_typed_for_another_identity_is_asked_for(
    qtbot: QtBot, store: ProfileStore, secrets: SecretStore, answers: object
):
    lab = store.create(
        Profile.from_fields(
            {
                "name": "lab",
                "resource_id": RESOURCE_ID,
                "location": "eastus",
                "tenant_id": TENANT,
                "client_id": CLIENT,
            }
        )
    )
    secrets.set(lab, CANARY)
    # an import (or another window) changed the client id behind the stored secret
    store.update("lab", dataclasses.replace(lab, client_id="66666666-6666-6666-6666-666666666666"))
    dlg = CredentialsDialog(store, secrets)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.editing == "lab"
    assert error_of(dlg, "secret") == SECRET_OTHER_IDENTITY
    assert "type the secret again" in dlg.status_label.text()
    assert "another sign-in" in dlg.form.secret_input.placeholderText()
