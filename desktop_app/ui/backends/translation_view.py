"""The program as each ticked target will run it: a dialog with one tab per target (the translated
payload, native gate counts, depth, qubits used, the price's figures, the estimated success
probability where an emulation exists, and what translation changed), each copyable.

Translating is qiskit work: it runs in a worker process (`core.local.calls.call_in_worker`),
started from a pool thread (`ui.tasks.run_task`), so the window never waits on it. The dialog
opens at once with "Translating…" and fills in when the answer arrives; closing it cancels the work.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.cancel import CancelToken
from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.core.errors import QuantumDeskError
from desktop_app.ui.actions import make_action
from desktop_app.ui.backends.model import BackendModel
from desktop_app.ui.plain_text import plain
from desktop_app.ui.tasks import BackgroundCalls, Lane

TIMEOUT_SECONDS: Final = 60.0
WHAT: Final = "translating the program"
CHUNK_LINES: Final = 60  # lines of text added per turn of the event loop (a few ms each)

# (source, path, shots) of the editor's program
ProgramNow = Callable[[], tuple[str, str | None, int]]
# backend -> the provider options its row sets (priced with them)
RowOptions = Mapping[str, Mapping[str, object]]


def _translate(
    source: str,
    path: str | None,
    backends: tuple[str, ...],
    shots: int,
    options: dict[str, dict[str, object]],
    cancel: CancelToken,
) -> dict[str, Any]:
    """Pool thread: the reports, made in a worker process."""
    from desktop_app.core.local.calls import call_in_worker
    from desktop_app.core.translation_report import reports_for_program

    result: dict[str, Any] = call_in_worker(
        reports_for_program,
        (source, path, backends, shots, {}, options),
        what=WHAT,
        timeout=TIMEOUT_SECONDS,
        cancel=cancel,
    )
    return result


class TranslationView(QDialog):
    """Shows `reports_for_program`'s answer; `translated` is emitted once the tabs are filled."""

    translated = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("translationView")
        self.setWindowTitle("The program as the targets will run it")
        self.resize(760, 560)
        self.status = plain(QLabel(self))
        self.status.setObjectName("translationStatus")
        self.status.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("translationTabs")
        self.copy_button = QPushButton("&Copy", self)
        self.copy_button.setObjectName("copyTranslation")
        self.copy_button.setToolTip("Copy this tab's text")
        self.copy_button.clicked.connect(self._on_copyButton_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.worker_pid: int | None = None  # the process that made the shown reports
        self._ticket: int | None = None
        self._cancel: CancelToken | None = None
        self._calls = BackgroundCalls(self, lane=Lane.LONG)  # ui.tasks.run_task, by ticket
        self._calls.finished.connect(self._on_calls_finished)
        self._calls.failed.connect(self._on_calls_failed)
        self._font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._queue: list[tuple[str, list[str]]] = []  # (tab title, lines) still to show
        self._filling: QPlainTextEdit | None = None  # the tab being filled
        self._shots = 0
        self._fill_timer = QTimer(self)
        self._fill_timer.setInterval(0)
        self._fill_timer.timeout.connect(self._on_fillTimer_timeout)

    def show_for(
        self,
        source: str,
        path: str | None,
        backends: Sequence[str],
        shots: int,
        options: RowOptions | None = None,
    ) -> None:
        """Open (or raise) the dialog and translate the program for `backends`, each priced with
        its `options` (the row's switches, e.g. IonQ error mitigation off)."""
        self._stop()
        cancel = CancelToken()
        self._cancel = cancel
        self.tabs.clear()
        self.worker_pid = None
        self.copy_button.setEnabled(False)
        names = tuple(backends)
        own = {name: dict((options or {}).get(name, {})) for name in names}
        self.status.setText(f"Translating the program for {', '.join(names)}…")
        self._ticket = self._calls.submit(
            functools.partial(_translate, source, path, names, shots, own, cancel)
        )
        self.show()
        self.raise_()

    def text_of(self, index: int) -> str:
        widget = self.tabs.widget(index)
        return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else ""

    def _stop(self) -> None:
        self._ticket = None  # an answer still on its way is dropped
        self._fill_timer.stop()
        self._queue, self._filling = [], None
        if self._cancel is not None:
            self._cancel.cancel()
            self._cancel = None

    def done(self, result: int) -> None:  # closing the dialog stops the translation
        self._stop()
        super().done(result)

    @Slot(int, object)
    def _on_calls_finished(self, ticket: int, result: object) -> None:
        if ticket != self._ticket or not isinstance(result, Mapping):
            return
        self._ticket, self._cancel = None, None
        self._fill(result)

    def _fill(self, result: Mapping[str, Any]) -> None:
        """Add the text a few lines per turn of the event loop: a large payload takes tens of
        milliseconds to lay out in one go, and the window keeps answering between chunks."""
        self.worker_pid = int(result["pid"])
        self._queue = [
            (str(name), str(r["text"]).rstrip("\n").split("\n"))
            for name, r in result["reports"].items()
        ]
        self._shots = int(result["shots"])
        self._fill_timer.start()

    @Slot()
    def _on_fillTimer_timeout(self) -> None:
        if not self._queue:
            self._fill_timer.stop()
            self.copy_button.setEnabled(self.tabs.count() > 0)
            self.status.setText(
                f"{self._shots} shots. Nothing has been sent: this is what a run would submit."
            )
            self.translated.emit()
            return
        name, lines = self._queue[0]
        chunk, rest = lines[:CHUNK_LINES], lines[CHUNK_LINES:]
        if self._filling is None:
            self._filling = self._new_tab(name)
            self._filling.setPlainText("\n".join(chunk))
        else:
            self._filling.appendPlainText("\n".join(chunk))
        if rest:
            self._queue[0] = (name, rest)
        else:
            self._queue.pop(0)
            self._filling = None

    def _new_tab(self, name: str) -> QPlainTextEdit:
        text = QPlainTextEdit(self.tabs)
        text.setObjectName(f"translation:{name}")
        text.setReadOnly(True)
        text.setFont(self._font)
        text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.tabs.addTab(text, name)
        return text

    @Slot(int, object)
    def _on_calls_failed(self, ticket: int, error: object) -> None:
        if ticket != self._ticket:
            return
        self._ticket, self._cancel = None, None
        message = str(error) if isinstance(error, QuantumDeskError) else "see the log"
        self.status.setText(f"The program could not be translated: {message}")
        self.translated.emit()

    @Slot()
    def _on_copyButton_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text_of(self.tabs.currentIndex()))


