"""How long `open_ledger` takes with its structure check (PRAGMA quick_check, issue 14) at
1,000 / 10,000 / 50,000 jobs, and at 1,000,000 when bench_ledger.py kept its files
(QUANTUM_DESK_BENCH_KEEP): the window opens its ledger on the GUI thread after the first paint
and every command opens it, so this is a stall of each. The check runs at open up to
core.ledger.recovery.CHECK_AT_OPEN_BYTES (a larger file: the window checks it in the
background); both are printed, the check's cost and the open as it is. Prints the median of 5
opens; asserts nothing.

Run: `.venv/bin/python tests/bench/bench_ledger_open.py`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from desktop_app.core.ledger.recovery import Check, open_ledger

PROGRAM = 'OPENQASM 2.0; include "qelib1.inc"; qreg q[5]; creg c[5]; h q[0]; measure q -> c;\n' * 3


def _fill(path: Path, jobs: int) -> None:
    with open_ledger(path) as ledger, ledger.transaction():
        for i in range(jobs):
            ledger.create_job(backend="ionq.simulator", program=PROGRAM, shots=i + 1)


def _median_open_ms(path: Path, check: Check, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        open_ledger(path, check=check).close()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def main(folder: Path) -> None:
    paths = []
    for jobs in (1_000, 10_000, 50_000):
        path = folder / f"ledger-{jobs}.sqlite3"
        _fill(path, jobs)
        paths.append((jobs, path))
    kept = Path(os.environ.get("QUANTUM_DESK_BENCH_KEEP", "/nonexistent")) / "app-1000000.sqlite3"
    if kept.exists():  # bench_ledger.py's file: open only, nothing written
        paths.append((1_000_000, kept))
    for jobs, path in paths:
        size = path.stat().st_size / 1e6
        checked = _median_open_ms(path, "always", 3 if jobs > 100_000 else 5)
        opened = _median_open_ms(path, "if_small")
        print(
            f"{jobs:>9,} jobs ({size:6.1f} MB): open + quick_check {checked:7.1f} ms; "
            f"open as it is {opened:6.1f} ms"
        )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp))
