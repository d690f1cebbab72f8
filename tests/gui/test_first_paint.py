"""The app's first paint comes before its ledger, Azure and credentials parts (issue 16).

The real start (`desktop_app.app.main`) in a fresh process, as a user starts it: at the first
paint of the main window the example is loaded and the local simulator ticked, and none of the
modules that are not the window's own widgets have been imported; afterwards the ledger opens and
the Jobs tab appears. A fresh process because this one has imported everything already.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.app import GIL_SWITCH_SECONDS
from tests.gui.child_env import run_window_child, window_child_env

# Not the window's own widgets: each comes after the first paint (app.main's after_first_paint).
LATER = (
    "desktop_app.core.ledger.store",
    "desktop_app.core.ledger.recovery",
    "desktop_app.core.ledger.errors",
    "desktop_app.core.azure.profiles",
    "desktop_app.core.azure.pricing",
    "desktop_app.ui.jobs.app_ledger",
    "desktop_app.ui.jobs.view",
    "desktop_app.ui.backends.summary",
    "desktop_app.ui.credentials.dialog",
    "desktop_app.ui.dark_style",
    "desktop_app.ui.jobs_bridge",
    "desktop_app.ui.messages",
    "desktop_app.ui.runs",
    "desktop_app.core.results",
    "sqlite3",
)

# Qt classes whose Python side (their enum types) the first paint needs not: PySide loads a class
# when first used, with all its enums. QIcon also comes with `QPushButton(text, parent)` and
# `QAction(text, parent)`, for their (icon, text) overloads.
LATER_QT = ("QIcon", "QUrl", "QDesktopServices", "QTextCursor")

CHILD = r"""
import json, sys
from PySide6 import QtCore, QtGui
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

LATER, LATER_QT = json.loads(sys.argv[1])
app = QApplication(sys.argv[:1])
seen = {}

def main_window():
    return next(w for w in app.topLevelWidgets() if w.objectName() == "mainWindow")

def when_jobs_tab() -> None:
    window = main_window()
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    if "Jobs" not in tabs:
        return
    poll.stop()
    seen["tabs_later"] = tabs
    seen["ledger_later"] = window.ledger is not None
    seen["icon_later"] = not app.windowIcon().isNull()  # set after the first paint
    # the run executor, made after the first paint (its prewarm), records in the ledger
    made = window._executor
    seen["executor_records"] = made is not None and made.ledger is window.ledger
    print(json.dumps(seen), flush=True)
    window.close()

poll = QTimer()
poll.setInterval(20)
poll.timeout.connect(when_jobs_tab)

class FirstPaint(QObject):
    done = False
    def eventFilter(self, obj, event):
        if (not self.done and event.type() == QEvent.Type.Paint and obj.isWidgetType()
                and isinstance(obj.window(), QMainWindow)):
            self.done = True
            window = main_window()
            seen["loaded_at_paint"] = sorted(m for m in LATER if m in sys.modules)
            seen["qt_at_paint"] = sorted(
                name for name in LATER_QT if name in vars(QtGui) or name in vars(QtCore)
            )
            seen["program"] = window.editor.toPlainText()
            seen["title"] = window.windowTitle()
            seen["checked"] = window.backend_model.checked_backends()
            seen["tabs_at_paint"] = [window.tabs.tabText(i) for i in range(window.tabs.count())]
            seen["switch_interval"] = sys.getswitchinterval()
            poll.start()
        return False

first_paint = FirstPaint()
app.installEventFilter(first_paint)
from desktop_app.app import main
sys.exit(main([]))
"""


def test_first_paint_has_the_window_and_nothing_else_then_the_jobs_tab(tmp_path: Path) -> None:
    env = window_child_env(
        tmp_path,
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # never the machine's keyring
    )
    stdout = run_window_child(CHILD, json.dumps([LATER, LATER_QT]), env)
    seen = json.loads(stdout.strip().splitlines()[-1])

    assert seen["loaded_at_paint"] == []
    assert seen["qt_at_paint"] == []
    assert "OPENQASM" in seen["program"] and seen["title"].startswith("bell.qasm")
    assert seen["checked"] == ["local.simulator"]
    assert seen["tabs_at_paint"] == ["Results", "Circuit"]
    # a pool thread computing in Python lets the GUI thread in within 1 ms, not Python's 5 ms
    assert seen["switch_interval"] == pytest.approx(GIL_SWITCH_SECONDS)
    assert GIL_SWITCH_SECONDS < 0.005
    # after the first paint: the ledger opened, its Jobs tab shown
    assert seen["ledger_later"] is True
    assert seen["tabs_later"] == ["Results", "Circuit", "Jobs"]
    assert seen["icon_later"] is True  # the app's icon, on its windows from then on
    assert seen["executor_records"] is True
