"""The Azure worker process (core.azure.process): what it raises comes back as the same class,
a worker that died is replaced, and an exception that cannot cross keeps its plain message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from desktop_app.core.azure import process
from desktop_app.core.azure.process_worker import portable
from desktop_app.core.azure.profiles import ProfileError
from desktop_app.core.cancel import Cancelled
from desktop_app.core.errors import QuantumDeskError


@pytest.fixture(autouse=True)
def _no_worker_left() -> object:
    yield None
    process.shutdown_worker()


class _Unpicklable(QuantumDeskError):
    def __init__(self, message: str, extra: object) -> None:
        super().__init__(message)
        self.extra = extra

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("not for pickling")


class _UnpicklableBug(RuntimeError):
    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("not for pickling")


def test_an_error_crosses_with_its_class_or_its_plain_words() -> None:
    assert type(portable(Cancelled())) is Cancelled
    copy = portable(ProfileError("no profile named 'x'"))
    assert type(copy) is ProfileError and str(copy) == "no profile named 'x'"
    plain = portable(_Unpicklable("the secret was typed for another tenant", object()))
    assert type(plain) is QuantumDeskError
    assert str(plain) == "the secret was typed for another tenant"
    assert type(portable(KeyError("internal"))) is KeyError
    hidden = portable(_UnpicklableBug("internal detail"))  # a bug: its text stays in the log
    assert type(hidden) is QuantumDeskError and "internal" not in str(hidden)
    assert "unexpectedly" in str(hidden)


def test_a_call_in_the_worker_raises_here_and_a_dead_worker_is_replaced() -> None:
    with pytest.raises(ProfileError, match="nowhere"):
        process.refresh_status_in_worker("nowhere")
    first = process.worker_pid()
    assert first is not None and first != os.getpid()
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while process.worker_pid() == first:  # the reader sees the pipe close
        assert time.monotonic() < deadline, "the killed worker still counts as alive"
        threading.Event().wait(0.02)
    with pytest.raises(ProfileError, match="nowhere"):
        process.refresh_status_in_worker("nowhere")
    second = process.worker_pid()
    assert second is not None and second != first


_WARM_UP = """
import sys
from desktop_app.core.azure.process_worker import warm_up
warm_up()
print("azure.quantum" in sys.modules, "qiskit" in sys.modules)
"""


def test_the_warm_up_imports_the_sdk_and_not_qiskit() -> None:
    """The window's runs are translated in a simulator worker (qiskit warm there): the Azure
    worker's warm-up pays the SDK's imports only, and its CPU and memory go to them."""
    done = subprocess.run(
        [sys.executable, "-c", _WARM_UP], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "False"]
