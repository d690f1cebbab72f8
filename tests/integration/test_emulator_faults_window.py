"""The window (Qt offscreen, found by its widgets' object names) against each refusal and state
the emulator's fault switches produce (issue 10): the backend's result panel ends in one plain
message, and the job ledger records what really happened (a refused submit NeverSubmitted)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QGroupBox, QPlainTextEdit, QPushButton, QSpinBox, QTableView, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus
from desktop_app.ui import messages
from desktop_app.ui import tasks as background
from desktop_app.ui.main_window import MainWindow
from tests.integration.test_azure_run_emulator import BELL, PROFILE, _profile, env  # noqa: F401
from tests.integration.test_emulator_faults_cli import REFUSALS, _plain, _refusal_fault
from tests.integration.test_emulator_sdk import workspace

pytestmark = pytest.mark.azure

WAIT_MS = 60_000
TARGET = "ionq.simulator"


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with open_ledger() as opened:
        yield opened


@pytest.fixture
def window(
    qtbot: QtBot,
    env: Any,  # noqa: F811
    ledger: Ledger,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[MainWindow]:
    questions: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda _p, _t, q: questions.append(q) or True)
    _profile(env)  # before the window: its profile selector picks it up
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.attach_ledger(ledger)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    assert background.wait_idle(WAIT_MS)
    assert questions == []  # a free simulator: nothing to confirm


def _widget(win: MainWindow, kind: type[QWidget], name: str) -> Any:
    found = win.findChild(kind, name)
    assert found is not None, name
    return found


def _press_run(qtbot: QtBot, win: MainWindow) -> None:
    """Bell on ionq.simulator, 100 shots, through the window's own widgets."""
    qtbot.waitUntil(lambda: win.profile_selector.current() == PROFILE, timeout=WAIT_MS)
    _widget(win, QPlainTextEdit, "programEditor").setPlainText(BELL)
    summary = _widget(win, QTableView, "backendSummary")
    summary.model().set_checked("local.simulator", False)
    summary.model().set_checked(TARGET, True)
    _widget(win, QSpinBox, "shotsInput").setValue(100)
    run = _widget(win, QPushButton, "runButton")
    qtbot.waitUntil(run.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(run, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.executor.running, timeout=WAIT_MS)


def _panel_text(win: MainWindow) -> str:
    view = _widget(win, QWidget, "resultsView")
    panel = view.findChild(QGroupBox, f"result:{TARGET}")
    assert panel is not None
    return str(panel.status.text())


def _wait_for_panel(qtbot: QtBot, win: MainWindow, starts: str) -> None:
    qtbot.waitUntil(lambda: _panel_text(win).startswith(starts), timeout=WAIT_MS)


@pytest.mark.parametrize("kind", list(REFUSALS))
def test_a_refused_submit_is_said_in_the_panel_and_never_submitted(
    qtbot: QtBot,
    env: Any,  # noqa: F811
    window: MainWindow,
    ledger: Ledger,
    kind: str,
) -> None:
    _refusal_fault(env.emulator, kind)
    with qtbot.waitSignal(window.executor.runFinished, timeout=WAIT_MS):
        _press_run(qtbot, window)
    status, _, message = _panel_text(window).partition(": ")
    assert status.startswith("Failed, 100 shots")
    assert _plain(message).startswith(REFUSALS[kind])
    assert env.emulator.world.jobs == {}
    (row,) = ledger.page()
    assert row.status == JobStatus.NEVER_SUBMITTED and row.error_message == message


def test_a_job_stuck_in_finishing_says_finishing_until_it_ends(
    qtbot: QtBot,
    env: Any,  # noqa: F811
    window: MainWindow,
    ledger: Ledger,
) -> None:
    stuck = env.emulator.add_fault("stay_finishing", target=TARGET)
    _press_run(qtbot, window)
    _wait_for_panel(qtbot, window, "Finishing · ")
    (row,) = ledger.unfinished_jobs()
    assert row.status == JobStatus.EXECUTING  # still running at Azure, in the app's words
    assert env.emulator.job(row.azure_job_id)["status"] == "Finishing"
    with qtbot.waitSignal(window.executor.runFinished, timeout=WAIT_MS):
        env.emulator.remove_fault(stuck)
    assert _panel_text(window).startswith("Succeeded, 100 shots")
    assert ledger.get(row.id).status == JobStatus.SUCCEEDED


def test_cancel_in_progress_says_cancelling_then_cancelled(
    qtbot: QtBot,
    env: Any,  # noqa: F811
    window: MainWindow,
    ledger: Ledger,
) -> None:
    queued = env.emulator.add_fault("stay_queued", target=TARGET)
    slow = env.emulator.add_fault("slow_cancel", target=TARGET)
    _press_run(qtbot, window)
    _wait_for_panel(qtbot, window, "Queued · ")
    qtbot.mouseClick(_widget(window, QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
    (row,) = ledger.unfinished_jobs()
    qtbot.waitUntil(
        lambda: env.emulator.job(row.azure_job_id)["status"] == "Cancelling", timeout=WAIT_MS
    )
    assert _panel_text(window).startswith("Cancelling · ")
    assert window.executor.running  # the cancel goes on at Azure
    with qtbot.waitSignal(window.executor.runFinished, timeout=WAIT_MS):
        env.emulator.remove_fault(slow)
        env.emulator.remove_fault(queued)
    assert _panel_text(window).startswith("Cancelled")
    assert ledger.get(row.id).status == JobStatus.CANCELLED


def test_a_job_cancelled_elsewhere_says_so(
    qtbot: QtBot,
    env: Any,  # noqa: F811
    window: MainWindow,
    ledger: Ledger,
) -> None:
    queued = env.emulator.add_fault("stay_queued", target=TARGET)
    _press_run(qtbot, window)
    _wait_for_panel(qtbot, window, "Queued · ")
    (row,) = ledger.unfinished_jobs()
    ws = workspace(env)
    with qtbot.waitSignal(window.executor.runFinished, timeout=WAIT_MS):
        ws.cancel_job(ws.get_job(row.azure_job_id))
        env.emulator.remove_fault(queued)
    status, _, message = _panel_text(window).partition(": ")
    assert status.startswith("Cancelled, 100 shots")
    assert _plain(message).startswith("The job was cancelled at Azure Quantum (not from here)")
    assert ledger.get(row.id).status == JobStatus.CANCELLED
