"""Live target availability and queue time for the selected profile, refreshed in the background.

Refreshes on profile change, on demand (`refresh()`, F5 in the window) and every few minutes;
shows the last cached figures at once (and keeps them, with their time, when a refresh fails).
The network call is `core.azure.status.refresh_status`, made in the Azure worker process
(`core.azure.process`) from a pool thread.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app.core.azure import status as azure_status
from desktop_app.core.azure.status import StatusSnapshot
from desktop_app.core.errors import QuantumDeskError
from desktop_app.ui.tasks import BackgroundCalls

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MS = 5 * 60 * 1000

Refresh = Callable[[str], StatusSnapshot]
Cached = Callable[[str], "StatusSnapshot | None"]


def describe(snapshot: StatusSnapshot | None, now: float | None = None) -> str:
    """One line for the status label: where the figures come from and how old they are."""
    if snapshot is None:
        return "No target status yet."
    stamp = time.strftime("%H:%M", time.localtime(snapshot.fetched_at))
    age = snapshot.age(now)
    if age >= 86_400:
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(snapshot.fetched_at))
    if snapshot.error:
        # not "Offline": a missing secret or a refused sign-in fails it too, network or not
        return f"Not refreshed: showing the figures from {stamp}. {snapshot.error}"
    if snapshot.from_cache:
        return f"Figures from {stamp} (refreshing…)"
    return f"Live figures from {stamp}."


class StatusRefresher(QObject):
    """Holds the selected profile's latest `StatusSnapshot` and keeps it fresh."""

    snapshotChanged = Signal(object)  # StatusSnapshot, or None when no profile is selected
    refreshFailed = Signal(str)  # plain words, when there are no figures at all to show
    busyChanged = Signal(bool)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        refresh: Refresh | None = None,
        cached: Cached | None = None,
    ) -> None:
        super().__init__(parent)
        # default: in the Azure worker process, so the window's process never imports the SDK
        self._refresh_fn = refresh or _refresh_in_worker
        self._cached_fn = cached or azure_status.cached_status
        self._profile: str | None = None
        self._snapshot: StatusSnapshot | None = None
        self._ticket: int | None = None
        self._again = False
        self._calls = BackgroundCalls(self)
        self._calls.finished.connect(self._on_calls_finished)
        self._calls.failed.connect(self._on_calls_failed)
        self.timer = QTimer(self)
        self.timer.setObjectName("statusRefreshTimer")
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._on_timer_timeout)

    @property
    def profile(self) -> str | None:
        return self._profile

    @property
    def snapshot(self) -> StatusSnapshot | None:
        return self._snapshot

    @property
    def busy(self) -> bool:
        return self._ticket is not None

    def set_profile(self, name: str | None) -> None:
        """Select a profile (None: none): cached figures now, live ones in the background."""
        if name == self._profile:
            return
        self._profile = name
        self._ticket = None  # an answer for the previous profile is dropped
        self._again = False
        self.busyChanged.emit(False)
        self._snapshot = self._cached_fn(name) if name else None
        self.snapshotChanged.emit(self._snapshot)
        if name is None:
            self.timer.stop()
            return
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        """Ask the workspace now (a refresh already running is followed by one more)."""
        name = self._profile
        if name is None:
            return
        if self._ticket is not None:
            self._again = True
            return
        refresh_fn = self._refresh_fn
        self._ticket = self._calls.submit(lambda: refresh_fn(name))
        self.busyChanged.emit(True)

    def stop(self) -> None:
        """Stop the timer and forget any answer still on its way."""
        self.timer.stop()
        self._ticket = None
        self._again = False

    def _take(self, ticket: int) -> bool:
        if ticket != self._ticket:
            return False
        self._ticket = None
        self.busyChanged.emit(False)
        return True

    def _follow_up(self) -> None:
        if self._again:
            self._again = False
            self.refresh()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.refresh()

    @Slot(int, object)
    def _on_calls_finished(self, ticket: int, snapshot: object) -> None:
        if not self._take(ticket):
            return
        if isinstance(snapshot, StatusSnapshot):
            self._snapshot = snapshot
            self.snapshotChanged.emit(snapshot)
        self._follow_up()

    @Slot(int, object)
    def _on_calls_failed(self, ticket: int, error: object) -> None:
        if not self._take(ticket):
            return
        if isinstance(error, QuantumDeskError):
            message = str(error)
        else:
            message = "The target status could not be read; the log has the details."
            log.info("status refresh for %r failed: %r", self._profile, error)
        log.info("status refresh for %r failed: %s", self._profile, message)
        if self._snapshot is not None:  # keep the figures we have, say they are old
            self._snapshot = dataclasses.replace(self._snapshot, from_cache=True, error=message)
            self.snapshotChanged.emit(self._snapshot)
        else:
            self.refreshFailed.emit(message)
        self._follow_up()


def _refresh_in_worker(profile: str) -> StatusSnapshot:
    from desktop_app.core.azure.process import refresh_status_in_worker

    snapshot: StatusSnapshot = refresh_status_in_worker(profile)
    return snapshot
