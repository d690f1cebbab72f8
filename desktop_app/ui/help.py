"""The Help menu: the first-run welcome, keyboard shortcuts, About (versions, where the files
are, the licence) and the README."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Slot, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from desktop_app import __version__
from desktop_app.ui import settings

if TYPE_CHECKING:
    from PySide6.QtCore import QUrl
    from PySide6.QtWidgets import QMessageBox

README = Path(__file__).resolve().parents[2] / "README.md"
LICENCE = "MIT"
# Distributions whose versions the About box lists (read from their metadata, not imported).
SDKS = ("PySide6-Essentials", "qiskit", "qiskit-aer", "azure-quantum", "azure-identity")

# Keys that are not menu shortcuts (the menus' own are listed from their actions).
EXTRA_KEYS: tuple[tuple[str, str], ...] = (
    ("Tab / Shift+Tab", "Next / previous control (also out of the editor)"),
    ("Ctrl+Tab / Ctrl+Shift+Tab", "Indent / unindent the line or the selected lines"),
    ("Ctrl+Return", "Run the program on the ticked backends"),
    ("Esc", "Cancel the run"),
    ("Ctrl+C", "Copy the selected rows of a counts table (tab-separated)"),
)

WELCOME = (
    "<h3>Welcome to Quantum Desk</h3>"
    "<p>Write or open an OpenQASM 2 or 3 program on the left, tick one or more backends, "
    "and press <b>Run</b> (Ctrl+Return). The results appear side by side below.</p>"
    "<p>The <b>local simulator</b> runs on this computer: it needs no account and no network. "
    "Try it on the program that is open, or on one from the <i>Examples</i> menu.</p>"
    "<p>To run on <b>Azure Quantum</b>, add a profile: <i>Azure &gt; Credentials…</i> "
    "(Ctrl+Shift+P), paste the workspace's resource ID, choose your lab's Azure sign-in or your "
    "own service principal, and press <i>Test connection</i>. Runs that may cost money are "
    "always confirmed first.</p>"
    "<p>Help &gt; Keyboard shortcuts lists every key; this note is in Help &gt; Welcome.</p>"
)


def versions() -> list[tuple[str, str]]:
    import platform  # with `html` below: only when the About box asks (~20 ms before a paint)
    from importlib import metadata  # 80 ms: only when the About box asks, after the first paint

    found = [
        ("Quantum Desk", __version__),
        ("Qt", qVersion()),
        ("Python", platform.python_version()),
    ]
    for name in SDKS:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, "not installed"))
    return found


def locations() -> list[tuple[str, str]]:
    from desktop_app.core import paths

    return [
        ("Settings and profiles", str(paths.config_dir())),
        ("Job ledger and results", str(paths.data_dir())),
        ("Unsaved program copy", str(paths.state_dir())),
        ("Log", str(paths.log_dir())),
    ]


def _rows(pairs: list[tuple[str, str]]) -> str:
    import html

    return "".join(
        f"<tr><td>{html.escape(k)}</td><td>&nbsp;{html.escape(v)}</td></tr>" for k, v in pairs
    )


def about_text() -> str:
    import html
    import platform

    return (
        f"<h3>Quantum Desk {html.escape(__version__)}</h3>"
        "<p>Runs OpenQASM programs on Azure Quantum targets and on a local simulator.</p>"
        f"<table>{_rows(versions())}</table>"
        f"<p><b>Where the files are</b></p><table>{_rows(locations())}</table>"
        f"<p>Licence: {LICENCE}. Python {html.escape(platform.python_implementation())} on "
        f"{html.escape(platform.system())}.</p>"
    )


def shortcuts_text(window: QMainWindow) -> str:
    menu_keys = []
    for action in window.findChildren(QAction):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and action.text():
            menu_keys.append((keys, action.text().replace("&", "").rstrip("…")))
    pairs = sorted(set(menu_keys), key=lambda kv: kv[1].lower()) + list(EXTRA_KEYS)
    return f"<h3>Keyboard shortcuts</h3><table>{_rows(pairs)}</table>"


def _note(window: QMainWindow, title: str, text: str) -> QMessageBox:
    from desktop_app.ui import messages  # its dialogs' types: not before the first paint

    return messages.show_note(window, title, text)


class HelpMenu(QObject):
    def __init__(self, window: QMainWindow, store: QSettings) -> None:
        super().__init__(window)
        self.window = window
        self.store = store
        # the desktop's opener (tests replace it); QUrl and QDesktopServices are imported when
        # the README is opened: their Python types cost ~5 ms before the first paint
        self.open_url: Callable[[QUrl], object] | None = None
        menu = window.menuBar().addMenu("&Help")
        self.welcome_action = menu.addAction("&Welcome")
        self.welcome_action.triggered.connect(self.show_welcome)
        self.shortcuts_action = menu.addAction("&Keyboard shortcuts")
        self.shortcuts_action.setShortcut(QKeySequence("Ctrl+/"))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.readme_action = menu.addAction("Read the &README")
        self.readme_action.triggered.connect(self.open_readme)
        menu.addSeparator()
        self.about_action = menu.addAction("&About Quantum Desk")
        self.about_action.triggered.connect(self.show_about)
        window.addAction(self.shortcuts_action)

    def welcome_if_first_run(self) -> QMessageBox | None:
        if settings.WELCOME_SHOWN.read(self.store):
            return None
        settings.WELCOME_SHOWN.write(self.store, True)
        return self.show_welcome()

    @Slot()
    def show_welcome(self) -> QMessageBox:
        return _note(self.window, "Welcome", WELCOME)

    @Slot()
    def show_shortcuts(self) -> QMessageBox:
        return _note(self.window, "Keyboard shortcuts", shortcuts_text(self.window))

    @Slot()
    def show_about(self) -> QMessageBox:
        return _note(self.window, "About Quantum Desk", about_text())

    @Slot()
    def open_readme(self) -> bool:
        """Open README.md in the desktop's viewer; False when this copy has none."""
        if not README.exists():  # an installed copy without the source tree
            _note(self.window, "README", "This installation has no README: see About for versions.")
            return False
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        open_url = self.open_url or QDesktopServices.openUrl
        open_url(QUrl.fromLocalFile(str(README)))
        return True
