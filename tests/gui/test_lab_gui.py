"""The lab's profile in the window, offline: shown read-only in the credentials dialog with the role
a student needs, marked and selected in the backend summary, its allowed targets the only
runnable rows on it, and a bad lab file one located line (the app runs on without it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.core.azure import lab, sign_in
from desktop_app.core.azure.credentials import LEAST_PRIVILEGE_ROLE
from desktop_app.ui import messages
from desktop_app.ui import tasks as background
from desktop_app.ui.credentials.dialog import CredentialsDialog
from desktop_app.ui.main_window import MainWindow

RID = (
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-lab"
    "/providers/Microsoft.Quantum/Workspaces/ws-lab"
)
CLOSED = "https://127.0.0.1:9"  # nobody listens: a status refresh fails fast, offline


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "system"
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(folder))
    path = folder / "quantum-desk" / lab.LAB_FILE_NAME
    path.parent.mkdir(parents=True)
    text = lab.lab_document(
        resource_id=RID,
        authority_host=CLOSED,
        arm_endpoint=CLOSED,
        allowed_targets=["ionq.simulator"],
        contact="ask lab@x.example",
    )
    lab.write_lab_file(path, text)
    sign_in.set_cache_store(sign_in.CacheStore(False, sign_in.NO_STORE_MESSAGE))
    yield path
    sign_in.set_cache_store(None)


def test_the_dialog_shows_the_lab_profile_read_only(qtbot: QtBot, installed: Path):
    dialog = CredentialsDialog()
    qtbot.addWidget(dialog)
    note = dialog.findChild(QLabel, "labProfileNote")
    assert note is not None and not note.isHidden()
    assert str(installed) in note.text() and "read-only" in note.text()
    assert LEAST_PRIVILEGE_ROLE in note.text() and "ask lab@x.example" in note.text()
    listed = [dialog.profile_list.item(i).text() for i in range(dialog.profile_list.count())]
    assert "Lab" not in listed  # not in the editable list: nothing can change or delete it


def test_the_window_marks_selects_and_limits_the_lab_profile(
    qtbot: QtBot, installed: Path, tmp_path: Path
):
    win = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    assert win.profile_selector.current() == "Lab"
    assert win.profile_selector.combo.currentText() == "Lab (the lab's profile, your own sign-in)"
    bar = win.azure.sign_in_bar
    # no encrypted store: the window says so beside who is signed in
    qtbot.waitUntil(lambda: sign_in.NO_STORE_MESSAGE in bar.who.text(), timeout=10_000)
    assert bar.who.text().startswith("Not signed in.") and bar.sign_in_button.isVisible()
    rows = {r.backend.name: r for r in win.backend_model.rows()}
    assert rows["ionq.simulator"].runnable
    assert not rows["ionq.qpu.forte-1"].runnable
    assert "does not allow ionq.qpu.forte-1" in rows["ionq.qpu.forte-1"].reason
    win.close()
    assert background.wait_idle(10_000)


def test_a_bad_lab_file_is_one_line_and_the_app_runs_on(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "system"
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(folder))
    path = folder / "quantum-desk" / lab.LAB_FILE_NAME
    path.parent.mkdir(parents=True)
    path.write_text(f'resource_id = "{RID}"\nclient_secret = "hunter2"\n')
    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: shown.append(text))
    win = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    assert len(shown) == 1
    assert str(path) in shown[0] and "field 'client_secret'" in shown[0]
    assert "hunter2" not in shown[0] and "\n" not in shown[0]
    assert win.profile_selector.current() is None  # local runs go on
    win.close()
    assert background.wait_idle(10_000)
