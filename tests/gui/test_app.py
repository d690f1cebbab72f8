"""Start-up pieces of desktop_app.app: Qt log routing, the excepthook, main() with a file."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, qInstallMessageHandler, qWarning
from PySide6.QtWidgets import QApplication

from desktop_app import app as app_module
from desktop_app.ui import messages


def test_qt_warnings_go_to_python_logging(caplog: pytest.LogCaptureFixture) -> None:
    previous = qInstallMessageHandler(app_module._qt_message_handler)
    try:
        with caplog.at_level(logging.DEBUG, logger="qt"):
            qWarning("quantum desk test warning")
    finally:
        qInstallMessageHandler(previous)
    records = [r for r in caplog.records if r.name == "qt"]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.WARNING, "quantum desk test warning")
    ]


def test_excepthook_logs_and_shows_one_plain_message(
    qapp: QApplication, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, title, text: shown.append(text))
    try:
        raise ValueError("boom")
    except ValueError:
        kind, value, tb = sys.exc_info()
    with caplog.at_level(logging.CRITICAL, logger="desktop_app"):
        app_module._excepthook(kind, value, tb)  # type: ignore[arg-type]
    assert len(shown) == 1
    assert "boom" in shown[0] and "Traceback" not in shown[0]
    assert caplog.records[-1].exc_info is not None  # the traceback goes to the log only


def test_main_opens_the_file_given_and_returns_zero(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "given.qasm"
    program.write_text("OPENQASM 2.0;\n// given on the command line\n", encoding="utf-8")
    monkeypatch.setenv("QUANTUM_DESK_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main() installs its own
    seen: dict[str, str] = {}

    def close_when_shown() -> None:
        windows = [w for w in qapp.topLevelWidgets() if w.objectName() == "mainWindow"]
        if windows and windows[0].isVisible():
            editor = windows[0].findChild(object, "programEditor")
            seen["title"] = windows[0].windowTitle()
            seen["text"] = editor.toPlainText()  # type: ignore[attr-defined]
            windows[0].close()
        else:
            QTimer.singleShot(20, close_when_shown)

    QTimer.singleShot(0, close_when_shown)
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        assert app_module.main([str(program)]) == 0
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
    assert seen["title"].startswith("given.qasm")
    assert "given on the command line" in seen["text"]
