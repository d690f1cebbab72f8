"""A page read while the view scrolls steps aside while the GUI thread paints (each data() call
of a paint needs the interpreter lock the worker's row building holds): before each read and
between bunches of rows, for a bounded time in all; a new filter's first page never waits; and a
paint's data() calls are what tells the worker the GUI is painting."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.ledger.models import JobFilter, JobOrder, JobRow
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui.jobs import pages
from desktop_app.ui.jobs.model import JobsModel
from desktop_app.ui.jobs.pages import ENTRIES_BUNCH, MAX_STEP_ASIDE_S, Wanted, load_pages
from desktop_app.ui.tasks import Lane, wait_idle
from tests.gui.jobs_ledger import add_finished_jobs

N_JOBS = 130
PAGE = 50
WAIT_MS = 15_000


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with open_ledger(tmp_path / "ledger.sqlite3") as opened:
        add_finished_jobs(opened, N_JOBS, lambda i: f"run {i}")
        yield opened


def test_no_paint_no_wait_and_a_paint_is_waited_for_a_bounded_time() -> None:
    wanted = Wanted()
    assert wanted.step_aside() == 0.0  # nothing painted yet
    wanted.painted_at = time.perf_counter() + 3600  # a paint that never ends
    waited = wanted.step_aside(0.02)
    assert 0.02 <= waited < MAX_STEP_ASIDE_S * 100  # bounded by what it was allowed
    assert wanted.step_aside(-1.0) < 0.01  # a spent budget: no wait
    wanted.generation = 2  # a newer query than the one stepping aside: it goes on at once
    assert wanted.step_aside(3600.0, generation=1) < 0.01


def test_load_pages_steps_aside_before_each_read_and_between_bunches(ledger: Ledger) -> None:
    allowed: list[float] = []

    def aside(most: float) -> float:
        allowed.append(most)
        return 0.004  # as if it waited 4 ms each time

    flt, order = JobFilter(), JobOrder()
    read = (ledger, flt, order, PAGE, [0, 1, 2], {}, N_JOBS)
    loaded = load_pages(*read, lambda rows: rows, step_aside=aside)
    assert [len(page.entries) for page in loaded.values()] == [50, 50, 30]
    names = [row.name for page in loaded.values() for row in page.entries]
    assert names == [f"run {i}" for i in reversed(range(N_JOBS))]  # bunches kept in order
    per_page = [1 + math.ceil(n / ENTRIES_BUNCH) for n in (50, 50, 30)]
    assert len(allowed) == sum(per_page)
    assert allowed[0] == MAX_STEP_ASIDE_S  # one budget for the whole read, spent as it goes
    assert allowed == pytest.approx([MAX_STEP_ASIDE_S - 0.004 * k for k in range(len(allowed))])


def test_a_paint_marks_the_gui_busy_and_only_scrolled_to_pages_step_aside(
    qtbot: QtBot, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = Wanted.step_aside

    def recorded(self: Wanted, most: float, generation: int | None = None) -> float:
        calls.append(threading.current_thread().name)
        return original(self, most, generation)

    monkeypatch.setattr(pages.Wanted, "step_aside", recorded)
    model = JobsModel(ledger, page_size=PAGE)
    try:
        qtbot.waitUntil(lambda: not model.is_loading(), timeout=WAIT_MS)
        assert wait_idle(lane=Lane.LEDGER)
        before = model._wanted.painted_at
        assert isinstance(model.index(0, 0).data(), str)  # as a paint asks
        assert model._wanted.painted_at > before

        calls.clear()
        at_reset: list[int] = []
        model.modelReset.connect(lambda: at_reset.append(len(calls)))
        with qtbot.waitSignal(model.refreshed, timeout=WAIT_MS):
            model.set_filter(JobFilter(text="run"))
        assert at_reset == [0]  # the new filter's first page did not wait for paints

        qtbot.waitUntil(lambda: model.job_row(N_JOBS - 1) is not None, timeout=WAIT_MS)
        assert calls  # the pages scrolled to did
        assert threading.current_thread().name not in calls  # on the worker, never the GUI
        job = model.job_row(N_JOBS - 1)
        assert isinstance(job, JobRow) and job.name == "run 0"
    finally:
        model.close()
