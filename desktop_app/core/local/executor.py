"""The local simulator executor: qiskit-aer in a supervised worker process (or in-process).

qiskit-aer holds the interpreter lock for up to 0.6 s inside one run(), so in the GUI process it
must never run on a thread. With `isolate=True` a worker process (spawn) simulates, and the calling
thread supervises it: it forwards progress, and on Cancel kills the process. One idle worker is kept
warm (qiskit pre-imported) so that a Run does not pay the imports; a killed worker is replaced.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING

from desktop_app.core.cancel import Cancelled
from desktop_app.core.errors import QuantumDeskError

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from desktop_app.core.cancel import CancelToken, ProgressCallback
    from desktop_app.core.request import RunRequest
    from desktop_app.core.results import RunResult

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.05  # how often the supervisor looks at the cancel token
_CONTEXT = multiprocessing.get_context("spawn")  # fork is unsafe in a process with Qt threads
# Workers are started from this one thread, which lives as long as the process: on Linux a worker
# gets SIGKILL when the thread that started it ends (worker._exit_with_parent), and the app's pool
# threads end when idle, which killed warm workers that other threads had borrowed meanwhile.
_STARTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="simulator-starter")


class _Worker:
    """One simulator process and the parent's end of its pipe."""

    def __init__(self) -> None:
        from desktop_app.core.local import worker as sim_worker

        parent_end, child_end = _CONTEXT.Pipe()
        self.conn: Connection = parent_end
        self.process: BaseProcess = _CONTEXT.Process(
            target=sim_worker.serve, args=(child_end,), name="quantum-desk-simulator", daemon=True
        )
        _STARTER.submit(self.process.start).result()
        child_end.close()
        self.warm = False  # set once its "ready" (imports and warm-up done) has been read
        self.short = False  # lent for a program call (milliseconds), not a simulation
        self.served = 0  # requests answered
        # A worker started by a request answers it before its warm-up, which then comes before
        # the next request: only from its third request on is it surely warm.
        self.warm_from = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.is_alive()

    def warm_now(self) -> bool:
        """Whether the request it is answering waits for no warm-up."""
        return self.warm and self.served >= self.warm_from

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(2.0)
        self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to leave; kill it if it does not."""
        with contextlib.suppress(OSError):
            self.conn.send(("stop",))
        self.process.join(0.2)  # a worker still warming up does not read its pipe: killed
        self.kill()


class _Pool:
    """Idle and busy workers; shared by every executor of the process, any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)  # a worker went back to idle
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self.keep_warm = False

    def prewarm(self) -> None:
        with self._lock:
            self.keep_warm = True
            self._idle = [w for w in self._idle if w.alive()]
            if not self._idle:
                self._idle.append(_Worker())

    def acquire(self, wait_for_warm: float = 0.0) -> _Worker:
        """An idle worker, else a new one. A short call (`wait_for_warm` seconds > 0) with no
        idle worker first waits up to that long for a warm one busy with another short call: a
        program call is over in milliseconds (a Bell translation 4-7 ms), while a new worker
        takes ~0.7 s of qiskit imports, on a core the window needs. 20 translations at once:
        the last done after 0.74 s with a second worker started, 0.07-0.09 s without. A worker
        busy simulating, or still to warm up, is not waited for."""
        deadline = time.monotonic() + wait_for_warm
        with self._freed:
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        return self._lend(worker, short=wait_for_warm > 0)
                    worker.kill()
                left = deadline - time.monotonic()
                if left <= 0 or not any(w.short and w.warm_now() for w in self._busy):
                    break
                self._freed.wait(left)
            worker = _Worker()
            worker.warm_from = 2
            return self._lend(worker, short=wait_for_warm > 0)

    def _lend(self, worker: _Worker, short: bool) -> _Worker:
        worker.short = short
        self._busy.add(worker)
        return worker

    def release(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            worker.served += 1
            keep = worker.alive() and not self._idle
            if keep:
                self._idle.append(worker)
                self._freed.notify()
        if not keep:
            worker.stop()

    def discard(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
        worker.kill()
        if self.keep_warm:
            self.prewarm()

    def busy_pids(self) -> set[int]:
        with self._lock:
            return {w.pid for w in self._busy if w.pid is not None}

    def shutdown(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            busy = list(self._busy)
            self.keep_warm = False
        for worker in idle:
            worker.stop()
        for worker in busy:
            worker.kill()


_POOL = _Pool()


def prewarm() -> None:
    """Start a worker process in the background (returns at once) and keep one warm from now on."""
    _POOL.prewarm()


def worker_pool() -> _Pool:
    """The process's worker pool (core/local/calls.py borrows its workers)."""
    return _POOL


def busy_worker_pids() -> set[int]:
    """Process ids of the workers simulating right now (for tests and diagnostics)."""
    return _POOL.busy_pids()


def shutdown_workers() -> None:
    """End every worker process (at application exit)."""
    _POOL.shutdown()


class LocalSimulatorExecutor:
    """Runs `local.simulator` requests on qiskit-aer; see the module docstring."""

    def __init__(self, isolate: bool = True) -> None:
        self.isolate = isolate

    def run(
        self, request: RunRequest, cancel: CancelToken, progress: ProgressCallback
    ) -> RunResult:
        from desktop_app.core.program_tokens import has_while_loop

        progress("Starting simulator", None)
        cancel.raise_if_cancelled()
        # Only a measurement-dependent `while` loop can run unbounded once program_limits passed a
        # program: it simulates in a worker process, ended after MAX_WHILE_LOOP_SECONDS.
        endless = has_while_loop(request.source)
        if not self.isolate and not endless:
            from desktop_app.core.local.worker import simulate

            result = simulate(request, progress)  # aer cannot be interrupted in-process
            cancel.raise_if_cancelled()
            progress("Done", 1.0)
            return result
        return self._run_isolated(request, cancel, progress, time_limit=endless)

    def _run_isolated(
        self,
        request: RunRequest,
        cancel: CancelToken,
        progress: ProgressCallback,
        time_limit: bool = False,
    ) -> RunResult:
        from desktop_app.core import program_limits

        worker = _POOL.acquire()
        reusable = False
        deadline: float | None = None  # set when the worker starts simulating (its first progress)
        try:
            # A plain dict pickles whatever Mapping the caller passed.
            worker.conn.send(
                ("run", dataclasses.replace(request, options=dict(request.options), program=None))
            )
            while True:
                if cancel.cancelled:
                    log.info("cancelled: killing simulator process %s", worker.pid)
                    raise Cancelled()
                if deadline is not None and time.monotonic() > deadline:
                    seconds = program_limits.MAX_WHILE_LOOP_SECONDS
                    raise QuantumDeskError(
                        f"the simulation did not end within {seconds:.0f} s: a while loop in the"
                        " program may never stop"
                    )
                ready = wait([worker.conn, worker.process.sentinel], timeout=_POLL_SECONDS)
                if worker.conn in ready:
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):
                        message = ("died",)
                    kind = message[0]
                    if kind == "ready":
                        worker.warm = True
                    elif kind == "progress":
                        progress(message[1], message[2])
                        if time_limit and deadline is None:
                            deadline = time.monotonic() + program_limits.MAX_WHILE_LOOP_SECONDS
                    elif kind == "result":
                        reusable = True
                        progress("Done", 1.0)
                        result: RunResult = message[1]
                        return result
                    elif kind == "error":
                        reusable = True
                        if message[2]:  # a traceback: for --verbose / debug logs only
                            log.debug("simulator worker error:\n%s", message[2])
                        error: QuantumDeskError = message[1]
                        raise error
                    elif kind == "died":
                        break
                elif ready:  # only the sentinel: the process ended without a word
                    break
            worker.process.join(1.0)
            raise QuantumDeskError(
                "the simulator process stopped unexpectedly"
                f" (exit code {worker.process.exitcode}); it may have run out of memory"
            )
        finally:
            if reusable:
                _POOL.release(worker)
            else:
                _POOL.discard(worker)
