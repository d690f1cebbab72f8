"""Cooperative cancellation and progress reporting shared by every executor."""

from __future__ import annotations

import threading
from collections.abc import Callable

# message, fraction done (0..1) or None when unknown
ProgressCallback = Callable[[str, float | None], None]


class Cancelled(Exception):
    """Raised by an executor when its cancel token was set."""


class CancelToken:
    """Set from any thread (the GUI), polled by the worker doing the job."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds; True as soon as cancel() is called."""
        return self._event.wait(timeout)


def no_progress(message: str, fraction: float | None) -> None:
    """A ProgressCallback that ignores progress."""
