"""How long `open_ledger` takes with its structure check (PRAGMA quick_check, issue 14) at
1,000 / 10,000 / 50,000 jobs: the window opens its ledger on the GUI thread after the first
paint, so this is a start-up stall. Prints the median of 5 opens; asserts nothing.

Run: `.venv/bin/python tests/bench/bench_ledger_open.py`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from desktop_app.core.ledger.recovery import open_ledger

PROGRAM = 'OPENQASM 2.0; include "qelib1.inc"; qreg q[5]; creg c[5]; h q[0]; measure q -> c;\n' * 3


def _fill(path: Path, jobs: int) -> None:
    with open_ledger(path) as ledger, ledger.transaction():
        for i in range(jobs):
            ledger.create_job(backend="ionq.simulator", program=PROGRAM, shots=i + 1)


def main(folder: Path) -> None:
    for jobs in (1_000, 10_000, 50_000):
        path = folder / f"ledger-{jobs}.sqlite3"
        _fill(path, jobs)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            open_ledger(path).close()
            times.append(time.perf_counter() - started)
        size = path.stat().st_size / 1e6
        median_ms = statistics.median(times) * 1e3
        print(f"{jobs:>6} jobs ({size:5.1f} MB): open + quick_check {median_ms:6.1f} ms")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp))
