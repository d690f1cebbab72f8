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
from keyring.backends import fail
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.core import paths
from desktop_app.core.azure.credentials import LEAST_PRIVILEGE_ROLE
from desktop_app.core.azure.secret_binding import decode
from desktop_app.core.azure.secrets import NO_KEYRING_MESSAGE, SERVICE_NAME
from desktop_app.core.azure.status import StatusSnapshot
from desktop_app.core.catalog import builtin_backends
from desktop_app.ui import messages
from desktop_app.ui import tasks as background
from desktop_app.ui.backends.status_refresher import StatusRefresher, describe
from desktop_app.ui.credentials.dialog import CredentialsDialog
from desktop_app.ui.jobs.columns import COLUMNS as JOB_COLUMNS
from desktop_app.ui.main_window import MainWindow
from tests.azure_emulator.fixtures import AzureEnv
from tests.integration import keyring_session as _keyring_fixtures
from tests.integration.keyring_session import KeyringSession

pytestmark = [pytest.mark.keyring, pytest.mark.azure]

# the real Secret Service (gnome-keyring on a private D-Bus) as fixtures of this module
keyring_session = _keyring_fixtures.keyring_session
secret_service = _keyring_fixtures.secret_service

CANARY = "canary-Ui5!k-93be1c2d7a"
CANARY_CLIENT = "77777777-7777-4777-8777-777777777777"
SIX = {
    "ionq.qpu.forte-1",
    "ionq.qpu.forte-enterprise-1",
    "ionq.simulator",
    "rigetti.sim.qvm",
    "quantinuum.sim.h2-1sc",
    "quantinuum.sim.h2-1e",
}
WAIT_MS = 30_000
BELL = (Path(__file__).parents[2] / "resources" / "examples" / "bell.qasm").read_text("utf-8")


class Answers:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.questions: list[str] = []
        self.errors: list[str] = []
        self.answer = True
        monkeypatch.setattr(messages, "ask", self._ask)
        monkeypatch.setattr(messages, "ask_to_spend", self._ask_to_spend)
        monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: self.errors.append(text))

    def _ask(self, _parent: object, _title: str, question: str) -> bool:
        self.questions.append(question)
        return self.answer

    def _ask_to_spend(self, _parent: object, question: messages.SpendQuestion):
        self.questions.append(question.text)
        return messages.SpendAnswer("run" if self.answer else "cancel")


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


@pytest.fixture
def env(azure_env: AzureEnv) -> AzureEnv:
    azure_env.emulator.add_principal(CANARY_CLIENT, CANARY)
    return azure_env


@pytest.fixture
def dialog(
    qtbot: QtBot, secret_service: keyring.backend.KeyringBackend, answers: Answers
) -> Iterator[CredentialsDialog]:
    dlg = CredentialsDialog()  # the app's own defaults: ProfileStore() + the keyring's store
    qtbot.addWidget(dlg)
    dlg.show()
    yield dlg
    dlg.tester.cancel()
    assert background.wait_idle(WAIT_MS)


def fill(
    qtbot: QtBot,
    dlg: CredentialsDialog,
    env: AzureEnv,
    name: str = "emu",
    secret: str = CANARY,
    resource_id: str | None = None,
) -> None:
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
    for widget, text in ((form.authority_input, env.authority), (form.arm_input, env.arm_endpoint)):
        widget.clear()
        qtbot.keyClicks(widget, text)
    # the loopback emulator is not an Azure cloud: confirmed explicitly, as a user must
    assert form.custom_check.isVisible() and not dlg.save_button.isEnabled()
    qtbot.mouseClick(form.custom_check, Qt.MouseButton.LeftButton)
    assert form.custom_check.isChecked()


def run_test(qtbot: QtBot, dlg: CredentialsDialog) -> str:
    assert dlg.test_button.isEnabled()
    with qtbot.waitSignal(
        dlg.tester.busyChanged, timeout=WAIT_MS, check_params_cb=lambda busy: not busy
    ):
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


def test_create_profile_and_test_connection(
    qtbot: QtBot,
    env: AzureEnv,
    dialog: CredentialsDialog,
    secret_service: keyring.backend.KeyringBackend,
    keyring_session: KeyringSession,
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.DEBUG)
    fill(qtbot, dialog, env)
    qtbot.keyClick(dialog.form.arm_input, Qt.Key.Key_Return)  # Enter = Save
    assert dialog.editing == "emu", dialog.status_label.text()
    assert "The secret is in the system keyring" in dialog.status_label.text()
    # the secret is in the real Secret Service (a fresh connection reads it), not in the file
    stored = keyring_session.backend().get_password(SERVICE_NAME, "emu")
    assert stored is not None and decode(stored)[1] == CANARY
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
        (
            CANARY,
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-emu/providers/"
            "Microsoft.Quantum/Workspaces/ws-gone",
            "Workspace 'ws-gone'",
        ),
    ],
    ids=["wrong-secret", "missing-workspace"],
)
def test_failures_are_explained_in_plain_words(
    qtbot: QtBot,
    env: AzureEnv,
    dialog: CredentialsDialog,
    secret: str,
    resource_id: str | None,
    words: str,
):
    fill(qtbot, dialog, env, secret=secret, resource_id=resource_id)
    if resource_id is not None:  # the emulator's subscription, another workspace
        resource_id = resource_id.replace(
            "00000000-0000-0000-0000-000000000001", env.subscription_id
        )
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


