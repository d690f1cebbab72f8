"""The background reconciler (QThread) and opening the app's ledger with its way out."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core import paths
from desktop_app.core.jobs.reconcile import INTERRUPTED_CODE, ReconcileReport
from desktop_app.core.ledger.errors import LedgerError
from desktop_app.core.ledger.models import new_azure_job_id, utc_now
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.results import JobStatus
from desktop_app.ui import messages
from desktop_app.ui.jobs import app_ledger
from desktop_app.ui.jobs.reconciler import Reconciler

BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\nmeasure q -> c;\n'


def test_reconciler_settles_jobs_in_the_background(qtbot: QtBot) -> None:
    with open_ledger() as ledger:
        before = utc_now() - timedelta(minutes=1)
        crashed = ledger.create_job(
            backend="local.simulator",
            program=BELL,
            shots=10,
            status="Executing",
            created_at=before,
        )
        orphan = ledger.create_job(  # an Azure job whose profile was deleted since
            backend="ionq.simulator",
            program=BELL,
            shots=10,
            profile="deleted-profile",
            azure_job_id=new_azure_job_id(),
            created_at=before,
        )
        reconciler = Reconciler(ledger)
        progress: list[str] = []
        reconciler.progress.connect(progress.append)
        try:
            with qtbot.waitSignal(reconciler.finished, timeout=30_000) as finished:
                reconciler.start(started_before=utc_now())
            assert reconciler.running is False
        finally:
            reconciler.shutdown()
        report = finished.args[0]
        assert isinstance(report, ReconcileReport)
        assert report.interrupted == [crashed] and list(report.deferred) == [orphan]
        assert ledger.get(crashed).error_code == INTERRUPTED_CODE
        assert ledger.get(orphan).status == JobStatus.SUBMITTING  # left for later
        assert progress and "deleted-profile" in progress[-1]


def _corrupt_ledger_file() -> Path:
    path = paths.data_dir() / "ledger.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not an SQLite database, just bytes " * 200)
    return path


def test_damaged_ledger_is_moved_aside_when_the_user_agrees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _corrupt_ledger_file()
    original = path.read_bytes()
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda parent, title, q: asked.append(q) or True)
    monkeypatch.setattr(messages, "show_error", lambda *a: pytest.fail(f"unexpected error {a}"))

    ledger = app_ledger.open_app_ledger(None)

    assert ledger is not None
    try:
        assert len(asked) == 1 and str(path) in asked[0] and "kept" in asked[0]
        assert ledger.recovered_from is not None
        assert ledger.recovered_from.read_bytes() == original  # kept, untouched
        assert ledger.count() == 0 and ledger.path == path
    finally:
        ledger.close()


def test_damaged_ledger_is_left_alone_when_the_user_declines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _corrupt_ledger_file()
    original = path.read_bytes()
    shown: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda parent, title, q: False)
    monkeypatch.setattr(messages, "show_error", lambda parent, title, text: shown.append(text))

    assert app_ledger.open_app_ledger(None) is None

    assert path.read_bytes() == original
    assert [p.name for p in path.parent.iterdir() if "corrupt" in p.name] == []
    assert len(shown) == 1 and "without its job history" in shown[0]


@pytest.fixture
def ledger_window(qtbot: QtBot, tmp_path: Path):
    """A main window on the app's ledger, as app.main builds it."""
    from PySide6.QtCore import QSettings

    from desktop_app.ui.main_window import MainWindow

    with open_ledger() as ledger:
        settings = QSettings(str(tmp_path / "quantum-desk.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        qtbot.addWidget(window)
        window.attach_ledger(ledger)  # as app.main does after the first paint
        try:
            yield window, ledger
        finally:
            window.close()  # stops the executor and reconciler threads before the ledger closes


def test_gui_runs_are_recorded_and_shown_in_the_jobs_tab(qtbot: QtBot, ledger_window) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    window, ledger = ledger_window
    assert window.tabs.tabText(window.tabs.indexOf(window.jobs_view)) == "Jobs"
    window.load_program_text(BELL, None)
    window.shots_input.setValue(300)
    with qtbot.waitSignal(window.executor.runFinished, timeout=60_000):
        qtbot.mouseClick(window.findChild(QPushButton, "runButton"), Qt.MouseButton.LeftButton)

    (row,) = ledger.page()
    record = ledger.get(row.id)
    assert record.status == JobStatus.SUCCEEDED and record.shots == 300
    assert record.program == BELL and sum((record.counts or {}).values()) == 300
    (shown,) = window.results_view.results()
    assert shown.job_id == row.id and shown.counts == record.counts
    model = window.jobs_view.model
    qtbot.waitUntil(
        lambda: model.rowCount() == 1 and (model.job_row(0) or row).status == "Succeeded",
        timeout=10_000,
    )


def test_start_up_reconciles_in_the_background(
    qtbot: QtBot,
    ledger_window,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window, ledger = ledger_window
    crashed = ledger.create_job(
        backend="local.simulator",
        program=BELL,
        shots=10,
        status="Executing",
        created_at=utc_now() - timedelta(minutes=1),
    )
    monkeypatch.setattr(window.executor, "prewarm", lambda: None)  # not needed here
    with qtbot.waitSignal(window.reconciler.finished, timeout=30_000):
        window.start_background_work()
    assert ledger.get(crashed).status == JobStatus.FAILED
    model = window.jobs_view.model
    # the view may have read the row before the reconciliation's change reached it (its refresh
    # is debounced): the row must come to say Failed
    qtbot.waitUntil(
        lambda: model.rowCount() == 1 and getattr(model.job_row(0), "status", None) == "Failed",
        timeout=10_000,
    )


def test_app_start_up_opens_the_ledger_and_offers_the_way_out(
    qapp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import logging
    import sys

    import shiboken6
    from PySide6.QtCore import QTimer

    from desktop_app import app as app_module

    path = _corrupt_ledger_file()
    original = path.read_bytes()
    monkeypatch.setenv("QUANTUM_DESK_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main() installs its own
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda parent, title, q: asked.append(q) or True)
    seen: dict[str, object] = {}

    deadline = time.monotonic() + 60

    def close_when_attached() -> None:
        # An earlier test's widget may be deleted on the C++ side while Python still lists it:
        # touching it would raise inside this timer slot and end the polling (the run would hang).
        windows = [
            w
            for w in qapp.topLevelWidgets()
            if shiboken6.isValid(w) and w.objectName() == "mainWindow" and w.isVisible()
        ]
        window = windows[0] if windows else None
        if window is not None and time.monotonic() > deadline:
            seen["timed out"] = True  # close anyway: the assertions below say what was missing
            window.close()
        elif window is not None and window.reconciler is not None and not window.reconciler.running:
            seen["ledger"] = window.ledger
            seen["status"] = window.status_label.text()
            seen["tabs"] = [window.tabs.tabText(i) for i in range(window.tabs.count())]
            window.close()
        else:
            QTimer.singleShot(20, close_when_attached)

    QTimer.singleShot(0, close_when_attached)
    handlers = list(logging.getLogger().handlers)
    try:
        assert app_module.main([]) == 0
    finally:
        for handler in logging.getLogger().handlers[:]:
            if handler not in handlers:
                logging.getLogger().removeHandler(handler)
                handler.close()

    assert "timed out" not in seen, "the ledger was not attached, or reconciliation never ended"
    assert len(asked) == 1 and str(path) in asked[0]
    assert seen["tabs"] == ["Results", "Circuit", "Jobs"]  # Jobs once the ledger is attached
    assert "kept as" in str(seen["status"])
    kept = [p for p in path.parent.iterdir() if p.name.startswith("ledger.sqlite3.corrupt-")]
    assert [p.read_bytes() for p in kept] == [original]
    ledger = seen["ledger"]
    with pytest.raises(LedgerError):  # main() closed it once the window had closed
        ledger.count()  # type: ignore[attr-defined]
