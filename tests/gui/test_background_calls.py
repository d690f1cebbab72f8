"""ui.background: calls run on a pool thread, answers arrive on the GUI thread, owners may go."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from desktop_app.core.azure.status import StatusSnapshot, TargetStatus
from desktop_app.core.errors import UserInputError
from desktop_app.ui import tasks as background
from desktop_app.ui.backends.status_refresher import describe
from desktop_app.ui.tasks import BackgroundCalls


def test_result_arrives_on_the_gui_thread(qtbot: QtBot):
    calls = BackgroundCalls()
    worker: list[threading.Thread] = []
    received: list[tuple[int, object, QThread]] = []
    calls.finished.connect(
        lambda ticket, value: received.append((ticket, value, QThread.currentThread()))
    )

    def work() -> int:
        worker.append(threading.current_thread())
        return 42

    with qtbot.waitSignal(calls.finished, timeout=10_000):
        ticket = calls.submit(work)
    assert received == [(ticket, 42, calls.thread())]
    assert worker and worker[0] is not threading.main_thread()


def test_exception_comes_back_as_failed(qtbot: QtBot):
    calls = BackgroundCalls()

    def bad() -> None:
        raise UserInputError("plain words")

    with qtbot.waitSignal(calls.failed, timeout=10_000) as blocker:
        calls.submit(bad)
    ticket, error = blocker.args
    assert ticket == 1 and isinstance(error, UserInputError) and str(error) == "plain words"


def test_owner_deleted_before_the_answer(qtbot: QtBot):
    release = threading.Event()
    calls = BackgroundCalls()
    calls.submit(lambda: release.wait(10))
    calls.deleteLater()
    qtbot.waitUntil(lambda: _deleted(calls), timeout=5_000)
    release.set()
    assert background.wait_idle(10_000)  # no crash, nothing raised in the pool thread


def _deleted(obj: object) -> bool:
    import shiboken6

    return not shiboken6.isValid(obj)


@pytest.mark.parametrize(
    ("error", "from_cache", "start"),
    [
        (None, False, "Live figures from "),
        (None, True, "Figures from "),
        ("Azure could not be reached.", True, "Not refreshed: showing the figures from "),
    ],
)
def test_describe_says_where_figures_come_from(error, from_cache, start):
    snapshot = StatusSnapshot(
        "p",
        time.time() - 60,
        (TargetStatus("t", "ionq", "Available", 1),),
        from_cache=from_cache,
        error=error,
    )
    text = describe(snapshot)
    assert text.startswith(start)
    if error:
        assert text.endswith(error)
    assert describe(None) == "No target status yet."
