"""The editor as a document: Save / Save As, the modified mark, the question before edits are lost,
recent files, and the autosave that brings unsaved text back after a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QTextCursor
from pytestqt.qtbot import QtBot

from desktop_app.core import paths
from desktop_app.core.autosave import FILE_NAME
from desktop_app.ui import messages
from desktop_app.ui.main_window import MainWindow, examples_dir

PROGRAM = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[1];\nh q[0];\n'


class Asked:
    """Records the "unsaved changes" questions and gives a fixed answer."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: str) -> None:
        self.names: list[str] = []
        self.answer = answer
        monkeypatch.setattr(messages, "ask_save_changes", self)

    def __call__(self, parent: object, name: str) -> str:
        self.names.append(name)
        return self.answer


def type_into(qtbot: QtBot, window: MainWindow, text: str) -> None:
    window.editor.setFocus()
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    for number, line in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(window.editor, Qt.Key.Key_Return)
        qtbot.keyClicks(window.editor, line)


def autosave_file() -> Path:
    return paths.state_dir() / FILE_NAME


def test_typing_marks_the_title_and_save_clears_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "mine.qasm"
    program.write_text(PROGRAM, encoding="utf-8")
    assert window.open_file(str(program))
    assert window.windowTitle() == "mine.qasm[*] — Quantum Desk"
    assert not window.isWindowModified()

    type_into(qtbot, window, "x q[0];\n")
    assert window.isWindowModified()
    window.files.save_action.trigger()  # Ctrl+S: the file it came from, no question
    assert program.read_text(encoding="utf-8") == PROGRAM + "x q[0];\n"
    assert not window.isWindowModified()

    target = tmp_path / "copy.qasm"
    monkeypatch.setattr(messages, "ask_save_path", lambda *a: str(target))
    window.files.save_as_action.trigger()
    assert target.read_text(encoding="utf-8") == PROGRAM + "x q[0];\n"
    assert window.windowTitle().startswith("copy.qasm")
    recent = window.document.recent_files()
    assert recent[:2] == [str(target.resolve()), str(program.resolve())]
    assert [a.text() for a in window.files.recent_menu.actions()][:2] == [
        "&1 copy.qasm",
        "&2 mine.qasm",
    ]


def test_saving_an_example_asks_for_a_new_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.load_example("bell.qasm")
    original = (examples_dir() / "bell.qasm").read_text(encoding="utf-8")
    type_into(qtbot, window, "// mine\n")
    asked: list[str] = []

    def ask_save_path(parent: object, title: str, suggested: str, file_filter: str) -> str:
        asked.append(suggested)
        return str(tmp_path / "bell-mine.qasm")

    monkeypatch.setattr(messages, "ask_save_path", ask_save_path)
    assert window.save_program()
    assert asked and Path(asked[0]).name == "bell.qasm"
    assert (examples_dir() / "bell.qasm").read_text(encoding="utf-8") == original
    assert (tmp_path / "bell-mine.qasm").read_text(encoding="utf-8").endswith("// mine\n")
    assert window.document.recent_files() == [str((tmp_path / "bell-mine.qasm").resolve())]


def test_open_example_drop_and_new_ask_before_losing_edits(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.load_program_text(PROGRAM, None)
    type_into(qtbot, window, "// keep me\n")
    edited = window.editor.toPlainText()
    asked = Asked(monkeypatch, "cancel")
    other = tmp_path / "other.qasm"
    other.write_text(PROGRAM.replace("h q[0]", "x q[0]"), encoding="utf-8")

    assert not window.open_file(str(other))
    example = next(a for a in window.examples_menu.actions() if a.text() == "ghz5")
    example.trigger()
    window.files.new_action.trigger()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    drop = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.editor.dropEvent(drop)
    assert asked.names == ["untitled"] * 4
    assert window.editor.toPlainText() == edited  # every one of them was cancelled

    asked.answer = "discard"
    assert window.open_file(str(other))
    assert "x q[0]" in window.editor.toPlainText()


def test_save_from_the_question_writes_then_goes_on(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine.qasm"
    mine.write_text(PROGRAM, encoding="utf-8")
    window.open_file(str(mine))
    type_into(qtbot, window, "// more\n")
    Asked(monkeypatch, "save")
    assert window.load_example("bell.qasm")
    assert mine.read_text(encoding="utf-8").endswith("// more\n")


def test_quit_with_unsaved_edits_asks_and_cancel_keeps_the_window(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    type_into(qtbot, window, "// unsaved\n")
    asked = Asked(monkeypatch, "cancel")
    window.close()
    assert asked.names and window.isVisible()
    asked.answer = "discard"
    window.close()
    assert not window.isVisible()
    assert not autosave_file().exists()  # discarded on purpose: nothing comes back


def test_unsaved_text_survives_a_crash_and_comes_back(
    qtbot: QtBot, make_window, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.qasm"
    mine.write_text(PROGRAM, encoding="utf-8")
    first = make_window()
    first.show()
    first.open_file(str(mine))
    type_into(qtbot, first, "// not saved yet\n")
    # the copy is written once typing pauses, off the GUI thread
    qtbot.waitUntil(autosave_file().exists, timeout=10_000)
    qtbot.waitUntil(
        lambda: (
            json.loads(autosave_file().read_text(encoding="utf-8"))["text"]
            == first.editor.toPlainText()
        ),
        timeout=10_000,
    )
    text = first.editor.toPlainText()
    # a crash: the window never gets to close; the next start finds the copy
    second = make_window()
    assert second.restore_autosave()
    assert second.editor.toPlainText() == text
    assert second.document.path == str(mine)
    assert second.isWindowModified()
    assert "Restored the unsaved edits of mine.qasm" in second.status_label.text()
    assert mine.read_text(encoding="utf-8") == PROGRAM  # the file itself is untouched
    assert second.save_program()
    qtbot.waitUntil(lambda: not autosave_file().exists())  # removed off the GUI thread
    first.document.discard_autosave()


def test_a_damaged_autosave_file_is_ignored(make_window) -> None:
    autosave_file().write_text("{not json", encoding="utf-8")
    window = make_window()
    assert not window.restore_autosave()
