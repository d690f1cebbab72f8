"""What reading a program leaves out (timing statements, issue 9) is said in the window, next to
the result it concerns, never silently."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from tests.gui.window_runs import run_locally

TIMED = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[1] q;\nbit[1] c;\nstretch s;\n'
    "box { x q[0]; }\nc[0] = measure q[0];\n"
)


def _run(qtbot: QtBot, window: MainWindow, source: str) -> str:
    panel = run_locally(qtbot, window, source)
    assert panel.result.counts == {"1": 1000}  # the box's gate ran; only the timing went
    return panel.status.text() + "\n" + panel.status.toolTip()


def test_timing_left_out_is_said_with_its_place(qtbot: QtBot, window: MainWindow) -> None:
    shown = _run(qtbot, window, TIMED)
    assert "warning: " in shown
    assert ":5:1: 'stretch' declaration left out" in shown
    assert ":6:1: 'box' left out" in shown
    # in full, above the editor (the result's status line is cut to the card's width)
    banner = window.findChild(QLabel, "warningBanner")
    assert banner.isVisible() and banner.wordWrap()
    lines = banner.text().split("\n")
    assert len(lines) == 2
    assert lines[0].endswith("timing does not change an ideal simulation's outcomes")
    run = window.findChild(QPushButton, "runButton")
    with qtbot.waitSignal(window.executor.runFinished, timeout=60_000):
        run.click()
        assert not banner.isVisible()  # the next run starts without them...
    assert banner.text().split("\n") == lines  # ...and says them again, once each


def test_a_program_with_nothing_left_out_has_no_warning(qtbot: QtBot, window: MainWindow) -> None:
    untimed = TIMED.replace("stretch s;\n", "").replace("box { x q[0]; }", "x q[0];")
    assert "warning" not in _run(qtbot, window, untimed)
    assert not window.findChild(QLabel, "warningBanner").isVisible()
