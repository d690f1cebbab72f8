"""The window shows the qiskit-aer method that ran a local job, in its result panel's status
line (issue 16): GHZ-60 runs on the stabilizer method, a small non-Clifford program on the
statevector one."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.ui import messages
from desktop_app.ui.main_window import MainWindow
from tests.gui.window_runs import run_locally
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
    panel = run_locally(qtbot, window, source)
    assert panel.result.method == method
    text = panel.status.text()
    assert text.startswith("Succeeded, 1,000 shots") and text.endswith(f" · {method} method")
    assert asked == []
