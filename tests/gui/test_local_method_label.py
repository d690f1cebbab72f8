"""The window shows the qiskit-aer method that ran a local job, in its result panel's status
line (issue 16): GHZ-60 runs on the stabilizer method, a small non-Clifford program on the
statevector one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.ui import messages
from desktop_app.ui.main_window import MainWindow
from tests.unit.test_local_methods import ghz


@pytest.mark.parametrize(
    ("source", "method"),
    [(ghz(60), "stabilizer"), (ghz(5, "t q[0];\n"), "statevector")],
    ids=["ghz60", "non-clifford"],
)
def test_the_method_is_shown_with_the_result(
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    method: str,
) -> None:
    asked: list[str] = []  # a Clifford program needs no memory question: none is asked
    monkeypatch.setattr(messages, "ask", lambda _p, _t, question: asked.append(question) or True)
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
    assert panel.result.method == method
    text = panel.status.text()
    assert text.startswith("Succeeded, 1,000 shots") and text.endswith(f" · {method} method")
    assert asked == []
