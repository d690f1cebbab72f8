"""PySide6 6.12.0 dropped a reference to True on every Signal.emit() and to None on slot calls:
the interpreter aborted after a few thousand signals. Guard the pinned Qt binding against it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    fired = Signal(str)


def test_emit_and_slot_calls_keep_true_and_none_alive(qtbot: QtBot) -> None:
    emitter = _Emitter()
    received: list[str] = []
    emitter.fired.connect(received.append)  # append returns None: the slot result PySide drops
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(2000):
        emitter.fired.emit("x")
    assert len(received) == 2000
    # Other code may take or drop a few references meanwhile; the bug lost one per call.
    assert sys.getrefcount(True) > true_before - 100
    assert sys.getrefcount(None) > none_before - 100


def test_typing_into_a_connected_line_edit_keeps_none_alive(qtbot: QtBot) -> None:
    line = QLineEdit()
    qtbot.addWidget(line)
    edits: list[str] = []
    line.textEdited.connect(lambda text: edits.append(text))
    none_before = sys.getrefcount(None)
    qtbot.keyClicks(line, "a" * 400)
    assert len(edits) == 400
    assert sys.getrefcount(None) > none_before - 100
