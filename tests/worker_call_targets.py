"""Module-level functions for tests/unit/test_worker_calls.py to run in a worker process."""

from __future__ import annotations

import os

from desktop_app.core.errors import UserInputError


def pid_and_sum(values: tuple[int, ...]) -> tuple[int, int]:
    return os.getpid(), sum(values)


def refuse(message: str) -> None:
    raise UserInputError(message)


def divide(a: int, b: int) -> float:
    return a / b


def spin() -> None:
    while True:
        pass


def crash() -> None:
    os._exit(139)


def scheduling(_context: object = None) -> tuple[int, int, int, str]:
    """(pid, session id, nice, its autogroup line or '') of the process this runs in; the Azure
    worker passes its WorkerContext first."""
    try:
        with open("/proc/self/autogroup") as group:
            autogroup = group.read().strip()
    except OSError:
        autogroup = ""
    return os.getpid(), os.getsid(0), os.getpriority(os.PRIO_PROCESS, 0), autogroup


def thread_policies(_context: object = None) -> tuple[int, int, set[int], int]:
    """(pid, session id, the scheduling policy of each of its threads, that of a thread started
    now) of the process this runs in; the Azure worker passes its WorkerContext first."""
    import threading

    policies: set[int] = set()
    for tid in os.listdir("/proc/self/task"):
        try:
            policies.add(os.sched_getscheduler(int(tid)))
        except ProcessLookupError:  # a thread that ended after the listing (a call's, a token's)
            continue
    later: list[int] = []
    thread = threading.Thread(target=lambda: later.append(os.sched_getscheduler(0)))
    thread.start()
    thread.join()
    return os.getpid(), os.getsid(0), policies, later[0]


def pid_after_line(fifo: str) -> int:
    """This worker's pid, once a line can be read from the named pipe `fifo` (blocks until the
    test writes one)."""
    with open(fifo, encoding="utf-8") as pipe:
        pipe.readline()
    return os.getpid()


def process_name(_context: object = None) -> str:
    """What a task manager shows for the process this runs in (Linux); the Azure worker passes its
    WorkerContext first."""
    with open("/proc/self/comm", encoding="utf-8") as comm:
        return comm.read().strip()


def parent_mark(_context: object = None) -> object:
    """What the parent set as this module's MARK before the worker started: seen in a forked
    worker (a copy of the parent), not in a spawned one (a fresh interpreter)."""
    return globals().get("MARK")
