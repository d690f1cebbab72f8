"""The window's Method box (issue 16: "offer matrix product state for wide circuits of low
entanglement"): the local simulator's qiskit-aer method, chosen next to Shots, remembered, and
sent with the run; a statevector that cannot fit is refused by the simulator before it starts,
naming both figures and the method that fits, and runs once that method is chosen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.core.local.method_names import AUTOMATIC, METHODS, MPS, OPTION, STATEVECTOR
from desktop_app.ui import messages
from desktop_app.ui.main_window import MainWindow
from tests.gui.window_runs import run_locally

RUN_TIMEOUT_MS = 60_000
WIDE = 34  # 256 GiB as a statevector: more than any test machine has free


def line_circuit(num_qubits: int) -> str:
    """A GHZ line with one T gate: not Clifford, and a bond dimension of 2 at every cut."""
    gates = "".join(f"cx q[{i}],q[{i + 1}];\n" for i in range(num_qubits - 1))
    return (
        f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{num_qubits}];\ncreg c[{num_qubits}];\n'
        f"h q[0];\nt q[0];\n{gates}measure q -> c;\n"
    )


def method_box(window: MainWindow) -> QComboBox:
    box = window.findChild(QComboBox, "methodInput")
    assert box is not None
    return box


def choose(box: QComboBox, method: str) -> None:
    box.setCurrentIndex(box.findData(method))


def test_the_method_is_automatic_at_first_and_remembered(make_window, qtbot: QtBot) -> None:
    window: MainWindow = make_window()
    box = method_box(window)
    assert [box.itemData(i) for i in range(box.count())] == list(METHODS)
    assert box.currentData() == AUTOMATIC and box.isEnabled()  # the local simulator is ticked
    assert window.backend_pane.options_for(LOCAL_SIMULATOR) == {}  # aer's own choice
    choose(box, MPS)
    assert window.backend_pane.options_for(LOCAL_SIMULATOR) == {OPTION: MPS}
    assert window.backend_pane.options_for("local.emulator.ionq-forte-1") == {}  # its own model
    window.backend_model.set_checked(LOCAL_SIMULATOR, False)
    assert not box.isEnabled()  # it means nothing for the other backends
    window.close()

    again: MainWindow = make_window()
    assert method_box(again).currentData() == MPS


def test_an_unknown_stored_method_reads_as_automatic(make_window, settings_path) -> None:
    settings_path.write_text("[backends]\nlocalMethod=density_matrix\n", encoding="utf-8")
    window: MainWindow = make_window()
    assert method_box(window).currentData() == AUTOMATIC
    assert window.backend_pane.options_for(LOCAL_SIMULATOR) == {}


def test_the_method_box_is_reached_by_tab_after_shots_and_by_alt_m(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.shots_input.setFocus()
    qtbot.keyClick(window.shots_input, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is method_box(window)
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is method_box(window)


def test_a_statevector_that_cannot_fit_is_refused_then_runs_as_a_matrix_product_state(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda _p, _t, question: asked.append(question) or True)
    window.load_program_text(line_circuit(WIDE), None)
    run = window.findChild(QPushButton, "runButton")
    assert run is not None
    with qtbot.waitSignal(window.executor.runFinished, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(run, Qt.MouseButton.LeftButton)
    assert asked == []  # no "run it anyway?": it cannot run
    refusal = window.error_banner.text()
    assert f"not run: {WIDE} qubits on the statevector method need about 256.0 GiB" in refusal
    assert "is available now" in refusal
    assert "matrix_product_state method needs about" in refusal
    assert "in the window: Method, next to Shots" in refusal
    assert window.status_label.text() == f"Finished: {LOCAL_SIMULATOR} Failed"

    choose(method_box(window), MPS)
    panel = run_locally(qtbot, window, line_circuit(WIDE))
    assert panel.result.method == MPS
    assert panel.status.text().endswith(" · matrix_product_state method")
    assert set(panel.result.counts) <= {"0" * WIDE, "1" * WIDE}  # a GHZ state's two outcomes
    assert sum(panel.result.counts.values()) == 1000
    assert asked == []


def test_a_past_jobs_result_says_its_method(window: MainWindow, qtbot: QtBot, tmp_path) -> None:
    from desktop_app.core.ledger.store import Ledger
    from desktop_app.ui.jobs.detail import JobDetailDialog

    ledger = Ledger(tmp_path / "ledger.sqlite3")
    window.executor.set_ledger(ledger)
    choose(method_box(window), MPS)
    run_locally(qtbot, window, line_circuit(3))
    (job,) = ledger.page()
    dialog = JobDetailDialog(ledger, job.id)
    qtbot.addWidget(dialog)
    panel = dialog.result_panel
    assert panel is not None
    assert panel.status.text().endswith(" · matrix_product_state method")
    dialog.close()
    window.executor.set_ledger(None)
    ledger.close()


def test_a_chosen_statevector_is_used_even_for_a_clifford_circuit(
    window: MainWindow, qtbot: QtBot
) -> None:
    choose(method_box(window), STATEVECTOR)
    ghz = line_circuit(3).replace("t q[0];\n", "")
    panel = run_locally(qtbot, window, ghz)
    assert panel.result.method == STATEVECTOR  # automatic would have taken the stabilizer
