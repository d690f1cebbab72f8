"""A new filter's rows are laid out as they replace the old ones: the table's scroll range fits
the new row count when the model's reset is announced, not at Qt's delayed layout after the first
paint, which would paint every visible cell a second time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.ledger.models import JobFilter
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui.jobs.view import JobsView
from tests.gui.jobs_ledger import add_finished_jobs

N_JOBS = 300
WAIT_MS = 15_000


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with open_ledger() as opened:  # data_dir() is per test (tests/conftest.py)
        add_finished_jobs(opened, N_JOBS, lambda i: f"{'grover' if i % 10 == 0 else 'bell'} {i}")
        yield opened


def test_the_scroll_range_fits_the_new_rows_when_the_reset_is_announced(
    qtbot: QtBot, ledger: Ledger
) -> None:
    view = JobsView(ledger)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    bar = view.table.verticalScrollBar()
    qtbot.waitUntil(lambda: view.model.total() == N_JOBS and not view.model.is_loading())
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)  # 300 rows do not fit
    before = bar.maximum()
    try:
        at_reset: list[int] = []
        # connected after the view's own slot: called once the view has handled the reset
        view.model.modelReset.connect(lambda: at_reset.append(bar.maximum()))
        with qtbot.waitSignal(view.model.refreshed, timeout=WAIT_MS):
            view.model.set_filter(JobFilter(text="grover"))
        assert view.model.total() == N_JOBS // 10
        view.table.doItemsLayout()  # what Qt's delayed layout would make of these rows
        assert at_reset == [bar.maximum()]
        assert at_reset[0] < before
    finally:
        view.shutdown()
