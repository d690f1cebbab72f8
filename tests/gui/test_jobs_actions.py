"""From the Jobs tab: open a job's program in the editor (asking about unsaved edits), run it
again on its backend and shots, compare two jobs (distance and side-by-side panels)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop_app.core.compare import hellinger_fidelity, total_variation_distance
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.local.method_names import AUTOMATIC, MPS, OPTION
from desktop_app.core.results import JobStatus, RunResult
from desktop_app.ui import messages
from desktop_app.ui.jobs.compare import CompareDialog
from desktop_app.ui.jobs.view import JobsView
from desktop_app.ui.main_window import MainWindow

BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n'
BELL += "measure q -> c;\n"
WAIT_MS = 10_000


@pytest.fixture
def ledger_window(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, Ledger]]:
    with open_ledger() as ledger:
        settings = QSettings(str(tmp_path / "quantum-desk.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        qtbot.addWidget(window)
        window.attach_ledger(ledger)
        window.show()
        qtbot.waitExposed(window)
        try:
            yield window, ledger
        finally:
            window.close()


def _select(qtbot: QtBot, view: JobsView, *job_ids: str) -> None:
    qtbot.waitUntil(lambda: all(view.model.loaded_row_of(j) is not None for j in job_ids))
    view.table.clearSelection()
    selection = view.table.selectionModel()
    for job_id in job_ids:
        row = view.model.loaded_row_of(job_id)
        assert row is not None
        selection.select(
            view.model.index(row, 0),
            selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
        )
    assert sorted(j.id for j in view.selected_jobs()) == sorted(job_ids)


def _job(ledger: Ledger, **kw: object) -> str:
    fields: dict[str, object] = {"backend": "local.simulator", "program": BELL, "shots": 250}
    fields.update(kw)
    return ledger.create_job(**fields)  # type: ignore[arg-type]


def test_open_a_jobs_program_in_the_editor(
    qtbot: QtBot, ledger_window: tuple[MainWindow, Ledger], tmp_path: Path
) -> None:
    window, ledger = ledger_window
    program = tmp_path / "bell.qasm"
    program.write_text(BELL, encoding="utf-8")
    from_file = _job(ledger, name="bell.qasm", program_path=str(program))
    changed_since = _job(
        ledger, name="old.qasm", program=BELL + "// v1\n", program_path=str(program)
    )
    view = window.jobs_view
    assert view is not None

    _select(qtbot, view, from_file)
    view.program_action.trigger()
    qtbot.waitUntil(lambda: window.editor.toPlainText() == BELL, timeout=WAIT_MS)
    assert window.document.path == str(program)  # the file still holds that text
    assert not window.document.modified

    # unsaved edits: the question comes first, and Cancel keeps them
    window.editor.setPlainText("OPENQASM 3.0;\n// mine\n")
    window.editor.document().setModified(True)
    asked: list[str] = []

    def cancel(parent: object, name: str) -> str:
        asked.append(name)
        return "cancel"

    qtbot_monkey = pytest.MonkeyPatch()
    qtbot_monkey.setattr(messages, "ask_save_changes", cancel)
    try:
        _select(qtbot, view, changed_since)
        view.program_action.trigger()
        qtbot.waitUntil(lambda: asked != [], timeout=WAIT_MS)
        assert window.editor.toPlainText() == "OPENQASM 3.0;\n// mine\n"
        qtbot_monkey.setattr(messages, "ask_save_changes", lambda parent, name: "discard")
        view.program_action.trigger()
        qtbot.waitUntil(lambda: window.editor.toPlainText() == BELL + "// v1\n", timeout=WAIT_MS)
    finally:
        qtbot_monkey.undo()
    assert window.document.path is None  # the file holds other text now: untitled


def test_run_a_job_again_on_its_backend_and_shots(
    qtbot: QtBot, ledger_window: tuple[MainWindow, Ledger]
) -> None:
    window, ledger = ledger_window
    old = _job(ledger, name="bell.qasm", shots=321)
    view = window.jobs_view
    assert view is not None
    window.backend_model.set_checked("local.simulator", False)
    _select(qtbot, view, old)
    with qtbot.waitSignal(window.executor.runFinished, timeout=60_000):
        view.rerun_action.trigger()
    assert window.backend_model.checked_backends() == ["local.simulator"]
    assert window.shots_input.value() == 321
    assert window.tabs.currentWidget() is window.results_view
    new = [row for row in ledger.page() if row.id != old]
    assert len(new) == 1
    assert new[0].shots == 321 and new[0].status == JobStatus.SUCCEEDED
    assert ledger.get(new[0].id).program == BELL
    (result,) = window.results_view.results()
    assert sum(result.counts.values()) == 321


def test_run_a_local_job_again_on_the_method_it_ran_with(
    qtbot: QtBot, ledger_window: tuple[MainWindow, Ledger]
) -> None:
    window, ledger = ledger_window
    old = _job(ledger, name="bell.qasm", options={OPTION: MPS})
    view = window.jobs_view
    assert view is not None
    assert window.backend_pane.method() == AUTOMATIC
    _select(qtbot, view, old)
    with qtbot.waitSignal(window.executor.runFinished, timeout=60_000):
        view.rerun_action.trigger()
    assert window.backend_pane.method() == MPS
    (result,) = window.results_view.results()
    assert result.method == MPS
    new = [row for row in ledger.page() if row.id != old]
    assert ledger.get(new[0].id).options[OPTION] == MPS  # with the seed it drew


def test_compare_two_jobs(qtbot: QtBot, ledger_window: tuple[MainWindow, Ledger]) -> None:
    window, ledger = ledger_window
    first_counts = {"00": 480, "11": 520}
    second_counts = {"00": 300, "01": 100, "11": 600}
    ids = []
    for name, counts in (("bell.qasm", first_counts), ("bell.qasm", second_counts)):
        job_id = _job(ledger, name=name, shots=1000)
        ledger.record_result(job_id, RunResult.from_counts("local.simulator", counts))
        ids.append(job_id)
    view = window.jobs_view
    assert view is not None
    _select(qtbot, view, *ids)
    menu = view.context_menu()
    assert view.compare_action.isEnabled() and not view.rerun_action.isEnabled()
    menu.deleteLater()
    dialog = view.compare_selected()
    assert isinstance(dialog, CompareDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.distance is not None, timeout=WAIT_MS)
    assert dialog.records is not None
    by_id = {r.id: r for r in dialog.records}
    p = {k: v / 1000 for k, v in by_id[ids[0]].counts.items()}  # type: ignore[union-attr]
    q = {k: v / 1000 for k, v in by_id[ids[1]].counts.items()}  # type: ignore[union-attr]
    distance = dialog.distance
    assert distance is not None
    assert distance.total_variation == pytest.approx(total_variation_distance(p, q))
    assert distance.total_variation == pytest.approx(0.18)  # |0.48-0.3|/2+0.1/2+|0.52-0.6|/2
    assert distance.hellinger_fidelity == pytest.approx(hellinger_fidelity(p, q))
    assert "total variation distance 0.180" in dialog.summary.text()
    panels = dialog.results.panels()
    assert len(panels) == 2  # same name and backend: told apart by the id
    titles = [panel.title() for panel in panels]
    assert len(set(titles)) == 2 and all(
        t.startswith("bell.qasm · local.simulator") for t in titles
    )
    assert [sum(r.counts.values()) for r in dialog.results.results()] == [1000, 1000]
    dialog.close()


def test_compare_says_when_a_job_has_no_result(
    qtbot: QtBot, ledger_window: tuple[MainWindow, Ledger]
) -> None:
    window, ledger = ledger_window
    done = _job(ledger, name="done")
    ledger.record_result(done, RunResult.from_counts("local.simulator", {"0": 5}))
    waiting = _job(ledger, name="waiting", status=JobStatus.WAITING)
    dialog = CompareDialog(ledger, (done, waiting), window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.records is not None, timeout=WAIT_MS)
    assert dialog.distance is None
    assert dialog.summary.text() == "Cannot compare: no result yet for waiting."


def test_a_queued_job_says_the_average_queue_time(qtbot: QtBot) -> None:
    from desktop_app.core.catalog import builtin_backends
    from desktop_app.ui.backends.model import BackendModel
    from desktop_app.ui.jobs_bridge import queue_note

    model = BackendModel(builtin_backends())
    model.set_info("ionq.simulator", "queue", "2 min")  # as the live status fills it
    assert queue_note(model, "ionq.simulator", "Queued") == " (average queue: 2 min)"
    assert queue_note(model, "ionq.simulator", "Running") == ""
    model.set_info("ionq.simulator", "queue", "—")  # not known: nothing said
    assert queue_note(model, "ionq.simulator", "Queued") == ""
    assert queue_note(model, "no.such.backend", "Queued") == ""
