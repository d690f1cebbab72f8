"""A new run's panes: a backend's pane from the run before is kept and shown as new (no stale
result, job id or chart); the other panes go; the row follows the new run's order."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.core.results import RunResult
from desktop_app.ui.results.view import ResultPanel, ResultsView
from tests.gui.results_views import shown_results_view

FIRST = RunResult.from_counts("b", {"00": 3, "11": 7}, shots=10)
SECOND = RunResult.from_counts("b", {"01": 4, "10": 6}, shots=10)


def ran_on(view: ResultsView, *backends: str) -> list[ResultPanel]:
    view.start_run(backends)
    for backend in backends:
        view.set_result(RunResult.from_counts(backend, {"00": 3, "11": 7}, shots=10))
    return view.panels()


def test_a_kept_pane_shows_as_new_until_its_next_result(qtbot: QtBot, tmp_path: Path) -> None:
    view = shown_results_view(qtbot, tmp_path)
    a, b = ran_on(view, "a", "b")
    b.set_job_id("job-1")
    assert b.histogram is not None
    qtbot.waitUntil(lambda: b.histogram.isVisible() and b.table.isVisible())

    view.start_run(["b", "c"])
    assert view.panels()[0] is b and view.panels()[1].backend == "c"
    assert a not in view.panels() and a.isHidden()  # deleted later
    assert b.result is None and view.results() == []
    assert b.status.text() == "Waiting"
    assert b.job_id() is None and b.job_id_label.isHidden() and b.copy_id_button.isHidden()
    assert b.histogram.isHidden() and b.table.isHidden()
    assert b.counts_model.rowCount() == 0

    view.set_result(SECOND)
    assert not b.histogram.isHidden() and not b.table.isHidden()
    assert dict(b.histogram.bars()) == {"01": 4, "10": 6}
    model = b.counts_model
    assert sorted(model.index(r, 0).data() for r in range(model.rowCount())) == ["01", "10"]


def test_a_kept_panes_status_line_sits_where_a_new_panes_does(qtbot: QtBot, tmp_path: Path) -> None:
    view = shown_results_view(qtbot, tmp_path)
    ran_on(view, "b")
    view.start_run(["b", "c"])  # b kept and reset, c new: the same height, side by side
    kept, new = view.panels()
    status_lines = (kept.status, new.status)

    def laid_out_alike() -> bool:  # a kept pane without its stretch: a 500-pixel status line
        return new.isVisible() and len({(s.y(), s.height()) for s in status_lines}) == 1

    qtbot.waitUntil(laid_out_alike, timeout=3000)


def test_the_row_follows_the_new_runs_order(qtbot: QtBot, tmp_path: Path) -> None:
    view = shown_results_view(qtbot, tmp_path)
    b, c = ran_on(view, "b", "c")
    view.start_run(["c", "b"])
    assert view.panels() == [c, b]
    qtbot.waitUntil(lambda: c.x() < b.x())


def test_a_run_on_new_backends_only_drops_every_old_pane(qtbot: QtBot, tmp_path: Path) -> None:
    view = shown_results_view(qtbot, tmp_path)
    old = ran_on(view, "a", "b")
    view.start_run(["c"])
    assert [p.backend for p in view.panels()] == ["c"]
    assert all(p.isHidden() for p in old)
    view.start_run([])
    assert view.panels() == [] and view._placeholder.isVisible()


def test_a_new_panes_chart_is_made_while_it_waits_then_shown_under_its_status(
    qtbot: QtBot, tmp_path: Path
) -> None:
    view = shown_results_view(qtbot, tmp_path)
    view.start_run(["a", "b", "c"])
    panels = view.panels()
    assert not any(p.prepared() for p in panels)  # not in the Run's own turn
    qtbot.waitUntil(lambda: all(p.prepared() for p in panels))
    a = panels[0]
    assert a.histogram is not None and a.histogram.isHidden() and a.table.isHidden()
    status_top = a.status.y()

    view.set_result(RunResult.from_counts("a", {"00": 3, "11": 7}, shots=10))
    histogram = a.histogram

    def shown_in_order() -> bool:  # status line, then the chart, then the table
        return histogram.isVisible() and status_top == a.status.y() < histogram.y() < a.table.y()

    qtbot.waitUntil(shown_in_order)
    assert dict(histogram.bars()) == {"00": 3, "11": 7}
    assert panels[1].histogram is not None and panels[1].histogram.isHidden()  # still waiting
