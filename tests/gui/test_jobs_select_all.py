"""Ctrl+A over the whole job history, and changes to many jobs (issue 16: no GUI stall at any
size). Qt's header, painting,
asked for each column whether every row is selected, row by row through the Python model: at
1,000,000 jobs a 36 s freeze. Here the model's calls are counted, so the cost is seen at a size
a test can fill; and what the selection acts on is what is loaded, said as such."""

from __future__ import annotations

import cProfile
import pstats
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.ledger.errors import LedgerLockedError
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui import messages
from desktop_app.ui.jobs import view as view_module
from desktop_app.ui.jobs.pages import merged_spans
from desktop_app.ui.jobs.view import JobsView

JOBS = 3000
BELL = 'OPENQASM 2.0; include "qelib1.inc"; qreg q[1]; creg c[1]; h q[0]; measure q -> c;'
WAIT_MS = 30_000


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[JobsView]:
    with open_ledger() as ledger:
        _fill(ledger)
        shown = JobsView(ledger)
        qtbot.addWidget(shown)
        shown.resize(1100, 600)
        shown.show()
        qtbot.waitExposed(shown)
        qtbot.waitUntil(lambda: shown.model.total() == JOBS, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: shown.model.job_row(0) is not None, timeout=WAIT_MS)
        yield shown
        shown.shutdown()


def _fill(ledger: Ledger) -> None:
    with ledger.transaction():
        for i in range(JOBS):
            ledger.create_job(backend="local.simulator", program=BELL, shots=i + 1)


def test_select_all_asks_the_model_nothing_per_row(view: JobsView, qtbot: QtBot) -> None:
    profile = cProfile.Profile()  # sees Qt's calls into the Python model
    view.table.setFocus()
    profile.enable()
    qtbot.keyClick(view.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    view.table.viewport().repaint()
    view.table.horizontalHeader().viewport().repaint()
    profile.disable()
    assert view.selected_count() == JOBS
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    calls = {
        name: count
        for (filename, _line, name), (count, *_rest) in stats.items()
        if filename.endswith("model.py") and name in ("rowCount", "columnCount")
    }
    # before: each section painted counted its column's 3,000 rows (about 27,000 calls)
    assert sum(calls.values()) < 500, calls


def test_a_selection_acts_on_its_loaded_jobs_and_says_how_many_are_not(
    view: JobsView, monkeypatch: pytest.MonkeyPatch
) -> None:
    view.table.selectAll()
    loaded = view.selected_jobs()
    assert 0 < len(loaded) < JOBS  # the pages read so far, not every row
    assert [j.id for j in loaded] == [view.model.job_id(r) for r in range(len(loaded))]
    asked: list[str] = []
    monkeypatch.setattr(
        view_module, "ask_delete", lambda _parent, question, _remote: asked.append(question)
    )
    view.delete_selected()
    (question,) = asked
    assert f"Delete {len(loaded):,} jobs" in question
    assert f"({JOBS - len(loaded):,} more selected rows are not loaded: they stay.)" in question
    labels: list[str] = []
    monkeypatch.setattr(view_module, "ask_text", lambda _p, _t, label, _d: labels.append(label))
    view.tag_selected()
    (label,) = labels
    assert label.startswith(f"Tags for the {len(loaded):,} loaded jobs, separated by commas")
    assert f"({JOBS - len(loaded):,} more selected rows are not loaded: they keep" in label
    view.table.clearSelection()
    view.table.selectRow(0)
    view.tag_selected()
    assert labels[1] == "Tags (separated by commas):"


def test_row_spans_merge_when_they_overlap_or_touch() -> None:
    assert merged_spans([(10, 12), (0, 3), (4, 5), (11, 20), (30, 30)]) == [
        (0, 5),
        (10, 20),
        (30, 30),
    ]
    assert merged_spans([]) == []


def test_changes_are_written_off_the_gui_thread_and_a_failure_is_said(
    view: JobsView, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    ledger = view.ledger
    original = ledger.set_tags

    def set_tags(job_id: str, tags: list[str]) -> None:
        threads.append(threading.current_thread().name)
        original(job_id, tags)

    monkeypatch.setattr(ledger, "set_tags", set_tags)
    monkeypatch.setattr(view_module, "ask_text", lambda *_a: "week 1")
    view.table.selectRow(0)
    view.tag_selected()
    first = view.model.job_id(0)
    assert first is not None
    qtbot.waitUntil(lambda: ledger.get(first).tags == ("week 1",), timeout=WAIT_MS)
    assert threads and threading.main_thread().name not in threads  # the ledger lane's

    errors: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: errors.append(text))

    def refused(job_id: str, name: str) -> None:
        raise LedgerLockedError("The job ledger is locked by another program.", None)

    monkeypatch.setattr(ledger, "rename", refused)
    monkeypatch.setattr(view_module, "ask_text", lambda *_a: "new name")
    view.rename_selected()
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)
    assert errors == ["The job ledger is locked by another program."]
