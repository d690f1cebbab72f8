"""Run one of the app's functions on the editor's program in a worker process, never in the GUI's.

Reading a program (parsing, the price's figures, drawing, translating) can take long or crash on
hostile input, and qiskit holds the interpreter lock while it works: in the GUI process that would
freeze the window. `call_in_worker` borrows a warm simulator worker (qiskit already imported), runs
a module-level function there and returns its value; on a time-out or cancel the worker is killed
and replaced, and a worker that dies (a native crash, memory) ends in a plain message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, TypeVar

from desktop_app.core.cancel import Cancelled
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.local.executor import worker_pool

if TYPE_CHECKING:
    from desktop_app.core.cancel import CancelToken

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS = 20.0
_POLL_SECONDS = 0.05
# A call waits this long for a busy warm worker before it starts one (executor._Pool.acquire).
_WAIT_FOR_WARM_SECONDS = 0.25


class WorkerTimeout(QuantumDeskError):
    """The call did not end in time; its worker was stopped."""


def call_in_worker(
    function: Callable[..., T],
    args: tuple[object, ...] = (),
    *,
    what: str = "reading the program",
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    cancel: CancelToken | None = None,
) -> T:
    """`function(*args)` in a worker process. `function` must be a module-level function whose
    arguments and value pickle; `what` names the work in messages; `timeout`
    counts from the moment the worker is ready (its imports are not the program's fault)."""
    pool = worker_pool()
    worker = pool.acquire(wait_for_warm=_WAIT_FOR_WARM_SECONDS)
    reusable = False
    try:
        worker.conn.send(("call", function.__module__, function.__qualname__, args))
        # The clock starts once the worker has warmed up: a fresh one pays its imports first.
        deadline: float | None = None
        while True:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            if deadline is not None and time.monotonic() > deadline:
                raise WorkerTimeout(f"{what} took longer than {timeout:.0f} s and was stopped")
            ready = wait([worker.conn, worker.process.sentinel], timeout=_POLL_SECONDS)
            if worker.conn in ready:
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    break
                if message[0] == "ready":
                    worker.warm = True
                elif message[0] == "result":
                    reusable = True
                    value: T = message[1]
                    return value
                elif message[0] == "error":
                    reusable = True
                    if message[2]:
                        log.debug("worker call %s failed:\n%s", function.__qualname__, message[2])
                    error: QuantumDeskError = message[1]
                    raise error
            elif ready:
                break
            if deadline is None and worker.warm:
                deadline = time.monotonic() + timeout
        worker.process.join(1.0)
        raise QuantumDeskError(
            f"{what} stopped unexpectedly (exit code {worker.process.exitcode}): the program may"
            " need more memory than this computer has"
        )
    finally:
        if reusable:
            pool.release(worker)
        else:
            pool.discard(worker)
