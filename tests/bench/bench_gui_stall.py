"""GUI-thread stall while a 24-qubit random circuit simulates through RunExecutor; Cancel latency.

A 10 ms QTimer heartbeat runs on the GUI thread; the stall of a tick is its delay beyond 10 ms.
Goals: max stall < 50 ms, p99 < 16 ms; Cancel to the end of the run < 0.5 s.
Run: .venv/bin/python tests/bench/bench_gui_stall.py   (prints the figures, asserts nothing)
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.core.local.executor import shutdown_workers
from desktop_app.core.request import RunRequest
from desktop_app.ui.runs import RunExecutor

QUBITS, DEPTH, SHOTS = 24, 6, 1000


def random_program() -> str:
    from qiskit import qasm2
    from qiskit.circuit.random import random_circuit

    circuit = random_circuit(QUBITS, DEPTH, max_operands=2, measure=True, seed=11)
    return qasm2.dumps(circuit)


class Heartbeat:
    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return [(b - a - 0.010) * 1000 for a, b in zip(self.ticks, self.ticks[1:], strict=False)]


def describe(stalls: list[float]) -> str:
    p99 = stalls[min(len(stalls) - 1, int(0.99 * len(stalls)))]
    return (
        f"heartbeat (10 ms) over {len(stalls)} ticks: max stall {stalls[-1]:.1f} ms, "
        f"p99 {p99:.1f} ms, median {statistics.median(stalls):.1f} ms"
    )


def run(executor: RunExecutor, request: RunRequest, cancel_after: float | None = None) -> float:
    """Run to the end; with cancel_after, cancel that long after "Simulating" and return latency."""
    loop = QEventLoop()
    marks: dict[str, float] = {}

    def on_progress(_backend: str, message: str) -> None:
        if message == "Simulating" and cancel_after is not None:
            QTimer.singleShot(int(cancel_after * 1000), cancel)

    def cancel() -> None:
        marks["cancel"] = time.perf_counter()
        executor.cancel()

    def on_finished() -> None:
        marks["end"] = time.perf_counter()
        loop.quit()

    executor.jobProgress.connect(on_progress)
    executor.runFinished.connect(on_finished)
    executor.start([request])
    loop.exec()
    executor.jobProgress.disconnect(on_progress)
    executor.runFinished.disconnect(on_finished)
    return marks["end"] - marks.get("cancel", marks["end"])


def main() -> None:
    app = QApplication(sys.argv[:1])
    from desktop_app.app import GIL_SWITCH_SECONDS

    sys.setswitchinterval(GIL_SWITCH_SECONDS)  # as the app sets it
    source = random_program()
    executor = RunExecutor()
    warm = (
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[1];\nh q[0];\nmeasure q -> c;\n'
    )
    run(executor, RunRequest(warm, None, LOCAL_SIMULATOR, 10))  # start the worker process first

    request = RunRequest(source, None, LOCAL_SIMULATOR, SHOTS)
    heartbeat = Heartbeat()
    # Baseline: the same heartbeat with nothing running (what the machine's load alone costs).
    heartbeat.start()
    idle = QEventLoop()
    QTimer.singleShot(3000, idle.quit)
    idle.exec()
    print(f"idle baseline: {describe(sorted(heartbeat.stop()))}")
    results: list[object] = []
    executor.jobFinished.connect(results.append)
    heartbeat.start()
    started = time.perf_counter()
    run(executor, request)
    duration = time.perf_counter() - started
    stalls = sorted(heartbeat.stop())
    print(
        f"{QUBITS}-qubit random circuit (depth {DEPTH}, {SHOTS} shots) through RunExecutor: "
        f"{duration:.2f} s, status {getattr(results[-1], 'status', '?')}"
    )
    print(f"during the simulation: {describe(stalls)} (goal max < 50 ms, p99 < 16 ms)")

    latencies = [run(executor, request, cancel_after=0.5) for _ in range(3)]
    print(
        f"Cancel to end of run (worker killed), 3 runs: "
        f"{', '.join(f'{x * 1000:.0f} ms' for x in latencies)} (goal < 500 ms)"
    )
    executor.shutdown()
    shutdown_workers()
    app.quit()


if __name__ == "__main__":
    main()
