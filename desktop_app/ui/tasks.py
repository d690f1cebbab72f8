"""The one way off the GUI thread: `run_task(call)` on an app-owned pool; the outcome comes back
to the GUI thread by queued signals.

Every view uses it (runs, reconciliation, ledger queries, keyring and network calls): no other
`ui` module creates a thread or a pool. Work is sorted into lanes, each a `QThreadPool` owned by
the application and waited for at exit (`shutdown()`):
- `CALLS`: short blocking calls (keyring, a connection test, a price estimate), 4 at a time;
- `LEDGER`: job-ledger queries, one at a time and in order (SQLite gains nothing from more);
- `LONG`: work that mostly waits, on the network or on the simulator process (one per backend of
  a run, start-up reconciliation), as many as are asked for.

The callable must never touch a widget; it may report progress through the `progress` callback it
is given (`run_task(..., with_progress=True)`), which is a `core.cancel.ProgressCallback`. The
outcome goes to the `on_*` callables, connected before the work starts (so a fast call cannot
finish unheard); pass bound slots of a QObject, and the answer is dropped when that object is
gone before the call ends (a closed dialog).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from enum import Enum
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

from desktop_app.core.cancel import Cancelled
from desktop_app.core.errors import QuantumDeskError

log = logging.getLogger(__name__)


class Lane(Enum):
    CALLS = ("quantum-desk-calls", 4)
    LEDGER = ("quantum-desk-ledger", 1)
    LONG = ("quantum-desk-long", 256)


_pools: dict[Lane, QThreadPool] = {}
_live: set[Task] = set()  # tasks whose outcome is still on its way (kept alive until then)
_live_lock = threading.Lock()


def pool(lane: Lane = Lane.CALLS) -> QThreadPool:
    """The application's pool for `lane` (not Qt's global one: others may fill that)."""
    found = _pools.get(lane)
    if found is None:
        name, threads = lane.value
        found = QThreadPool(QCoreApplication.instance())
        found.setObjectName(name)
        found.setMaxThreadCount(threads)
        _pools[lane] = found
    return found


def wait_idle(timeout_ms: int = 30_000, lane: Lane | None = None) -> bool:
    """Wait until no task of `lane` (None: of any lane) runs; True when idle (shutdown, tests).

    Outcomes already queued to the GUI thread are delivered by its event loop afterwards."""
    lanes = [lane] if lane is not None else list(_pools)
    return all(pool(each).waitForDone(timeout_ms) for each in lanes)


def shutdown(timeout_ms: int = 30_000) -> bool:
    """At exit: wait for every lane (callers have cancelled or detached their work first)."""
    idle = wait_idle(timeout_ms)
    if not idle:
        log.warning("background work still running at exit")
    return idle


class Task(QObject):
    """The GUI-thread handle of one call: `progress(str)`, then `finished(result)` or
    `failed(exception)`; `failed` carries `QuantumDeskError`/`Cancelled` (plain messages) or, for a
    bug, any other exception (already logged)."""

    progress = Signal(str)
    finished = Signal(object)
    failed = Signal(object)
    _ended = Signal()  # after finished/failed: lets the handle go


class _Runnable(QRunnable):
    def __init__(self, task: Task, call: Callable[..., Any], with_progress: bool) -> None:
        super().__init__()
        self.task, self.call, self.with_progress = task, call, with_progress

    def run(self) -> None:
        task = self.task
        try:
            if self.with_progress:
                result = self.call(lambda message, _fraction=None: task.progress.emit(message))
            else:
                result = self.call()
        except (QuantumDeskError, Cancelled) as exc:
            outcome: tuple[Any, object] = (task.failed, exc)
        except Exception as exc:  # a bug must not vanish in a pool thread: log it
            log.exception("background task failed")
            outcome = (task.failed, exc)
        else:
            outcome = (task.finished, result)
        signal, value = outcome
        try:
            signal.emit(value)
            task._ended.emit()
        except RuntimeError:  # the application is going away under a late task: nobody to tell
            log.debug("a background task ended after its handle was deleted")


class _Reaper(QObject):
    """Lets a task go once its outcome was delivered. The handle is dropped at the next task's
    end, not inside the slot its own signal called."""

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self._last: QObject | None = None

    @Slot()
    def _on_task_ended(self) -> None:
        task = self.sender()
        with _live_lock:
            _live.discard(task)
        self._last = task


_reaper: _Reaper | None = None


def run_task(
    call: Callable[..., Any],
    *,
    lane: Lane = Lane.CALLS,
    with_progress: bool = False,
    on_finished: Callable[[Any], object] | None = None,
    on_failed: Callable[[Any], object] | None = None,
    on_progress: Callable[[str], object] | None = None,
) -> Task:
    """Start `call()` (or `call(progress)` with `with_progress`) on `lane`'s pool, from the GUI
    thread; `on_finished(result)`, `on_failed(exception)` and `on_progress(message)` are called
    on the GUI thread."""
    global _reaper
    if _reaper is None:
        _reaper = _Reaper(QCoreApplication.instance())
    task = Task()
    for signal, slot in ((task.finished, on_finished), (task.failed, on_failed)):
        if slot is not None:
            signal.connect(slot)
    if on_progress is not None:
        task.progress.connect(on_progress)
    task._ended.connect(_reaper._on_task_ended)
    with _live_lock:
        _live.add(task)
    runnable = _Runnable(task, call, with_progress)
    runnable.setAutoDelete(True)
    pool(lane).start(runnable)
    return task


class BackgroundCalls(QObject):
    """Calls answered by ticket, for views with several calls in flight: `submit(call) -> ticket`,
    then `finished(ticket, result)` or `failed(ticket, exception)` on the GUI thread."""

    finished = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, parent: QObject | None = None, *, lane: Lane = Lane.CALLS) -> None:
        super().__init__(parent)
        self._tickets = itertools.count(1)
        self._lane = lane
        self._pending: dict[QObject, int] = {}

    def submit(self, call: Callable[[], Any]) -> int:
        """Start `call` on the pool; its ticket identifies the answer."""
        ticket = next(self._tickets)
        # slots of this object: Qt drops the answer when this object is deleted first
        task = run_task(
            call,
            lane=self._lane,
            on_finished=self._on_task_finished,
            on_failed=self._on_task_failed,
        )
        self._pending[task] = ticket
        return ticket

    @Slot(object)
    def _on_task_finished(self, result: object) -> None:
        ticket = self._pending.pop(self.sender(), None)
        if ticket is not None:
            self.finished.emit(ticket, result)

    @Slot(object)
    def _on_task_failed(self, exc: object) -> None:
        ticket = self._pending.pop(self.sender(), None)
        if ticket is not None:
            self.failed.emit(ticket, exc)
