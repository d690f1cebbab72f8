"""The credentials dialog and the live backend summary, end to end: the unmodified Azure SDK against
the loopback emulator (real TLS, Azurite), the secret in a real Secret Service (gnome-keyring on a
private D-Bus), Qt offscreen. No part of the app is replaced."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core import paths
from desktop_app.core.azure_status import StatusSnapshot
from desktop_app.core.credentials import LEAST_PRIVILEGE_ROLE
from desktop_app.core.secrets import SERVICE_NAME
from desktop_app.ui import background, messages
from desktop_app.ui.credentials_dialog import CredentialsDialog
from desktop_app.ui.status_refresher import StatusRefresher, describe
from tests.azure_emulator.fixtures import AzureEnv
from tests.integration.keyring_session import (  # noqa: F401 (fixtures)
    KeyringSession,
    keyring_session,
    secret_service,
)

pytestmark = [pytest.mark.keyring, pytest.mark.azure]

CANARY = "canary-Ui5!k-93be1c2d7a"
CANARY_CLIENT = "77777777-7777-4777-8777-777777777777"
SIX = {"ionq.qpu.forte-1", "ionq.qpu.forte-enterprise-1", "ionq.simulator", "rigetti.sim.qvm",
       "quantinuum.sim.h2-1sc", "quantinuum.sim.h2-1e"}
WAIT_MS = 30_000


class Answers:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.questions: list[str] = []
        self.errors: list[str] = []
        self.answer = True
        monkeypatch.setattr(messages, "ask", self._ask)
        monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: self.errors.append(text))

    def _ask(self, _parent: object, _title: str, question: str) -> bool:
        self.questions.append(question)
        return self.answer


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


@pytest.fixture
def env(azure_env: AzureEnv) -> AzureEnv:
    azure_env.emulator.add_principal(CANARY_CLIENT, CANARY)
    return azure_env


@pytest.fixture
def dialog(qtbot: QtBot, secret_service: keyring.backend.KeyringBackend, answers: Answers
           ) -> Iterator[CredentialsDialog]:
    dlg = CredentialsDialog()  # the app's own defaults: ProfileStore() + the keyring's store
    qtbot.addWidget(dlg)
    dlg.show()
    yield dlg
    dlg.tester.cancel()
    assert background.wait_idle(WAIT_MS)


def fill(qtbot: QtBot, dlg: CredentialsDialog, env: AzureEnv, name: str = "emu",
         secret: str = CANARY, resource_id: str | None = None) -> None:
    form = dlg.form
    for widget, text in (
        (form.name_input, name),
        (form.resource_id_input, resource_id or env.resource_id),
        (form.location_input.lineEdit(), env.location),
        (form.tenant_input, env.tenant_id),
        (form.client_input, CANARY_CLIENT),
        (form.secret_input, secret),
    ):
        widget.clear()
        widget.setFocus()
        qtbot.keyClicks(widget, text)
    qtbot.mouseClick(form.advanced_toggle, Qt.MouseButton.LeftButton)
    for widget, text in ((form.authority_input, env.authority),
                         (form.arm_input, env.arm_endpoint)):
        widget.clear()
        qtbot.keyClicks(widget, text)


def run_test(qtbot: QtBot, dlg: CredentialsDialog) -> str:
    assert dlg.test_button.isEnabled()
    with qtbot.waitSignal(dlg.tester.busyChanged, timeout=WAIT_MS,
                          check_params_cb=lambda busy: not busy):
        qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
        assert dlg.test_busy.isVisible() and dlg.cancel_test_button.isVisible()
        assert not dlg.test_button.isEnabled()
    assert not dlg.test_busy.isVisible()
    return dlg.test_result.text()


def assert_canary_nowhere(caplog: pytest.LogCaptureFixture, session: KeyringSession) -> None:
    for record in caplog.records:
        assert CANARY not in record.getMessage() and CANARY not in str(record.args)
    for root in (paths.config_dir(), paths.data_dir(), paths.cache_dir()):
        for path in (p for p in root.rglob("*") if p.is_file()):
            assert CANARY.encode() not in path.read_bytes(), path


def test_create_profile_and_test_connection(qtbot: QtBot, env: AzureEnv,
                                            dialog: CredentialsDialog,
                                            secret_service: keyring.backend.KeyringBackend,
                                            keyring_session: KeyringSession,
                                            caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    fill(qtbot, dialog, env)
    qtbot.keyClick(dialog.form.arm_input, Qt.Key.Key_Return)  # Enter = Save
    assert dialog.editing == "emu", dialog.status_label.text()
    assert "The secret is in the system keyring" in dialog.status_label.text()
    # the secret is in the real Secret Service (a fresh connection reads it), not in the file
    assert keyring_session.backend().get_password(SERVICE_NAME, "emu") == CANARY
    saved = json.loads((paths.config_dir() / "profiles.json").read_text(encoding="utf-8"))
    assert saved["profiles"][0]["client_id"] == CANARY_CLIENT
    assert dialog.form.secret_input.text() == ""

    message = run_test(qtbot, dialog)  # with the secret from the keyring (the field is empty)
    assert message.startswith("Connected: 6 targets"), message
    items = [dialog.test_targets.item(i).text() for i in range(dialog.test_targets.count())]
    assert {item.split(" — ")[0] for item in items} == SIX
    assert "ionq.simulator — Available — queue 2 s" in items
    assert_canary_nowhere(caplog, keyring_session)


@pytest.mark.parametrize(
    ("secret", "resource_id", "words"),
    [
        ("not-the-secret", None, "The client secret is wrong"),
        (CANARY,
         "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-emu/providers/"
         "Microsoft.Quantum/Workspaces/ws-gone",
         "Workspace 'ws-gone'"),
    ],
    ids=["wrong-secret", "missing-workspace"],
)
def test_failures_are_explained_in_plain_words(qtbot: QtBot, env: AzureEnv,
                                               dialog: CredentialsDialog, secret: str,
                                               resource_id: str | None, words: str):
    fill(qtbot, dialog, env, secret=secret, resource_id=resource_id)
    if resource_id is not None:  # the emulator's subscription, another workspace
        resource_id = resource_id.replace(
            "00000000-0000-0000-0000-000000000001", env.subscription_id)
        dialog.form.resource_id_input.clear()
        qtbot.keyClicks(dialog.form.resource_id_input, resource_id)
    message = run_test(qtbot, dialog)  # an unsaved profile can be tested
    assert words in message, message
    if resource_id is not None:
        assert LEAST_PRIVILEGE_ROLE in message
    assert dialog.test_targets.count() == 0
    assert "Traceback" not in message


def test_cancel_answers_at_once(qtbot: QtBot, env: AzureEnv, dialog: CredentialsDialog):
    fill(qtbot, dialog, env)
    env.emulator.add_fault("latency", role="aad", delay=1.5)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.tester.busy
    with qtbot.waitSignal(dialog.tester.cancelled, timeout=1000):
        qtbot.mouseClick(dialog.cancel_test_button, Qt.MouseButton.LeftButton)
    assert not dialog.tester.busy and not dialog.test_busy.isVisible()
    assert dialog.test_result.text() == "Connection test cancelled."
    assert background.wait_idle(WAIT_MS)  # the late answer is dropped
    qtbot.wait(50)  # let its queued signal arrive (and be ignored)
    assert dialog.test_result.text() == "Connection test cancelled."


# ---------------------------------------------------------------- live status


def save_profile(qtbot: QtBot, dlg: CredentialsDialog, env: AzureEnv) -> None:
    fill(qtbot, dlg, env)
    assert dlg.save(), dlg.status_label.text()


def test_status_refresher_live_then_offline(qtbot: QtBot, env: AzureEnv,
                                            dialog: CredentialsDialog):
    save_profile(qtbot, dialog, env)
    env.emulator.set_target("rigetti.sim.qvm", availability="Unavailable")
    env.emulator.add_target("ionq", "ionq.qpu.aria-9", 25, average_queue_time=600)
    refresher = StatusRefresher()
    try:
        with qtbot.waitSignal(refresher.snapshotChanged, timeout=WAIT_MS,
                              check_params_cb=lambda s: s is not None and not s.from_cache):
            refresher.set_profile("emu")
        snapshot = refresher.snapshot
        assert isinstance(snapshot, StatusSnapshot)
        assert SIX | {"ionq.qpu.aria-9"} == {t.name for t in snapshot.targets}
        assert snapshot.find("rigetti.sim.qvm").availability == "Unavailable"
        assert snapshot.find("ionq.simulator").average_queue_time == 2
        assert describe(snapshot).startswith("Live figures from ")
        assert refresher.timer.isActive()

        # offline: the workspace cannot be read; the last figures stay, with their time
        env.emulator.add_fault("status", role="arm", status=404)
        with qtbot.waitSignal(refresher.snapshotChanged, timeout=WAIT_MS):
            refresher.refresh()
        offline = refresher.snapshot
        assert offline is not None and offline.error
        assert offline.fetched_at == snapshot.fetched_at
        assert offline.find("rigetti.sim.qvm").availability == "Unavailable"
        assert describe(offline).startswith("Offline: showing the figures from ")

        # another refresher (the next start of the app) shows the cached figures at once
        env.emulator.clear_faults()
        later = StatusRefresher()
        snapshots: list[object] = []
        later.snapshotChanged.connect(snapshots.append)
        later.set_profile("emu")
        assert isinstance(snapshots[0], StatusSnapshot) and snapshots[0].from_cache
        assert describe(snapshots[0]).startswith("Figures from ")
        qtbot.waitUntil(lambda: not later.busy, timeout=WAIT_MS)
        later.stop()
    finally:
        refresher.stop()
        assert background.wait_idle(WAIT_MS)
