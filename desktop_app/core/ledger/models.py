"""What the ledger holds: a job's row and full record, filters, orderings, change notices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, get_args

from desktop_app.core.results import JobStatus

if TYPE_CHECKING:
    from desktop_app.core.results import RunResult

FINAL_STATUSES: frozenset[JobStatus] = frozenset(s for s in JobStatus if s.is_final)


@dataclass(frozen=True)
class StatusChange:
    status: str
    at: datetime
    detail: str | None = None


@dataclass(frozen=True)
class JobRow:
    """The light view of a job used by lists and table models (no program text or results)."""

    id: str
    azure_job_id: str | None
    name: str
    backend: str
    profile: str | None
    shots: int
    status: str
    created_at: datetime
    submitted_at: datetime | None
    completed_at: datetime | None
    updated_at: datetime
    error_code: str | None
    error_message: str | None
    estimated_cost: dict[str, Any] | None
    billed_cost: dict[str, Any] | None
    tags: tuple[str, ...]
    has_result: bool
    program_sha256: str

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class JobRecord(JobRow):
    """Everything the ledger knows about one job."""

    program: str = ""
    program_path: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str | None] = field(default_factory=dict)
    raw_result: bytes | None = None
    raw_result_type: str | None = None
    counts: Mapping[str, int] | None = None  # a wide one in `core.slices.SortedSlices`
    result: dict[str, Any] | None = None  # core.results.to_json_dict(RunResult)
    history: tuple[StatusChange, ...] = ()

    def run_result(self) -> RunResult | None:
        """The stored normalized result as a RunResult, or None when there is none yet."""
        if self.result is None:
            return None
        from desktop_app.core.results import from_json_dict

        return from_json_dict(self.result)


SortColumn = Literal[
    "created_at", "submitted_at", "completed_at", "name", "backend", "status", "shots", "updated_at"
]


SORT_COLUMNS: frozenset[str] = frozenset(get_args(SortColumn))


@dataclass(frozen=True)
class JobFilter:
    """Which jobs to list. Empty fields match everything; `since`/`until` bound `created_at`
    (since inclusive, until exclusive). `text` matches, case-insensitively, a substring of the name,
    backend, tags, ids, profile or the program text. With `short_text="prefix"` a text of one or
    two characters (too short for the trigram index) matches the start of the name, backend or an
    id instead: an index range, where a substring of two characters reads every job (the jobs view
    asks for that while typing, and says so)."""

    text: str = ""
    backends: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    tag: str | None = None
    profile: str | None = None  # exactly this Azure profile
    program_sha256: str | None = None  # exactly this program text
    short_text: Literal["substring", "prefix"] = "substring"


@dataclass(frozen=True)
class CostTotal:
    """The cost of the matching jobs in one unit: each job's billed cost when the service reported
    one, else the app's estimate. Jobs never sent to the service are not counted."""

    unit: str
    amount: float
    jobs: int  # jobs with a known amount in this unit
    billed: int  # of which the service's figure was used
    unknown: int  # paid jobs whose amount is not known (e.g. billed per execution time)


@dataclass(frozen=True)
class JobOrder:
    column: SortColumn = "created_at"
    descending: bool = True


@dataclass(frozen=True)
class LedgerChange:
    """Sent to subscribers after a commit, on the writing thread (the UI re-emits it as a
    signal)."""

    kind: Literal["created", "updated", "deleted"]
    job_ids: tuple[str, ...]


def utc_now() -> datetime:
    return datetime.now(UTC)


def program_sha256(program: str) -> str:
    import hashlib  # here, not at the top: `quantum-desk jobs` starts without it

    return hashlib.sha256(program.encode("utf-8")).hexdigest()


def new_azure_job_id() -> str:
    """An Azure job id made on our side, as the azure-quantum SDK makes them (uuid1)."""
    import uuid

    return str(uuid.uuid1())
