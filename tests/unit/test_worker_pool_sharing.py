"""Program calls share the warm simulator worker instead of starting a second one (issue 16): a
call waits briefly for a worker busy with another call, never for one that simulates."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from desktop_app.core.local import calls, executor
from desktop_app.core.local.calls import call_in_worker
from tests import worker_call_targets as targets


class _WatchedCondition(threading.Condition):
    """The pool's "a worker came free" condition, telling the test when a caller waits on it."""

    def __init__(self, lock: threading.Lock) -> None:
        super().__init__(lock)
        self.waited = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.waited.set()
        return super().wait(timeout)


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[executor._Pool]:
    executor.shutdown_workers()
    shared = executor.worker_pool()
    monkeypatch.setattr(shared, "_freed", _WatchedCondition(shared._lock))
    monkeypatch.setattr(calls, "_WAIT_FOR_WARM_SECONDS", 60.0)  # a loaded machine's calls are slow
    yield shared
    executor.shutdown_workers()


def _fifo(tmp_path: Path) -> str:
    path = str(tmp_path / "go")
    os.mkfifo(path)
    return path


def _warm_worker_pid() -> int:
    """The pool's worker, warmed up: a worker started by a call answers it first and warms up
    (qiskit's imports) after it, so the second call's answer comes from a warm worker."""
    call_in_worker(targets.pid_and_sum, ((0,),))
    pid, _ = call_in_worker(targets.pid_and_sum, ((1,),))
    return pid


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_second_call_waits_for_the_busy_warm_worker(pool: executor._Pool, tmp_path: Path) -> None:
    fifo = _fifo(tmp_path)
    with ThreadPoolExecutor(max_workers=2) as threads:
        warm_pid = _warm_worker_pid()
        held = threads.submit(call_in_worker, targets.pid_after_line, (fifo,))
        second = threads.submit(call_in_worker, targets.pid_and_sum, ((2,),))
        assert pool._freed.waited.wait(10), "the second call started a worker of its own"
        with open(fifo, "w", encoding="utf-8") as pipe:  # the first call may end now
            pipe.write("go\n")
        assert held.result(30) == warm_pid
        assert second.result(30) == (warm_pid, 2)
    assert executor.busy_worker_pids() == set()


def test_a_call_does_not_wait_for_a_worker_that_simulates(pool: executor._Pool) -> None:
    simulating = pool.acquire()  # as LocalSimulatorExecutor takes one for a run
    simulating.warm = True
    try:
        pid, total = call_in_worker(targets.pid_and_sum, ((3,),))
        assert (pid != simulating.pid, total) == (True, 3)
        assert not pool._freed.waited.is_set()
    finally:
        pool.release(simulating)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_call_does_not_wait_for_a_worker_still_to_warm_up(
    pool: executor._Pool, tmp_path: Path
) -> None:
    fifo = _fifo(tmp_path)
    with ThreadPoolExecutor(max_workers=1) as threads:
        # the first request of a new worker: answered before the worker's warm-up, which then
        # comes before its next request
        held = threads.submit(call_in_worker, targets.pid_after_line, (fifo,))
        with open(fifo, "w", encoding="utf-8") as pipe:  # open once the worker reads the pipe
            pid, total = call_in_worker(targets.pid_and_sum, ((4,),))
            pipe.write("go\n")
        assert (pid != held.result(30), total) == (True, 4)
    assert not pool._freed.waited.is_set()
