"""The editor's text as a document: its file, unsaved edits, recent files and the autosave.

The window asks `confirm_discard()` before anything replaces the text (Open, a drop, an example,
New, Quit); it answers through ui.messages (Save / Discard / Cancel). While the text has unsaved
edits a copy is kept in the state dir (core.autosave, written off the GUI thread through
ui.tasks) and offered back by `restore_autosave()` on the next start.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer, Signal, Slot
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from desktop_app.core.atomic_files import write_text_atomic
from desktop_app.core.autosave import Autosave, Snapshot
from desktop_app.ui import settings
from desktop_app.ui.tasks import run_task

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 1500  # after typing pauses
MAX_RECENT = 8
UNTITLED = "untitled"


class ProgramDocument(QObject):
    """`changed()` whenever the file or the modified state changes (the window's title)."""

    changed = Signal()
    recentChanged = Signal()

    def __init__(
        self,
        editor: QPlainTextEdit,
        store: QSettings,
        autosave: Autosave | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.editor = editor
        self.store = store
        self.path: str | None = None
        # files under here (the bundled examples) are templates: Save asks for a new file
        self.template_dir: Path | None = None
        self.autosave = autosave if autosave is not None else _default_autosave()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        editor.document().modificationChanged.connect(self._on_document_modificationChanged)
        editor.textChanged.connect(self._on_editor_textChanged)

    # ---- state
    @property
    def modified(self) -> bool:
        return self.editor.document().isModified()

    def display_name(self) -> str:
        return Path(self.path).name if self.path else UNTITLED

    # ---- replacing the text
    def confirm_discard(self, parent: QWidget | None) -> bool:
        """True when the text may be replaced: no unsaved edits, saved now, or discarded."""
        if not self.modified:
            return True
        from desktop_app.ui import messages  # its dialogs' types: not before the first paint

        answer = messages.ask_save_changes(parent, self.display_name())
        if answer == "save":
            return self.save(parent)
        return answer == "discard"

    def load(self, text: str, path: str | None, *, modified: bool = False) -> None:
        self.editor.setPlainText(text)  # resets the modified flag
        self.path = path
        if modified:
            self.editor.document().setModified(True)
        if path:
            self.add_recent(path)
        self._set_autosave(self.editor.toPlainText() if modified else None)
        self.changed.emit()

    # ---- saving
    def save(self, parent: QWidget | None) -> bool:
        """Save to the current file, or ask for one (untitled); False when not saved."""
        if self.path is None or self._is_template(self.path):
            return self.save_as(parent)
        return self.write(self.path, parent)

    def _is_template(self, path: str) -> bool:
        if self.template_dir is None:
            return False
        return Path(path).resolve().is_relative_to(self.template_dir.resolve())

    def save_as(self, parent: QWidget | None) -> bool:
        if self.path is None:
            suggested = f"{UNTITLED}.qasm"
        elif self._is_template(self.path):
            suggested = str(Path.home() / Path(self.path).name)
        else:
            suggested = self.path
        from desktop_app.ui import messages

        path = messages.ask_save_path(
            parent, "Save the program as", suggested, "OpenQASM programs (*.qasm)"
        )
        return bool(path) and self.write(str(path), parent)

    def write(self, path: str, parent: QWidget | None) -> bool:
        """Write the text to `path` whole or not at all; a failure is said in a message."""
        try:
            write_text_atomic(path, self.editor.toPlainText(), newline="")
        except OSError as exc:
            from desktop_app.ui import messages

            messages.show_error(
                parent, "Save", f"{path}: could not be saved ({exc.strerror or exc})"
            )
            return False
        self.path = path
        self.editor.document().setModified(False)
        self.add_recent(path)
        self._set_autosave(None)
        self.changed.emit()
        return True

    # ---- recent files
    def recent_files(self) -> list[str]:
        text = settings.RECENT_FILES.read(self.store)
        return [line for line in text.splitlines() if line]

    def add_recent(self, path: str) -> None:
        if self._is_template(path):  # the Examples menu lists those already
            return
        absolute = str(Path(path).resolve())
        files = [absolute, *(p for p in self.recent_files() if p != absolute)][:MAX_RECENT]
        settings.RECENT_FILES.write(self.store, "\n".join(files))
        self.recentChanged.emit()

    def clear_recent(self) -> None:
        settings.RECENT_FILES.write(self.store, "")
        self.recentChanged.emit()

    # ---- autosave
    def restore_autosave(self) -> Snapshot | None:
        """Load what an earlier session left unsaved (as modified text); None when nothing."""
        snapshot = self.autosave.load()
        if snapshot is None:
            return None
        self.load(snapshot.text, snapshot.path, modified=True)
        return snapshot

    def discard_autosave(self) -> None:
        """At close, once the user has saved or discarded: now, on this thread (one unlink)."""
        self._timer.stop()
        self.autosave.want(None)
        self.autosave.flush()

    def flush_autosave(self) -> None:
        """At close with edits kept for next time: write the copy now."""
        self._timer.stop()
        self.autosave.want(self.editor.toPlainText() if self.modified else None, self.path)
        self.autosave.flush()

    def _set_autosave(self, text: str | None) -> None:
        self._timer.stop()
        self.autosave.want(text, self.path)
        run_task(self.autosave.flush)

    @Slot()
    def _on_editor_textChanged(self) -> None:
        if self.modified:
            self._timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self.modified:
            self._set_autosave(self.editor.toPlainText())

    @Slot(bool)
    def _on_document_modificationChanged(self, _modified: bool) -> None:
        if not self.modified:  # undone back to the saved text
            self._set_autosave(None)
        self.changed.emit()


def _default_autosave() -> Autosave:
    from desktop_app.core import paths

    return Autosave(paths.state_dir())
