"""Ledgers of plain finished jobs for the jobs-view tests: a local run a minute from 2025-06-01."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus


def add_finished_jobs(ledger: Ledger, count: int, name: Callable[[int], str]) -> None:
    """`count` Succeeded local.simulator jobs, the i-th named `name(i)`, in one transaction."""
    with ledger.transaction():
        for i in range(count):
            ledger.create_job(
                backend="local.simulator",
                program=f"OPENQASM 3.0;\n// run {i}\nqubit q;\n",
                shots=100,
                name=name(i),
                status=JobStatus.SUCCEEDED,
                created_at=datetime(2025, 6, 1, tzinfo=UTC) + timedelta(minutes=i),
            )
