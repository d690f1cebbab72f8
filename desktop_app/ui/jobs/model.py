"""A table model over the job ledger that stays smooth with tens of thousands of jobs.

The model never holds the whole ledger: it knows the number of matching jobs and keeps a window of
pages (`page_size` light `JobRow`s each) that the view asked for. Filtering and sorting happen in
SQL (`Ledger.count` / `Ledger.page`), and every query runs on the ledger lane of `ui.tasks` (one
thread, queries in order), so the GUI thread never waits on SQLite: a row whose page is not
loaded yet shows empty until its page arrives (`dataChanged`). A filter or sort change keeps
showing the old rows until the new first page is in, then resets the model in one step; its count
follows, read up to COUNT_CAP (a stream left early: tens of milliseconds at 1M jobs, which the rows
do not wait for); past it the label says "10,000+" until the exact count, read on the long-task
lane, comes in.

Ledger changes arrive through `LedgerEvents` (one queued signal for a burst of commits) and are
coalesced by a short timer into one re-query.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from time import perf_counter
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
)
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui.jobs import columns
from desktop_app.ui.jobs.aggregates import Aggregates, CostKey
from desktop_app.ui.jobs.columns import COLUMNS
from desktop_app.ui.jobs.ledger_events import LedgerEvents
from desktop_app.ui.jobs.pages import (
    Entry,
    Keys,
    LoadedPage,
    Wanted,
    format_entries,
    load_pages,
    loaded_jobs_in,
)
from desktop_app.ui.plain_text import tooltip
from desktop_app.ui.tasks import Lane, run_task, wait_idle

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex

JOB_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
JOB_ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 2

DEFAULT_PAGE_SIZE = 100  # small pages keep each worker burst (and its hold on the GIL) short
MAX_PENDING_PAGES = 6  # while scrolling fast, older page requests are dropped before they run
MAX_CACHED_PAGES = 60  # 6,000 rows at the default page size; least recently used dropped first
MAX_KEPT_KEYS = 20_000  # two keys a page: about 2 MB for 2,000,000 rows of scrolling
CHANGE_COALESCE_MS = 80  # a burst of ledger writes becomes one re-query
# A filter's count is read up to this many jobs on the ledger lane (milliseconds: the label says
# "10,000+"); past it, the exact count and the cost totals, which read every match (seconds at 1M
# jobs), run on the long-task lane (see aggregates.py), so that a page is never queued behind one.
COUNT_CAP = 10_000


_FAILED_BRUSH = QBrush(QColor(columns.ERROR_COLOUR))


# What a query task hands back: (mode, generation, count (-1: not queried), {page: LoadedPage} or
# a plain message when the ledger could not be read). Modes: "reset" (the first page of a new
# filter or order), "capped" (its count up to COUNT_CAP, asked for after the page: the rows are
# shown without waiting for it), "exact" (the exact count past the cap),
# "change" (count and pages after a ledger change), "pages" (pages scrolled to), "failed".
_Answer = tuple[str, int, int, "dict[int, LoadedPage[Entry]] | QuantumDeskError"]


class JobsModel(QAbstractTableModel):
    """Jobs of `ledger` matching a `JobFilter`, in a server-side `JobOrder`.

    Signals: `refreshed()` after a filter/sort/ledger change has been applied (count and first page
    loaded), `loadFailed(str)` with a plain message when the ledger could not be read.
    """

    refreshed = Signal()
    loadFailed = Signal(str)
    ledgerDamaged = Signal(object)  # LedgerCorruptError: a query found the file damaged
    costsChanged = Signal()  # cost_totals() of the current filter are in
    countChanged = Signal()  # the exact count of a filter past COUNT_CAP is in

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
        self._pages: OrderedDict[int, list[Entry]] = OrderedDict()
        self._recent_page = -1  # the page at the end of `_pages` (most recently used)
        self._keys: dict[int, Keys] = {}  # keyset keys of pages read (kept after their rows)
        # pages a row was asked for before they came in: only those are repainted when they do
        # (a page read ahead was never shown blank: no dataChanged, no repaint of the viewport)
        self._shown_blank: set[int] = set()
        self._wanted = Wanted()
        self._aggregates = Aggregates(ledger, self._wanted, self)
        self._aggregates.counted.connect(self._on_query_finished)
        self._aggregates.costed.connect(self._on_costs_finished)
        self._pending = self._wanted.pages
        self._generation = 0
        self._refreshing = False  # a count query of this generation is in flight
        self._capped = False  # the count shown is COUNT_CAP + 1: the exact one is on its way
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
        self._to_read: list[int] = []  # pages wanted, not sent to the ledger lane yet
        self._count_owed = False  # a new filter's capped count, sent after its first page
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)  # once the events in the queue (a paint) are done
        self._flush_timer.timeout.connect(self._on_flushTimer_timeout)
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

    def is_counting(self) -> bool:
        """More than COUNT_CAP jobs match, their exact count is on its way (`countChanged`)."""
        return self._capped

    def counted_up_to(self) -> int | None:
        """While `is_counting()`: the cap the filter's jobs are more than; else None."""
        return COUNT_CAP if self._capped else None

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

    def _entry(self, row: int) -> Entry | None:
        if not 0 <= row < self._count:
            return None
        self._wanted.painted_at = perf_counter()  # the worker steps aside while this paints
        page_no, offset = divmod(row, self.page_size)
        page = self._pages.get(page_no)
        if page is None:
            self._shown_blank.add(page_no)
            self._request_page(page_no)
            return None
        if page_no != self._recent_page:  # data() asks ~8 roles of each cell: reorder once
            self._pages.move_to_end(page_no)
            self._recent_page = page_no
            self._read_ahead(page_no)
        return page[offset] if offset < len(page) else None

    def entry(self, row: int) -> Entry | None:
        """The job on `row` and its cells' texts (ui/jobs/cells.py draws them), or None."""
        return self._entry(row)

    def loaded_jobs_in(self, spans: list[tuple[int, int]]) -> list[JobRow]:
        """The loaded jobs on the rows of `spans` (first, last), in row order (none is read)."""
        return loaded_jobs_in(self._pages, self.page_size, spans)

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
        self._flush_timer.stop()
        self._events.changed.disconnect(self._on_events_changed)
        if self._own_events:
            self._events.close()
        self._wanted.generation = -1  # queued queries skip their work
        wait_idle(lane=Lane.LEDGER)
        self._aggregates.wait()

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
            return _RIGHT if column in columns.RIGHT_ALIGNED else None
        if column == columns.STATUS_COLUMN and job.status in columns.ERROR_STATUSES:  # _FOREGROUND
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
        """Start a re-query: after a filter or order change the first page (shown at once) and
        then the count; after a ledger change the count and the pages on screen, together."""
        if self._closed:
            return
        if self._refreshing and not self._keep_rows:
            keep_rows = False  # a new filter or order is still on its way: stay a reset
        if not self._first_load_done:
            keep_rows = False
        self._generation += 1
        self._wanted.generation = self._generation
        self._capped = False  # until this query's count says so
        self._early_costs: dict[str, CostTotal] | None = None
        self._refreshing = True
        self._keep_rows = keep_rows
        self._pending.clear()
        self._costs_wanted = self._costs_wanted or costs  # a sort must not drop a total owed
        if costs:  # other jobs than the totals running (if any) are of: those stop
            self._aggregates.wanted_costs = (self._filter, self._generation)
        if keep_rows:  # re-load the most recently used pages too: they are the rows on screen
            wanted = sorted({0, *list(self._pages)[-3:]})
            self._submit(self._generation, wanted, mode="change")
        else:
            self._submit(self._generation, [0], mode="reset")
        self._count_owed = not keep_rows

    def _request_page(self, page_no: int) -> None:
        if page_no not in self._pending:  # with its neighbours: scrolling on finds them loaded
            self._want((page_no, page_no + 1, page_no - 1))

    def _read_ahead(self, page_no: int) -> None:
        """The neighbours of a page being shown, before their rows are: scrolling on finds them
        loaded, never a blank row (whose page's arrival repaints the whole viewport)."""
        if not self._refreshing:
            self._want((page_no + 1, page_no - 1))

    def _want(self, candidates: tuple[int, ...]) -> None:
        """Pages to read, sent to the ledger lane once the GUI thread is done with what it is
        doing, mostly a paint asking data() of every cell: a worker building rows in Python
        meanwhile would make each of those calls wait for the GIL."""
        if self._closed:
            return
        last_page = (self._count - 1) // self.page_size
        for p in candidates:
            if 0 <= p <= last_page and p not in self._pages and p not in self._pending:
                self._pending[p] = None
                self._to_read.append(p)
        while len(self._pending) > MAX_PENDING_PAGES:
            del self._pending[next(iter(self._pending))]  # scrolled past: its task will skip
        if self._to_read:
            self._flush_timer.start()

    @Slot()
    def _on_flushTimer_timeout(self) -> None:
        if self._count_owed:  # a new filter's count, after its first page was painted
            self._count_owed = False
            self._submit(self._generation, [], mode="capped")
        pages = [p for p in self._to_read if p in self._pending]
        self._to_read = []
        if pages and not self._closed:
            self._submit(self._generation, pages, mode="pages")

    def _submit(self, generation: int, pages: list[int], *, mode: str) -> None:
        ledger, flt, order, size, wanted = (
            self.ledger,
            self._filter,
            self._order,
            self.page_size,
            self._wanted,
        )
        known = dict(self._keys) if mode == "pages" else {}  # a change moves every row
        # the rows that match (-1: not known; a capped count is not where the rows end)
        count = self._count if mode == "pages" and not self._capped else -1

        def step_aside(most: float) -> float:  # scrolling: paints go first (a new filter: not)
            return wanted.step_aside(most, generation) if mode == "pages" else 0.0

        def still_wanted(page_no: int) -> bool:
            return wanted.generation == generation and (mode != "pages" or page_no in wanted.pages)

        def query() -> _Answer | None:  # on the ledger lane: ledger calls only
            if wanted.generation != generation:
                return None  # a newer filter, order or change superseded it
            if mode == "pages" and not any(p in wanted.pages for p in pages):
                return None
            try:
                # up to the cap: milliseconds, read with the rows of a change, after the first
                # page of a new filter (tens of milliseconds at 1M jobs: the rows come first)
                total = count if mode in ("pages", "reset") else ledger.count(flt, COUNT_CAP)
                read = (ledger, flt, order, size, pages, known, total, format_entries)
                loaded = load_pages(*read, still_wanted, step_aside)
            except QuantumDeskError as exc:
                return ("failed", generation, -1, exc)
            return (mode, generation, total, loaded)

        run_task(
            query,
            lane=Lane.LEDGER,
            on_finished=self._on_query_finished,
            on_failed=self._on_query_failed,
        )

    @Slot(object)
    def _on_query_finished(self, answer: _Answer | None) -> None:
        if answer is None:
            return
        mode, generation, count, loaded = answer
        if generation != self._generation or self._closed:
            return  # a newer filter, sort or change has been asked for since
        if isinstance(loaded, QuantumDeskError):
            self._on_load_failed(loaded)
        elif mode == "pages":
            self._apply_pages(loaded)
        elif mode == "reset":
            self._show_first_page(loaded, count)  # its rows for now; the count follows
            self._flush_timer.start()
        elif mode == "capped":
            if not self._refreshing:
                return  # its first page failed
            self._capped = self._count_later(count, generation)
            self._resize(count)
            self._done()
        elif mode == "exact":
            self._capped = False
            self._resize(count)
            self.countChanged.emit()
        else:
            self._capped = self._count_later(count, generation)
            if self._capped:  # the rows shown stay until the exact count says otherwise
                count = max(count, self._count)
            self._apply_change(count, loaded)
            self._done()

    def _count_later(self, count: int, generation: int) -> bool:
        """Past the cap: the exact count, on the long-task lane. Whether it was asked for."""
        if count <= COUNT_CAP:
            return False
        self._aggregates.count(self._filter, generation)
        return True

    @Slot(object)
    def _on_query_failed(self, exc: object) -> None:  # a bug: ui.tasks logged it
        log.error("jobs model query failed: %r", exc)

    def _done(self) -> None:
        self._refreshing = False
        self._first_load_done = True
        self._read_ahead(max(self._recent_page, 0))
        self.refreshed.emit()
        if self._costs_wanted:  # after the rows: its seconds of CPU at 1M jobs do not compete
            self._aggregates.costs(self._aggregates.wanted_costs)
        if self._early_costs is not None:
            totals, self._early_costs = self._early_costs, None
            self._apply_costs(totals)

    def _show_first_page(self, loaded: dict[int, LoadedPage[Entry]], count: int) -> None:
        """A new filter or order: its first page replaces the rows, in one reset (one paint);
        `count` (-1: not known yet, the page's rows until it is) rows then."""
        page = loaded.get(0)
        self.beginResetModel()
        self._count = max(count, len(page.entries) if page is not None else 0)
        self._pages = OrderedDict()
        self._keys = {}
        self._pending.clear()
        self._shown_blank.clear()
        if page is not None:
            self._store(0, page)
        self.endResetModel()

    def _resize(self, count: int) -> None:
        if count > self._count:
            self.beginInsertRows(QModelIndex(), self._count, count - 1)
            self._count = count
            self.endInsertRows()
        elif count < self._count:  # jobs deleted between the page and the count
            self.beginRemoveRows(QModelIndex(), count, self._count - 1)
            self._count = count
            self._drop_pages_from(count)
            self.endRemoveRows()

    def _store(self, page_no: int, page: LoadedPage[Entry]) -> None:
        self._recent_page = -1  # another page is the most recent now
        self._pages[page_no] = page.entries
        self._pages.move_to_end(page_no)
        if page.keys is not None:
            self._keys[page_no] = page.keys

    def _drop_pages_from(self, count: int) -> None:
        for page_no in [p for p in self._pages if p * self.page_size >= count]:
            del self._pages[page_no]
            self._keys.pop(page_no, None)

    def _apply_pages(self, loaded: dict[int, LoadedPage[Entry]]) -> None:
        for page_no, page in loaded.items():
            self._pending.pop(page_no, None)
            self._store(page_no, page)
            if page_no not in self._shown_blank:
                continue  # read ahead: no view has asked for its rows yet
            self._shown_blank.discard(page_no)
            first = page_no * self.page_size
            last = min(first + len(page.entries), self._count) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)  # its keys stay: a way back costs one keyset read
        while len(self._keys) > MAX_KEPT_KEYS:
            del self._keys[next(iter(self._keys))]

    def _apply_change(self, count: int, loaded: dict[int, LoadedPage[Entry]]) -> None:
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
        self._pages = OrderedDict()
        self._keys = {}
        self._shown_blank.clear()  # the layout change repaints every row
        for page_no, page in sorted(loaded.items()):
            self._store(page_no, page)
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
            self._drop_pages_from(count)
            self.endRemoveRows()

    def _loaded_id(self, row: int) -> str | None:
        page_no, offset = divmod(row, self.page_size)
        page = self._pages.get(page_no)
        return page[offset][0].id if page is not None and offset < len(page) else None

    def _on_costs_finished(self, key: CostKey, totals: dict[str, CostTotal]) -> None:
        if key != self._aggregates.wanted_costs or self._closed:
            return
        if self._refreshing:  # it overtook the rows and count (another lane): after them
            self._early_costs = dict(totals)
            return
        self._apply_costs(dict(totals))

    def _apply_costs(self, totals: dict[str, CostTotal]) -> None:
        self._cost_totals = totals
        self._costs_wanted = False
        self.costsChanged.emit()

    def _on_load_failed(self, error: QuantumDeskError) -> None:
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
