"""The main window end to end: real simulator worker process, offscreen Qt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSpinBox, QTableView
from pytestqt.qtbot import QtBot

from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.core.local.executor import busy_worker_pids
from desktop_app.ui import messages
from desktop_app.ui.editor.editor import ProgramEditor
from desktop_app.ui.main_window import MainWindow, examples_dir
from desktop_app.ui.results.view import ResultsView

RUN_TIMEOUT_MS = 60_000  # a cold worker imports qiskit first; a loaded 2-core machine is slow

BROKEN = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
h q[0];
cx q[0] q[1];
measure q -> c;
"""


def long_circuit(num_qubits: int = 25, layers: int = 40) -> str:
    lines = [
        "OPENQASM 2.0;",
        'include "qelib1.inc";',
        f"qreg q[{num_qubits}];",
        f"creg c[{num_qubits}];",
    ]
    for layer in range(layers):
        lines += [f"rx({0.1 + 0.01 * (q + layer)}) q[{q}];" for q in range(num_qubits)]
        lines += [f"cx q[{q}], q[{q + 1}];" for q in range(layer % 2, num_qubits - 1, 2)]
    lines.append("measure q -> c;")
    return "\n".join(lines) + "\n"


def run_and_wait(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.executor.runFinished, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(window.findChild(QPushButton, "runButton"), Qt.MouseButton.LeftButton)


def test_key_widgets_have_stable_object_names(window: MainWindow) -> None:
    assert isinstance(window.findChild(ProgramEditor, "programEditor"), ProgramEditor)
    assert isinstance(window.findChild(QTableView, "backendSummary"), QTableView)
    assert isinstance(window.findChild(QSpinBox, "shotsInput"), QSpinBox)
    assert isinstance(window.findChild(QPushButton, "runButton"), QPushButton)
    assert isinstance(window.findChild(QPushButton, "cancelButton"), QPushButton)
    assert isinstance(window.findChild(ResultsView, "resultsView"), ResultsView)
    assert window.backend_model.checked_backends() == [LOCAL_SIMULATOR]


def test_bell_run_shows_00_and_11_in_histogram_and_table(qtbot: QtBot, window: MainWindow) -> None:
    assert window.load_example("bell.qasm")
    window.backend_model.set_checked(LOCAL_SIMULATOR, True)
    window.findChild(QSpinBox, "shotsInput").setValue(2000)
    run_and_wait(qtbot, window)

    panel = window.results_view.panel(LOCAL_SIMULATOR)
    assert panel.result is not None
    assert panel.status.text().startswith("Succeeded, 2,000 shots")
    assert panel.histogram is not None
    bars = panel.histogram.bars()
    assert [outcome for outcome, _ in bars] == ["00", "11"]
    assert sum(count for _, count in bars) == 2000
    table = panel.findChild(QTableView, "countsTable")
    model = table.model()
    assert model.rowCount() == 2
    assert {model.index(r, 0).data() for r in range(2)} == {"00", "11"}
    assert sum(model.index(r, 1).data() for r in range(2)) == 2000
    assert window.run_button.isEnabled() and not window.cancel_button.isEnabled()
    assert not window.error_banner.isVisible()


def test_a_second_run_reuses_the_pane_and_shows_only_its_own_result(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.load_example("bell.qasm")
    window.backend_model.set_checked(LOCAL_SIMULATOR, True)
    run_and_wait(qtbot, window)
    panel = window.results_view.panel(LOCAL_SIMULATOR)
    assert panel.histogram is not None
    assert {outcome for outcome, _ in panel.histogram.bars()} == {"00", "11"}

    flip = BROKEN.replace("h q[0];\ncx q[0] q[1];", "x q[0];")  # always "01"
    assert "x q[0];" in flip
    window.load_program_text(flip, None)
    run_and_wait(qtbot, window)
    assert window.results_view.panels() == [panel]  # the same pane, its widgets kept
    assert [outcome for outcome, _ in panel.histogram.bars()] == ["01"]
    model = panel.counts_model
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["01"]
    assert panel.status.text().startswith("Succeeded")


def test_cancel_stops_a_long_run_and_kills_the_worker(qtbot: QtBot, window: MainWindow) -> None:
    window.load_program_text(long_circuit(), None)
    with qtbot.waitSignal(
        window.executor.jobProgress,
        timeout=RUN_TIMEOUT_MS,
        check_params_cb=lambda backend, message: message == "Simulating",
    ):
        qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    pids = busy_worker_pids()
    assert len(pids) == 1
    assert window.cancel_button.isEnabled()
    with qtbot.waitSignal(window.executor.runFinished, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)  # the Cancel button's shortcut
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    panel = window.results_view.panel(LOCAL_SIMULATOR)
    assert panel.status.text().startswith("Cancelled")
    assert window.run_button.isEnabled()


def test_broken_program_marks_the_line_and_the_app_stays_usable(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.load_program_text(BROKEN, "/tmp/broken.qasm")
    run_and_wait(qtbot, window)
    banner = window.findChild(QLabel, "errorBanner")
    assert banner.isVisible()
    assert "broken.qasm:6:" in banner.text()
    assert "Traceback" not in banner.text()
    assert window.editor.error_line == 6
    assert window.editor.textCursor().blockNumber() == 5
    assert window.results_view.panel(LOCAL_SIMULATOR).status.text().startswith("Failed")

    # fixing the program clears the mark; the next run works
    window.editor.setPlainText(BROKEN.replace("cx q[0] q[1];", "cx q[0], q[1];"))
    assert window.editor.error_line is None
    run_and_wait(qtbot, window)
    assert not banner.isVisible()
    result = window.results_view.panel(LOCAL_SIMULATOR).result
    assert result is not None and set(result.counts) == {"00", "11"}


def test_run_without_a_backend_says_so(window: MainWindow) -> None:
    window.backend_model.set_checked(LOCAL_SIMULATOR, False)
    window.run()
    assert window.error_banner.isVisible()
    assert "Pick at least one backend" in window.error_banner.text()
    assert not window.executor.running


def test_unreadable_file_is_reported_in_the_window(window: MainWindow, tmp_path: Path) -> None:
    assert not window.open_file(str(tmp_path / "missing.qasm"))
    assert "missing.qasm: cannot read the file" in window.error_banner.text()
    binary = tmp_path / "binary.qasm"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert not window.open_file(str(binary))
    assert "not UTF-8" in window.error_banner.text()


def test_examples_menu_lists_and_loads_the_examples(window: MainWindow) -> None:
    actions = {a.text(): a for a in window.examples_menu.actions()}
    assert "bell" in actions
    assert len(actions) == len(list(examples_dir().glob("*.qasm")))
    actions["bell"].trigger()
    assert "h q[0];" in window.editor.toPlainText()
    assert window.windowTitle().startswith("bell.qasm")


def test_open_dialog_and_drop_load_a_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "first.qasm"
    first.write_text(BROKEN.replace("q[2]", "q[3]"), encoding="utf-8")
    monkeypatch.setattr(messages, "ask_open_path", lambda *a: str(first))
    window.open_action.trigger()
    assert "qreg q[3];" in window.editor.toPlainText()

    dropped = tmp_path / "dropped.qasm"
    dropped.write_text("OPENQASM 2.0;\n// dropped\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.editor.dropEvent(event)
    assert window.editor.toPlainText() == "OPENQASM 2.0;\n// dropped\n"
    assert window.windowTitle().startswith("dropped.qasm")


def test_export_csv_json_png(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = {"path": ""}
    monkeypatch.setattr(messages, "ask_save_path", lambda *a: target["path"])
    target["path"] = str(tmp_path / "nothing.csv")
    window.export_csv_action.trigger()  # nothing to export yet
    # not a program error: the status bar says it, the red banner stays hidden
    assert "no results to export" in window.status_label.text()
    assert window.error_banner.isHidden()
    assert not (tmp_path / "nothing.csv").exists()

    window.load_example("bell.qasm")
    run_and_wait(qtbot, window)
    for action, name in (
        (window.export_csv_action, "out.csv"),
        (window.export_json_action, "out.json"),
        (window.export_png_action, "out.png"),
    ):
        target["path"] = str(tmp_path / name)
        action.trigger()
        assert (tmp_path / name).stat().st_size > 0
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert json.dumps(data).count(LOCAL_SIMULATOR) >= 1
    assert "00" in (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert (tmp_path / "out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".quantum-desk")) == []


def test_geometry_and_splitters_are_remembered(qtbot: QtBot, make_window) -> None:
    first = make_window()
    first.show()
    qtbot.waitExposed(first)
    first.resize(760, 517)
    first.main_splitter.setSizes([200, 400])
    qtbot.waitUntil(lambda: first.size().width() == 760)
    sizes = first.main_splitter.sizes()
    first.close()

    second = make_window()
    second.show()
    qtbot.waitExposed(second)
    assert (second.width(), second.height()) == (760, 517)
    assert second.main_splitter.sizes() == sizes


def test_closing_during_a_run_stops_thread_and_worker(qtbot: QtBot, make_window) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.load_program_text(long_circuit(), None)
    window.activateWindow()  # shortcuts only reach the active window
    qtbot.waitUntil(window.isActiveWindow)
    window.editor.setFocus()
    with qtbot.waitSignal(
        window.executor.jobProgress,
        timeout=RUN_TIMEOUT_MS,
        check_params_cb=lambda backend, message: message == "Simulating",
    ):
        qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    # The run's worker, and the success estimate's when it is still at work on the long program
    # (it is when this test runs alone; a borrowed worker goes back to the pool when done).
    pids = busy_worker_pids()
    assert 1 <= len(pids) <= 2
    window.close()  # cancel + wait: returns once the run's worker process is gone
    assert window.executor.idle  # every backend task has ended
    assert len([pid for pid in pids if not _alive(pid)]) == 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_before_run_hook_can_stop_or_change_a_run(qtbot: QtBot, window: MainWindow) -> None:
    import dataclasses

    window.load_example("bell.qasm")
    seen: list[list[str]] = []
    window.before_run = lambda requests, parent, proceed: seen.append([r.backend for r in requests])
    window.run()  # the hook said nothing: no run
    assert seen == [[LOCAL_SIMULATOR]]
    assert not window.executor.running and window.run_button.isEnabled()

    def change_shots(requests, parent, proceed) -> None:
        proceed([dataclasses.replace(r, shots=123) for r in requests])

    window.before_run = change_shots
    run_and_wait(qtbot, window)
    result = window.results_view.panel(LOCAL_SIMULATOR).result
    assert result is not None and result.shots == 123 and sum(result.counts.values()) == 123
