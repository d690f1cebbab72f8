"""The jobs model reads its pages through the ledger's keyset API as the view scrolls: every row
comes once, in the ledger's order, for every filter and sort order, and scrolling on from a page
never reads by offset."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.ledger.models import JobFilter, JobOrder
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus, RunResult
from desktop_app.ui.jobs.model import JobsModel
from desktop_app.ui.jobs.view import JobsView

N_JOBS = 1_037  # 21 pages of 50, the last one short
PAGE = 50
BASE = datetime(2025, 6, 1, tzinfo=UTC)
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    # module scope: outside the per-test data dir, so the file is named here (never the user's)
    with open_ledger(tmp_path_factory.mktemp("paging") / "ledger.sqlite3") as opened:
        with opened.transaction():
            for i in range(N_JOBS):
                backend = ("local.simulator", "ionq.simulator", "rigetti.sim.qvm")[i % 3]
                job_id = opened.create_job(
                    backend=backend,
                    program=f"OPENQASM 3.0;\n// run {i}\nqubit q;\n",
                    shots=100 + i % 7,
                    name=f"{('bell', 'ghz', 'qft')[i % 3]} {i % 40:02d}",  # names repeat: ties
                    status=JobStatus.WAITING,
                    created_at=BASE + timedelta(minutes=i // 2),  # times repeat too
                )
                if i % 4 == 0:  # completed_at set for some only: NULLs in that order
                    opened.record_result(job_id, RunResult.from_counts(backend, {"0": 1}))
        yield opened


class Reads:
    """Counts the ledger calls the model makes (on the ledger lane)."""

    def __init__(self, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: Counter[str] = Counter()
        for name in ("page", "page_after", "page_before"):
            original = getattr(ledger, name)
            monkeypatch.setattr(ledger, name, self._counted(name, original))

    def _counted(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kw: Any) -> Any:
            self.calls[name] += 1
            return original(*args, **kw)

        return call


@pytest.fixture
def make_model(qtbot: QtBot, ledger: Ledger) -> Iterator[Callable[..., JobsModel]]:
    models: list[JobsModel] = []

    def make(flt: JobFilter = JobFilter(), order: JobOrder = JobOrder()) -> JobsModel:  # noqa: B008
        model = JobsModel(ledger, page_size=PAGE)
        models.append(model)
        model.set_filter(flt)
        model.set_order(order)
        qtbot.waitUntil(lambda: not model.is_loading(), timeout=WAIT_MS)
        return model

    yield make
    for model in models:
        model.close()


def walk(qtbot: QtBot, model: JobsModel, rows: range) -> list[str]:
    """The job ids of `rows`, asked for one after the other as scrolling would."""
    ids = []
    for row in rows:
        qtbot.waitUntil(lambda r=row: model.job_row(r) is not None, timeout=WAIT_MS)
        job = model.job_row(row)
        assert job is not None
        ids.append(job.id)
    return ids


def ledger_ids(ledger: Ledger, flt: JobFilter, order: JobOrder) -> list[str]:
    return [row.id for row in ledger.page(flt, order, 0, None)]


ORDERS = [
    JobOrder(),
    JobOrder("name", descending=False),
    JobOrder("backend", descending=True),
    JobOrder("completed_at", descending=False),  # NULLs first
    JobOrder("completed_at", descending=True),
    JobOrder("shots", descending=False),
]


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: f"{o.column}-{o.descending}")
def test_scrolling_down_reads_every_row_once_by_keyset(
    qtbot: QtBot,
    ledger: Ledger,
    make_model: Callable[..., JobsModel],
    order: JobOrder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = ledger_ids(ledger, JobFilter(), order)
    model = make_model(JobFilter(), order)
    assert model.rowCount() == N_JOBS
    reads = Reads(ledger, monkeypatch)
    ids = walk(qtbot, model, range(N_JOBS))
    assert len(set(ids)) == N_JOBS
    assert ids == expected
    assert reads.calls["page"] == 0  # no offset read: each page follows the one before
    assert reads.calls["page_after"] >= N_JOBS // PAGE - 1


def test_from_the_end_upwards_and_from_a_jump(
    qtbot: QtBot,
    ledger: Ledger,
    make_model: Callable[..., JobsModel],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = JobOrder("name", descending=True)
    expected = ledger_ids(ledger, JobFilter(), order)
    model = make_model(JobFilter(), order)
    reads = Reads(ledger, monkeypatch)
    upwards = walk(qtbot, model, range(N_JOBS - 1, -1, -1))  # End, then scrolling up
    assert upwards == expected[::-1]
    # each page from its neighbour (page 1 may have been read ahead of page 0 before the end)
    keyset = reads.calls["page_before"] + reads.calls["page_after"]
    assert reads.calls["page"] == 0 and keyset >= N_JOBS // PAGE - 1
    assert reads.calls["page_before"] >= N_JOBS // PAGE - 2

    jumped = make_model(JobFilter(), order)
    reads = Reads(ledger, monkeypatch)
    middle = 10 * PAGE + 7
    around = walk(qtbot, jumped, range(middle, middle + 4 * PAGE))  # dragged, then scrolled
    assert around == expected[middle : middle + 4 * PAGE]
    # a page far from any page read has no key to start from: read by its offset
    assert reads.calls["page"] >= 1


FILTERS = [
    JobFilter(text="ghz"),
    JobFilter(text="run 1"),  # program text
    JobFilter(backends=("ionq.simulator",)),
    JobFilter(statuses=(JobStatus.SUCCEEDED.value,)),
    JobFilter(text="qft 1", statuses=(JobStatus.WAITING.value,)),
    JobFilter(text="no such job"),
]


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f"{f.text}-{f.backends}-{f.statuses}")
def test_filtered_rows_equal_the_ledgers(
    qtbot: QtBot, ledger: Ledger, make_model: Callable[..., JobsModel], flt: JobFilter
) -> None:
    for order in (JobOrder(), JobOrder("name", descending=False)):
        model = make_model(flt, order)
        assert model.rowCount() == model.total() == ledger.count(flt)
        assert walk(qtbot, model, range(model.rowCount())) == ledger_ids(ledger, flt, order)


def test_the_view_scrolled_to_the_end_shows_every_job_once(qtbot: QtBot, ledger: Ledger) -> None:
    view = JobsView(ledger)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitUntil(lambda: view.model.total() == N_JOBS, timeout=WAIT_MS)
    table, bar = view.table, view.table.verticalScrollBar()
    seen: list[str] = []
    try:
        while True:
            first = table.rowAt(0)
            last = table.rowAt(table.viewport().height() - 1)
            last = last if last >= 0 else view.model.rowCount() - 1
            rows = range(first, last + 1)
            qtbot.waitUntil(
                lambda r=rows: all(view.model.job_row(i) is not None for i in r), timeout=WAIT_MS
            )
            seen.extend(view.model.job_id(i) or "" for i in rows if i >= len(seen))
            if bar.value() == bar.maximum():
                break
            bar.setValue(bar.value() + bar.pageStep())
    finally:
        view.shutdown()
    assert seen == ledger_ids(ledger, JobFilter(), JobOrder())


def test_no_ledger_query_on_the_gui_thread(
    qtbot: QtBot, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening, filtering, sorting and scrolling the view: every read runs off the GUI thread."""
    import threading

    on_gui: list[str] = []
    for name in ("count", "cost_totals", "page", "page_after", "page_before", "backends"):
        original = getattr(ledger, name)

        def call(*args: Any, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            if threading.current_thread() is threading.main_thread():
                on_gui.append(_name)
            return _original(*args, **kw)

        monkeypatch.setattr(ledger, name, call)
    view = JobsView(ledger)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    try:
        qtbot.waitUntil(lambda: view.model.total() == N_JOBS, timeout=WAIT_MS)
        view.text_filter.setText("ghz")
        with qtbot.waitSignal(view.model.refreshed, timeout=WAIT_MS):
            view.apply_filter()
        with qtbot.waitSignal(view.model.refreshed, timeout=WAIT_MS):
            view.model.sort(0, Qt.SortOrder.AscendingOrder)
        bar = view.table.verticalScrollBar()
        bar.setValue(bar.maximum())
        last = view.model.rowCount() - 1
        qtbot.waitUntil(lambda: view.model.job_row(last) is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: view.backend_filter.count() > 1, timeout=WAIT_MS)
    finally:
        view.shutdown()
    assert on_gui == []
