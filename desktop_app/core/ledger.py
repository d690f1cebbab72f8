"""The job ledger: every job Quantum Desk ever ran, in SQLite (WAL), the single source of truth.

One `Ledger` is shared by all threads of the app: each thread gets its own connection (WAL lets the
GUI thread read while a worker writes); another Quantum Desk process on the same file waits up to
`busy_timeout` seconds for the write lock instead of failing. Writes take the lock up front
(BEGIN IMMEDIATE) and commit with synchronous=FULL, so a row written before an Azure submit call
survives a crash or power loss right after it.

Times are timezone-aware UTC datetimes in the API and fixed-width ISO-8601 text in the file (so text
order is time order). See docs/architecture.md (`core/ledger.py`) for the write-ahead protocol.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from desktop_app.core import paths
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger_schema import SCHEMA_VERSION, NewerSchemaError, migrate

if TYPE_CHECKING:
    from desktop_app.core.results import RunResult

log = logging.getLogger(__name__)

LEDGER_FILE_NAME = "ledger.sqlite3"
DEFAULT_BUSY_TIMEOUT = 10.0  # seconds another instance may hold the write lock before we give up


class LedgerStatus(StrEnum):
    """A job's status. The middle five are `core.results.JobStatus` values (same strings)."""

    SUBMITTING = "Submitting"  # write-ahead: recorded, the submit call not yet known to succeed
    WAITING = "Waiting"
    EXECUTING = "Executing"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELLED = "Cancelled"
    NEVER_SUBMITTED = "NeverSubmitted"  # reconciliation: the service never got it


FINAL_STATUSES: frozenset[LedgerStatus] = frozenset(
    {
        LedgerStatus.SUCCEEDED,
        LedgerStatus.FAILED,
        LedgerStatus.CANCELLED,
        LedgerStatus.NEVER_SUBMITTED,
    }
)


# --------------------------------------------------------------------------------------- errors
class LedgerError(QuantumDeskError):
    """The ledger cannot be used; `path` is the ledger file."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class LedgerCorruptError(LedgerError):
    """The file is not a readable SQLite ledger. `open_ledger(recover=True)` moves it aside."""


class LedgerLockedError(LedgerError):
    """Another program held the ledger's lock for longer than the busy timeout."""


class LedgerTooNewError(LedgerError):
    """The file was written by a newer Quantum Desk (a later schema version)."""


class JobNotFoundError(LedgerError):
    """No job with that id (or id prefix) is in the ledger."""


# ---------------------------------------------------------------------------------------- records
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
    counts: dict[str, int] | None = None
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
_SORT_COLUMNS: frozenset[str] = frozenset(get_args(SortColumn))


@dataclass(frozen=True)
class JobFilter:
    """Which jobs to list. Empty fields match everything; `since`/`until` bound `created_at`
    (since inclusive, until exclusive). `text` matches, case-insensitively, a substring of the name,
    backend, tags, ids, profile or the program text."""

    text: str = ""
    backends: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    tag: str | None = None


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


# ---------------------------------------------------------------------------------------- helpers
def utc_now() -> datetime:
    return datetime.now(UTC)


