"""The jobs view's filter bar as a `JobFilter`: backend, status and date choices, and the backend
list (filled from the ledger off the GUI thread by the view)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from PySide6.QtWidgets import QComboBox

from desktop_app.core.ledger.models import FINAL_STATUSES, JobFilter
from desktop_app.core.results import JobStatus

ALL = "all"
SEARCH_EVERYWHERE = 3  # characters from which the text is searched in every field and program
UNFINISHED = "unfinished"
DATE_RANGES = (
    ("Any time", "any"),
    ("Today", "today"),
    ("Last 7 days", "7d"),
    ("Last 30 days", "30d"),
    ("Custom range…", "custom"),
)


def statuses_for(choice: object) -> tuple[str, ...]:
    """The statuses a status-combo choice stands for (() for all)."""
    if choice == UNFINISHED:
        return tuple(s.value for s in JobStatus if s not in FINAL_STATUSES)
    if choice and choice != ALL:
        return (str(choice),)
    return ()


def date_range(
    key: object, start: date, end: date, now: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """(since, until) for a date-combo choice; `start`/`end` are the custom range's local days."""
    now = now or datetime.now().astimezone()
    midnight = datetime.combine(now.date(), time(0)).astimezone()
    if key == "today":
        return midnight, None
    if key == "7d":
        return now - timedelta(days=7), None
    if key == "30d":
        return now - timedelta(days=30), None
    if key == "custom":
        # naive local midnights; astimezone() applies the offset in force on that day
        since = datetime.combine(start, time(0)).astimezone()
        until = datetime.combine(end + timedelta(days=1), time(0)).astimezone()
        return since, until
    return None, None


def job_filter(
    text: str, backend: object, status: object, dates: tuple[datetime | None, datetime | None]
) -> JobFilter:
    since, until = dates
    return JobFilter(
        text=text.strip(),
        backends=() if not backend or backend == ALL else (str(backend),),
        statuses=statuses_for(status),
        since=since,
        until=until,
        short_text="prefix",  # 1-2 characters: the start of a name, backend or id (an index)
    )


def count_text(total: int, capped: int | None, text: str) -> str:
    """The count label: "12 jobs", or "10,000+ jobs" while the exact count of more than `capped`
    is on its way; a text too short to search everything says what it matched."""
    if capped is not None:
        shown = f"{capped:,}+ jobs"
    else:
        shown = f"{total:,} job" + ("" if total == 1 else "s")
    if 0 < len(text) < SEARCH_EVERYWHERE:
        shown += f" whose name, backend or id starts with “{text}” (3+ characters search all)"
    return shown


def set_backend_names(combo: QComboBox, names: Sequence[str]) -> None:
    """List `names` after "All backends", keeping the current choice (even one no job has now)."""
    known = [combo.itemData(i) for i in range(1, combo.count())]
    if list(names) == known:
        return
    current = combo.currentData()
    combo.blockSignals(True)
    try:
        while combo.count() > 1:
            combo.removeItem(1)
        for name in names:
            combo.addItem(name, name)
        index = combo.findData(current)
        if index < 0 and current != ALL:
            combo.addItem(str(current), current)  # keep the user's choice
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))
    finally:
        combo.blockSignals(False)
