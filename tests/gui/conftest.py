"""GUI test set-up: windows with their own QSettings file, closed (threads stopped) after a test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow


@pytest.fixture(scope="session", autouse=True)
def _stop_simulator_workers() -> Iterator[None]:
    yield
    from desktop_app.core.local.executor import shutdown_workers

    shutdown_workers()


@pytest.fixture(autouse=True)
def _unsaved_edits_are_discarded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a window whose program a test edited answers "Discard" (a test of the question
    replaces this answer)."""
    from desktop_app.ui import messages

    monkeypatch.setattr(messages, "ask_save_changes", lambda parent, name: "discard")


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "quantum-desk.ini"


@pytest.fixture
def make_window(qtbot: QtBot, settings_path: Path) -> Iterator[type[MainWindow]]:
    """Build windows whose QSettings live in the test's own file (never the user's)."""
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(QSettings(str(settings_path), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make  # type: ignore[misc]
    for window in windows:
        window.close()  # saves state and stops the executor thread (quit + wait)


@pytest.fixture
def window(make_window, qtbot: QtBot) -> MainWindow:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # keyboard shortcuts (Ctrl+Return, Esc) only reach the active window
    qtbot.waitUntil(window.isActiveWindow)
    window.start_background_work()  # warm simulator process, as the app does after first paint
    return window
