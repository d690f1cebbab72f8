"""GUI-thread time for one result arriving in a results view of N panes (offscreen), median and
max of each pane's results, against redrawing every pane at every result (how the view drew
until 2026-12-01: a new result rebuilt every pane's bars, because the panes share one value axis)
measured in the same run on the same results.

Run: .venv/bin/python tests/bench/bench_results_view.py [PANES]. Prints the figures (no
assertion). A result's time is `set_result` plus the paint it causes; the first result of each
view (the chart modules' import) is left out; before the results, the event loop turns until the
view has made its panes' charts (as it does while a run goes). Goal (issue 16): no GUI stall
over 16 ms. Until 2026-12-01 the charts were pyqtgraph's: 51 ms median, 115 ms max per result
here (8 panes).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.figures import meets, record  # noqa: E402

GOAL = "< 16 ms"


def results_times(panes: int, redraw_every_pane: bool, seed: int) -> list[float]:
    """Milliseconds of GUI-thread time for each result after the first (every pane twice)."""
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.results import RunResult
    from desktop_app.ui.results.view import ResultsView

    app = QApplication.instance() or QApplication([])
    view = ResultsView()
    view.resize(1400, 900)
    view.show()
    names = [f"target-{i}" for i in range(panes)]
    for name in names:
        view.start_live(name)
    # The event loop's turns while the run goes (a result comes no sooner than a worker's
    # answer): the view makes each new pane's chart and table in them, one pane a turn.
    while not all(panel.prepared() for panel in view.panels()):
        app.processEvents()
    app.processEvents()
    rng = random.Random(seed)
    times: list[float] = []
    for i, name in enumerate(names * 2):  # the shared axis rises as larger results come in
        counts = {format(k, "03b"): rng.randint(1, 300 + 40 * i) for k in range(8)}
        result = RunResult.from_counts(name, counts)
        started = time.perf_counter()
        view.set_result(result)
        if redraw_every_pane:
            view._redraw_all()  # the former set_result: every pane's bars rebuilt
        app.processEvents()
        times.append((time.perf_counter() - started) * 1000)
    view.close()
    view.deleteLater()
    app.processEvents()
    return times[1:]


def main() -> None:
    panes = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    results_times(2, False, 0)  # the chart modules imported and warm for both
    now: list[float] = []
    before: list[float] = []
    for seed in range(3):  # interleaved
        now += results_times(panes, False, seed)
        before += results_times(panes, True, seed)
    for label, times in (("now", now), ("every pane redrawn", before)):
        print(
            f"{label}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms "
            f"over {len(times)} results, {panes} panes (load {os.getloadavg()[0]:.2f})"
        )
    record(
        f"a result arriving in {panes} result panes, GUI-thread time (median; max "
        f"{max(now):.1f} ms vs {max(before):.1f} ms) (baseline: every pane redrawn)",
        statistics.median(now),
        statistics.median(before),
        "ms",
        GOAL,
        met=meets(GOAL, max(now)),
    )


if __name__ == "__main__":
    main()