class TranslationLauncher:
    """The window's "Translation…" action (Ctrl+T): opens the view for the ticked backends, or,
    with none ticked, for every target it can translate for (an Azure row can be looked at before
    a profile makes it tickable)."""

    def __init__(self, window: QWidget, program: ProgramNow, model: BackendModel) -> None:
        self._window, self._program, self._model = window, program, model
        self.view: TranslationView | None = None
        self.action = make_action(window, "&Translation…", self.open)
        self.action.setShortcut(QKeySequence("Ctrl+T"))
        self.action.setToolTip(
            "The program as each ticked target (none ticked: every target) will run it: payload, "
            "gates, depth, price (Ctrl+T)"
        )
        window.addAction(self.action)

    def backends(self) -> list[str]:
        ticked = [n for n in self._model.checked_backends() if n != LOCAL_SIMULATOR]
        if ticked:
            return ticked
        return [
            r.backend.name
            for r in self._model.rows()
            if r.backend.name != LOCAL_SIMULATOR and not r.backend.untranslatable
        ]

    def open(self) -> TranslationView:
        if self.view is None:
            self.view = TranslationView(self._window)
        source, path, shots = self._program()
        backends = self.backends()
        options = {n: self._model.row_options(n) for n in backends if self._model.has_backend(n)}
        self.view.show_for(source, path, backends, shots, options)
        return self.view
