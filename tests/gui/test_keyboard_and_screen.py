"""Full keyboard (Tab leaves the editor and walks the window in reading order; Ctrl+Tab indents)
and any screen (the first size comes from the screen; splitters and columns are remembered)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.window_layout import initial_geometry

NAMED_IN_READING_ORDER = [
    "programEditor",
    "backendSummary",
    "shotsInput",
    "runButton",
    "cancelButton",
    "resultsView",
]


def _named_ancestor(widget: QWidget | None) -> str:
    while widget is not None:
        if widget.objectName() in NAMED_IN_READING_ORDER:
            return widget.objectName()
        widget = widget.parentWidget()
    return ""


def tab_walk(qtbot: QtBot, window: MainWindow, steps: int = 30) -> list[str]:
    """The named controls the focus reaches, in order, pressing Tab from the editor."""
    window.editor.setFocus()
    qtbot.waitUntil(window.editor.hasFocus)
    seen = [_named_ancestor(QApplication.focusWidget())]
    for _ in range(steps):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        name = _named_ancestor(QApplication.focusWidget())
        if name == "programEditor":  # round the window once
            break
        if name and name != seen[-1]:
            seen.append(name)
    return seen


def test_tab_leaves_the_editor_and_visits_every_control_in_reading_order(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.load_program_text("OPENQASM 2.0;\n", None)
    window.cancel_button.setEnabled(True)  # as during a run, so the walk can reach it
    assert tab_walk(qtbot, window) == NAMED_IN_READING_ORDER
    assert window.editor.toPlainText() == "OPENQASM 2.0;\n"  # Tab typed nothing

    window.cancel_button.setEnabled(False)  # idle: Tab skips the disabled Cancel
    assert tab_walk(qtbot, window) == [n for n in NAMED_IN_READING_ORDER if n != "cancelButton"]


def test_shift_tab_goes_back_and_ctrl_tab_indents(qtbot: QtBot, window: MainWindow) -> None:
    window.load_program_text("h q[0];\nx q[1];\n", None)
    window.shots_input.setFocus()
    qtbot.waitUntil(window.shots_input.hasFocus)
    qtbot.keyClick(window.shots_input, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is window.backend_view

    window.editor.setFocus()
    cursor = window.editor.textCursor()
    cursor.setPosition(0)
    window.editor.setTextCursor(cursor)
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.toPlainText() == "    h q[0];\nx q[1];\n"
    assert window.editor.hasFocus()
    window.editor.selectAll()
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.toPlainText() == "        h q[0];\n    x q[1];\n"
    qtbot.keyClick(
        window.editor,
        Qt.Key.Key_Backtab,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.editor.toPlainText() == "    h q[0];\nx q[1];\n"


@pytest.mark.parametrize(
    "screen",
    [
        QRect(0, 0, 1024, 768 - 32),  # a panel at the bottom
        QRect(0, 0, 1366, 768 - 32),
        QRect(0, 0, 1280, 800 - 32),  # 2560x1600 at 2x scale, in device-independent pixels
    ],
    ids=["1024x768", "1366x768", "2x-scale"],
)
def test_the_window_fits_the_screen_with_every_control_inside(
    qtbot: QtBot, window: MainWindow, screen: QRect
) -> None:
    window.fit_to_screen(screen)
    qtbot.waitUntil(lambda: screen.contains(window.geometry()))
    assert window.minimumSizeHint().width() <= screen.width()
    assert window.minimumSizeHint().height() <= screen.height()
    inside = window.rect()
    for widget in (
        window.editor,
        window.backend_view,
        window.shots_input,
        window.run_button,
        window.cancel_button,
        window.results_view,
        window.statusBar(),
    ):
        top_left = widget.mapTo(window, QPoint(0, 0))
        box = QRect(top_left, widget.size())
        assert inside.contains(box), f"{widget.objectName() or widget} is cut off"
        assert widget.isVisible() and widget.height() > 0
    program, backends = window.top_splitter.sizes()
    assert program >= 0.6 * backends  # the program is not squeezed by the table's width


def test_first_size_shrinks_to_the_screen_but_not_below_what_the_layout_needs() -> None:
    from PySide6.QtCore import QSize

    small = initial_geometry(QRect(0, 0, 1024, 736), QSize(575, 313))
    assert small.width() <= 1024 * 0.92 and small.height() <= 736 * 0.92
    assert QRect(0, 0, 1024, 736).contains(small)
    large = initial_geometry(QRect(0, 0, 2560, 1400), QSize(575, 313))
    assert (large.width(), large.height()) == (1200, 800)
    tiny = initial_geometry(QRect(0, 0, 400, 300), QSize(575, 313))
    assert (tiny.width(), tiny.height()) == (575, 313)


def test_splitters_and_column_widths_are_remembered(qtbot: QtBot, make_window) -> None:
    first = make_window()
    first.show()
    qtbot.waitExposed(first)
    header = first.backend_view.horizontalHeader()
    header.resizeSection(0, 211)
    first.top_splitter.setSizes([300, 700])
    sizes = first.top_splitter.sizes()
    first.close()
    second: MainWindow = make_window()
    second.show()
    qtbot.waitExposed(second)
    assert second.backend_view.horizontalHeader().sectionSize(0) == 211
    assert second.top_splitter.sizes() == sizes
    assert isinstance(second.settings, QSettings)
