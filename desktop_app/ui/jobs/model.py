"""A table model over the job ledger that stays smooth with tens of thousands of jobs.

The model never holds the whole ledger: it knows the number of matching jobs and keeps a window of
pages (`page_size` light `JobRow`s each) that the view asked for. Filtering and sorting happen in
SQL (`Ledger.count` / `Ledger.page`), and every query runs on the ledger lane of `ui.tasks` (one
thread, queries in order), so the GUI thread never waits on SQLite: a row whose page is not
loaded yet shows empty until its page arrives (`dataChanged`). A filter or sort change keeps
showing the old rows until the new count and first page are in, then resets the model in one step.

Ledger changes arrive through `LedgerEvents` (one queued signal for a burst of commits) and are
coalesced by a short timer into one re-query.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor

from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.errors import LedgerCorruptError
from desktop_app.core.ledger.models import (
    CostTotal,
    JobFilter,
    JobOrder,
    JobRow,
    LedgerChange,
    SortColumn,
)
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus
from desktop_app.ui.jobs.ledger_events import LedgerEvents
from desktop_app.ui.plain_text import tooltip
from desktop_app.ui.tasks import Lane, run_task, wait_idle

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex

JOB_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
JOB_ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 2

DEFAULT_PAGE_SIZE = 100  # small pages keep each worker burst (and its hold on the GIL) short
MAX_PENDING_PAGES = 6  # while scrolling fast, older page requests are dropped before they run
MAX_CACHED_PAGES = 60  # 6,000 rows at the default page size; least recently used dropped first
CHANGE_COALESCE_MS = 80  # a burst of ledger writes becomes one re-query


def local_time(moment: datetime | None) -> str:
    """A ledger time (UTC) in the user's local time zone, to the second."""
    return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


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
_SHOTS_COLUMN = 3
_RIGHT_COLUMNS = frozenset({_SHOTS_COLUMN, 4})  # shots, cost
_STATUS_COLUMN = 2
_FAILED_BRUSH = QBrush(QColor("#b00020"))


# A loaded row: the job and its display texts (formatted on the worker thread, not while painting)
_Entry = tuple[JobRow, tuple[str, ...]]


def _entries(rows: list[JobRow]) -> list[_Entry]:
    return [(row, tuple(column.text(row) for column in COLUMNS)) for row in rows]


class _Wanted:
    """What the GUI thread still wants loaded. Queued tasks read it on the worker thread and skip
    a query nobody waits for any more (a single attribute read or dict lookup is atomic)."""

    def __init__(self) -> None:
        self.generation = 0
        self.pages: dict[int, None] = {}  # page numbers requested, oldest first


# What a query task hands back: generation, count (-1: not queried), {page: [_Entry]}, or a plain
# message when the ledger could not be read.
_Loaded = tuple[int, int, dict[int, list[_Entry]]]
_LoadFailed = tuple[int, QuantumDeskError]


