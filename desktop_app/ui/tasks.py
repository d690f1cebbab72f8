"""Run short blocking calls (network, keyring) off the GUI thread; results come back by signal.

A `BackgroundCalls` object submits callables to one process-wide QThreadPool and emits
`finished(ticket, result)` or `failed(ticket, exception)` on the GUI thread. The callables must
never touch a widget. When the owner is gone before a call ends, the result is dropped.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal

from desktop_app.core.cancel import Cancelled
from desktop_app.core.errors import QuantumDeskError

log = logging.getLogger(__name__)

_pool: QThreadPool | None = None


def pool() -> QThreadPool:
    """The pool for the app's background calls (not Qt's global one: others may fill that)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool(QCoreApplication.instance())
        _pool.setObjectName("quantum-desk-background")
        _pool.setMaxThreadCount(4)
    return _pool


def wait_idle(timeout_ms: int = 30_000) -> bool:
    """Wait until no background call runs (shutdown, tests). True when idle."""
    return pool().waitForDone(timeout_ms)


class BackgroundCalls(QObject):
    finished = Signal(int, object)  # ticket, the callable's result
    failed = Signal(int, object)  # ticket, the exception it raised

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tickets = itertools.count(1)

    def submit(self, call: Callable[[], Any]) -> int:
        """Start `call` on the pool; its ticket identifies the answer."""
        ticket = next(self._tickets)
        finished, failed = self.finished, self.failed

        def run() -> None:
            try:
                result = call()
            except (QuantumDeskError, Cancelled) as exc:
                outcome: tuple[Any, object] = (failed, exc)
            except Exception as exc:  # a bug must not vanish in a pool thread: log it
                log.exception("background call failed")
                outcome = (failed, exc)
            else:
                outcome = (finished, result)
            signal, value = outcome
            try:
                signal.emit(ticket, value)
            except RuntimeError:  # the owner (a closed dialog) is gone: nobody to tell
                log.debug("background call %d ended after its owner was deleted", ticket)

        pool().start(run)
        return ticket
