"""One figure of a benchmark, for the one table `./dev.sh bench` prints (tests/bench/run_all.py).

A script calls `record(...)` next to its own print; with QUANTUM_DESK_BENCH_FIGURES set (run_all
sets it) the figure is appended to that file as one JSON line, otherwise nothing happens.
"""

from __future__ import annotations

import json
import os

FIGURES_ENV = "QUANTUM_DESK_BENCH_FIGURES"


def record(
    figure: str,
    app: float,
    baseline: float | None,
    unit: str,
    goal: str,
    *,
    met: bool | None = None,
    note: str = "",
) -> None:
    """`app` and `baseline` (measured in the same run, None when there is none) in `unit`;
    `met`: whether `goal` holds (None: the goal is not a number this figure can decide)."""
    path = os.environ.get(FIGURES_ENV)
    if not path:
        return
    line = {
        "figure": figure,
        "app": app,
        "baseline": baseline,
        "unit": unit,
        "goal": goal,
        "met": met,
        "load": os.getloadavg()[0],
        "note": note,
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def meets(goal: str, value: float) -> bool | None:
    """Whether `value` meets a goal written "< 50 ms" or "<= 1 KB" (same unit); None otherwise."""
    words = goal.split()
    if len(words) < 2 or words[0] not in ("<", "<="):
        return None
    try:
        bound = float(words[1])
    except ValueError:
        return None
    return value < bound if words[0] == "<" else value <= bound
