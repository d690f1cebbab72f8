"""The jobs view's columns: title, ledger sort key and display text of each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from desktop_app.core.ledger.models import JobRow, SortColumn
from desktop_app.core.results import JobStatus


def local_time(moment: datetime | None) -> str:
    """A ledger time (UTC) in the user's local time zone, to the second ("YYYY-MM-DD HH:MM:SS":
    the start of `str()`, half the cost of `strftime` for a page of rows built on the worker)."""
    return "" if moment is None else str(moment.astimezone())[:19]


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: SortColumn | None  # None: the column cannot be sorted by
    text: Callable[[JobRow], str]


def _shots(row: JobRow) -> str:
    return f"{row.shots:,}"


def _cost(row: JobRow) -> str:
    from desktop_app.core.jobs.spending import short_cost

    return short_cost(row.estimated_cost, row.billed_cost)


COLUMNS: tuple[Column, ...] = (
    Column("Name", "name", lambda r: r.name or "—"),
    Column("Backend", "backend", lambda r: r.backend),
    Column("Status", "status", lambda r: r.status),
    Column("Shots", "shots", _shots),
    Column("Cost", None, _cost),  # billed when the service reported it, else the estimate
    Column("Created", "created_at", lambda r: local_time(r.created_at)),
    Column("Completed", "completed_at", lambda r: local_time(r.completed_at)),
    Column("Tags", None, lambda r: ", ".join(r.tags)),
    Column("Job ID", None, lambda r: r.azure_job_id or r.id),
)


SORTABLE_COLUMNS = frozenset(i for i, c in enumerate(COLUMNS) if c.sort_key is not None)

STATUS_COLUMN = 2
RIGHT_ALIGNED = frozenset({3, 4})  # shots and cost: numbers, at the cell's right
ERROR_STATUSES = frozenset({JobStatus.FAILED.value, JobStatus.NEVER_SUBMITTED.value})
ERROR_COLOUR = "#b00020"  # a failed job's status text