def test_status_refresher_live_then_offline(qtbot: QtBot, env: AzureEnv, dialog: CredentialsDialog):
    save_profile(qtbot, dialog, env)
    env.emulator.set_target("rigetti.sim.qvm", availability="Unavailable")
    env.emulator.add_target("ionq", "ionq.qpu.aria-9", 25, average_queue_time=600)
    refresher = StatusRefresher()
    try:
        with qtbot.waitSignal(
            refresher.snapshotChanged,
            timeout=WAIT_MS,
            check_params_cb=lambda s: s is not None and not s.from_cache,
        ):
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
        assert describe(offline).startswith("Not refreshed: showing the figures from ")

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


# ---------------------------------------------------------------- the main window


@pytest.fixture
def window(qtbot: QtBot, tmp_path, answers: Answers) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    assert background.wait_idle(WAIT_MS)


def row_of(win: MainWindow, name: str):
    return next(r for r in win.backend_model.rows() if r.backend.name == name)


def test_backend_summary_live_and_unavailable_target_asks(
    qtbot: QtBot,
    env: AzureEnv,
    secret_service: keyring.backend.KeyringBackend,
    window: MainWindow,
    answers: Answers,
):
    env.emulator.set_target("rigetti.sim.qvm", availability="Unavailable")
    env.emulator.add_target("ionq", "ionq.qpu.aria-9", 25, average_queue_time=600)
    assert row_of(window, "ionq.simulator").runnable is False  # no profile yet
    window.credentials_action.trigger()  # Ctrl+Shift+P
    dlg = window.credentials_dialog
    assert dlg is not None and dlg.isVisible()
    fill(qtbot, dlg, env)
    with qtbot.waitSignal(
        window.azure.refresher.snapshotChanged,
        timeout=WAIT_MS,
        check_params_cb=lambda s: s is not None and not s.from_cache,
    ):
        assert dlg.save()  # the window picks the new profile up and refreshes
    dlg.close()
    assert window.profile_selector.current() == "emu"
    assert window.profile_selector.status.text().startswith("Live figures from ")
    names = {r.backend.name for r in window.backend_model.rows()}
    emulations = {b.name for b in builtin_backends() if b.kind == "emulator"}
    assert SIX | {"local.simulator", "ionq.qpu.aria-9"} | emulations == names
    for name in SIX - {"rigetti.sim.qvm"}:
        assert row_of(window, name).info["availability"] == "Available", name
        assert row_of(window, name).runnable
    assert row_of(window, "rigetti.sim.qvm").info["availability"] == "Unavailable"
    assert row_of(window, "ionq.simulator").info["queue"] == "2 s"
    assert row_of(window, "ionq.simulator").info["credentials"] == "Own: emu"

    # F5 refreshes on demand
    env.emulator.set_target("ionq.simulator", average_queue_time=120)
    with qtbot.waitSignal(window.azure.refresher.snapshotChanged, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert row_of(window, "ionq.simulator").info["queue"] == "2 min"

    window.load_program_text(BELL, None)
    window.backend_model.set_checked("local.simulator", False)
    window.backend_model.set_checked("rigetti.sim.qvm", True)
    answers.answer = False
    qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(answers.questions), timeout=WAIT_MS)
    assert "rigetti.sim.qvm is Unavailable" in answers.questions[0]
    assert not window.executor.running and window.run_button.isEnabled()


def test_no_keyring_app_starts_says_so_and_runs_locally(qtbot: QtBot, window_without_keyring):
    win = window_without_keyring
    qtbot.waitUntil(lambda: win.profile_selector.note.isVisible(), timeout=WAIT_MS)
    assert win.profile_selector.note.text().startswith(NO_KEYRING_MESSAGE)
    win.load_program_text(BELL, None)
    win.shots_input.setValue(200)
    with qtbot.waitSignal(win.executor.runFinished, timeout=120_000):
        qtbot.mouseClick(win.run_button, Qt.MouseButton.LeftButton)
    [result] = win.results_view.results()
    assert result.backend == "local.simulator" and sum(result.counts.values()) == 200
    assert set(result.counts) <= {"00", "11"}


