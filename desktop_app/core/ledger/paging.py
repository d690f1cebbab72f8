"""Keyset pages: the next rows after (or before) a known row in a sort order, read from that sort
column's index, so that a page costs the same at row 1,000,000 as at row 0 (OFFSET reads and
throws away every row before the page).

Rows are ordered by (column, seq); `seq` (the row's integer key) breaks ties, so the order is
total and a page never repeats or skips a row. Backend and status, with few distinct values, are
ordered by (column, created_at, seq) instead: the index that serves filtering by them and listing
newest first serves sorting by them too (no index of their own), and a group lists by time.
SQLite sorts NULL first in ascending order (last in descending): the conditions below follow that
for the columns that may be NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.core.ledger.models import SORT_COLUMNS, JobOrder, JobRow

NULLABLE_COLUMNS = frozenset({"submitted_at", "completed_at"})
THEN_BY_CREATED = frozenset({"backend", "status"})  # NOT NULL columns, see above


def key_columns(order: JobOrder) -> tuple[str, ...]:
    """The columns (before seq) rows are ordered by."""
    if order.column in THEN_BY_CREATED:
        return (order.column, "created_at")
    return (order.column,)


@dataclass(frozen=True)
class PageKey:
    """Where a row stands in a sort order: its stored values of the order's key columns and its
    `seq`. Opaque to callers: take it from a KeysetPage, give it back to `page_after` or
    `page_before` with the same order."""

    values: tuple[int | str | None, ...]
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
    columns = [f"jobs.{c} {direction}" for c in (*key_columns(order), "seq")]
    return "ORDER BY " + ", ".join(columns)


def after_clauses(
    order: JobOrder, key: PageKey, *, reverse: bool = False
) -> list[tuple[str, list[Any]]]:
    """SQL conditions whose rows, read one after the other in `order`, are the rows after `key`
    (before it, with `reverse`). Each one is a range of the sort index, so reading starts at the
    key instead of at the top; a nullable column needs two (its values, then its NULLs)."""
    columns = key_columns(order)
    if len(key.values) != len(columns):
        raise ValueError("that page key belongs to another sort order")
    descending = order.descending != reverse
    if len(columns) > 1:  # NOT NULL columns only (THEN_BY_CREATED)
        names = ", ".join(f"jobs.{c}" for c in (*columns, "seq"))
        marks = ", ".join("?" * (len(columns) + 1))
        return [(f"({names}) {'<' if descending else '>'} ({marks})", [*key.values, key.seq])]
    column = f"jobs.{order.column}"
    (value,) = key.values
    nullable = order.column in NULLABLE_COLUMNS
    if value is None:  # the key is among the NULLs: first in ascending order, last descending
        if descending:
            return [(f"{column} IS NULL AND jobs.seq < ?", [key.seq])]
        return [(f"{column} IS NULL AND jobs.seq > ?", [key.seq]), (f"{column} IS NOT NULL", [])]
    if descending:
        clauses = [(f"({column}, jobs.seq) < (?, ?)", [value, key.seq])]
        return [*clauses, (f"{column} IS NULL", [])] if nullable else clauses
    return [(f"({column}, jobs.seq) > (?, ?)", [value, key.seq])]
