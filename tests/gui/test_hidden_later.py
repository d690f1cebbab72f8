"""The window as app.main builds it (issue 16): what the first paint does not show comes later.

`MainWindow(azure_later=True, hidden_later=True)` shows the Results tab with an empty Circuit page
and no View > Translation entry; `build_azure()` (after the first paint) builds them in place,
and the window then is the one `MainWindow()` builds at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop_app.ui.editor.circuit_view import CircuitView
from desktop_app.ui.main_window import MainWindow


def _texts(window: MainWindow) -> tuple[list[str], list[str]]:
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    return tabs, [a.text() for a in window.view_menu.actions()]


def test_hidden_parts_come_in_place_after_the_first_paint(
    qtbot: QtBot, settings_path: Path
) -> None:
    eager = MainWindow(QSettings(str(settings_path), QSettings.Format.IniFormat))
    qtbot.addWidget(eager)
    window = MainWindow(
        QSettings(str(settings_path), QSettings.Format.IniFormat),
        azure_later=True,
        hidden_later=True,
    )
    qtbot.addWidget(window)
    window.load_example("bell.qasm")
    window.show()
    qtbot.waitExposed(window)

    tabs, actions = _texts(window)
    assert tabs == ["Results", "Circuit"]
    assert window.tabs.currentWidget() is window.results_view
    assert not isinstance(window.tabs.widget(1), CircuitView)
    assert "&Translation…" not in actions
    assert not hasattr(window, "circuit_view")

    window.build_azure()  # as app.main does after the first paint; it builds the rest too

    assert _texts(window) == _texts(eager)
    assert window.tabs.widget(1) is window.circuit_view
    assert window.tabs.currentWidget() is window.results_view  # the user's tab stays
    window.tabs.setCurrentWidget(window.circuit_view)
    # the program reaches the Circuit tab once it is built (drawn in a worker process)
    qtbot.waitUntil(lambda: window.circuit_view.drawing is not None, timeout=60_000)
    view = window.translation.open()  # View > Translation works
    assert view.isVisible()
    view.close()
    window.close()
    eager.close()