class JobsModel(QAbstractTableModel):
    """Jobs of `ledger` matching a `JobFilter`, in a server-side `JobOrder`.

    Signals: `refreshed()` after a filter/sort/ledger change has been applied (count and first page
    loaded), `loadFailed(str)` with a plain message when the ledger could not be read.
    """

    refreshed = Signal()
    loadFailed = Signal(str)
    ledgerDamaged = Signal(object)  # LedgerCorruptError: a query found the file damaged
    costsChanged = Signal()  # cost_totals() of the current filter are in

    def __init__(
        self,
        ledger: Ledger,
        parent: QObject | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        events: LedgerEvents | None = None,
    ) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.page_size = page_size
        self._filter = JobFilter()
        self._order = JobOrder()
        self._count = 0
        self._pages: OrderedDict[int, list[_Entry]] = OrderedDict()
        self._wanted = _Wanted()
        self._pending = self._wanted.pages
        self._generation = 0
        self._refreshing = False  # a count query of this generation is in flight
        self._keep_rows = False  # that query re-reads rows under an unchanged filter and order
        self._first_load_done = False
        self._closed = False
        self._own_events = events is None
        self._events = events if events is not None else LedgerEvents(ledger, self)
        self._events.changed.connect(self._on_events_changed)
        self._cost_totals: dict[str, CostTotal] = {}
        self._costs_wanted = False  # a total is owed to the current filter
        self._change_timer = QTimer(self)
        self._change_timer.setSingleShot(True)
        self._change_timer.setInterval(CHANGE_COALESCE_MS)
        self._change_timer.timeout.connect(self._on_changeTimer_timeout)
        self._request(keep_rows=False)

    # ------------------------------------------------------------------ public API
    def job_filter(self) -> JobFilter:
        return self._filter

    def job_order(self) -> JobOrder:
        return self._order

    def set_filter(self, flt: JobFilter) -> None:
        """Show the jobs matching `flt` (applied when the query returns: see `refreshed`)."""
        if flt != self._filter:
            self._filter = flt
            self._request(keep_rows=False)

    def set_order(self, order: JobOrder) -> None:
        if order != self._order:
            self._order = order
            self._request(keep_rows=False, costs=False)  # the same jobs: the same total

    def refresh(self) -> None:
        """Query the ledger again (e.g. after another process changed it)."""
        self._request(keep_rows=True)

    def is_loading(self) -> bool:
        return self._refreshing

    def total(self) -> int:
        """Jobs matching the filter (as of the last completed query)."""
        return self._count

    def cost_totals(self) -> dict[str, CostTotal]:
        """unit -> the cost of the jobs matching the filter (as of the last completed query)."""
        return dict(self._cost_totals)

    def job_row(self, row: int) -> JobRow | None:
        """The job on `row`, or None while its page is loading (its load is then requested)."""
        entry = self._entry(row)
        return None if entry is None else entry[0]

    def _entry(self, row: int) -> _Entry | None:
        if not 0 <= row < self._count:
            return None
        page_no, offset = divmod(row, self.page_size)
        page = self._pages.get(page_no)
        if page is None:
            self._request_page(page_no)
            return None
        self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def job_id(self, row: int) -> str | None:
        job = self.job_row(row)
        return None if job is None else job.id

    def loaded_row_of(self, job_id: str) -> int | None:
        """The row of `job_id` if it is in a loaded page (no query is made)."""
        for page_no, page in self._pages.items():
            for offset, (job, _texts) in enumerate(page):
                if job.id == job_id:
                    return page_no * self.page_size + offset
        return None

    def close(self) -> None:
        """Stop listening to the ledger and wait for a query in progress."""
        if self._closed:
            return
        self._closed = True
        self._change_timer.stop()
        self._events.changed.disconnect(self._on_events_changed)
        if self._own_events:
            self._events.close()
        self._wanted.generation = -1  # queued queries skip their work
        wait_idle(lane=Lane.LEDGER)

    # ------------------------------------------------------------------ Qt model interface
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section].sort_key is None:
            return f"{COLUMNS[section].title} (not sortable)"
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # called for every role of every visible cell on each paint: cheapest checks first
        if role not in _ROLES:
            return None
        entry = self._entry(index.row())  # None for an invalid index (row -1)
        column = index.column()
        if entry is None or not 0 <= column < len(COLUMNS):
            return None
        job, texts = entry
        if role == _DISPLAY:
            return texts[column]
        if role == JOB_ID_ROLE:
            return job.id
        if role == JOB_ROW_ROLE:
            return job
        if role == _TOOLTIP:
            if job.error_message:  # the service's text, shown literally
                return tooltip(f"{job.error_code or 'Error'}: {job.error_message}")
            return job.azure_job_id or job.id
        if role == _ALIGNMENT:
            return _RIGHT if column in _RIGHT_COLUMNS else None
        if column == _STATUS_COLUMN and job.status in _ERROR_STATUSES:  # _FOREGROUND
            return _FAILED_BRUSH
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Server-side sort; a column without a sort key is ignored."""
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column].sort_key
        if key is None:
            return
        self.set_order(JobOrder(key, descending=order == Qt.SortOrder.DescendingOrder))

    def sort_column(self) -> int:
        """The column the model is sorted by (for the header's indicator)."""
        for i, column in enumerate(COLUMNS):
            if column.sort_key == self._order.column:
                return i
        return -1

    # ------------------------------------------------------------------ loading
    def _request(self, *, keep_rows: bool, costs: bool = True) -> None:
        """Start a re-query of the count and the loaded pages (page 0 at least)."""
        if self._closed:
            return
        if self._refreshing and not self._keep_rows:
            keep_rows = False  # a new filter or order is still on its way: stay a reset
        self._generation += 1
        self._wanted.generation = self._generation
        self._refreshing = True
        self._keep_rows = keep_rows
        self._pending.clear()
        # on a change, re-load the most recently used pages too: they are the rows on screen
        wanted = sorted({0, *list(self._pages)[-3:]}) if keep_rows else [0]
        self._costs_wanted = self._costs_wanted or costs  # a sort must not drop a total owed
        self._submit(self._generation, wanted, with_count=True, with_costs=self._costs_wanted)

    def _request_page(self, page_no: int) -> None:
        if self._closed or page_no in self._pending:
            return
        # with its neighbours: scrolling on mostly finds its rows loaded (no blank paint)
        last_page = (self._count - 1) // self.page_size
        pages = [
            p
            for p in (page_no, page_no + 1, page_no - 1)
            if 0 <= p <= last_page and p not in self._pages and p not in self._pending
        ]
        for p in pages:
            self._pending[p] = None
        while len(self._pending) > MAX_PENDING_PAGES:
            del self._pending[next(iter(self._pending))]  # scrolled past: its task will skip
        self._submit(self._generation, pages, with_count=False)

    def _submit(
        self, generation: int, pages: list[int], *, with_count: bool, with_costs: bool = False
    ) -> None:
        ledger, flt, order, size, wanted = (
            self.ledger,
            self._filter,
            self._order,
            self.page_size,
            self._wanted,
        )

        def query() -> _Loaded | _LoadFailed | None:  # on the ledger lane: ledger calls only
            if wanted.generation != generation:
                return None  # a newer filter, order or change superseded it
            if not with_count:
                pages_left = [p for p in pages if p in wanted.pages]
                if not pages_left:
                    return None
            else:
                pages_left = pages
            try:
                count = ledger.count(flt) if with_count else -1
                loaded = {p: _entries(ledger.page(flt, order, p * size, size)) for p in pages_left}
            except QuantumDeskError as exc:
                return (generation, exc)
            return (generation, count, loaded)

        run_task(
            query,
            lane=Lane.LEDGER,
            on_finished=self._on_query_finished,
            on_failed=self._on_query_failed,
        )
        if with_costs:  # after the rows (the ledger lane runs in order): they come first

            def costs() -> tuple[int, dict[str, CostTotal]] | None:
                if wanted.generation != generation:
                    return None
                try:
                    return (generation, ledger.cost_totals(flt))
                except QuantumDeskError as exc:
                    log.warning("jobs view: no cost total: %s", exc)
                    return None

            run_task(
                costs,
                lane=Lane.LEDGER,
                on_finished=self._on_costs_finished,
                on_failed=self._on_query_failed,
            )

    @Slot(object)
    def _on_query_finished(self, answer: _Loaded | _LoadFailed | None) -> None:
        if answer is None:
            return
        if len(answer) == 2:
            self._on_load_failed(*answer)
        else:
            self._on_loaded(*answer)

    @Slot(object)
    def _on_query_failed(self, exc: object) -> None:  # a bug: ui.tasks logged it
        log.error("jobs model query failed: %r", exc)

    def _on_loaded(self, generation: int, count: int, loaded: dict[int, list[_Entry]]) -> None:
        if generation != self._generation or self._closed:
            return  # a newer filter, sort or change has been asked for since
        if count < 0:
            self._apply_pages(loaded)
            return
        self._refreshing = False
        if not self._keep_rows or not self._first_load_done:
            self.beginResetModel()
            self._count = count
            self._pages = OrderedDict(sorted(loaded.items()))
            self._pending.clear()
            self.endResetModel()
        else:
            self._apply_change(count, loaded)
        self._first_load_done = True
        self.refreshed.emit()

    def _apply_pages(self, loaded: dict[int, list[_Entry]]) -> None:
        for page_no, rows in loaded.items():
            self._pending.pop(page_no, None)
            self._pages[page_no] = rows
            self._pages.move_to_end(page_no)
            first = page_no * self.page_size
            last = min(first + len(rows), self._count) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)

    def _apply_change(self, count: int, loaded: dict[int, list[_Entry]]) -> None:
        """Rows changed under an unchanged filter and order. The view keeps its scroll position,
        and persistent indexes (selection, current row) follow their job to its new row, or are
        dropped when it is gone or no longer among the re-loaded pages: a selection never slides
        onto another job. Rows not re-loaded are fetched again when shown."""
        if count > self._count:  # grow first, so that jobs can move to the new rows
            self.beginInsertRows(QModelIndex(), self._count, count - 1)
            self._count = count
            self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._loaded_id(index.row()) for index in persistent]
        self._pages = OrderedDict(sorted(loaded.items()))
        self._pending.clear()
        new_rows = {
            job.id: page_no * self.page_size + offset
            for page_no, page in self._pages.items()
            for offset, (job, _texts) in enumerate(page)
        }
        limit = min(count, self._count)
        moved = []
        for job_id, index in zip(ids, persistent, strict=True):
            row = new_rows.get(job_id) if job_id is not None else None
            moved.append(
                self.index(row, index.column())
                if row is not None and row < limit
                else QModelIndex()
            )
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
        if count < self._count:  # shrink last, once nothing points at the rows to go
            self.beginRemoveRows(QModelIndex(), count, self._count - 1)
            self._count = count
            self.endRemoveRows()

    def _loaded_id(self, row: int) -> str | None:
        page_no, offset = divmod(row, self.page_size)
        page = self._pages.get(page_no)
        return page[offset][0].id if page is not None and offset < len(page) else None

    @Slot(object)
    def _on_costs_finished(self, answer: tuple[int, dict[str, CostTotal]] | None) -> None:
        if answer is None:
            return
        generation, totals = answer
        if generation == self._generation and not self._closed:
            self._cost_totals = dict(totals)
            self._costs_wanted = False
            self.costsChanged.emit()

    def _on_load_failed(self, generation: int, error: QuantumDeskError) -> None:
        if generation != self._generation or self._closed:
            return
        self._refreshing = False
        self._pending.clear()
        log.warning("jobs view: %s", error)
        self.loadFailed.emit(str(error))
        if isinstance(error, LedgerCorruptError):
            self.ledgerDamaged.emit(error)  # the window offers to move the file aside

    @Slot(object)
    def _on_events_changed(self, change: LedgerChange) -> None:
        if self._closed:
            return
        log.debug("ledger %s: %d job(s)", change.kind, len(change.job_ids))
        if not self._change_timer.isActive():
            self._change_timer.start()

    @Slot()
    def _on_changeTimer_timeout(self) -> None:
        self.refresh()


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ALIGNMENT, _FOREGROUND, JOB_ID_ROLE, JOB_ROW_ROLE})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ERROR_STATUSES = frozenset({JobStatus.FAILED.value, JobStatus.NEVER_SUBMITTED.value})
