"""What every worker process the app starts does first: end with the app, leave Ctrl+C to it;
and the window's workers stand aside for its GUI thread (the simulator at nice +5 in a
scheduling group of its own, the Azure worker under SCHED_IDLE in the window's group)."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)


def _prctl(option: int, value: int | bytes) -> None:
    """Linux's prctl(2) for this process; where there is none, nothing."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(option, value)


def name_this_process(name: str) -> None:
    """Show the worker as `name` (Linux: at most 15 bytes) instead of "python" in a task
    manager, `top` and the kernel's scheduler traces (tests/bench/stall_sched.py); threads started
    from now on carry it too."""
    _prctl(15, name.encode()[:15])  # 15 = PR_SET_NAME


def exit_with_parent() -> None:
    """End this process when the app dies (no orphan left behind), and ignore Ctrl+C.

    Linux: the kernel sends SIGKILL when the thread that started us ends (PR_SET_PDEATHSIG), which
    also works while native code holds the interpreter lock. Elsewhere a daemon thread polls the
    parent's id.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C belongs to the app, which ends us
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        _prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        started_by = multiprocessing.parent_process()
        if started_by is not None and started_by.pid != parent:
            os._exit(0)  # the app died before prctl took effect

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def stand_aside(nice: int = 5) -> None:
    """Let the window's process have the CPU first: this worker at nice +`nice`, and on Linux in a
    scheduling group of its own (a new session, so the kernel's autogroup) at that nice too.

    In the window's group a busy worker drew that group's CPU share away from the GUI thread's
    core (the kernel splits a group's weight over the cores by where its load is), and the GUI
    thread waited for a core behind other programs (the scheduler trace of
    tests/bench/stall_sched.py). 20 Azure jobs + a local run, longest GUI-thread stall of a run:
    15-66 ms (median 50) with the workers in the window's group, 15-32 ms (median 23) in their
    own; three runs of each, interleaved, at load 1.3-7.5 (issue 16). Ctrl+C is ignored here
    anyway, and the worker still dies with the app (PR_SET_PDEATHSIG)."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(nice)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):  # no new session: the window's group is left alone
            os.setsid()
            with open("/proc/self/autogroup", "w") as group:  # none without autogroup
                group.write(str(nice))


def yield_to_window() -> None:
    """Run only when the window's threads leave a core free: on Linux every thread of this
    worker, and each it starts later, under SCHED_IDLE in the window's scheduling group;
    elsewhere `stand_aside()`.

    For the Azure worker: its 20 run threads polling and parsing, and the SDK's first import,
    are no work a user waits on by the second, and at nice +5 in a group of its own it still
    kept the GUI thread waiting for a core for 15-30 ms. An idle-policy task gives way at once
    to a normal one of its group (the GUI thread, woken, preempts it), and weighs almost nothing
    in the group's share of the cores, so it does not draw that share away from the GUI
    thread's core either. 20 Azure jobs + a local run, longest GUI-thread stall of the cold /
    warm run, `bench_azure_gui_stall.py`, 2026-12-02: 8.5-40.2 / 1.9-18.0 ms with both workers
    at nice +5 in their own groups (seven runs: 6 of the 14 figures over 16 ms), 4.8-22.2 /
    2.1-17.6 ms with this worker so (16 runs: 3 of 32 over 16 ms), the run as long. Not for the
    simulator: under SCHED_IDLE it ran 2-3x slower beside other busy programs while the window
    was 10% busy (its share is the window's), and the stall was no better (8.6-42.9 ms cold)."""
    if not (sys.platform.startswith("linux") and hasattr(os, "sched_setscheduler")):
        stand_aside()
        return
    for thread in os.listdir("/proc/self/task"):  # the call sets one thread's policy
        try:
            os.sched_setscheduler(int(thread), os.SCHED_IDLE, os.sched_param(0))
        except ProcessLookupError:  # that thread has ended
            continue
        except OSError:
            log.debug("SCHED_IDLE refused; nice +5 instead", exc_info=True)
            stand_aside()
            return
