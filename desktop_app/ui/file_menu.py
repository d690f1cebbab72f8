"""The window's File menu: New, Open, Open Recent, Save, Save As, the result exports and Quit.

The document (ui.editor.document) keeps the file and its state; this binds it to actions and to
the window's status bar and error banner.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow

from desktop_app.core.errors import QuantumDeskError
from desktop_app.ui.actions import make_action
from desktop_app.ui.editor.document import ProgramDocument
from desktop_app.ui.results.view import ResultsView
from desktop_app.ui.tasks import BackgroundCalls, Lane

if TYPE_CHECKING:
    from desktop_app.core.results import RunResult

PROGRAM_FILTER = "OpenQASM programs (*.qasm *.qasm2 *.qasm3);;All files (*)"


class FileHost(Protocol):
    """What the menu needs of the main window."""

    document: ProgramDocument
    results_view: ResultsView
    status_label: QLabel

    def confirm_discard(self) -> bool: ...
    def load_program_text(self, source: str, path: str | None) -> None: ...
    def open_file(self, path: str) -> bool: ...
    def show_error(self, text: str, line: int | None = None, column: int | None = None) -> None: ...


class FileMenu(QObject):
    def __init__(self, window: QMainWindow, host: FileHost, examples: Path) -> None:
        super().__init__(window)
        self.window = window
        self.host = host
        self.examples = examples
        self.document = host.document
        self._writes = BackgroundCalls(self, lane=Lane.LONG)  # a wide result's CSV or JSON
        self._writes.finished.connect(self._on_writes_finished)
        self._writes.failed.connect(self._on_writes_failed)
        self._writing: dict[int, str] = {}  # ticket -> path
        menu = window.menuBar().addMenu("&File")
        self.menu = menu
        new_action = functools.partial(make_action, window)
        self.new_action = new_action("&New", self.new_program, QKeySequence.StandardKey.New)
        self.open_action = new_action("&Open…", self.ask_open, QKeySequence.StandardKey.Open)
        menu.addAction(self.new_action)
        menu.addAction(self.open_action)
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.triggered.connect(self._on_recentMenu_triggered)
        self.document.recentChanged.connect(self._rebuild_recent_menu)
        self._rebuild_recent_menu()
        self.save_action = new_action("&Save", self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = new_action("Save &As…", self.save_as)
        self.save_as_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        menu.addAction(self.save_action)
        menu.addAction(self.save_as_action)
        menu.addSeparator()
        self.export_csv_action = new_action("Export results as &CSV…", self.export_csv)
        self.export_json_action = new_action("Export results as &JSON…", self.export_json)
        self.export_png_action = new_action("Export &chart as PNG…", self.export_png)
        self.export_svg_action = new_action("Export chart as S&VG…", self.export_svg)
        for action in (
            self.export_csv_action,
            self.export_json_action,
            self.export_png_action,
            self.export_svg_action,
        ):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(new_action("&Quit", window.close, QKeySequence.StandardKey.Quit))

    def _say(self, text: str) -> None:
        self.host.status_label.setText(text)

    # ---- the document
    @Slot()
    def new_program(self) -> None:
        if self.host.confirm_discard():
            self.host.load_program_text("", None)
            self._say("New program")

    @Slot()
    def ask_open(self) -> None:
        path = self.document.path
        start = os.path.dirname(path) if path else str(self.examples)
        from desktop_app.ui import messages  # its dialogs' types: not before the first paint

        chosen = messages.ask_open_path(
            self.window, "Open an OpenQASM program", start, PROGRAM_FILTER
        )
        if chosen:
            self.host.open_file(chosen)

    @Slot()
    def save(self) -> bool:
        saved = self.document.save(self.window)
        if saved:
            self._say(f"Saved {self.document.path}")
        return saved

    @Slot()
    def save_as(self) -> bool:
        saved = self.document.save_as(self.window)
        if saved:
            self._say(f"Saved {self.document.path}")
        return saved

    @Slot()
    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.document.recent_files()
        for number, path in enumerate(files, 1):
            action = self.recent_menu.addAction(f"&{number} {Path(path).name}")
            action.setData(path)
            action.setToolTip(path)
        if files:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list").setData("")
        self.recent_menu.setEnabled(bool(files))

    @Slot(QAction)
    def _on_recentMenu_triggered(self, action: QAction) -> None:
        path = str(action.data() or "")
        if not path:
            self.document.clear_recent()
        elif not Path(path).exists():
            self._say(f"{path} is no longer there.")
        else:
            self.host.open_file(path)

    # ---- exports
    def _export(
        self,
        title: str,
        suffix: str,
        file_filter: str,
        write: Callable[[str, list[RunResult]], None],
        *,
        data: bool = False,
    ) -> None:
        """Ask where, then `write(path, results)`; the data of a wide result (`data`: CSV or JSON,
        644,000 outcomes: seconds to write) on the long lane, the status bar saying so."""
        results = self.host.results_view.results()
        if not results:  # not a program error: the status bar says it
            self._say("There are no results to export yet: press Run first.")
            return
        path = self.document.path
        base = Path(path).stem if path else "results"
        from desktop_app.ui import messages

        chosen = messages.ask_save_path(self.window, title, f"{base}-results{suffix}", file_filter)
        if not chosen:
            return
        from desktop_app.ui.results.ranking import is_wide

        if data and any(is_wide(r) for r in results):
            ticket = self._writes.submit(functools.partial(write, chosen, results))
            self._writing[ticket] = chosen
            self._say(f"Saving {chosen}…")
            return
        try:
            write(chosen, results)
        except (OSError, QuantumDeskError) as exc:
            self._on_writes_failed(0, exc, chosen)
            return
        self._say(f"Saved {chosen}")

    @Slot(int, object)
    def _on_writes_finished(self, ticket: int, _result: object) -> None:
        self._say(f"Saved {self._writing.pop(ticket, '')}")

    @Slot(int, object)
    def _on_writes_failed(self, ticket: int, exc: object, chosen: str = "") -> None:
        where = self._writing.pop(ticket, chosen)
        if isinstance(exc, OSError | QuantumDeskError):
            self.host.show_error(f"{where}: could not be written ({exc})")
        else:  # a bug, logged by ui.tasks
            self.host.show_error(f"{where}: could not be written; the log has details")

    @Slot()
    def export_csv(self) -> None:
        # with two or more results, their distances go to NAME-distances.csv beside it
        from desktop_app.core.compare import write_csv_with_distances

        self._export(
            "Export results as CSV",
            ".csv",
            "CSV files (*.csv)",
            lambda p, results: write_csv_with_distances(results, p),
            data=True,
        )

    @Slot()
    def export_json(self) -> None:
        from desktop_app.core.compare import write_json_with_distances  # each with `distances`

        self._export(
            "Export results as JSON",
            ".json",
            "JSON files (*.json)",
            lambda p, results: write_json_with_distances(results, p),
            data=True,
        )

    @Slot()
    def export_png(self) -> None:
        view = self.host.results_view
        self._export(
            "Export chart as PNG", ".png", "PNG images (*.png)", lambda p, _r: view.save_png(p)
        )

    @Slot()
    def export_svg(self) -> None:
        view = self.host.results_view
        self._export(
            "Export chart as SVG", ".svg", "SVG images (*.svg)", lambda p, _r: view.save_svg(p)
        )
