"""Lab mode in the window, end to end against the emulator: the lab's profile is marked and
selected, the student signs in (scripted browser) and out, and the backend summary's per-row
"my own credentials" switch decides which credentials a submitted job used (the emulator records
the client id of each submit's token); the switch is remembered across starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qiskit  # noqa: F401  (first import on the main thread, before the emulator's warm-up thread)
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.azure import secrets as secrets_module
from desktop_app.core.azure import sign_in
from desktop_app.core.azure.profiles import Profile, ProfileStore
from desktop_app.core.azure.secrets import SecretStore
from desktop_app.ui import messages
from desktop_app.ui import tasks as background
from desktop_app.ui.backends.model import COLUMNS
from desktop_app.ui.main_window import MainWindow
from tests.integration import lab_env as le
from tests.memory_keyring import MemoryKeyring

lab_env = le.lab_env
pytestmark = pytest.mark.azure

WAIT_MS = 60_000
BELL = (Path(__file__).parents[2] / "resources" / "examples" / "bell.qasm").read_text("utf-8")
CREDENTIALS = next(i for i, c in enumerate(COLUMNS) if c.key == "credentials")
PUBLIC_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # azure-identity's default sign-in app


@pytest.fixture
def own_profile(lab_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    """The lab file, and the student's own service principal (the emulator's default one)."""
    le.write_lab(tmp_path / "xdg-system", lab_env)
    store = SecretStore(backend=MemoryKeyring())
    secrets_module.set_default_secret_store(store)
    monkeypatch.setattr(messages, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    mine = Profile(
        "mine",
        lab_env.resource_id,
        lab_env.location,
        tenant_id=lab_env.tenant_id,
        client_id=lab_env.client_id,
        authority_host=lab_env.authority,
        arm_endpoint=lab_env.arm_endpoint,
    ).validated()
    ProfileStore().create(mine, allow_custom_endpoints=True)
    store.set(mine, lab_env.client_secret)
    yield mine
    secrets_module.set_default_secret_store(None)


def _window(qtbot: QtBot, settings_file: Path) -> MainWindow:
    win = MainWindow(QSettings(str(settings_file), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    return win


def _close(win: MainWindow) -> None:
    win.close()
    assert background.wait_idle(WAIT_MS)


def _run_bell(qtbot: QtBot, win: MainWindow) -> None:
    with qtbot.waitSignal(win.executor.runFinished, timeout=120_000):
        qtbot.mouseClick(win.run_button, Qt.MouseButton.LeftButton)
    [result] = win.results_view.results()
    assert result.status == "Succeeded", result.error_message


def _clients(env) -> list[str]:
    with env.emulator.world.lock:
        return list(env.emulator.world.job_clients.values())


def test_the_switch_picks_the_credentials_a_job_runs_with(
    qtbot: QtBot, lab_env, own_profile: Profile, tmp_path: Path
):
    settings_file = tmp_path / "settings.ini"
    win = _window(qtbot, settings_file)
    selector, bar = win.profile_selector, win.azure.sign_in_bar
    labels = [selector.combo.itemText(i) for i in range(selector.combo.count())]
    assert "Lab (the lab's profile, your own sign-in)" in labels
    assert selector.current() == "Lab"  # every user's default
    qtbot.waitUntil(lambda: bar.isVisible() and "Not signed in" in bar.who.text(), timeout=WAIT_MS)
    assert "set up by the lab" in bar.lab_label.text()

    with qtbot.waitSignal(bar.signedIn, timeout=WAIT_MS):
        qtbot.mouseClick(bar.sign_in_button, Qt.MouseButton.LeftButton)
    assert bar.who.text().startswith(f"Signed in as {le.STUDENT}")
    if not sign_in.cache_store().persistent:  # no encrypted store here: the window says so
        assert sign_in.NO_STORE_MESSAGE in bar.who.text()
    assert bar.sign_out_button.isVisible() and not bar.sign_in_button.isVisible()

    win.load_program_text(BELL, None)
    win.shots_input.setValue(100)
    model = win.backend_model
    model.set_checked("local.simulator", False)
    model.set_checked("ionq.simulator", True)
    position = next(i for i, r in enumerate(model.rows()) if r.backend.name == "ionq.simulator")
    index = model.index(position, CREDENTIALS)
    qtbot.waitUntil(
        lambda: bool(model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable), timeout=WAIT_MS
    )
    assert win.azure.profile_for("ionq.simulator") == "mine"  # own credentials by default
    _run_bell(qtbot, win)
    assert _clients(lab_env) == [lab_env.client_id]

    assert model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert win.azure.profile_for("ionq.simulator") == "Lab"
    _run_bell(qtbot, win)
    assert _clients(lab_env) == [lab_env.client_id, PUBLIC_CLIENT]  # the student's sign-in
    _close(win)

    again = _window(qtbot, settings_file)  # the next start remembers the row's switch
    assert again.azure.profile_for("ionq.simulator") == "Lab"
    assert again.azure.profile_for("rigetti.sim.qvm") == "mine"
    bar = again.azure.sign_in_bar
    qtbot.waitUntil(lambda: "Signed in as" in bar.who.text(), timeout=WAIT_MS)
    with qtbot.waitSignal(bar.signedIn, timeout=WAIT_MS):
        qtbot.mouseClick(bar.sign_out_button, Qt.MouseButton.LeftButton)
    assert bar.who.text().startswith("Not signed in")
    _close(again)


def test_device_code_sign_in_shows_the_code_in_the_window(
    qtbot: QtBot, lab_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    le.write_lab(tmp_path / "xdg-system", lab_env, sign_in="device-code")
    monkeypatch.setattr(messages, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    win = _window(qtbot, tmp_path / "settings.ini")
    bar = win.azure.sign_in_bar
    qtbot.waitUntil(lambda: "Not signed in" in bar.who.text(), timeout=WAIT_MS)
    qtbot.mouseClick(bar.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "enter the code" in bar.who.text(), timeout=WAIT_MS)
    [pending] = lab_env.emulator.users.pending()
    assert str(pending["user_code"]) in bar.who.text()
    with qtbot.waitSignal(bar.signedIn, timeout=WAIT_MS):
        lab_env.emulator.users.decide(str(pending["user_code"]), True, le.STUDENT)
    assert bar.who.text().startswith(f"Signed in as {le.STUDENT}")
    _close(win)
