"""The main window on any screen: its first size from the screen's free area, the remembered
splitters and column widths, and a Tab order in reading order."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter, QWidget

from desktop_app.ui import settings

PREFERRED_SIZE = QSize(1200, 800)
SCREEN_SHARE = 0.92  # of the free area, at most: the title bar and the frame stay on screen


def initial_geometry(available: QRect, minimum: QSize) -> QRect:
    """The first window geometry on a screen whose free area is `available`: the preferred size,
    shrunk to fit (never below what the layout needs), centred."""
    width = min(PREFERRED_SIZE.width(), int(available.width() * SCREEN_SHARE))
    height = min(PREFERRED_SIZE.height(), int(available.height() * SCREEN_SHARE))
    size = QSize(max(width, minimum.width()), max(height, minimum.height()))
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(available.center())
    return rect


def available_geometry(window: QWidget) -> QRect:
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


@dataclass
class WindowLayout:
    """The parts of the main window whose sizes are remembered between sessions."""

    window: QMainWindow
    store: QSettings
    main_splitter: QSplitter
    top_splitter: QSplitter
    backend_header: QHeaderView
    jobs_header: QHeaderView | None = None  # once the Jobs tab exists

    def fit_to_screen(self, available: QRect | None = None) -> None:
        """Size and centre the window for the free area of its screen (or `available`)."""
        window = self.window
        area = available if available is not None else available_geometry(window)
        geometry = initial_geometry(area, window.minimumSizeHint())
        window.setGeometry(geometry)
        self.main_splitter.setSizes([geometry.height() * 2 // 5, geometry.height() * 3 // 5])
        # as the stretch factors share it: else the backend table's wide size hint squeezed the
        # program to a quarter of the width, its comment lines cut off
        self.top_splitter.setSizes([geometry.width() * 2 // 5, geometry.width() * 3 // 5])

    def restore(self) -> None:
        for option, restore in (
            (settings.WINDOW_GEOMETRY, self.window.restoreGeometry),
            (settings.WINDOW_STATE, self.window.restoreState),
            (settings.MAIN_SPLITTER, self.main_splitter.restoreState),
            (settings.TOP_SPLITTER, self.top_splitter.restoreState),
            (settings.BACKEND_COLUMNS, self.backend_header.restoreState),
        ):
            value = option.read(self.store)
            if not value.isEmpty():
                restore(value)
        area = available_geometry(self.window)
        if not area.contains(self.window.frameGeometry()):  # saved on a larger/another screen
            self.fit_to_screen(area)

    def attach_jobs_header(self, header: QHeaderView) -> None:
        """The Jobs tab's columns, as the user left them."""
        self.jobs_header = header
        value = settings.JOBS_COLUMNS.read(self.store)
        if not value.isEmpty():
            header.restoreState(value)

    def save(self) -> None:
        store = self.store
        settings.WINDOW_GEOMETRY.write(store, self.window.saveGeometry())
        settings.WINDOW_STATE.write(store, self.window.saveState())
        settings.MAIN_SPLITTER.write(store, self.main_splitter.saveState())
        settings.TOP_SPLITTER.write(store, self.top_splitter.saveState())
        settings.BACKEND_COLUMNS.write(store, self.backend_header.saveState())
        if self.jobs_header is not None:
            settings.JOBS_COLUMNS.write(store, self.jobs_header.saveState())
        store.sync()


def set_tab_order(chain: list[QWidget]) -> None:
    for first, second in itertools.pairwise(chain):
        QWidget.setTabOrder(first, second)
