"""call_in_worker: a function of the app runs in a worker process, bounded in time, never fatal."""

from __future__ import annotations

import os

import pytest

from desktop_app.core.cancel import Cancelled, CancelToken
from desktop_app.core.errors import QuantumDeskError, UserInputError
from desktop_app.core.local import executor
from desktop_app.core.local.calls import WorkerTimeout, call_in_worker
from tests import worker_call_targets as targets


@pytest.fixture(autouse=True, scope="module")
def _end_workers() -> object:
    yield
    executor.shutdown_workers()


def test_the_value_comes_back_from_another_process() -> None:
    pid, total = call_in_worker(targets.pid_and_sum, ((1, 2, 3),))
    assert total == 6
    assert pid != os.getpid()


def test_the_worker_is_reused_for_the_next_call() -> None:
    first, _ = call_in_worker(targets.pid_and_sum, ((1,),))
    second, _ = call_in_worker(targets.pid_and_sum, ((2,),))
    assert first == second


def test_our_errors_arrive_as_themselves() -> None:
    with pytest.raises(UserInputError, match="line 3, column 4: no such gate"):
        call_in_worker(targets.refuse, ("line 3, column 4: no such gate",))


def test_a_python_error_arrives_in_plain_words() -> None:
    with pytest.raises(QuantumDeskError) as caught:
        call_in_worker(targets.divide, (1, 0))
    text = str(caught.value)
    assert "ZeroDivisionError" not in text and "division" not in text
    assert "unexpectedly" in text


def test_an_endless_call_is_stopped_after_its_time_and_the_worker_replaced() -> None:
    with pytest.raises(WorkerTimeout, match=r"drawing the circuit took longer than 1 s"):
        call_in_worker(targets.spin, (), what="drawing the circuit", timeout=1.0)
    assert call_in_worker(targets.pid_and_sum, ((4,),))[1] == 4


def test_a_crashing_call_ends_in_a_message_and_the_next_call_works() -> None:
    with pytest.raises(QuantumDeskError, match="stopped unexpectedly"):
        call_in_worker(targets.crash, ())
    assert call_in_worker(targets.pid_and_sum, ((5,),))[1] == 5


def test_cancel_stops_the_call() -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        call_in_worker(targets.spin, (), cancel=token)
