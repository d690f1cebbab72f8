"""Run a program on the local simulator from the window, as a user does, for the GUI tests."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.ui.main_window import MainWindow


def run_locally(qtbot: QtBot, window: MainWindow, source: str) -> Any:
    """Type `source`, tick the local simulator, press Run, wait; the local result's panel."""
    editor = window.findChild(QPlainTextEdit, "programEditor")
    assert editor is not None
    editor.setPlainText(source)
    window.backend_model.set_checked(LOCAL_SIMULATOR, True)
    run = window.findChild(QPushButton, "runButton")
    assert run is not None
    with qtbot.waitSignal(window.executor.runFinished, timeout=60_000):
        qtbot.mouseClick(run, Qt.MouseButton.LeftButton)
    panel = window.results_view.panel(LOCAL_SIMULATOR)
    assert panel.result is not None, panel.status.text()
    return panel
