"""What the jobs model asks the view to repaint, and what it leaves running behind it: a page read
ahead repaints nothing (it was never shown blank), a page shown blank is announced when it comes;
a cost total of a filter left behind is told to stop, and a sort keeps the total of its jobs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from desktop_app.core.ledger.models import CostTotal, JobFilter, JobOrder
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus
from desktop_app.ui.jobs.model import JobsModel

PAGE = 10
N_JOBS = 95
BASE = datetime(2025, 6, 1, tzinfo=UTC)
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    with open_ledger(tmp_path_factory.mktemp("repaint") / "ledger.sqlite3") as opened:
        with opened.transaction():
            for i in range(N_JOBS):
                opened.create_job(
                    backend=("local.simulator", "ionq.simulator")[i % 2],
                    program=f"OPENQASM 3.0;\n// run {i}\nqubit q;\n",
                    shots=100,
                    name=f"{('bell', 'ghz')[i % 2]} {i}",
                    azure_job_id=f"azure-{i}" if i % 2 else None,
                    estimated_cost={"amount": 0.5, "currency": "USD"} if i % 2 else None,
                    status=JobStatus.SUCCEEDED,
                    created_at=BASE + timedelta(minutes=i),
                )
        yield opened


@pytest.fixture
def model(qtbot: QtBot, ledger: Ledger) -> Iterator[JobsModel]:
    made = JobsModel(ledger, page_size=PAGE)
    qtbot.waitUntil(lambda: not made.is_loading(), timeout=WAIT_MS)
    yield made
    made.close()


def _changed_rows(model: JobsModel) -> list[tuple[int, int]]:
    changed: list[tuple[int, int]] = []

    def record(first: QModelIndex, last: QModelIndex, *_roles: Any) -> None:
        changed.append((first.row(), last.row()))

    model.dataChanged.connect(record)
    return changed


def test_a_page_read_ahead_repaints_nothing_and_a_page_shown_blank_is_announced(
    qtbot: QtBot, model: JobsModel
) -> None:
    changed = _changed_rows(model)
    assert model.index(45, 0).data() is None  # page 4 shown blank: it and its neighbours load
    qtbot.waitUntil(lambda: (40, 49) in changed, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: all(model.job_row(r) is not None for r in range(30, 60)), timeout=WAIT_MS
    )
    assert changed == [(40, 49)]  # pages 3 and 5 came too, but nobody had asked for their rows
    for row in range(N_JOBS):  # every row, as a view scrolling through would ask for it
        if model.index(row, 0).data() is None:

            def loaded(row: int = row) -> bool:
                return model.job_row(row) is not None

            qtbot.waitUntil(loaded, timeout=WAIT_MS)
    names = [model.index(r, 0).data() for r in range(N_JOBS)]
    assert sorted(names) == sorted(f"{('bell', 'ghz')[i % 2]} {i}" for i in range(N_JOBS))
    # a page announced was shown blank first: once each, whole pages only
    assert len(changed) == len(set(changed))
    assert all(first % PAGE == 0 and last - first < PAGE for first, last in changed)


class BlockedCosts:
    """`Ledger.cost_totals` held until released, recording each call's `cancelled`."""

    def __init__(self, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        self.calls: list[tuple[JobFilter, Callable[[], bool]]] = []
        original = ledger.cost_totals

        def blocked(
            flt: JobFilter | None = None, *, cancelled: Callable[[], bool] | None = None
        ) -> dict[str, CostTotal]:
            assert cancelled is not None
            self.calls.append((flt or JobFilter(), cancelled))
            self.release.wait(WAIT_MS / 1000)
            return original(flt, cancelled=cancelled)

        monkeypatch.setattr(ledger, "cost_totals", blocked)


def test_a_cost_total_of_a_filter_left_behind_is_told_to_stop(
    qtbot: QtBot, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    costs = BlockedCosts(ledger, monkeypatch)
    model = JobsModel(ledger, page_size=PAGE)
    try:
        qtbot.waitUntil(lambda: len(costs.calls) == 1, timeout=WAIT_MS)
        _flt, cancelled = costs.calls[0]
        assert not cancelled()
        model.set_filter(JobFilter(text="ghz"))
        assert cancelled()  # the unfiltered total is no longer wanted
        costs.release.set()
        with qtbot.waitSignal(model.costsChanged, timeout=WAIT_MS):
            pass
        assert [flt.text for flt, _ in costs.calls] == ["", "ghz"]
        assert model.cost_totals()["USD"].jobs == len(range(1, N_JOBS, 2))  # the ghz ones
    finally:
        costs.release.set()
        model.close()


def test_a_sort_keeps_the_cost_total_of_the_same_jobs(
    qtbot: QtBot, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    costs = BlockedCosts(ledger, monkeypatch)
    model = JobsModel(ledger, page_size=PAGE)
    try:
        qtbot.waitUntil(lambda: len(costs.calls) == 1, timeout=WAIT_MS)
        _flt, cancelled = costs.calls[0]
        with qtbot.waitSignal(model.refreshed, timeout=WAIT_MS):
            model.set_order(JobOrder("name", descending=False))
        assert not cancelled()  # the same jobs: their total goes on
        with qtbot.waitSignal(model.costsChanged, timeout=WAIT_MS):
            costs.release.set()
        assert len(costs.calls) == 1
        assert model.cost_totals()["USD"].jobs == len(range(1, N_JOBS, 2))
    finally:
        costs.release.set()
        model.close()
