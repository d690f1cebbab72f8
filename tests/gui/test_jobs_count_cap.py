"""A filter's count stops at a cap first (the label says "N+"), and the exact count follows off
the GUI thread; a text of one or two characters is searched as the start of a name, backend or id,
and the label says so."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.ledger.models import JobFilter
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus
from desktop_app.ui.jobs import model as jobs_model
from desktop_app.ui.jobs.model import JobsModel
from desktop_app.ui.jobs.view import JobsView

N_JOBS = 250
CAP = 40
WAIT_MS = 15_000


@pytest.fixture
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    with open_ledger(tmp_path_factory.mktemp("cap") / "ledger.sqlite3") as opened:
        with opened.transaction():
            for i in range(N_JOBS):
                opened.create_job(
                    backend=("local.simulator", "ionq.simulator")[i % 2],
                    program=f"OPENQASM 3.0;\n// step {i % 9}\nqubit q;\n",
                    shots=100,
                    name=f"{('bell', 'ghz', 'qft')[i % 3]} {i}",
                    status=JobStatus.WAITING,
                    created_at=datetime(2025, 6, 1, tzinfo=UTC) + timedelta(minutes=i),
                )
        yield opened


@pytest.fixture(autouse=True)
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs_model, "COUNT_CAP", CAP)


def _settled(model: JobsModel) -> bool:
    return not model.is_loading() and not model.is_counting()


def test_the_count_shows_capped_then_exact(qtbot: QtBot, ledger: Ledger) -> None:
    model = JobsModel(ledger, page_size=25)
    try:
        seen: list[tuple[int, bool]] = []
        model.refreshed.connect(lambda: seen.append((model.total(), model.is_counting())))
        qtbot.waitUntil(lambda: _settled(model), timeout=WAIT_MS)
        assert seen[0] == (CAP + 1, True)  # rows and "40+" first
        assert model.total() == model.rowCount() == N_JOBS

        for text, expected in (("bell", N_JOBS // 3 + 1), ("step 4", 28), ("zzz", 0)):
            seen.clear()
            with qtbot.waitSignal(model.refreshed, timeout=WAIT_MS):
                model.set_filter(JobFilter(text=text))
            qtbot.waitUntil(lambda: _settled(model), timeout=WAIT_MS)
            assert model.total() == ledger.count(JobFilter(text=text)) == expected, text
            assert seen[0] == (min(expected, CAP + 1), expected > CAP), text
            last = model.index(expected - 1, 0) if expected else None
            if last is not None:  # every row is reachable once the exact count is in
                qtbot.waitUntil(lambda i=last: i.data() is not None, timeout=WAIT_MS)
    finally:
        model.close()


def test_a_ledger_change_past_the_cap_keeps_the_rows_until_the_exact_count(
    qtbot: QtBot, ledger: Ledger
) -> None:
    model = JobsModel(ledger, page_size=25)
    try:
        qtbot.waitUntil(lambda: _settled(model), timeout=WAIT_MS)
        sizes: list[int] = []
        model.rowsRemoved.connect(lambda *_a: sizes.append(model.rowCount()))
        with qtbot.waitSignal(model.countChanged, timeout=WAIT_MS):
            ledger.create_job(backend="local.simulator", program="OPENQASM 3.0;", shots=1)
        assert model.total() == N_JOBS + 1
        assert sizes == []  # never shrunk to the cap on the way
    finally:
        model.close()


def test_the_label_says_capped_and_what_a_short_text_matched(qtbot: QtBot, ledger: Ledger) -> None:
    view = JobsView(ledger)
    qtbot.addWidget(view)
    try:
        qtbot.waitUntil(lambda: _settled(view.model), timeout=WAIT_MS)
        assert view.count_label.text() == f"{N_JOBS} jobs"
        labels: list[str] = []
        view.model.refreshed.connect(lambda: labels.append(view.count_label.text()))
        view.text_filter.setText("gh")
        view.apply_filter()
        qtbot.waitUntil(lambda: _settled(view.model), timeout=WAIT_MS)
        assert labels[0] == f"{CAP}+ jobs whose name, backend or id starts with “gh” " + (
            "(3+ characters search all) …"
        )
        prefix = ledger.count(JobFilter(text="gh", short_text="prefix"))
        assert prefix == N_JOBS // 3  # the names "ghz ..."
        assert view.count_label.text().startswith(f"{prefix} jobs whose name")
        view.text_filter.setText("ep")  # inside "step": no name, backend or id starts with it
        view.apply_filter()
        qtbot.waitUntil(lambda: _settled(view.model) and view.model.total() == 0, timeout=WAIT_MS)
        view.text_filter.setText("ep 4")
        view.apply_filter()
        qtbot.waitUntil(lambda: _settled(view.model) and view.model.total() == 28, timeout=WAIT_MS)
        assert view.count_label.text() == "28 jobs"
    finally:
        view.shutdown()


def test_rows_at_the_cap_are_the_ones_there_not_the_last_jobs(
    qtbot: QtBot, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the exact count is on its way, the cap is not where the rows end: the row at the
    cap holds the job at that place in the order, not the order's last job."""
    release = threading.Event()
    exact_count = ledger.count

    def slow_exact(flt: JobFilter | None = None, cap: int | None = None, **kwargs: Any) -> int:
        if cap is None:  # the exact count waits for the test
            release.wait(WAIT_MS / 1000)
        return exact_count(flt, cap, **kwargs)

    monkeypatch.setattr(ledger, "count", slow_exact)
    model = JobsModel(ledger, page_size=10)  # the row at the cap: page 4, far from page 0
    try:
        qtbot.waitUntil(lambda: not model.is_loading(), timeout=WAIT_MS)
        assert model.is_counting() and model.rowCount() == CAP + 1
        expected = [r.id for r in ledger.page(offset=CAP - 5, limit=6)]
        qtbot.waitUntil(lambda: model.index(CAP, 0).data() is not None, timeout=WAIT_MS)
        assert [model.job_id(r) for r in range(CAP - 5, CAP + 1)] == expected
        release.set()
        qtbot.waitUntil(lambda: not model.is_counting(), timeout=WAIT_MS)
        assert model.rowCount() == N_JOBS
    finally:
        release.set()
        model.close()


def test_one_aggregate_of_a_kind_runs_at_a_time_and_only_the_newest_waits() -> None:
    from desktop_app.ui.jobs.pages import OneAtATime

    started: list[str] = []
    one = OneAtATime()
    for name in ("costs 1", "costs 2", "costs 3"):
        one.submit("costs", lambda n=name: started.append(n))  # type: ignore[misc]
    one.submit("count", lambda: started.append("count 1"))  # another kind: at once
    assert started == ["costs 1", "count 1"]
    one.done("costs")
    assert started == ["costs 1", "count 1", "costs 3"]  # costs 2 was superseded
    one.done("costs")
    one.submit("costs", lambda: started.append("costs 4"))
    assert started[-1] == "costs 4"
