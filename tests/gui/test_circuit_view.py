"""The circuit view beside the editor: drawn in a worker process a moment after typing stops,
shown with QtSvg, as written or as a ticked target runs it; an erroneous or oversized program,
or one a target cannot run, gets a plain message."""

from __future__ import annotations

import os

from pytestqt.qtbot import QtBot

from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.core.circuit_drawing import MAX_QUBITS
from desktop_app.ui.editor.circuit_view import CircuitView
from desktop_app.ui.main_window import MainWindow

BELL = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
h q[0];
cx q[0], q[1];
measure q -> c;
"""
IONQ_EMULATION = "local.emulator.ionq-forte-1"


def shown_view(qtbot: QtBot) -> CircuitView:
    view = CircuitView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_bell_program_is_drawn_in_another_process(qtbot: QtBot) -> None:
    view = shown_view(qtbot)
    view.set_program(BELL, None)
    qtbot.waitUntil(lambda: view.drawing is not None, timeout=60_000)
    assert view.drawing is not None and view.drawing.drawn_by != os.getpid()
    assert view.svg is not None and view.svg.renderer().isValid()
    assert view.svg.isVisible() and view.svg.width() > 100
    assert "cx 1" in view.message.text() and "h 1" in view.message.text()


def test_an_erroneous_program_shows_a_message_not_a_picture(qtbot: QtBot) -> None:
    view = shown_view(qtbot)
    view.set_program(BELL, None)
    qtbot.waitUntil(lambda: view.drawing is not None, timeout=60_000)
    view.set_program(BELL.replace("cx q[0], q[1];", "cx q[0], q[5];"), "bell.qasm")
    qtbot.waitUntil(lambda: view.drawing is None and not view.busy(), timeout=60_000)
    text = view.message.text()
    assert text.startswith("No circuit to draw: the program has an error.")
    assert "bell.qasm:6" in text  # where, as the editor's banner says it
    assert "Traceback" not in text and "Error:" not in text
    assert not view.scroll_area.isVisible()


def test_a_circuit_too_large_is_not_drawn(qtbot: QtBot) -> None:
    view = shown_view(qtbot)
    view.set_program(
        f'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[{MAX_QUBITS + 8}] q;\nh q;\n', None
    )
    qtbot.waitUntil(lambda: "too large to draw" in view.message.text(), timeout=60_000)
    assert view.drawing is None


def test_typing_draws_once_after_the_pause_and_a_hidden_view_waits(qtbot: QtBot) -> None:
    view = CircuitView()
    qtbot.addWidget(view)
    view.set_program(BELL, None)  # hidden: nothing is drawn yet
    assert not view.busy()
    view.show()
    qtbot.waitExposed(view)
    assert view.busy()  # shown: the pending program is drawn after the pause
    for n in range(3):  # keystrokes in a row: one drawing, of the last text
        view.set_program(BELL + "x q[0];\n" * (n + 1), None)
    qtbot.waitUntil(lambda: view.drawing is not None and not view.busy(), timeout=60_000)
    assert view.drawing is not None and view.drawing.operations.get("x") == 3


def test_the_window_has_a_circuit_tab_that_follows_the_editor(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.tabs.setCurrentWidget(window.circuit_view)
    window.editor.setPlainText(BELL)
    qtbot.waitUntil(lambda: window.circuit_view.drawing is not None, timeout=60_000)
    assert window.circuit_view.drawing.operations["measure"] == 2


def test_the_ticked_targets_are_offered_and_drawn_as_they_run_it(qtbot: QtBot) -> None:
    view = shown_view(qtbot)
    view.set_targets([LOCAL_SIMULATOR, IONQ_EMULATION, "ionq.simulator"])
    choices = [view.target_choice.itemText(i) for i in range(view.target_choice.count())]
    assert choices == [
        "As written",
        f"As {IONQ_EMULATION} runs it",
        "As ionq.simulator runs it",
    ]  # the local simulator runs the program as written: not offered twice
    view.set_program(BELL, "bell.qasm")
    qtbot.waitUntil(lambda: view.drawing is not None, timeout=60_000)
    assert view.drawing is not None and view.drawing.target is None
    assert "h 1" in view.message.text()

    view.choose(IONQ_EMULATION)  # drawn at once, in the worker
    qtbot.waitUntil(
        lambda: view.drawing is not None and view.drawing.target == IONQ_EMULATION,
        timeout=60_000,
    )
    assert view.drawing.drawn_by != os.getpid()
    assert "h" not in view.drawing.operations and "cx" not in view.drawing.operations
    assert "rxx 1" in view.message.text() and "native circuit" in view.message.text()
    assert view.svg is not None and view.svg.renderer().isValid() and view.svg.isVisible()

    view.set_targets([LOCAL_SIMULATOR, "ionq.simulator"])  # the emulation unticked
    assert view.target() is None  # back to the program as written, redrawn
    qtbot.waitUntil(
        lambda: view.drawing is not None and view.drawing.target is None, timeout=60_000
    )
    assert "h 1" in view.message.text()


def test_a_target_that_cannot_run_the_program_says_why(qtbot: QtBot) -> None:
    view = shown_view(qtbot)
    view.set_targets(["ionq.simulator"])
    view.choose("ionq.simulator")
    view.set_program(BELL.replace("measure q -> c;\n", ""), None)
    qtbot.waitUntil(lambda: "No circuit as" in view.message.text(), timeout=60_000)
    text = view.message.text()
    assert text.startswith("No circuit as ionq.simulator runs it: The program measures no qubit")
    assert view.drawing is None and not view.scroll_area.isVisible()
    assert "Error" not in text and "Traceback" not in text


def test_the_window_offers_what_is_ticked_in_the_backend_summary(
    qtbot: QtBot, window: MainWindow
) -> None:
    choice = window.circuit_view.target_choice
    assert [choice.itemData(i) for i in range(choice.count())] == [None]
    window.backend_model.set_checked(IONQ_EMULATION, True)
    assert choice.findData(IONQ_EMULATION) == 1
    window.tabs.setCurrentWidget(window.circuit_view)
    window.editor.setPlainText(BELL)
    window.circuit_view.choose(IONQ_EMULATION)
    qtbot.waitUntil(
        lambda: (
            window.circuit_view.drawing is not None
            and window.circuit_view.drawing.target == IONQ_EMULATION
        ),
        timeout=60_000,
    )
    window.backend_model.set_checked(IONQ_EMULATION, False)
    assert choice.findData(IONQ_EMULATION) == -1 and window.circuit_view.target() is None
