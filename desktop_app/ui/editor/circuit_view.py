"""The program as a circuit, beside the editor: drawn by core.circuit_drawing in a warm worker
process (core.local.calls), off the GUI thread (ui.tasks), a moment after the typing stops.

"Draw:" picks the circuit: the program as written, or as one of the ticked targets runs it (an
emulation's native circuit, an Azure target's translated one; core.target_circuit).

Only a shown view draws: a hidden one remembers that the program changed and draws when shown.
A program with an error, or too large to draw, gets a plain message instead of a picture.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QByteArray, Qt, QTimer, SignalInstance, Slot
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.core.errors import QuantumDeskError, UserInputError
from desktop_app.core.programs import ProgramError
from desktop_app.ui import tasks
from desktop_app.ui.plain_text import plain

if TYPE_CHECKING:
    from PySide6.QtSvgWidgets import QSvgWidget

    from desktop_app.core.circuit_drawing import CircuitDrawing

log = logging.getLogger(__name__)

DEBOUNCE_MS = 600  # after the last keystroke
DRAW_TIMEOUT_SECONDS = 15.0
EMPTY_TEXT = "The circuit of the program appears here."
ERROR_TEXT = "No circuit to draw: the program has an error. {error}"
FAILED_TEXT = "The circuit could not be drawn: {error}"
REFUSED_TEXT = "No circuit as {target} runs it: {error}"
AS_WRITTEN = "As written"


class TickedTargets(Protocol):
    """The backend summary's model, as far as this view needs it (ui.backends is above us)."""

    @property
    def checkedChanged(self) -> SignalInstance: ...

    def checked_backends(self) -> list[str]: ...


# (source, path, target): the program and how it is drawn (target None: as written)
_Key = tuple[str, str | None, str | None]


class CircuitView(QWidget):
    """objectName `circuitView`; the picture is `circuitSvg`, the message `circuitMessage`, the
    choice of circuit `circuitTarget` (item data: None for as written, else a backend name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("circuitView")
        self.setAccessibleName("Circuit of the program")
        self.target_choice = QComboBox(self)
        self.target_choice.setObjectName("circuitTarget")
        self.target_choice.setAccessibleName("Draw the circuit")
        self.target_choice.setToolTip(
            "The program as written, or as a ticked target runs it (its native or translated gates)"
        )
        self.target_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.target_choice.addItem(AS_WRITTEN, None)
        self.target_choice.currentIndexChanged.connect(self._on_targetChoice_currentIndexChanged)
        choice_label = QLabel("&Draw:", self)
        choice_label.setBuddy(self.target_choice)
        choice_row = QHBoxLayout()
        choice_row.setContentsMargins(0, 0, 0, 0)
        choice_row.addWidget(choice_label)
        choice_row.addWidget(self.target_choice)
        choice_row.addStretch(1)
        self.message = plain(QLabel(EMPTY_TEXT, self))
        self.message.setObjectName("circuitMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.svg: QSvgWidget | None = None  # made with the first picture (QtSvgWidgets)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scroll_area.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(choice_row)
        layout.addWidget(self.message)
        layout.addWidget(self.scroll_area, 1)
        self.drawing: CircuitDrawing | None = None
        self._program: tuple[str, str | None] | None = None
        self._drawn: _Key | None = None  # the program and target of the picture shown
        # answers come by ticket; only the newest one is shown. Slots of an object of ours: Qt
        # drops an answer that arrives after the view is gone.
        self._calls = tasks.BackgroundCalls(self)
        self._calls.finished.connect(self._on_calls_finished)
        self._calls.failed.connect(self._on_calls_failed)
        self._pending: dict[int, _Key] = {}
        self._latest = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._ticked: TickedTargets | None = None

    def _key(self) -> _Key | None:
        if self._program is None:
            return None
        return (*self._program, self.target())

    def set_program(self, source: str, path: str | None) -> None:
        """The program changed: draw it once the typing has paused (when shown)."""
        self._program = (source, path)
        if self.isVisible():
            self._timer.start()

    def target(self) -> str | None:
        """The backend whose circuit is drawn (None: the program as written)."""
        data = self.target_choice.currentData()
        return str(data) if data else None

    def set_targets(self, names: Sequence[str]) -> None:
        """The ticked backends: each but the local simulator (which runs the program as
        written) is offered; the choice stays when its target is still ticked."""
        chosen = self.target()
        targets = [n for n in dict.fromkeys(names) if n != LOCAL_SIMULATOR]
        self.target_choice.blockSignals(True)  # one redraw at most, below
        self.target_choice.clear()
        self.target_choice.addItem(AS_WRITTEN, None)
        for name in targets:
            self.target_choice.addItem(f"As {name} runs it", name)
        self.target_choice.setCurrentIndex(max(0, self.target_choice.findData(chosen)))
        self.target_choice.blockSignals(False)
        if self.target() != chosen:
            self._on_targetChoice_currentIndexChanged()

    def choose(self, target: str | None) -> None:
        """Draw as `target` runs it (None: as written); a target not offered is ignored."""
        index = self.target_choice.findData(target)
        if index >= 0:
            self.target_choice.setCurrentIndex(index)

    def follow_targets(self, ticked: TickedTargets) -> None:
        """Offer the targets ticked in `ticked` (the backend summary), now and as they change."""
        self._ticked = ticked
        ticked.checkedChanged.connect(self._on_ticked_changed)
        self.set_targets(ticked.checked_backends())

    @Slot()
    def _on_ticked_changed(self) -> None:
        if self._ticked is not None:
            self.set_targets(self._ticked.checked_backends())

    @Slot()
    def _on_targetChoice_currentIndexChanged(self) -> None:
        if self.isVisible():
            self.draw_now()  # a choice, not typing: no pause

    def draw_now(self) -> None:
        self._timer.stop()
        self._on_timer_timeout()

    def busy(self) -> bool:
        return bool(self._pending) or self._timer.isActive()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._program is not None and self._key() != self._drawn:
            self._timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        key = self._key()
        if key is None or key == self._drawn:
            self._latest = 0  # back to the picture shown: answers still on their way are stale
            return
        source, path, target = program = key
        if not source.strip():
            self._drawn = program
            self._show_message(EMPTY_TEXT)
            return
        # not on the start-up path: multiprocessing and the worker pool come with the first drawing
        from desktop_app.core.circuit_drawing import draw_program
        from desktop_app.core.local.calls import call_in_worker

        self._latest = self._calls.submit(
            lambda: call_in_worker(
                draw_program,
                (source, path, target),
                what="drawing the circuit",
                timeout=DRAW_TIMEOUT_SECONDS,
            )
        )
        self._pending[self._latest] = program

    @Slot(int, object)
    def _on_calls_finished(self, ticket: int, drawing: CircuitDrawing) -> None:
        program = self._pending.pop(ticket, None)
        if ticket != self._latest or program is None:
            return
        self._drawn, self.drawing = program, drawing
        colour = self.palette().color(QPalette.ColorRole.Text).name()  # light on dark, too
        svg = drawing.svg.replace('"currentColor"', f'"{colour}"')
        if self.svg is None:
            from PySide6.QtSvgWidgets import QSvgWidget

            self.svg = QSvgWidget(self)
            self.svg.setObjectName("circuitSvg")
            self.scroll_area.setWidget(self.svg)
        self.svg.load(QByteArray(svg.encode("utf-8")))
        self.svg.setFixedSize(self.svg.renderer().defaultSize())
        counts = ", ".join(f"{name} {count}" for name, count in sorted(drawing.operations.items()))
        lines = [f"{drawing.qubits} qubits · {counts}", drawing.note]
        self.message.setText("\n".join(line for line in lines if line))
        self.scroll_area.show()

    @Slot(int, object)
    def _on_calls_failed(self, ticket: int, error: BaseException) -> None:
        program = self._pending.pop(ticket, None)
        if ticket != self._latest or program is None:
            return
        self._drawn, self.drawing = program, None
        from desktop_app.core.circuit_drawing import CircuitTooLarge  # loaded with the call

        if isinstance(error, ProgramError):
            self._show_message(ERROR_TEXT.format(error=error))
        elif isinstance(error, CircuitTooLarge):
            self._show_message(str(error))
        elif isinstance(error, UserInputError) and program[2] is not None:  # cannot run it
            self._show_message(REFUSED_TEXT.format(target=program[2], error=error))
        elif isinstance(error, QuantumDeskError):  # a time-out, a worker that died
            self._show_message(FAILED_TEXT.format(error=error))
        else:  # not ours: logged, and said in plain words
            log.error("drawing the circuit failed", exc_info=error)
            self._show_message(FAILED_TEXT.format(error="an internal error (see the log)"))

    def _show_message(self, text: str) -> None:
        self.scroll_area.hide()
        self.message.setText(text)
