"""The window's calls of `program_work`'s functions in a simulator worker process.

A run's backends use at most two worker processes at once for their program (each is a Python
with qiskit imported: six Azure rows must not start six of them together). The calling thread
(a pool thread of the window, or a supervising thread of an Azure run) only waits, for its turn
and then for the answer; Cancel stops both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from desktop_app.core.cancel import Cancelled

if TYPE_CHECKING:
    from desktop_app.core.azure.translate import Translation
    from desktop_app.core.cancel import CancelToken
    from desktop_app.core.request import RunRequest

T = TypeVar("T")

TRANSLATE_TIMEOUT_SECONDS = 60.0  # a run's translation: the run fails with a plain message
_PROGRAM_WORKERS = threading.BoundedSemaphore(2)


def in_worker(
    function: Callable[..., T],
    args: tuple[object, ...],
    what: str,
    timeout: float,
    cancel: CancelToken | None = None,
) -> T:
    """`function(*args)` in a simulator worker process (core.local.calls)."""
    from desktop_app.core.local.calls import call_in_worker

    while not _PROGRAM_WORKERS.acquire(timeout=0.05):
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
    try:
        return call_in_worker(function, args, what=what, timeout=timeout, cancel=cancel)
    finally:
        _PROGRAM_WORKERS.release()


def translate_in_worker(request: RunRequest, cancel: CancelToken | None) -> Translation:
    """An Azure run's program as its target runs it, parsed and translated in a simulator worker
    (warm, qiskit imported), so that the Azure worker never needs qiskit: its first job then pays
    the SDK's imports only, while the program is translated on the other core."""
    from desktop_app.core.jobs.program_work import translate_request

    what = "translating the program for the target"
    return in_worker(translate_request, (request,), what, TRANSLATE_TIMEOUT_SECONDS, cancel)


def translate_in_process(request: RunRequest, cancel: CancelToken | None) -> Translation:
    """An Azure run's program as its target runs it, translated in this process (the command
    line, which has read the program with qiskit already), for the Azure worker: that process then
    never imports qiskit, and starts, imports the SDK and signs in on the other core meanwhile."""
    from desktop_app.core.azure.translate import translate
    from desktop_app.core.programs import QISKIT_LOCK

    with QISKIT_LOCK:  # several backends run side by side; qiskit is not thread-safe
        return translate(request.parsed().circuit, request.backend)  # ProgramError, UserInputError