def _ts(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_ts(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text)  # 3.11 reads the trailing Z as UTC


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _loads_opt(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def program_sha256(program: str) -> str:
    return hashlib.sha256(program.encode("utf-8")).hexdigest()


def new_azure_job_id() -> str:
    """An Azure job id made on our side, as the azure-quantum SDK makes them (uuid1)."""
    return str(uuid.uuid1())


@cache
def collect_versions() -> dict[str, str | None]:
    """The app, Python and SDK versions recorded with every job (package metadata only: cheap)."""
    from importlib import metadata

    from desktop_app import __version__

    versions: dict[str, str | None] = {
        "quantum-desk": __version__,
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
    }
    for dist in ("qiskit", "qiskit-aer", "azure-quantum", "qiskit-ionq", "qdk"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return versions


def _normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    cleaned: dict[str, None] = {}
    for tag in tags:
        text = tag.strip()
        if not text:
            continue
        if len(text) > 64:
            raise LedgerError(f"tag {text[:20]!r}... is longer than 64 characters")
        cleaned[text] = None
    return tuple(cleaned)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_ROW_COLUMNS = (
    "id, azure_job_id, name, backend, profile, shots, status, created_at, submitted_at, "
    "completed_at, updated_at, error_code, error_message, estimated_cost, billed_cost, tags, "
    "has_result, program_sha256"
)


def _row_from_sql(r: Sequence[Any]) -> dict[str, Any]:
    return {
        "id": r[0],
        "azure_job_id": r[1],
        "name": r[2],
        "backend": r[3],
        "profile": r[4],
        "shots": r[5],
        "status": r[6],
        "created_at": _parse_ts(r[7]),
        "submitted_at": _parse_ts(r[8]),
        "completed_at": _parse_ts(r[9]),
        "updated_at": _parse_ts(r[10]),
        "error_code": r[11],
        "error_message": r[12],
        "estimated_cost": _loads_opt(r[13]),
        "billed_cost": _loads_opt(r[14]),
        "tags": tuple(json.loads(r[15])),
        "has_result": bool(r[16]),
        "program_sha256": r[17],
    }


# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF)
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


def _translate(exc: sqlite3.Error, path: Path) -> LedgerError:
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code in _BUSY_CODES:
        return LedgerLockedError(
            f"The job ledger {path} is locked by another program (is another Quantum Desk "
            "busy with it?). Close it and try again.",
            path,
        )
    if code in _CORRUPT_CODES:
        return LedgerCorruptError(
            f"The job ledger {path} is damaged ({exc}). Quantum Desk can move it aside and "
            "start a new, empty ledger; the damaged file is kept.",
            path,
        )
    return LedgerError(f"The job ledger {path} could not be used: {exc}", path)


# ----------------------------------------------------------------------------------------- ledger
class Ledger:
    """The job ledger on one SQLite file. Thread-safe; open it with `open_ledger()`."""

    def __init__(self, path: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        # set by open_ledger when a damaged file was moved aside
        self.recovered_from: Path | None = None
        self._local = threading.local()
        # thread id -> (its connection, the lock held while that thread uses it)
        self._conns: dict[int, tuple[sqlite3.Connection, threading.RLock]] = {}
        self._conns_lock = threading.Lock()
        self._listeners: list[Callable[[LedgerChange], None]] = []
        self._closed = False
        try:
            with self._use() as conn:
                found = migrate(conn)
        except BaseException:
            self.close()
            raise
        if found != SCHEMA_VERSION:
            log.info("ledger %s migrated from schema %d to %d", self.path, found, SCHEMA_VERSION)

    # --- connections and transactions
    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if str(mode).lower() != "wal":
                log.warning("ledger %s: journal mode is %s, not WAL", self.path, mode)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _closed_error(self) -> LedgerError:
        return LedgerError(f"The job ledger {self.path} is closed", self.path)

    @contextlib.contextmanager
    def _use(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, held (so that close() waits for it), with sqlite3 errors
        turned into LedgerError subclasses carrying a plain message."""
        try:
            if getattr(self._local, "conn", None) is None:
                if self._closed:
                    raise self._closed_error()
                conn = self._connect()
                lock = threading.RLock()
                with self._conns_lock:
                    # current_thread() registers a thread Python did not start (a QThread) in
                    # threading.enumerate(), so other threads do not take it for ended.
                    threading.current_thread()
                    me = threading.get_ident()
                    alive = {t.ident for t in threading.enumerate()} - {me}  # me: a reused ident
                    for ident in [i for i in self._conns if i not in alive]:
                        dead_conn, dead_lock = self._conns.pop(ident)  # its thread has ended
                        with dead_lock:
                            dead_conn.close()
                    self._conns[me] = (conn, lock)
                self._local.conn, self._local.lock = conn, lock
                self._local.depth, self._local.pending = 0, []
            with self._local.lock:
                if self._closed:
                    raise self._closed_error()
                yield self._local.conn
        except NewerSchemaError as exc:
            raise LedgerTooNewError(
                f"The job ledger {self.path} was written by a newer Quantum Desk (schema "
                f"{exc.found}; this version knows up to {SCHEMA_VERSION}). Update Quantum Desk.",
                self.path,
            ) from None
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (nests: only the outermost commits). Subscribers hear of the
        changes after the commit."""
        with self._use() as conn:
            outermost = self._local.depth == 0
            if outermost:
                conn.execute("BEGIN IMMEDIATE")
            self._local.depth += 1
            try:
                yield conn
            except BaseException:
                self._local.depth -= 1
                if outermost:
                    self._local.pending = []
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                raise
            self._local.depth -= 1
            if outermost:
                try:
                    conn.execute("COMMIT")
                except BaseException:
                    self._local.pending = []
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        if outermost:
            pending: list[LedgerChange] = self._local.pending
            self._local.pending = []
            for change in dict.fromkeys(pending):  # once each, in order
                self._notify(change)

    def close(self) -> None:
        """Close every thread's connection, waiting for an operation in progress to end. Any use
        afterwards raises LedgerError."""
        self._closed = True
        with self._conns_lock:
            conns = list(self._conns.values())
            self._conns.clear()
        for conn, lock in conns:
            with lock:
                conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- change notification
    def subscribe(self, listener: Callable[[LedgerChange], None]) -> Callable[[], None]:
        """Call `listener` after each committed change (on the writing thread); returns an
        unsubscribe function. Changes made by other processes are not reported."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self, kind: Literal["created", "updated", "deleted"], *ids: str) -> None:
        self._local.pending.append(LedgerChange(kind, tuple(ids)))

    def _notify(self, change: LedgerChange) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:
                log.exception("ledger listener %r failed", listener)

    # --- writing
    def create_job(
        self,
        *,
        backend: str,
        program: str,
        shots: int,
        options: Mapping[str, Any] | None = None,
        profile: str | None = None,
        name: str = "",
        program_path: str | None = None,
        azure_job_id: str | None = None,
        status: str = LedgerStatus.SUBMITTING,
        estimated_cost: Mapping[str, Any] | None = None,
        tags: Iterable[str] = (),
        versions: Mapping[str, str | None] | None = None,
        submitted_at: datetime | None = None,
        created_at: datetime | None = None,
    ) -> str:
        """Record a new job (before it is submitted) and return its local id (uuid4)."""
        status = LedgerStatus(status)
        now = created_at or utc_now()
        job_id = str(uuid.uuid4())
        row = (
            job_id,
            azure_job_id,
            name,
            backend,
            profile,
            program_sha256(program),
            program_path,
            int(shots),
            _dumps(dict(options or {})),
            status.value,
            _ts(now),
            _ts(submitted_at),
            _ts(now),
            None if estimated_cost is None else _dumps(dict(estimated_cost)),
            _dumps(dict(versions) if versions is not None else collect_versions()),
            _dumps(list(_normalize_tags(tags))),
        )
        with self.transaction() as conn:
            try:
                conn.execute(
                    "INSERT INTO jobs (id, azure_job_id, name, backend, profile, program_sha256, "
                    "program_path, shots, options, status, created_at, submitted_at, updated_at, "
                    "estimated_cost, versions, tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    row,
                )
            except sqlite3.IntegrityError:
                raise LedgerError(
                    f"Azure job id {azure_job_id} is already in the job ledger {self.path}",
                    self.path,
                ) from None
            conn.execute(
                "INSERT INTO job_programs (job_id, program) VALUES (?, ?)", (job_id, program)
            )
            conn.execute(
                "INSERT INTO status_history (job_id, status, at) VALUES (?,?,?)",
                (job_id, status.value, _ts(now)),
            )
            self._changed("created", job_id)
        return job_id

    def _update(self, conn: sqlite3.Connection, job_id: str, sets: dict[str, Any]) -> None:
        sets = {**sets, "updated_at": _ts(utc_now())}
        assignments = ", ".join(f"{column} = ?" for column in sets)
        cursor = conn.execute(
            f"UPDATE jobs SET {assignments} WHERE id = ?", (*sets.values(), job_id)
        )
        if cursor.rowcount == 0:
            raise self._not_found(job_id)
        self._changed("updated", job_id)

    def _not_found(self, ref: str) -> JobNotFoundError:
        return JobNotFoundError(f"No job {ref!r} in the job ledger {self.path}", self.path)

    def set_status(
        self,
        job_id: str,
        status: str,
        *,
        detail: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Record a status change (and its time in the history). Returns False when nothing
        changed: the same status again, or a late non-final update to a job already final (a final
        status is only left for another final one, or from NeverSubmitted)."""
        new = LedgerStatus(status)
        moment = at or utc_now()
        with self.transaction() as conn:
            found = conn.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if found is None:
                raise self._not_found(job_id)
            old = LedgerStatus(found[0])
            if old == new:
                return False
            leaving_final = old in FINAL_STATUSES and old != LedgerStatus.NEVER_SUBMITTED
            if leaving_final and new not in FINAL_STATUSES:
                log.warning("job %s: ignored %s after final status %s", job_id, new, old)
                return False
            sets: dict[str, Any] = {"status": new.value}
            if new in FINAL_STATUSES:
                sets["completed_at"] = _ts(moment)
            elif old == LedgerStatus.NEVER_SUBMITTED:
                sets["completed_at"] = None
            self._update(conn, job_id, sets)
            conn.execute(
                "INSERT INTO status_history (job_id, status, at, detail) VALUES (?,?,?,?)",
                (job_id, new.value, _ts(moment), detail),
            )
        return True

    def mark_submitted(
        self,
        job_id: str,
        *,
        status: str = LedgerStatus.WAITING,
        at: datetime | None = None,
        azure_job_id: str | None = None,
    ) -> None:
        """The submit call returned: note the time (and the service's id if it chose one)."""
        moment = at or utc_now()
        with self.transaction() as conn:
            sets: dict[str, Any] = {"submitted_at": _ts(moment)}
            if azure_job_id is not None:
                sets["azure_job_id"] = azure_job_id
            self._update(conn, job_id, sets)
            self.set_status(job_id, status, at=moment, detail="submitted")

    def mark_never_submitted(self, job_id: str, detail: str | None = None) -> None:
        """Reconciliation found no such job at the service: it never left this machine."""
        self.set_status(
            job_id, LedgerStatus.NEVER_SUBMITTED, detail=detail or "not found at the service"
        )

    def set_error(
        self, job_id: str, code: str | None, message: str | None, *, status: str | None = None
    ) -> None:
        """Record the service's error code and message (and optionally a final status)."""
        with self.transaction() as conn:
            self._update(conn, job_id, {"error_code": code, "error_message": message})
            if status is not None:
                self.set_status(job_id, status, detail=code)

    def set_costs(
        self,
        job_id: str,
        *,
        estimated: Mapping[str, Any] | None = None,
        billed: Mapping[str, Any] | None = None,
    ) -> None:
        """Costs are JSON objects, conventionally {"amount": float, "currency": "USD", ...}."""
        sets: dict[str, Any] = {}
        if estimated is not None:
            sets["estimated_cost"] = _dumps(dict(estimated))
        if billed is not None:
            sets["billed_cost"] = _dumps(dict(billed))
        if sets:
            with self.transaction() as conn:
                self._update(conn, job_id, sets)

    def store_raw_result(self, job_id: str, raw: bytes | str, content_type: str | None) -> None:
        """Keep the result exactly as downloaded, before anything parses it."""
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        with self.transaction() as conn:
            self._update(conn, job_id, {})  # raises JobNotFoundError first
            conn.execute(
                "INSERT INTO job_results (job_id, raw_result, raw_result_type) VALUES (?,?,?) "
                "ON CONFLICT (job_id) DO UPDATE SET raw_result = excluded.raw_result, "
                "raw_result_type = excluded.raw_result_type",
                (job_id, data, content_type),
            )

    def record_result(
        self,
        job_id: str,
        result: RunResult,
        *,
        raw: bytes | str | None = None,
        raw_content_type: str | None = None,
        billed_cost: Mapping[str, Any] | None = None,
    ) -> None:
        """Store a job's normalized result (and its raw form), error, and final status."""
        from desktop_app.core.results import to_json_dict

        as_json = to_json_dict(result)
        with self.transaction() as conn:
            sets: dict[str, Any] = {
                "has_result": int(bool(result.counts) or bool(result.probabilities)),
                "error_code": result.error_code,
                "error_message": result.error_message,
            }
            if billed_cost is not None:
                sets["billed_cost"] = _dumps(dict(billed_cost))
            self._update(conn, job_id, sets)  # raises JobNotFoundError first
            conn.execute(
                "INSERT INTO job_results (job_id, counts, result) VALUES (?,?,?) "
                "ON CONFLICT (job_id) DO UPDATE SET counts = excluded.counts, "
                "result = excluded.result",
                (job_id, _dumps(dict(result.counts)), _dumps(as_json)),
            )
            if raw is not None:
                self.store_raw_result(job_id, raw, raw_content_type)
            self.set_status(job_id, str(result.status), detail=result.error_code)

    def rename(self, job_id: str, name: str) -> None:
        with self.transaction() as conn:
            self._update(conn, job_id, {"name": name.strip()})

    def set_tags(self, job_id: str, tags: Iterable[str]) -> None:
        with self.transaction() as conn:
            self._update(conn, job_id, {"tags": _dumps(list(_normalize_tags(tags)))})

    def delete(self, job_ids: Iterable[str]) -> int:
        """Delete jobs (with their history and results) from the ledger; returns how many."""
        ids = list(job_ids)
        deleted = 0
        with self.transaction() as conn:
            for job_id in ids:
                deleted += conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount
            if deleted:
                self._changed("deleted", *ids)
        return deleted

    # --- reading
    def _where(self, flt: JobFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if flt.backends:
            clauses.append(f"backend IN ({','.join('?' * len(flt.backends))})")
            params.extend(flt.backends)
        if flt.statuses:
            clauses.append(f"status IN ({','.join('?' * len(flt.statuses))})")
            params.extend(str(s) for s in flt.statuses)
        if flt.since is not None:
            clauses.append("created_at >= ?")
            params.append(_ts(flt.since))
        if flt.until is not None:
            clauses.append("created_at < ?")
            params.append(_ts(flt.until))
        if flt.tag:
            clauses.append("EXISTS (SELECT 1 FROM json_each(jobs.tags) WHERE value = ?)")
            params.append(flt.tag)
        text = flt.text.strip()
        if text:
            pattern = _like_pattern(text)
            columns = ("name", "backend", "tags", "id", "azure_job_id", "profile")
            matches = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns)
            clauses.append(
                f"({matches} OR id IN (SELECT job_id FROM job_programs "
                "WHERE program LIKE ? ESCAPE '\\'))"
            )
            params.extend([pattern] * (len(columns) + 1))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def count(self, flt: JobFilter | None = None) -> int:
        where, params = self._where(flt or JobFilter())
        with self._use() as conn:
            (n,) = conn.execute(f"SELECT COUNT(*) FROM jobs{where}", params).fetchone()
        return int(n)

    def page(
        self,
        flt: JobFilter | None = None,
        order: JobOrder | None = None,
        offset: int = 0,
        limit: int | None = 200,
    ) -> list[JobRow]:
        """Light rows matching `flt`, sorted by `order`, rows offset..offset+limit (None: all)."""
        order = order or JobOrder()
        if order.column not in _SORT_COLUMNS:
            raise ValueError(f"cannot sort jobs by {order.column!r}")
        where, params = self._where(flt or JobFilter())
        direction = "DESC" if order.descending else "ASC"
        # rowid breaks ties so that paging is stable
        sql = (
            f"SELECT {_ROW_COLUMNS} FROM jobs{where} "
            f"ORDER BY {order.column} {direction}, rowid {direction} LIMIT ? OFFSET ?"
        )
        params += [-1 if limit is None else int(limit), int(offset)]
        with self._use() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [JobRow(**_row_from_sql(r)) for r in rows]

    def unfinished_jobs(self) -> list[JobRow]:
        """Jobs not in a final status (Submitting, Waiting, Executing), oldest first: what
        start-up reconciliation must look at."""
        open_statuses = tuple(s.value for s in LedgerStatus if s not in FINAL_STATUSES)
        return self.page(
            JobFilter(statuses=open_statuses), JobOrder("created_at", descending=False), limit=None
        )

    def backends(self) -> list[str]:
        """Every backend name that appears in the ledger (for a filter combo box)."""
        with self._use() as conn:
            rows = conn.execute("SELECT DISTINCT backend FROM jobs ORDER BY 1").fetchall()
        return [r[0] for r in rows]

    def resolve(self, ref: str) -> str:
        """A local id from a local id, an Azure job id, or a unique prefix (4+ characters) of
        either. Raises JobNotFoundError (also for an ambiguous prefix, naming the matches)."""
        ref = ref.strip()
        with self._use() as conn:
            row = conn.execute(
                "SELECT id FROM jobs WHERE id = ? OR azure_job_id = ?", (ref, ref)
            ).fetchone()
            if row is not None:
                return str(row[0])
            if len(ref) >= 4:
                pattern = _like_pattern(ref)[1:]  # prefix only
                rows = conn.execute(
                    "SELECT id FROM jobs WHERE id LIKE ? ESCAPE '\\' "
                    "OR azure_job_id LIKE ? ESCAPE '\\' LIMIT 6",
                    (pattern, pattern),
                ).fetchall()
                if len(rows) == 1:
                    return str(rows[0][0])
                if rows:
                    shown = ", ".join(r[0] for r in rows[:5])
                    raise JobNotFoundError(
                        f"Job id prefix {ref!r} is ambiguous in {self.path}: it matches {shown}"
                        + (" and more" if len(rows) > 5 else ""),
                        self.path,
                    )
        raise self._not_found(ref)

    def get(self, job_id: str) -> JobRecord:
        """The full record of one job, with its status history. Raises JobNotFoundError."""
        with self._use() as conn:
            # one read transaction: the row, payload and history are a consistent snapshot
            own_snapshot = not conn.in_transaction
            if own_snapshot:
                conn.execute("BEGIN")
            try:
                row = conn.execute(
                    f"SELECT {_ROW_COLUMNS}, program_path, options, versions FROM jobs "
                    "WHERE id = ?",
                    (job_id,),
                ).fetchone()
                program = conn.execute(
                    "SELECT program FROM job_programs WHERE job_id = ?", (job_id,)
                ).fetchone()
                results = conn.execute(
                    "SELECT raw_result, raw_result_type, counts, result "
                    "FROM job_results WHERE job_id = ?",
                    (job_id,),
                ).fetchone() or (None, None, None, None)
                history = conn.execute(
                    "SELECT status, at, detail FROM status_history WHERE job_id = ? ORDER BY id",
                    (job_id,),
                ).fetchall()
            finally:
                if own_snapshot:
                    conn.execute("COMMIT")
        if row is None or program is None:
            raise self._not_found(job_id)
        light = _row_from_sql(row)
        return JobRecord(
            **light,
            program_path=row[18],
            options=json.loads(row[19]),
            versions=json.loads(row[20]),
            program=program[0],
            raw_result=None if results[0] is None else bytes(results[0]),
            raw_result_type=results[1],
            counts=_loads_opt(results[2]),
            result=_loads_opt(results[3]),
            history=tuple(StatusChange(s, _parse_ts(at) or utc_now(), d) for s, at, d in history),
        )

    def find_by_azure_id(self, azure_job_id: str) -> JobRow | None:
        with self._use() as conn:
            row = conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM jobs WHERE azure_job_id = ?", (azure_job_id,)
            ).fetchone()
        return None if row is None else JobRow(**_row_from_sql(row))

    def data_version(self) -> int:
        """SQLite's `PRAGMA data_version` on this thread's connection: it changes whenever another
        connection (another thread's, or another process's) has committed. Poll it on a timer to
        notice another Quantum Desk's writes, which `subscribe` does not report."""
        with self._use() as conn:
            (version,) = conn.execute("PRAGMA data_version").fetchone()
        return int(version)

    def integrity_check(self) -> str:
        """SQLite's `PRAGMA integrity_check`: "ok" for a sound file."""
        with self._use() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)


# ------------------------------------------------------------------------------------ opening
def default_ledger_path() -> Path:
    return paths.data_dir() / LEDGER_FILE_NAME


def _move_aside(path: Path) -> Path:
    """Rename a bad ledger (and its -wal/-shm files) to <name>.corrupt-<timestamp>[-n]."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.replace(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    return target


def open_ledger(
    path: Path | None = None,
    *,
    recover: bool = False,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
) -> Ledger:
    """Open (creating or migrating) the ledger, by default `data_dir()/ledger.sqlite3`.

    A damaged file raises LedgerCorruptError; with `recover=True` it is renamed to
    `ledger.sqlite3.corrupt-<UTC timestamp>` (never overwritten) and a new ledger is started:
    `Ledger.recovered_from` then names the kept file. A locked file raises LedgerLockedError and is
    never moved (another instance is using it).
    """
    path = Path(path) if path is not None else default_ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        ledger = Ledger(path, busy_timeout=busy_timeout)
        # A damaged page may not show on open: check the file's structure (cheap at this size).
        ledger_check = ledger.integrity_check() if recover else "ok"
        if ledger_check != "ok":
            ledger.close()
            raise LedgerCorruptError(
                f"The job ledger {path} is damaged ({ledger_check.splitlines()[0]}).", path
            )
        return ledger
    except LedgerCorruptError:
        if not recover:
            raise
    try:
        kept = _move_aside(path)
    except OSError as exc:
        raise LedgerError(
            f"The job ledger {path} is damaged and could not be moved aside "
            f"({exc.strerror or exc}); move or delete it yourself and start Quantum Desk again.",
            path,
        ) from None
    log.warning("damaged job ledger moved aside to %s; starting a new one", kept)
    ledger = Ledger(path, busy_timeout=busy_timeout)
    ledger.recovered_from = kept
    return ledger
