"""Start-up to the first painted main window (offscreen), median of N runs, each a fresh process.

Run: .venv/bin/python tests/bench/bench_startup.py [N]. Goal: <= 0.6 s median on a 2-core machine.
Prints the figures (no assertion). Also reports whether qiskit, azure
or pyqtgraph (the charts) were imported by first paint.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.figures import record  # noqa: E402

GOAL_RATIO = 1.5  # issue 16: to the first paint, against a bare QMainWindow in the same run

# The child starts the real app (desktop_app.app.main) and quits at the first paint of its window.
CHILD = r"""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])

class FirstPaint(QObject):
    done = False
    def eventFilter(self, obj, event):
        if (not self.done and event.type() == QEvent.Type.Paint and obj.isWidgetType()
                and isinstance(obj.window(), QMainWindow)):
            self.done = True
            heavy = ("qiskit", "qiskit_aer", "azure.quantum", "pyqtgraph")
            heavy = sorted(m for m in heavy if m in sys.modules)
            print("PAINTED", ",".join(heavy) or "-", flush=True)
            QTimer.singleShot(0, app.quit)
        return False

first_paint = FirstPaint()
app.installEventFilter(first_paint)
if "--bare" in sys.argv:  # the baseline: an empty QMainWindow
    window = QMainWindow()
    window.show()
    sys.exit(app.exec())
from desktop_app.app import main
sys.exit(main([]))
"""


def one_run(env: dict[str, str], *extra: str) -> tuple[float, str]:
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("PAINTED"):
            elapsed = time.perf_counter() - started
            heavy = line.split()[1]
            break
    else:
        raise RuntimeError("the window never painted")
    child.wait(30)
    return elapsed, heavy


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            XDG_CONFIG_HOME=tmp,
            QUANTUM_DESK_LOG_DIR=tmp,
            QUANTUM_DESK_DATA_DIR=tmp,
            QUANTUM_DESK_CACHE_DIR=tmp,
        )
        # An installed app runs from bytecode: let the warm-up run write the app's (to a cache of
        # our own, outside the worktree) even where PYTHONDONTWRITEBYTECODE is set, as here.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        one_run(env)  # warm the OS file cache; not counted
        results = [one_run(env) for _ in range(runs)]
        bare = [one_run(env, "--bare")[0] for _ in range(runs)]
    times = [t for t, _ in results]
    print(
        f"start-up to first paint (offscreen), {runs} runs: "
        f"median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f} s, max {max(times):.3f} s (goal <= 0.6 s)"
    )
    print(f"baseline, an empty QMainWindow: median {statistics.median(bare):.3f} s")
    app_s, bare_s = statistics.median(times), statistics.median(bare)
    print(f"ratio {app_s / bare_s:.2f}x (goal <= {GOAL_RATIO}x)")
    record(
        "GUI start to first paint vs a bare QMainWindow",
        app_s,
        bare_s,
        "s",
        f"<= {GOAL_RATIO}x",
        met=app_s / bare_s <= GOAL_RATIO,
        note=f"heavy modules at first paint: {results[0][1]}",
    )
    print(f"heavy modules imported at first paint: {results[0][1]}")


if __name__ == "__main__":
    main()