@pytest.fixture
def window_without_keyring(qtbot: QtBot, tmp_path, answers: Answers) -> Iterator[MainWindow]:
    from desktop_app.core.azure import secrets

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    secrets.set_default_secret_store(None)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    try:
        win = MainWindow(settings)
        qtbot.addWidget(win)
        win.show()
        win.start_background_work()
        yield win
        win.close()
        assert background.wait_idle(WAIT_MS)
    finally:
        keyring.set_keyring(previous)
        secrets.set_default_secret_store(None)


def test_azure_run_uses_the_profile_and_asks_before_paying(
    qtbot: QtBot,
    env: AzureEnv,
    secret_service: keyring.backend.KeyringBackend,
    window: MainWindow,
    answers: Answers,
):
    window.credentials_action.trigger()
    dlg = window.credentials_dialog
    assert dlg is not None
    fill(qtbot, dlg, env)
    assert dlg.save()
    dlg.close()
    window.load_program_text(BELL, None)
    window.shots_input.setValue(100)
    model = window.backend_model
    model.set_checked("local.simulator", False)
    model.set_checked("quantinuum.sim.h2-1e", True)  # costs eHQC: asked first, with the estimate
    answers.answer = False
    qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(answers.questions), timeout=60_000)
    assert "quantinuum.sim.h2-1e: ≈ " in answers.questions[0]
    assert "eHQC (estimate)" in answers.questions[0]
    assert not window.executor.running
    assert not env.emulator.requests_matching(role="dp", method="PUT")  # declined: nothing sent

    model.set_checked("quantinuum.sim.h2-1e", False)
    model.set_checked("ionq.simulator", True)  # free: no question, runs with the saved profile
    answers.questions.clear()
    with qtbot.waitSignal(window.executor.runFinished, timeout=120_000):
        qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    assert answers.questions == []
    [result] = window.results_view.results()
    assert result.backend == "ionq.simulator", result
    assert result.status == "Succeeded", result.error_message
    assert set(result.counts) <= {"00", "11"} and sum(result.counts.values()) == 100


def test_billed_cost_from_the_service_appears_beside_the_estimate(
    qtbot: QtBot,
    env: AzureEnv,
    secret_service: keyring.backend.KeyringBackend,
    window: MainWindow,
    answers: Answers,
    tmp_path,
):
    """A paid run from the window (Run and pay), its ledger row, the Jobs view's cost column and
    total, and the job detail with the app's estimate and the service's costEstimate."""
    from desktop_app.core.ledger.recovery import open_ledger

    window.credentials_action.trigger()
    dlg = window.credentials_dialog
    assert dlg is not None
    fill(qtbot, dlg, env)
    assert dlg.save()
    dlg.close()
    ledger = open_ledger(tmp_path / "ledger.sqlite3")
    try:
        window.attach_ledger(ledger)
        window.load_program_text(BELL, None)
        window.shots_input.setValue(200)
        model = window.backend_model
        model.set_checked("local.simulator", False)
        model.set_checked("quantinuum.sim.h2-1e", True)
        answers.answer = True
        with qtbot.waitSignal(window.executor.runFinished, timeout=120_000):
            qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
        # 5 + 200 x (1 + 10 x 1 + 5 x 4) / 5000 = 6.24 eHQC
        assert "quantinuum.sim.h2-1e: ≈ 6.24 eHQC (estimate)" in answers.questions[-1]
        (job,) = ledger.page()
        assert job.estimated_cost is not None and job.estimated_cost["amount"] == 6.24
        billed = env.emulator.job(job.azure_job_id)["costEstimate"]
        assert job.billed_cost is not None
        assert job.billed_cost["amount"] == billed["estimatedTotal"]
        view = window.jobs_view
        assert view is not None
        view.model.refresh()
        qtbot.waitUntil(lambda: view.model.job_row(0) is not None, timeout=WAIT_MS)
        cost_column = [c.title for c in JOB_COLUMNS].index("Cost")
        currency = billed["currencyCode"]
        expected = f"{billed['estimatedTotal']:,.2f} {currency}"
        expected = f"${billed['estimatedTotal']:,.2f}" if currency == "USD" else expected
        qtbot.waitUntil(
            lambda: view.model.index(0, cost_column).data() == f"{expected} billed",
            timeout=WAIT_MS,
        )
        dialog = view.open_job(job.id)
        assert dialog is not None
        qtbot.addWidget(dialog)
        fields = {
            label.objectName()[len("field:") :]: label.text()
            for label in dialog.findChildren(QLabel)
            if label.objectName().startswith("field:")
        }
        assert fields["Estimated cost"] == (
            "6.24 eHQC (estimate: price table quantinuum-h2-emulators, checked 2026-12-01)"
        )
        assert fields["Billed cost"].startswith(f"{expected} (reported by Azure Quantum")
        window.close()
    finally:
        ledger.close()
