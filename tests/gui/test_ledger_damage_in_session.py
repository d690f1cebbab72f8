"""The ledger damaged under a running window (issue 14): the first operation that finds it (a
run's recording, the jobs view's query) brings the recovery question; yes moves the file aside
(kept, byte for byte), starts a new ledger with a new Jobs tab, and the next run is recorded in
it; no is not asked again this session, and runs then fail with the plain problem, not the
command line's advice."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.core import paths
from desktop_app.core.ledger.models import JobFilter
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.results import JobStatus
from desktop_app.ui import messages
from desktop_app.ui.main_window import MainWindow

BELL = 'OPENQASM 2.0; include "qelib1.inc"; qreg q[1]; creg c[1]; h q[0]; measure q -> c;'


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    ledger = open_ledger()
    with ledger.transaction():  # enough rows for pages past the header to matter
        for i in range(200):
            ledger.create_job(backend="local.simulator", program=BELL * 4, shots=i + 1)
    window = MainWindow(QSettings(str(tmp_path / "qd.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.attach_ledger(ledger)  # as app.main does
    window.load_program_text(BELL, None)
    try:
        yield window
    finally:
        window.close()
        ledger.close()
        if window.ledger is not None:
            window.ledger.close()


def damage_the_file() -> bytes:
    """Overwrite every page past the third with noise, behind the window's back."""
    path = paths.data_dir() / "ledger.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the rows now live in the main file
    conn.close()
    with path.open("r+b") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(4096 * 3)
        f.write(os.urandom(size - 4096 * 3))
    return path.read_bytes()


def press_run(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.executor.runFinished, timeout=60_000):
        qtbot.mouseClick(window.findChild(QPushButton, "runButton"), Qt.MouseButton.LeftButton)


class Answers:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: bool) -> None:
        self.asked: list[str] = []
        self.errors: list[str] = []
        self.answer = answer
        monkeypatch.setattr(messages, "ask", self._ask)
        monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: self.errors.append(text))

    def _ask(self, _parent: object, _title: str, question: str) -> bool:
        self.asked.append(question)
        return self.answer


def test_damage_found_by_a_run_offers_a_new_ledger_and_keeps_the_file(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = Answers(monkeypatch, True)
    old = window.ledger
    assert old is not None
    damaged = damage_the_file()
    press_run(qtbot, window)
    qtbot.waitUntil(lambda: window.ledger is not old, timeout=30_000)

    (question,) = answers.asked
    assert "ledger.sqlite3" in question and "damaged" in question and "kept" in question
    assert "jobs repair" not in question  # the command line's way, not the window's
    assert answers.errors == []
    fresh = window.ledger
    assert fresh is not None and fresh.recovered_from is not None
    assert fresh.recovered_from.read_bytes() == damaged  # the damaged file, kept as it was
    assert "kept as" in window.status_label.text()
    assert window.jobs_view is not None and window.tabs.indexOf(window.jobs_view) >= 0
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())].count("Jobs") == 1

    press_run(qtbot, window)  # runs are recorded again, in the new ledger
    (row,) = fresh.page()
    assert row.status == JobStatus.SUCCEEDED
    model = window.jobs_view.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)


def test_a_declined_recovery_is_not_asked_again_and_runs_say_why(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = Answers(monkeypatch, False)
    old = window.ledger
    failed: list[str] = []
    window.executor.jobFailed.connect(lambda _backend, message: failed.append(message))
    damage_the_file()
    press_run(qtbot, window)
    qtbot.waitUntil(lambda: bool(answers.asked), timeout=10_000)
    press_run(qtbot, window)
    assert len(answers.asked) == 1  # once this session; the next start asks at open
    assert window.ledger is old
    assert len(failed) == 2
    assert all("damaged" in m and "jobs repair" not in m for m in failed), failed
    assert not [p for p in paths.data_dir().iterdir() if "corrupt" in p.name]  # left alone


def test_damage_found_by_the_jobs_view_offers_the_same_way_out(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = Answers(monkeypatch, True)
    old = window.ledger
    assert window.jobs_view is not None
    old_view = window.jobs_view
    qtbot.waitUntil(lambda: old_view.model.total() == 200, timeout=10_000)
    damaged = damage_the_file()
    old_view.model.set_filter(JobFilter(text="no such job"))  # a query that reads the pages
    qtbot.waitUntil(lambda: window.ledger is not old, timeout=30_000)
    (question,) = answers.asked
    assert "damaged" in question and "jobs repair" not in question
    fresh = window.ledger
    assert fresh is not None and fresh.recovered_from is not None
    assert fresh.recovered_from.read_bytes() == damaged
    assert window.jobs_view is not None and window.jobs_view is not old_view
    assert fresh.count() == 0


def test_a_large_ledger_is_checked_off_the_gui_thread_and_damage_offers_the_way_out(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.core.ledger import recovery
    from desktop_app.ui.jobs.app_ledger import open_app_ledger

    monkeypatch.setattr(recovery, "CHECK_AT_OPEN_BYTES", 0)  # every file counts as large
    answers = Answers(monkeypatch, True)
    with open_ledger() as ledger, ledger.transaction():
        for i in range(200):
            ledger.create_job(backend="local.simulator", program=BELL * 4, shots=i + 1)
    path = paths.data_dir() / "ledger.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # the status history's pages: what the window's start reads (jobs, unfinished ones) lies
    # elsewhere, so only a whole-file check finds them
    pages = [p for (p,) in conn.execute("SELECT pageno FROM dbstat WHERE name = 'status_history'")]
    conn.close()
    with path.open("r+b") as f:
        for page in pages:
            f.seek((page - 1) * 4096)
            f.write(os.urandom(4096))
    damaged = path.read_bytes()

    opened = open_app_ledger(None)  # as the start does: no whole-file read on the GUI thread
    assert opened is not None and not opened.structure_checked and answers.asked == []
    window = MainWindow(QSettings(str(tmp_path / "qd.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    try:
        window.attach_ledger(opened)
        qtbot.waitUntil(lambda: window.ledger is not opened, timeout=30_000)
        (question,) = answers.asked
        assert "damaged" in question and "kept" in question
        fresh = window.ledger
        assert fresh is not None and fresh.recovered_from is not None
        assert fresh.recovered_from.read_bytes() == damaged
        assert answers.errors == []
    finally:
        window.close()
        opened.close()
        if window.ledger is not None:
            window.ledger.close()
