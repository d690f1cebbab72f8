"""How the jobs model reads its pages (on the ledger lane, never the GUI thread).

A page next to one already read comes from the ledger's keyset API: `page_after` the previous
page's last row, or `page_before` the next page's first row, read from the sort column's index, so
scrolling costs the same at row 1,000,000 as at row 0. The first page is `page_after(None)` and
the last `page_before(None)`. Only a jump into the middle (the scroll bar dragged far) has no
neighbour to start from: that page is read by its offset (`Ledger.page`, which skips rows by
their index entries, from the nearer end), and scrolling on from it is keyset again once a page
with keys is next to it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from desktop_app.core.ledger.models import JobFilter, JobOrder, JobRow
from desktop_app.core.ledger.paging import PageKey
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui.jobs.columns import COLUMNS

E = TypeVar("E")
ENTRIES_BUNCH = 20  # rows formatted between two `step_aside` checks (well under a millisecond)
PAINTING_S = 0.003  # the GUI asked for a cell this recently: a paint is going on
STEP_S = 0.001
MAX_STEP_ASIDE_S = 0.03  # for one read: a view repainting all the time still gets its rows
# A loaded row: the job and its display texts (formatted on the worker thread, not while painting)
Entry = tuple[JobRow, tuple[str, ...]]
R = TypeVar("R")
Keys = tuple[PageKey, PageKey]  # a page's first and last row


@dataclass(frozen=True)
class LoadedPage(Generic[E]):
    entries: list[E]
    keys: Keys | None  # None: read by offset (no keys to continue from)
    how: str  # "first", "after", "before", "last" or "offset" (for tests and the log)


def load_pages(
    ledger: Ledger,
    flt: JobFilter,
    order: JobOrder,
    size: int,
    pages: Iterable[int],
    known: Mapping[int, Keys],
    count: int,
    entries: Callable[[list[JobRow]], list[E]],
    wanted: Callable[[int], bool] = lambda _p: True,
    step_aside: Callable[[float], float] = lambda _most: 0.0,
) -> dict[int, LoadedPage[E]]:
    """Read `pages` (page numbers of `size` rows, in the given order) of the jobs matching
    `flt` in `order`; `known` are keys of pages already read, `count` the rows that match (-1:
    not known yet). A page `wanted` no longer says False to is skipped. `step_aside(most)` is
    called before each read and between bunches of `entries` (see `Wanted.step_aside`), for at
    most MAX_STEP_ASIDE_S in all."""
    keys = dict(known)
    budget = MAX_STEP_ASIDE_S
    loaded: dict[int, LoadedPage[E]] = {}
    last_page = (count - 1) // size if count > 0 else -1
    for page_no in pages:
        if not wanted(page_no):
            continue
        budget -= step_aside(budget)
        rows, page_keys, how = _read(ledger, flt, order, size, page_no, keys, count, last_page)
        if page_keys is not None:
            keys[page_no] = page_keys
        made: list[E] = []
        for start in range(0, len(rows), ENTRIES_BUNCH):
            budget -= step_aside(budget)
            made.extend(entries(rows[start : start + ENTRIES_BUNCH]))
        loaded[page_no] = LoadedPage(made, page_keys, how)
    return loaded


def _read(
    ledger: Ledger,
    flt: JobFilter,
    order: JobOrder,
    size: int,
    page_no: int,
    keys: Mapping[int, Keys],
    count: int,
    last_page: int,
) -> tuple[list[JobRow], Keys | None, str]:
    if page_no == 0:
        page, how = ledger.page_after(flt, order, None, size), "first"
    elif page_no - 1 in keys:
        page, how = ledger.page_after(flt, order, keys[page_no - 1][1], size), "after"
    elif page_no + 1 in keys and page_no + 1 <= last_page:
        page, how = ledger.page_before(flt, order, keys[page_no + 1][0], size), "before"
    elif page_no == last_page:
        rows_on_last = count - page_no * size
        page, how = ledger.page_before(flt, order, None, rows_on_last), "last"
    else:
        return ledger.page(flt, order, page_no * size, size), None, "offset"
    if page.first is None or page.last is None:
        return page.rows, None, how
    return page.rows, (page.first, page.last), how


def format_entries(rows: list[JobRow]) -> list[Entry]:
    return [(row, tuple(column.text(row) for column in COLUMNS)) for row in rows]


class Wanted:
    """What the GUI thread still wants loaded. Queued tasks read it on the worker thread and skip
    a query nobody waits for any more (a single attribute read or dict lookup is atomic)."""

    def __init__(self) -> None:
        self.generation = 0
        self.pages: dict[int, None] = {}  # page numbers requested, oldest first
        self.painted_at = 0.0  # time.perf_counter() of the GUI thread's last data() call

    def step_aside(self, most: float = MAX_STEP_ASIDE_S, generation: int | None = None) -> float:
        """On the worker: wait while the GUI thread is painting (asked for a cell in the last
        PAINTING_S), at most `most` seconds, and no longer once a newer query than `generation`
        is asked for (the lane's next task may be a new filter's first page). Building rows
        holds the interpreter lock, which every data() call of a paint needs too: a worker in
        the middle of a page makes each of them wait (up to the 5 ms switch interval), and a
        frame take tens of milliseconds. Returns the seconds waited (0.0: no paint going on)."""
        started = now = time.perf_counter()
        if now - self.painted_at >= PAINTING_S:
            return 0.0
        while (
            now - self.painted_at < PAINTING_S
            and now - started < most
            and (generation is None or self.generation == generation)
        ):
            time.sleep(STEP_S)  # the lock is free meanwhile
            now = time.perf_counter()
        return now - started


class OneAtATime:
    """At most one call of each kind running (GUI thread only): a newer one waits for it and
    replaces an older one waiting, which nobody wants any more. At 1,000,000 jobs a cost total
    takes seconds of CPU: five filters typed in a row must not run five of them at once."""

    def __init__(self) -> None:
        self._running: set[str] = set()
        self._waiting: dict[str, Callable[[], object]] = {}

    def submit(self, kind: str, start: Callable[[], object]) -> None:
        if kind in self._running:
            self._waiting[kind] = start
            return
        self._running.add(kind)
        start()

    def done(self, kind: str) -> None:
        self._running.discard(kind)
        start = self._waiting.pop(kind, None)
        if start is not None:
            self.submit(kind, start)


class InFlight:
    """Calls running on another lane than the ledger's (counts, cost totals), so that closing
    the model can wait for them as `wait_idle(Lane.LEDGER)` waits for the page reads."""

    def __init__(self) -> None:
        self._running = 0
        self._idle = threading.Condition()

    def wrap(self, call: Callable[[], R]) -> Callable[[], R]:
        with self._idle:
            self._running += 1

        def run() -> R:
            try:
                return call()
            finally:
                with self._idle:
                    self._running -= 1
                    self._idle.notify_all()

        return run

    def wait(self, timeout: float = 60.0) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)


def loaded_jobs_in(
    pages: Mapping[int, list[Entry]], page_size: int, spans: list[tuple[int, int]]
) -> list[JobRow]:
    """The jobs of the loaded `pages` on the rows of `spans` (first, last), in row order: a span
    of a million rows (Ctrl+A) costs what its loaded rows do."""
    found: dict[int, JobRow] = {}
    for page_no, page in pages.items():
        base = page_no * page_size
        for first, last in spans:
            for row in range(max(first, base), min(last, base + len(page) - 1) + 1):
                found[row] = page[row - base][0]
    return [found[row] for row in sorted(found)]


def merged_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Row spans (first, last) sorted, with those that overlap or touch made one (a selection's
    ranges overlap after Ctrl+click over a selected row)."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged
