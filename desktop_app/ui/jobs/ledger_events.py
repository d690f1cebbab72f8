"""The ledger's changes as one queued Qt signal: the one way views hear about them.

`Ledger.subscribe` calls its listeners on the writing thread, right after each commit. A
`LedgerEvents` collects the changed ids there and sends ONE queued signal to the GUI thread for a
burst of commits (a run writes several rows in a few milliseconds), so views re-read once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from desktop_app.core.ledger.models import LedgerChange
from desktop_app.core.ledger.store import Ledger

log = logging.getLogger(__name__)


class LedgerEvents(QObject):
    """`changed(LedgerChange)` on the GUI thread: the ids changed since the last signal (kind
    "updated" when a burst mixed kinds)."""

    changed = Signal(object)
    _arrived = Signal()

    def __init__(self, ledger: Ledger, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._kinds: set[str] = set()
        self._ids: dict[str, None] = {}
        self._signalled = False
        self._arrived.connect(self._on_self_arrived, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = ledger.subscribe(self._on_ledger_change)

    def _on_ledger_change(self, change: LedgerChange) -> None:  # on the writer's thread
        with self._lock:
            self._kinds.add(change.kind)
            self._ids.update(dict.fromkeys(change.job_ids))
            if self._signalled:
                return
            self._signalled = True
        try:
            self._arrived.emit()
        except RuntimeError:  # deleted with its owner while the ledger still wrote
            log.debug("ledger change after the listener was deleted")

    @Slot()
    def _on_self_arrived(self) -> None:
        with self._lock:
            kinds, ids = self._kinds, tuple(self._ids)
            self._kinds, self._ids, self._signalled = set(), {}, False
        kind = next(iter(kinds)) if len(kinds) == 1 else "updated"
        self.changed.emit(LedgerChange(kind, ids))  # type: ignore[arg-type]

    def close(self) -> None:
        """Stop listening to the ledger (idempotent)."""
        if self._unsubscribe is not None:
            try:
                self._unsubscribe()
            except ValueError:
                log.debug("ledger listener was already removed")
            self._unsubscribe = None
