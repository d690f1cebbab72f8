"""How a run's backends reach the pool (issue 16, GUI-thread stalls).

`RunExecutor.start` hands the backends to pool threads one per turn of the event loop, and
`prewarm` imports what a run's threads import here, so that a first Run of twenty backends does
not have twenty threads importing modules together while the GUI thread waits for the lock.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.core.request import RunRequest
from desktop_app.ui import runs
from desktop_app.ui.runs import RunExecutor
from tests.gui.child_env import run_window_child, window_child_env

BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\nmeasure q -> c;\n'


def _unknown_backends(count: int) -> list[RunRequest]:
    """Backends no catalog has: each fails at once with a plain message (no process, no
    network), which is all these tests need of a backend."""
    return [RunRequest(BELL, "bell.qasm", f"nowhere.backend{i}", 100) for i in range(count)]


def test_every_backend_of_a_run_is_started_once_and_reported(qtbot: QtBot) -> None:
    executor = RunExecutor()
    started: list[str] = []
    failed: list[str] = []
    executor.jobStarted.connect(started.append)
    executor.jobFailed.connect(lambda backend, _message: failed.append(backend))
    requests = _unknown_backends(6)

    with qtbot.waitSignal(executor.runFinished, timeout=10_000):
        executor.start(requests)
        # every backend is said started at once (the window shows its panel), even those whose
        # pool thread comes at a later turn of the event loop
        assert started == [r.backend for r in requests]

    assert sorted(failed) == sorted(r.backend for r in requests)
    assert not executor.running and executor.idle


def test_closing_before_every_backend_is_launched_still_ends_the_run(qtbot: QtBot) -> None:
    executor = RunExecutor()
    ended: list[str] = []
    executor.jobFailed.connect(lambda backend, _message: ended.append(backend))
    executor.jobFinished.connect(lambda result: ended.append(result.backend))
    requests = _unknown_backends(5)

    executor.start(requests)
    executor.shutdown(timeout_s=10)  # the event loop has not turned: most were not launched

    assert executor.idle  # none is left waiting for a turn that would never come
    qtbot.waitUntil(lambda: not executor.running, timeout=10_000)
    assert sorted(ended) == sorted(r.backend for r in requests)


def test_the_modules_prewarm_imports_exist() -> None:
    for name in runs.RUN_PATH_MODULES:
        importlib.import_module(name)


CHILD = r"""
import sys
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.core.local.executor import shutdown_workers
from desktop_app.core.request import RunRequest
from desktop_app.ui import runs, tasks

app = QApplication(sys.argv[:1])
runs._prewarm()  # as start_background_work does after the first paint
before = {m for m in sys.modules if m.startswith("desktop_app")}
executor = runs.RunExecutor()
results = []
executor.jobFinished.connect(results.append)
loop = QEventLoop()
executor.runFinished.connect(loop.quit)
QTimer.singleShot(60_000, loop.quit)
executor.start([RunRequest(sys.argv[1], "bell.qasm", "local.simulator", 100)])
loop.exec()
new = sorted(m for m in sys.modules if m.startswith("desktop_app") and m not in before)
print("STATUS", results[0].status.value if results else "none")
print("NEW", " ".join(new) or "-")
executor.shutdown()
tasks.shutdown()
shutdown_workers()
"""


def test_a_run_after_prewarm_imports_nothing_more_in_the_window_process(tmp_path: Path) -> None:
    stdout = run_window_child(CHILD, BELL, window_child_env(tmp_path))
    lines = dict(line.split(" ", 1) for line in stdout.splitlines() if " " in line)
    assert lines["STATUS"] == "Succeeded"
    assert lines["NEW"] == "-"  # the run's modules came with prewarm, not with the run
