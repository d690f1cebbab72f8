"""Ledger benchmark at 10,000 jobs: insert, count/page with filters, text search, get.

Run: `.venv/bin/pytest tests/bench/bench_ledger.py -m bench -s`, or
`.venv/bin/python tests/bench/bench_ledger.py [DIR]`. Prints median timings; fails if a query the
jobs view makes (count, a page of 200 rows) takes longer than a frame budget of 50 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.ledger.models import JobFilter, JobOrder, new_azure_job_id
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import RunResult

TOTAL = 10_000
SINGLE = 1_000  # inserted one commit each (as the app does); the rest in one transaction
GUI_BUDGET_S = 0.050
BACKENDS = (
    "local.simulator",
    "ionq.simulator",
    "ionq.qpu.forte-1",
    "quantinuum.sim.h2-1e",
    "rigetti.sim.qvm",
    "rigetti.qpu.ankaa-3",
)
STATUSES = ("Succeeded",) * 14 + ("Failed", "Cancelled", "Waiting", "Executing")


def _program(rng: random.Random, i: int) -> str:
    n = rng.randint(2, 12)
    body = "".join(
        f"{rng.choice(('h', 'x', 'rz(0.5)', 'sx'))} q[{rng.randrange(n)}];\n" for _ in range(30)
    )
    return (
        f'OPENQASM 2.0;\ninclude "qelib1.inc";\n// experiment {i}\nqreg q[{n}];\ncreg c[{n}];\n'
        f"{body}measure q -> c;\n"
    )


def _add_job(ledger: Ledger, rng: random.Random, i: int, start: datetime) -> None:
    backend = BACKENDS[i % len(BACKENDS)]
    status = rng.choice(STATUSES)
    job_id = ledger.create_job(
        backend=backend,
        program=_program(rng, i),
        shots=rng.choice((100, 500, 1000)),
        name=f"run {i} {rng.choice(('bell', 'ghz', 'qft', 'grover'))}",
        tags=rng.sample(("week1", "week2", "lab", "thesis", "demo"), k=rng.randint(0, 2)),
        azure_job_id=None if backend == "local.simulator" else new_azure_job_id(),
        status="Waiting",
        created_at=start + timedelta(minutes=i),
    )
    if status == "Succeeded":
        counts = {format(k, "04b"): rng.randint(1, 200) for k in range(16)}
        ledger.record_result(
            job_id,
            RunResult.from_counts(backend, counts),
            raw=repr(counts) * 4,
            raw_content_type="text/plain",
        )
    elif status != "Waiting":
        ledger.set_status(job_id, status)


def _median(fn: Callable[[], Any], repeat: int = 7) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def run_bench(directory: Path) -> dict[str, float]:
    rng = random.Random(5)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    figures: dict[str, float] = {}
    with open_ledger(directory / "ledger.sqlite3") as ledger:
        t0 = time.perf_counter()
        for i in range(SINGLE):
            _add_job(ledger, rng, i, start)
        figures["insert, one commit per call (per job)"] = (time.perf_counter() - t0) / SINGLE
        t0 = time.perf_counter()
        with ledger.transaction():
            for i in range(SINGLE, TOTAL):
                _add_job(ledger, rng, i, start)
        figures["insert, batched (per job)"] = (time.perf_counter() - t0) / (TOTAL - SINGLE)
        assert ledger.count() == TOTAL

        queries: dict[str, Callable[[], Any]] = {
            "count()": lambda: ledger.count(),
            "count(status=Succeeded)": lambda: ledger.count(JobFilter(statuses=("Succeeded",))),
            "count(backend)": lambda: ledger.count(JobFilter(backends=("ionq.simulator",))),
            "count(text in name)": lambda: ledger.count(JobFilter(text="grover")),
            "count(text in program)": lambda: ledger.count(JobFilter(text="experiment 4242")),
            "count(date range)": lambda: ledger.count(
                JobFilter(since=start + timedelta(days=2), until=start + timedelta(days=3))
            ),
            "page first 200, newest": lambda: ledger.page(limit=200),
            "page last 200, newest": lambda: ledger.page(offset=TOTAL - 200, limit=200),
            "page 200 by name": lambda: ledger.page(order=JobOrder("name", False), limit=200),
            "page 200 status+backend": lambda: ledger.page(
                JobFilter(statuses=("Succeeded",), backends=("rigetti.sim.qvm",)), limit=200
            ),
            "page 200 text search": lambda: ledger.page(JobFilter(text="qft"), limit=200),
            "page 200 tag": lambda: ledger.page(JobFilter(tag="thesis"), limit=200),
            "unfinished_jobs()": ledger.unfinished_jobs,
        }
        for label, query in queries.items():
            figures[label], _ = _median(query)
        some_id = ledger.page(JobFilter(statuses=("Succeeded",)), limit=1)[0].id
        figures["get(id) full record"], record = _median(lambda: ledger.get(some_id))
        assert record.counts
        figures["integrity_check"], check = _median(ledger.integrity_check, repeat=1)
        assert check == "ok"
    figures["file size (MB)"] = (directory / "ledger.sqlite3").stat().st_size / 1e6
    return figures


def _report(figures: dict[str, float]) -> None:
    print(f"\nledger benchmark, {TOTAL} jobs")
    for label, value in figures.items():
        shown = f"{value:8.2f}" if label.startswith("file") else f"{value * 1000:8.2f} ms"
        print(f"  {label:40s} {shown}")


@pytest.mark.bench
def test_bench_ledger(tmp_path: Path) -> None:
    figures = run_bench(tmp_path)
    _report(figures)
    for label in (
        "count()",
        "count(text in program)",
        "page first 200, newest",
        "page last 200, newest",
        "page 200 text search",
        "page 200 by name",
    ):
        assert figures[label] < GUI_BUDGET_S, f"{label}: {figures[label] * 1000:.1f} ms"


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(dir=sys.argv[1] if len(sys.argv) > 1 else None) as tmp:
        _report(run_bench(Path(tmp)))
