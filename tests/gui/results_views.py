"""A results view for the GUI tests: its settings in a file of the test's own, shown at 900x600."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop_app.ui.results.view import ResultsView


def shown_results_view(qtbot: QtBot, tmp_path: Path) -> ResultsView:
    """A ResultsView remembering its choices in `tmp_path`/qd.ini (two views of one test share
    them), shown and exposed."""
    store = QSettings(str(tmp_path / "qd.ini"), QSettings.Format.IniFormat)
    view = ResultsView(store=store)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    return view
