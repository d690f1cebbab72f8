"""Bounded, visible retries of one Azure call: transient failures (busy service, 5xx, dropped
connections) are tried again with back-off until an overall deadline, each wait announced as a
`Notice` ("retrying in 8 s: the service answered 503"); past the deadline the call raises
`GaveUp` with the last failure in plain words.

What a caller does with `GaveUp` is its business: a submit ends failed with the reason (or stays
open when the job may exist, see the executor), a followed job stays open for reconciliation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from desktop_app.core.azure.errors import AzureRunError
from desktop_app.core.azure.session import (
    is_closed_client,
    is_rejected_token,
    is_transient,
    retry_after,
)
from desktop_app.core.cancel import ProgressCallback
from desktop_app.core.errors import exception_chain

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_RETRY_DEADLINE = 300.0  # seconds one call may keep failing before we stop trying


class Notice(str):
    """A progress line the user must see even where progress is quiet (the CLI prints it on
    stderr); it is still a plain `str` for Qt signals and logs."""

    __slots__ = ()


class GaveUp(AzureRunError):
    """Transient failures went on past the deadline. `reason` is the last one in plain words."""

    def __init__(self, message: str, code: str, reason: str) -> None:
        super().__init__(message, code)
        self.reason = reason


def failure_text(exc: BaseException) -> str:
    """What went wrong, for a person: "the service answered 503", "the connection was dropped"."""
    from azure.core.exceptions import HttpResponseError, ServiceResponseError

    for e in exception_chain(exc):
        if isinstance(e, HttpResponseError) and e.status_code:
            if e.status_code == 429:
                return "the service answered 429 (too many requests)"
            return f"the service answered {e.status_code}"
    for e in exception_chain(exc):
        if isinstance(e, ServiceResponseError | ConnectionResetError | ConnectionAbortedError):
            return "the connection was dropped before an answer came"
        if isinstance(e, TimeoutError):
            return "the service did not answer in time"
    return "the service could not be reached"


def failure_code(exc: BaseException) -> str:
    """A short code for the log and the ledger: "HTTP 503", "ConnectionDropped", ..."""
    from azure.core.exceptions import HttpResponseError, ServiceResponseError

    for e in exception_chain(exc):
        if isinstance(e, HttpResponseError) and e.status_code:
            return f"HTTP {e.status_code}"
    if any(isinstance(e, ServiceResponseError) for e in exception_chain(exc)):
        return "ConnectionDropped"
    return "Unreachable"


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def call_with_retries(
    action: Callable[[], T],
    *,
    what: str,
    delays: Iterator[float],
    deadline: float,
    progress: ProgressCallback,
    wait: Callable[[float], None],
    reauthenticate: Callable[[], bool],
    explain: Callable[[Exception], Exception],
) -> T:
    """`action()`, tried again after transient failures until `deadline` seconds have passed
    since the first one; a rejected token, or a client closed before the call was sent, is
    met by `reauthenticate` (a workspace opened again; False: give up).

    `wait(seconds)` sleeps (and raises to stop: Cancelled, Detached); `explain(exc)` turns a
    final, non-transient failure into the error to raise. Raises GaveUp after the deadline.
    """
    first_failure: float | None = None
    while True:
        try:
            return action()
        except Exception as exc:
            if (is_rejected_token(exc) or is_closed_client(exc)) and reauthenticate():
                continue  # a fresh token, or a client that was closed: a workspace opened again
            if not is_transient(exc):
                error = explain(exc)
                if error is exc:
                    raise
                raise error from exc
            now = time.monotonic()
            first_failure = now if first_failure is None else first_failure
            reason = failure_text(exc)
            pause = max(retry_after(exc) or 0.0, next(delays))
            if now - first_failure + pause > deadline:
                log.warning("%s: giving up after %.0f s: %s", what, now - first_failure, reason)
                raise GaveUp(
                    f"{what} did not succeed for {_minutes(now - first_failure)}: {reason}. "
                    "Azure Quantum may be busy or unreachable; try again later.",
                    failure_code(exc),
                    reason,
                ) from exc
            log.info("%s: %s, retrying in %.1f s", what, reason, pause)
            shown = f"{pause:.0f}" if pause >= 1 else f"{pause:.1f}"
            progress(Notice(f"{what}: retrying in {shown} s: {reason}"), None)
            wait(pause)
