"""The job ledger: every job Quantum Desk ever ran, in SQLite (WAL), the single source of truth.

One `Ledger` is shared by all threads of the app: each thread gets its own connection (WAL lets the
GUI thread read while a worker writes); another Quantum Desk process on the same file waits up to
`busy_timeout` seconds for the write lock instead of failing. Writes take the lock up front
(BEGIN IMMEDIATE) and commit with synchronous=FULL, so a row written before an Azure submit call
survives a crash or power loss right after it.

Times are timezone-aware UTC datetimes in the API and fixed-width ISO-8601 text in the file (so text
order is time order). docs/architecture.md describes the write-ahead protocol.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from desktop_app.core.ledger.errors import (
    JobNotFoundError,
    LedgerError,
    LedgerTooNewError,
    translate_sqlite_error,
)
from desktop_app.core.ledger.models import (
    FINAL_STATUSES,
    SORT_COLUMNS,
    CostTotal,
    JobFilter,
    JobOrder,
    JobRecord,
    JobRow,
    LedgerChange,
    StatusChange,
    program_sha256,
    utc_now,
)
from desktop_app.core.ledger.query import cost_totals_query, where_clause
from desktop_app.core.ledger.rows import (
    ROW_COLUMNS,
    collect_versions,
    dumps,
    like_pattern,
    loads_opt,
    normalize_tags,
    parse_ts,
    row_from_sql,
    ts,
)
from desktop_app.core.ledger.schema import SCHEMA_VERSION, NewerSchemaError, migrate
from desktop_app.core.results import JobStatus

if TYPE_CHECKING:
    from desktop_app.core.results import RunResult

log = logging.getLogger(__name__)

LEDGER_FILE_NAME = "ledger.sqlite3"
DEFAULT_BUSY_TIMEOUT = 10.0  # seconds another instance may hold the write lock before we give up


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
            raise translate_sqlite_error(exc, self.path) from exc

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
        status: str = JobStatus.SUBMITTING,
        estimated_cost: Mapping[str, Any] | None = None,
        tags: Iterable[str] = (),
        versions: Mapping[str, str | None] | None = None,
        submitted_at: datetime | None = None,
        created_at: datetime | None = None,
    ) -> str:
        """Record a new job (before it is submitted) and return its local id (uuid4)."""
        status = JobStatus(status)
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
            dumps(dict(options or {})),
            status.value,
            ts(now),
            ts(submitted_at),
            ts(now),
            None if estimated_cost is None else dumps(dict(estimated_cost)),
            dumps(dict(versions) if versions is not None else collect_versions()),
            dumps(list(normalize_tags(tags))),
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
                (job_id, status.value, ts(now)),
            )
            self._changed("created", job_id)
        return job_id

    def _update(self, conn: sqlite3.Connection, job_id: str, sets: dict[str, Any]) -> None:
        sets = {**sets, "updated_at": ts(utc_now())}
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
        new = JobStatus(status)
        moment = at or utc_now()
        with self.transaction() as conn:
            found = conn.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if found is None:
                raise self._not_found(job_id)
            old = JobStatus(found[0])
            if old == new:
                return False
            leaving_final = old in FINAL_STATUSES and old != JobStatus.NEVER_SUBMITTED
            if leaving_final and new not in FINAL_STATUSES:
                log.warning("job %s: ignored %s after final status %s", job_id, new, old)
                return False
            sets: dict[str, Any] = {"status": new.value}
            if new in FINAL_STATUSES:
                sets["completed_at"] = ts(moment)
            elif old == JobStatus.NEVER_SUBMITTED:
                sets["completed_at"] = None
            self._update(conn, job_id, sets)
            conn.execute(
                "INSERT INTO status_history (job_id, status, at, detail) VALUES (?,?,?,?)",
                (job_id, new.value, ts(moment), detail),
            )
        return True

    def mark_submitted(
        self,
        job_id: str,
        *,
        status: str = JobStatus.WAITING,
        at: datetime | None = None,
        azure_job_id: str | None = None,
    ) -> None:
        """The submit call returned: note the time (and the service's id if it chose one)."""
        moment = at or utc_now()
        with self.transaction() as conn:
            sets: dict[str, Any] = {"submitted_at": ts(moment)}
            if azure_job_id is not None:
                sets["azure_job_id"] = azure_job_id
            self._update(conn, job_id, sets)
            self.set_status(job_id, status, at=moment, detail="submitted")

    def mark_never_submitted(self, job_id: str, detail: str | None = None) -> None:
        """Reconciliation found no such job at the service: it never left this machine."""
        self.set_status(
            job_id, JobStatus.NEVER_SUBMITTED, detail=detail or "not found at the service"
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
            sets["estimated_cost"] = dumps(dict(estimated))
        if billed is not None:
            sets["billed_cost"] = dumps(dict(billed))
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
                sets["billed_cost"] = dumps(dict(billed_cost))
            self._update(conn, job_id, sets)  # raises JobNotFoundError first
            conn.execute(
                "INSERT INTO job_results (job_id, counts, result) VALUES (?,?,?) "
                "ON CONFLICT (job_id) DO UPDATE SET counts = excluded.counts, "
                "result = excluded.result",
                (job_id, dumps(dict(result.counts)), dumps(as_json)),
            )
            if raw is not None:
                self.store_raw_result(job_id, raw, raw_content_type)
            self.set_status(job_id, str(result.status), detail=result.error_code)

    def rename(self, job_id: str, name: str) -> None:
        with self.transaction() as conn:
            self._update(conn, job_id, {"name": name.strip()})

    def set_tags(self, job_id: str, tags: Iterable[str]) -> None:
        with self.transaction() as conn:
            self._update(conn, job_id, {"tags": dumps(list(normalize_tags(tags)))})

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
    def count(self, flt: JobFilter | None = None) -> int:
        where, params = where_clause(flt or JobFilter())
        with self._use() as conn:
            (n,) = conn.execute(f"SELECT COUNT(*) FROM jobs{where}", params).fetchone()
        return int(n)

    def cost_totals(self, flt: JobFilter | None = None) -> dict[str, CostTotal]:
        """unit -> CostTotal of the jobs matching `flt` that reached the service (see CostTotal).
        The billed cost counts when it is in the estimate's unit (or there is no estimate)."""
        sql, params = cost_totals_query(flt or JobFilter())
        with self._use() as conn:
            rows = conn.execute(sql, params).fetchall()
        return {
            str(unit or ""): CostTotal(str(unit or ""), float(amount or 0), n, b, u)
            for unit, amount, n, b, u in rows
        }

    def page(
        self,
        flt: JobFilter | None = None,
        order: JobOrder | None = None,
        offset: int = 0,
        limit: int | None = 200,
    ) -> list[JobRow]:
        """Light rows matching `flt`, sorted by `order`, rows offset..offset+limit (None: all)."""
        order = order or JobOrder()
        if order.column not in SORT_COLUMNS:
            raise ValueError(f"cannot sort jobs by {order.column!r}")
        where, params = where_clause(flt or JobFilter())
        direction = "DESC" if order.descending else "ASC"
        # rowid breaks ties so that paging is stable
        sql = (
            f"SELECT {ROW_COLUMNS} FROM jobs{where} "
            f"ORDER BY {order.column} {direction}, rowid {direction} LIMIT ? OFFSET ?"
        )
        params += [-1 if limit is None else int(limit), int(offset)]
        with self._use() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [JobRow(**row_from_sql(r)) for r in rows]

    def unfinished_jobs(self) -> list[JobRow]:
        """Jobs not in a final status (Submitting, Waiting, Executing), oldest first: what
        start-up reconciliation must look at."""
        open_statuses = tuple(s.value for s in JobStatus if s not in FINAL_STATUSES)
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
                pattern = like_pattern(ref)[1:]  # prefix only
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
                    f"SELECT {ROW_COLUMNS}, program_path, options, versions FROM jobs WHERE id = ?",
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
        light = row_from_sql(row)
        return JobRecord(
            **light,
            program_path=row[18],
            options=json.loads(row[19]),
            versions=json.loads(row[20]),
            program=program[0],
            raw_result=None if results[0] is None else bytes(results[0]),
            raw_result_type=results[1],
            counts=loads_opt(results[2]),
            result=loads_opt(results[3]),
            history=tuple(StatusChange(s, parse_ts(at) or utc_now(), d) for s, at, d in history),
        )

    def find_by_azure_id(self, azure_job_id: str) -> JobRow | None:
        with self._use() as conn:
            row = conn.execute(
                f"SELECT {ROW_COLUMNS} FROM jobs WHERE azure_job_id = ?", (azure_job_id,)
            ).fetchone()
        return None if row is None else JobRow(**row_from_sql(row))

    def data_version(self) -> int:
        """SQLite's `PRAGMA data_version` on this thread's connection: it changes whenever another
        connection (another thread's, or another process's) has committed. Poll it on a timer to
        notice another Quantum Desk's writes, which `subscribe` does not report."""
        with self._use() as conn:
            (version,) = conn.execute("PRAGMA data_version").fetchone()
        return int(version)

    def quick_check(self) -> str:
        """SQLite's `PRAGMA quick_check` (structure, without index contents): "ok" when sound."""
        with self._use() as conn:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)

    def integrity_check(self) -> str:
        """SQLite's `PRAGMA integrity_check`: "ok" for a sound file."""
        with self._use() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)
