"""A wide result in the window: 1,000,000 shots of 20 Hadamards (~644,000 outcomes), run,
recorded in the ledger and drawn, against plain qiskit-aer sampling the same circuit.

Figures: Run to the drawn chart against the baseline's `run().result().get_counts()` (a fresh
process each, qiskit imported before the clock starts); the longest gap of a 10 ms heartbeat on
the GUI thread from Run to the drawn chart (goal < 16 ms, as issue 16's stall row), with the
app's interpreter switch interval and again with Python's default.
Run: .venv/bin/python tests/bench/bench_wide_result.py   (prints the figures, asserts nothing)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.figures import record  # noqa: E402
from tests.gui.child_env import window_child_env  # noqa: E402

QUBITS, SHOTS, SEED = 20, 1_000_000, 7
PROGRAM = (
    f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{QUBITS}];\ncreg c[{QUBITS}];\n'
    + "".join(f"h q[{i}];\n" for i in range(QUBITS))
    + "measure q -> c;\n"
)

BASELINE = f"""
import time
from qiskit import qasm2
from qiskit_aer import AerSimulator
circuit = qasm2.loads({PROGRAM!r})
simulator = AerSimulator()
started = time.perf_counter()
counts = simulator.run(circuit, shots={SHOTS}, seed_simulator={SEED}).result().get_counts()
print(time.perf_counter() - started, len(counts))
"""

WINDOW = f"""
import sys, time
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from desktop_app.app import GIL_SWITCH_SECONDS
sys.setswitchinterval(float(sys.argv[1]) if len(sys.argv) > 1 else GIL_SWITCH_SECONDS)
from desktop_app.ui.jobs.app_ledger import open_app_ledger
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.startup_memory import freeze_startup_objects

def wait_until(condition, seconds):
    loop, deadline = QEventLoop(), time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        QTimer.singleShot(20, loop.quit)
        loop.exec()

window = MainWindow(azure_later=True, hidden_later=True)
window.show()
ledger = open_app_ledger(window)
window.attach_ledger(ledger)
freeze_startup_objects()
window.start_background_work()
window.load_program_text({PROGRAM!r}, None)
window.findChild(object, "shotsInput").setValue({SHOTS})
wait_until(lambda: False, 3.0)  # the simulator process warms up, as after the first paint
ticks = []
beat = QTimer()
beat.setInterval(10)
beat.timeout.connect(lambda: ticks.append(time.perf_counter()))
def drawn():
    panel = window.results_view.panels()[0] if window.results_view.panels() else None
    return panel is not None and panel.histogram is not None and bool(panel.histogram.bars())
started = time.perf_counter()
ticks.append(started)
beat.start()
from desktop_app.core.request import RunRequest
# as Run does once its checks are through (a million shots would ask first)
request = RunRequest({PROGRAM!r}, None, "local.simulator", {SHOTS}, {{"seed": {SEED}}})
window.start_requests([request])
wait_until(drawn, 300)
elapsed = time.perf_counter() - started
beat.stop()
gaps = sorted((b - a - 0.010) * 1000 for a, b in zip(ticks, ticks[1:]))
outcomes = window.results_view.panels()[0].counts_model.total_rows()
print(elapsed, gaps[-1], gaps[int(0.99 * (len(gaps) - 1))], outcomes, flush=True)
window.close()
"""


def run_child(code: str, env: dict[str, str], *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout.split("\n")[-2].split()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = window_child_env(Path(tmp), HOME=tmp, XDG_CONFIG_HOME=tmp)  # the window's QSettings
        base_s, base_outcomes = run_child(BASELINE, env)
        app_s, max_gap, p99_gap, outcomes = run_child(WINDOW, env)
        _, default_gap, default_p99, _ = run_child(WINDOW, env, "0.005")  # Python's default
    app, base = float(app_s), float(base_s)
    print(
        f"{SHOTS:,} shots on {QUBITS} qubits: plain qiskit-aer {base:.2f} s "
        f"({int(base_outcomes):,} outcomes); the window, Run to the drawn chart (recorded in "
        f"the ledger): {app:.2f} s ({int(outcomes):,} rows), {app / base:.2f}x"
    )
    print(
        f"GUI-thread heartbeat (10 ms) meanwhile: max gap {float(max_gap):.0f} ms, "
        f"p99 {float(p99_gap):.0f} ms; with Python's default switch interval (5 ms): max "
        f"{float(default_gap):.0f} ms, p99 {float(default_p99):.0f} ms"
    )
    record(
        "wide result (1M shots, 20 qubits) in the window vs plain qiskit-aer",
        app,
        base,
        "s",
        "no goal (issue 16: local runs add almost nothing)",
        note=f"{int(outcomes):,} outcomes; load {os.getloadavg()[0]:.2f}",
    )
    record(
        "GUI-thread stall while a wide result lands (1M shots, 20 qubits)",
        float(max_gap),
        None,
        "ms",
        "< 16 ms",
        met=float(max_gap) < 16,
        note=f"p99 {float(p99_gap):.1f} ms; Python's default 5 ms switch interval: max "
        f"{float(default_gap):.0f} ms, p99 {float(default_p99):.0f} ms",
    )


if __name__ == "__main__":
    main()
