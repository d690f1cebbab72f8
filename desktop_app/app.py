"""GUI start-up: QApplication, logging (file + stderr), Qt's log and uncaught errors routed to it.

Nothing here imports qiskit or azure: the window paints first, a simulator process warms up after.
"""

# privacy.apply() must run before the imports below it:
# ruff: noqa: E402
from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from desktop_app import privacy

privacy.apply()  # before PySide6 and the rest: also when app.py is started on its own

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from desktop_app import __version__

if TYPE_CHECKING:
    from desktop_app.core.ledger.store import Ledger

log = logging.getLogger("desktop_app")
ICON_PATH = Path(__file__).resolve().parents[1] / "resources" / "icons" / "quantum-desk.svg"
_qt_log = logging.getLogger("qt")

ORGANIZATION = "quantum-desk"
APPLICATION = "quantum-desk"
DEFAULT_EXAMPLE = "bell.qasm"

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# How long a thread that computes in Python keeps the interpreter lock while the GUI thread waits
# for it (Python's default: 5 ms). The GUI thread takes the lock several times an event-loop turn,
# each time waiting up to this long: with 5 ms, a pool thread ranking a wide result gave the
# window 30-70 ms gaps; with 1 ms, few over 30 ms (tests/bench/bench_wide_result.py).
GIL_SWITCH_SECONDS = 0.001


def setup_logging(level: int = logging.INFO) -> None:
    """stderr (warnings and up) now; the log file follows after the first paint."""
    root = logging.getLogger()
    root.setLevel(level)
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(stderr)
    # The SDKs log request URLs (SAS tokens in blob URLs) and headers at INFO/DEBUG: keep them out.
    for noisy in ("azure", "msal", "urllib3", "qiskit", "stevedore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def setup_file_logging() -> None:
    """A rotating file in the log dir (platformdirs and logging.handlers cost start-up time)."""
    import logging.handlers

    from desktop_app.core import paths

    try:
        file_handler = logging.handlers.RotatingFileHandler(
            paths.log_dir() / "quantum-desk.log",
            maxBytes=1_000_000,
            backupCount=3,
            encoding="utf-8",
        )
    except OSError as exc:  # a read-only home must not stop the app
        from desktop_app.core.errors import why_not_writable

        where = exc.filename or paths.log_dir()
        print(  # noqa: T201
            f"quantum-desk: no log file: {where} cannot be written ({why_not_writable(exc)})",
            file=sys.stderr,
        )
    else:
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        logging.getLogger().addHandler(file_handler)


# Platform-plugin chatter that says nothing about the app (e.g. offscreen/Xvfb without a WM).
_QT_NOISE = ("propagateSizeHints",)


def _qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _QT_LEVELS.get(mode, logging.WARNING)
    if any(noise in message for noise in _QT_NOISE):
        level = logging.DEBUG
    _qt_log.log(level, "%s", message)


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """An error nobody caught: log it with its traceback, show the user one plain message."""
    log.critical("unhandled error", exc_info=(kind, value, tb))
    if QApplication.instance() is not None:
        from desktop_app.core import paths
        from desktop_app.ui import messages

        try:
            where = f"The details are in the log: {paths.log_dir()}"
        except OSError:  # a read-only home: there is no log file either
            where = "The details were logged on the terminal (no log folder can be written)."
        messages.show_error(None, "Quantum Desk", f"Something went wrong: {value}\n\n{where}")


def _parse(argv: list[str]) -> str | None:
    """The program file named on the command line, if any (--help, errors: argparse's)."""
    if not argv:  # the usual start: argparse (and gettext) would only cost start-up time
        return None
    import argparse

    parser = argparse.ArgumentParser(prog="quantum-desk", description="Quantum Desk desktop app")
    parser.add_argument("file", nargs="?", help="an OpenQASM program to open")
    file: str | None = parser.parse_args(argv).file
    return file


def set_window_icon(app: QApplication) -> None:
    """The app's icon on every window (QIcon's Python side costs ~4 ms: after the first paint)."""
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(ICON_PATH)))


def main(argv: list[str] | None = None) -> int:
    file = _parse(sys.argv[1:] if argv is None else argv)
    setup_logging()
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    qInstallMessageHandler(_qt_message_handler)
    sys.excepthook = _excepthook
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Quantum Desk")
    app.setApplicationVersion(__version__)
    # the .desktop file's id (packaging/linux): Wayland matches the window to it by this name
    app.setDesktopFileName("io.github.quantumdesk.QuantumDesk")
    from desktop_app.ui.main_window import MainWindow

    # profiles, status, prices, the Circuit tab's view: after the first paint
    window = MainWindow(azure_later=True, hidden_later=True)
    restored = window.restore_autosave()  # what a crash or a kill left unsaved comes back
    if file and restored:
        window.show()
        window.open_file(file)  # asks about the restored edits first
    elif file:
        window.open_file(file)  # a problem shows in the window's error banner
    elif not restored:
        window.load_example(DEFAULT_EXAMPLE)
    window.show()

    ledgers: list[Ledger] = []

    def after_first_paint() -> None:
        set_window_icon(app)  # the title bar's and task bar's, drawn by the desktop, not by us
        window.build_azure()  # and build_hidden()
        setup_file_logging()
        log.info("Quantum Desk %s started", __version__)
        from desktop_app.ui.jobs.app_ledger import open_app_ledger
        from desktop_app.ui.startup_memory import freeze_startup_objects

        ledger = open_app_ledger(window)  # a damaged one: asks, then moves it aside
        if ledger is not None:
            ledgers.append(ledger)
            window.attach_ledger(ledger)  # runs recorded; Jobs tab; reconciliation below
        freeze_startup_objects()  # before the background imports: no long GC pauses after
        window.start_background_work()  # a simulator process imports qiskit in the background
        window.help.welcome_if_first_run()  # what the app does, how to add an Azure profile

    startup = QTimer(window)
    startup.setSingleShot(True)
    startup.timeout.connect(after_first_paint)
    startup.start(150)
    try:
        return app.exec()
    finally:
        startup.stop()
        from desktop_app.ui import tasks

        tasks.shutdown()  # every pool thread ends before the ledger closes under it
        if window.ledger is not None and window.ledger not in ledgers:
            ledgers.append(window.ledger)  # a new one, started when damage was found
        for ledger in ledgers:  # the window has closed: its tasks no longer use it
            ledger.close()
        from desktop_app.core.azure.process import shutdown_worker
        from desktop_app.core.local.executor import shutdown_workers

        shutdown_workers()
        shutdown_worker()
