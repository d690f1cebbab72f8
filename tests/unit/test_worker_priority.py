"""The window's worker processes stand aside for its GUI thread (issue 16): the simulator at nice
+5 in a session, so a scheduling group (autogroup), of its own at nice +5; the Azure worker's
threads under SCHED_IDLE in the window's group."""

from __future__ import annotations

import os
import sys

import pytest

from desktop_app.core.azure import process
from desktop_app.core.local import executor
from desktop_app.core.local.calls import call_in_worker
from tests import worker_call_targets as targets

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux scheduling")


@pytest.fixture(autouse=True)
def _end_workers() -> object:
    yield None
    executor.shutdown_workers()
    process.shutdown_worker()


def _check_stands_aside(pid: int, sid: int, nice: int, autogroup: str) -> None:
    assert pid != os.getpid()
    assert sid == pid != os.getsid(0)  # a session of its own, so not the window's group
    assert nice == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 5)
    if autogroup:  # the kernel has autogroups: the worker's is its own, at nice 5
        name, _, group_nice = autogroup.partition(" ")
        assert name != targets.scheduling()[3].partition(" ")[0]
        assert group_nice == "nice 5"


def test_a_simulator_worker_runs_in_a_group_of_its_own_at_nice_5() -> None:
    _check_stands_aside(*call_in_worker(targets.scheduling))


def test_every_thread_of_the_azure_worker_runs_idle_in_the_window_s_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    process.shutdown_worker()  # one started for a command line (serve_command_line) runs at 0
    monkeypatch.setattr(process, "_SETUP", {})  # as the window starts it
    pid, sid, policies, later = process.call_in_azure_worker(targets.thread_policies)
    assert pid != os.getpid()
    assert sid == os.getsid(0)  # the window's session, so its scheduling group
    assert policies == {os.SCHED_IDLE}  # the threads started before the call, and this call's
    assert later == os.SCHED_IDLE  # and one started after it
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the window's own are left alone


def test_a_command_line_s_azure_worker_keeps_its_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    process.shutdown_worker()
    monkeypatch.setattr(process, "_SETUP", {})
    process.serve_command_line(30, None)
    pid, sid, nice, _ = process.call_in_azure_worker(targets.scheduling)
    assert pid != os.getpid()
    assert (sid, nice) == (os.getsid(0), os.getpriority(os.PRIO_PROCESS, 0))
    assert process.call_in_azure_worker(targets.thread_policies)[2] == {os.SCHED_OTHER}


def test_the_workers_are_named_for_a_task_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    process.shutdown_worker()
    monkeypatch.setattr(process, "_SETUP", {})
    assert call_in_worker(targets.process_name) == "qd-simulator"
    assert process.call_in_azure_worker(targets.process_name) == "qd-azure"  # a call's thread
