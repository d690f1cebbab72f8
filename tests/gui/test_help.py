"""The Help menu: the first-run welcome (once), keyboard shortcuts, About and the README."""

from __future__ import annotations

import platform

from PySide6.QtCore import QSettings, QUrl, qVersion
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app import __version__
from desktop_app.core import paths
from desktop_app.ui import help as help_menu
from desktop_app.ui.main_window import MainWindow


def test_the_welcome_is_shown_on_the_first_run_only(make_window, settings_path) -> None:
    window: MainWindow = make_window()
    box = window.help.welcome_if_first_run()
    assert isinstance(box, QMessageBox) and box.isVisible() and not box.isModal()
    assert "needs no account" in box.text() and "Credentials" in box.text()
    box.close()
    again: MainWindow = make_window()  # the next start, same settings file
    assert again.help.welcome_if_first_run() is None
    assert QSettings(str(settings_path), QSettings.Format.IniFormat).contains("help/welcomeShown")


def test_about_lists_versions_locations_and_the_licence(window: MainWindow) -> None:
    box = window.help.show_about()
    text = box.text()
    for expected in (__version__, qVersion(), platform.python_version(), "qiskit", "azure-quantum"):
        assert expected in text
    assert str(paths.config_dir()) in text and str(paths.log_dir()) in text
    assert str(paths.data_dir()) in text
    assert "Licence: MIT" in text
    box.close()


def test_shortcuts_list_menu_keys_and_editor_keys(window: MainWindow) -> None:
    text = window.help.show_shortcuts().text()
    for expected in ("Ctrl+S", "Save", "Ctrl+O", "Ctrl+J", "F5", "Ctrl+Tab", "Esc", "Ctrl+Return"):
        assert expected in text


def test_readme_opens_in_the_desktop_viewer(window: MainWindow, qtbot: QtBot) -> None:
    opened: list[QUrl] = []
    window.help.open_url = opened.append
    assert window.help.open_readme()
    assert opened and opened[0].toLocalFile().endswith("README.md")
    assert help_menu.README.exists()
