"""The jobs table's own cell delegate paints what Qt's QStyledItemDelegate paints: compared pixel
for pixel, with a selection, the current cell's focus frame, failed jobs in the error colour,
numbers at the right and a text elided in a narrow column."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QStyledItemDelegate
from pytestqt.qtbot import QtBot

from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui.jobs.cells import JobCellDelegate
from desktop_app.ui.jobs.view import JobsView
from tests.gui.test_jobs_view import populate

WAIT_MS = 10_000


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[JobsView]:
    with open_ledger() as ledger:  # data_dir() is per test (tests/conftest.py)
        populate(ledger, 40)  # every 5th job Failed
        shown = _shown(qtbot, ledger)
        yield shown
        shown.shutdown()


def _shown(qtbot: QtBot, ledger: Ledger) -> JobsView:
    view = JobsView(ledger)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    qtbot.waitExposed(view)
    model = view.model
    qtbot.waitUntil(lambda: model.total() == 40, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: all(model.job_row(r) for r in range(20)), timeout=WAIT_MS)
    return view


def _error_pixels(image: QImage) -> int:
    """Pixels of about the failed status' colour (#b00020, antialiased text)."""
    found = 0
    for y in range(0, image.height()):
        for x in range(0, image.width(), 2):
            colour = QColor(image.pixel(x, y))
            if colour.red() > 120 and colour.green() < 60 and colour.blue() < 80:
                found += 1
    return found


def test_cells_are_painted_as_qts_own_delegate_paints_them(view: JobsView, qtbot: QtBot) -> None:
    table = view.table
    assert isinstance(table.itemDelegate(), JobCellDelegate)
    table.horizontalHeader().resizeSection(0, 48)  # names elided
    table.selectRow(2)
    table.setFocus()
    table.setCurrentIndex(view.model.index(2, 1))
    viewport = table.viewport()
    ours = viewport.grab().toImage()

    table.setItemDelegate(QStyledItemDelegate(table))
    qt_own = viewport.grab().toImage()

    assert _error_pixels(ours) > 20  # the failed jobs' status is drawn red, as Qt's is
    assert ours == qt_own


def test_a_text_too_wide_for_its_cell_is_elided_at_its_end(view: JobsView) -> None:
    delegate = view.table.itemDelegate()
    assert isinstance(delegate, JobCellDelegate)
    text = "a long job name that cannot fit"
    static, width = delegate.shown_text(text, 60)
    assert static.text().endswith("…") and static.text() != text
    assert 0 < width <= 60
    assert delegate.shown_text("100", 60)[0].text() == "100"  # one that fits is kept whole
