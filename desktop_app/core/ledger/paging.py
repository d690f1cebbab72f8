"""Keyset pages: the next rows after (or before) a known row in a sort order, read from that sort
column's index, so that a page costs the same at row 1,000,000 as at row 0 (OFFSET reads and
throws away every row before the page).

Rows are ordered by (column, seq); `seq` (the row's integer key) breaks ties, so the order is
total and a page never repeats or skips a row. SQLite sorts NULL first in ascending order (last in
descending): the conditions below follow that for the columns that may be NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.core.ledger.models import SORT_COLUMNS, JobOrder, JobRow

NULLABLE_COLUMNS = frozenset({"submitted_at", "completed_at"})


@dataclass(frozen=True)
class PageKey:
    """Where a row stands in a sort order: its sort column's stored value and its `seq`. Opaque to
    callers: take it from a KeysetPage, give it back to `page_after`/`page_before`."""

    value: int | str | None
    seq: int


@dataclass(frozen=True)
class KeysetPage:
    """Rows in the asked order; `first`/`last` are the keys of its first and last row (None when
    the page is empty), `at_end` says that no row follows `last` (nor precedes `first`, for a
    `page_before`) in the direction read."""

    rows: list[JobRow]
    first: PageKey | None
    last: PageKey | None
    at_end: bool


def check_order(order: JobOrder) -> None:
    if order.column not in SORT_COLUMNS:
        raise ValueError(f"cannot sort jobs by {order.column!r}")


def order_by(order: JobOrder, *, reverse: bool = False) -> str:
    descending = order.descending != reverse
    direction = "DESC" if descending else "ASC"
    return f"ORDER BY jobs.{order.column} {direction}, jobs.seq {direction}"


def after_clause(order: JobOrder, key: PageKey, *, reverse: bool = False) -> tuple[str, list[Any]]:
    """SQL condition: the row comes after `key` in `order` (before it, with `reverse`)."""
    column = f"jobs.{order.column}"
    descending = order.descending != reverse
    nullable = order.column in NULLABLE_COLUMNS
    if key.value is None:
        if descending:  # NULLs last: only NULLs with a smaller seq remain
            return f"({column} IS NULL AND jobs.seq < ?)", [key.seq]
        return f"(({column} IS NULL AND jobs.seq > ?) OR {column} IS NOT NULL)", [key.seq]
    if descending:
        tail = f" OR {column} IS NULL" if nullable else ""
        return f"(({column}, jobs.seq) < (?, ?){tail})", [key.value, key.seq]
    return f"(({column}, jobs.seq) > (?, ?))", [key.value, key.seq]
