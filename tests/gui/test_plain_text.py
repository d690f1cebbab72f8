"""A profile named like HTML is shown literally wherever Qt shows it: the status line, the
credentials dialog, message boxes, tool tips (Qt renders text that looks like HTML as rich text,
links included, unless told otherwise)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.core.azure.profiles import ProfileStore
from desktop_app.core.catalog import builtin_backends
from desktop_app.ui import messages
from desktop_app.ui import tasks as background
from desktop_app.ui.backends.model import BackendModel
from desktop_app.ui.backends.profile_selector import ProfileSelector
from desktop_app.ui.backends.summary import AzureSummary
from desktop_app.ui.credentials.dialog import CredentialsDialog
from desktop_app.ui.plain_text import tooltip
from tests.gui.offline_profiles import CLOSED, sp_profile

HOSTILE = '<b>x</b><a href="http://e">y</a>'


def shown_literally(label: QLabel, expected: str) -> None:
    # the control: left to Qt (AutoText), this text would be rendered as rich text
    assert QtGui.Qt.mightBeRichText(label.text())
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert expected in label.text()


@pytest.fixture
def store() -> ProfileStore:
    store = ProfileStore()
    store.create(sp_profile(HOSTILE), allow_custom_endpoints=True)
    return store


@pytest.fixture
def summary(qtbot: QtBot, store: ProfileStore) -> Iterator[AzureSummary]:
    selector = ProfileSelector()
    qtbot.addWidget(selector)
    azure = AzureSummary(BackendModel(builtin_backends()), selector, store=store)
    yield azure
    azure.shutdown()
    assert background.wait_idle(30_000)


def test_the_status_line_shows_a_hostile_profile_name_literally(
    qtbot: QtBot, summary: AzureSummary
):
    with qtbot.waitSignal(summary.refresher.refreshFailed, timeout=30_000):
        summary.reload_profiles()
    assert summary.selector.current() == HOSTILE
    shown_literally(summary.selector.status, HOSTILE)
    assert summary.selector.note.textFormat() == Qt.TextFormat.PlainText
    # the backend rows' tool tips name the profile too: escaped, they read as typed
    model = summary.model
    for position in range(model.rowCount()):
        tip = model.data(model.index(position, 0), Qt.ItemDataRole.ToolTipRole)
        if tip and HOSTILE in QTextDocumentFragment.fromHtml(tip).toPlainText():
            assert "<b>" not in tip


def test_the_credentials_dialog_shows_it_literally(
    qtbot: QtBot, store: ProfileStore, monkeypatch: pytest.MonkeyPatch
):
    from desktop_app.core.azure.secrets import SecretStore
    from tests.memory_keyring import MemoryKeyring

    monkeypatch.setattr(messages, "ask", lambda *_a: True)
    dialog = CredentialsDialog(store, SecretStore(MemoryKeyring()))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.editing == HOSTILE
    assert dialog.save()
    shown_literally(dialog.status_label, f"Saved profile '{HOSTILE}'")
    item = dialog.profile_list.item(0)
    assert item.text() == HOSTILE  # item views never render HTML
    assert QTextDocumentFragment.fromHtml(item.toolTip()).toPlainText().endswith(CLOSED)
    # an error quoting the typed name: the label beside the field is plain text too
    dialog.form.name_input.setText(HOSTILE * 3)
    dialog.form.show_all_errors()
    assert dialog.form.error_labels["name"].textFormat() == Qt.TextFormat.PlainText


def test_message_boxes_are_plain_text(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch):
    shown: list[QMessageBox] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box)
        return int(QMessageBox.StandardButton.No)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    parent = QWidget()
    qtbot.addWidget(parent)
    messages.show_error(parent, "Profile", f"Profile '{HOSTILE}' cannot be read.")
    assert messages.ask(parent, "Delete profile", f"Delete profile '{HOSTILE}'?") is False
    assert [b.textFormat() for b in shown] == [Qt.TextFormat.PlainText] * 2
    assert HOSTILE in shown[0].text() and HOSTILE in shown[1].text()
    assert shown[1].defaultButton() is shown[1].button(QMessageBox.StandardButton.No)


@pytest.mark.parametrize("text", [HOSTILE, "a < b & c > d", "line one\nline two <i>"])
def test_tooltips_read_as_typed(text: str):
    assert QTextDocumentFragment.fromHtml(tooltip(text)).toPlainText() == text
    assert tooltip(None) is None and tooltip("") == ""
