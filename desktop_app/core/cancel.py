"""Cooperative cancellation and progress reporting shared by every executor.

Two ways to stop: `cancel()` (the user's Cancel: cancel the job itself, at Azure too) and
`detach()` (the app is closing: stop following, but leave a remote job running; the ledger keeps
it open and the next start picks it up again).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

# message, fraction done (0..1) or None when unknown
ProgressCallback = Callable[[str, float | None], None]

# A remote executor reports the job id it submitted as the progress message "Job id: <id>".
JOB_ID_PROGRESS = "Job id: "


def job_id_in(message: str) -> str | None:
    """The job id a progress message announces, or None."""
    if not message.startswith(JOB_ID_PROGRESS):
        return None
    return message[len(JOB_ID_PROGRESS) :].strip() or None


class Cancelled(Exception):
    """Raised by an executor when its cancel token was set."""


class Detached(Cancelled):
    """Following stopped without cancelling the job: it stays open for the next start."""


class CancelToken:
    """Set from any thread (the GUI), polled by the worker doing the job."""

    def __init__(self) -> None:
        self._stop = threading.Event()  # set by cancel() and by detach()
        self._detach = threading.Event()

    def cancel(self) -> None:
        self._stop.set()

    def detach(self) -> None:
        self._detach.set()
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        """True once the work should stop (cancelled or detached)."""
        return self._stop.is_set()

    @property
    def detached(self) -> bool:
        """True when the work should stop but a remote job must be left running."""
        return self._detach.is_set()

    def raise_if_cancelled(self) -> None:
        if self._detach.is_set():
            raise Detached()
        if self._stop.is_set():
            raise Cancelled()

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds; True as soon as cancel() or detach() is called."""
        return self._stop.wait(timeout)

    def sleep_unless_detached(self, timeout: float) -> None:
        """Sleep `timeout` seconds through a cancel (work that must finish, such as seeing a
        cancelled job end), but raise Detached as soon as detach() is called."""
        if self._detach.wait(timeout):
            raise Detached()


def no_progress(message: str, fraction: float | None) -> None:
    """A ProgressCallback that ignores progress."""
