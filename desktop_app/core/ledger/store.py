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
    JobFilter,
    JobOrder,
    JobRecord,
    JobRow,
    LedgerChange,
    StatusChange,
    program_sha256,
    utc_now,
)
from desktop_app.core.ledger.packing import (
    pack,
    pack_result,
    pack_text,
    unpack,
    unpack_result,
    unpack_text,
)
from desktop_app.core.ledger.paging import (
    KeysetPage,
    PageKey,
    after_clauses,
    check_order,
    key_columns,
    order_by,
)
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
from desktop_app.core.ledger.schema_v2 import UNFINISHED_CONDITION
from desktop_app.core.ledger.search import prefer_order_scan, text_clause, trigram_query
from desktop_app.core.results import JobStatus

if TYPE_CHECKING:
    from desktop_app.core.results import RunResult

log = logging.getLogger(__name__)

LEDGER_FILE_NAME = "ledger.sqlite3"
DEFAULT_BUSY_TIMEOUT = 10.0  # seconds another instance may hold the write lock before we give up
# page() beyond this offset counts the matches and reads a page past the middle from the far end
_FAR_OFFSET = 2_000


def _unpack_text_sql(blob: bytes | None) -> str | None:
    """`qd_unpack_text(body)` in SQL: a stored program's text (for searches too short for the
    trigram index)."""
    return None if blob is None else unpack_text(blob)


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
            conn.create_function("qd_unpack_text", 1, _unpack_text_sql, deterministic=True)
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
        import uuid  # here: `quantum-desk jobs` (reading only) starts without it

        status = JobStatus(status)
        now = created_at or utc_now()
        job_id = str(uuid.uuid4())
        version_set = dumps(dict(versions) if versions is not None else collect_versions())
        with self.transaction() as conn:
            program_id = self._program_id(conn, program)
            versions_id = self._versions_id(conn, version_set)
            row = (
                job_id,
                azure_job_id,
                name,
                backend,
                profile,
                program_id,
                program_path,
                int(shots),
                dumps(dict(options or {})),
                status.value,
                ts(now),
                ts(submitted_at),
                ts(now),
                None if estimated_cost is None else dumps(dict(estimated_cost)),
                versions_id,
                dumps(list(normalize_tags(tags))),
            )
            try:
                cursor = conn.execute(
                    "INSERT INTO jobs (id, azure_job_id, name, backend, profile, program_id, "
                    "program_path, shots, options, status, created_at, submitted_at, updated_at, "
                    "estimated_cost, versions_id, tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    row,
                )
            except sqlite3.IntegrityError:
                raise LedgerError(
                    f"Azure job id {azure_job_id} is already in the job ledger {self.path}",
                    self.path,
                ) from None
            conn.execute(
                "INSERT INTO status_history (job, id, status, at) VALUES (?,1,?,?)",
                (cursor.lastrowid, status.value, ts(now)),
            )
            self._changed("created", job_id)
        return job_id

    @staticmethod
    def _program_id(conn: sqlite3.Connection, program: str) -> int:
        """The id of `program` in `programs`, stored (compressed, and indexed for search) when no
        job has had this text before."""
        digest = bytes.fromhex(program_sha256(program))
        found = conn.execute("SELECT id FROM programs WHERE sha256 = ?", (digest,)).fetchone()
        if found is not None:
            return int(found[0])
        cursor = conn.execute(
            "INSERT INTO programs (sha256, body) VALUES (?, ?)", (digest, pack_text(program))
        )
        program_id = int(cursor.lastrowid or 0)
        conn.execute(
            "INSERT INTO program_fts (rowid, program) VALUES (?, ?)", (program_id, program)
        )
        return program_id

    @staticmethod
    def _versions_id(conn: sqlite3.Connection, version_set: str) -> int:
        found = conn.execute("SELECT id FROM version_sets WHERE body = ?", (version_set,))
        row = found.fetchone()
        if row is not None:
            return int(row[0])
        cursor = conn.execute("INSERT INTO version_sets (body) VALUES (?)", (version_set,))
        return int(cursor.lastrowid or 0)

    @staticmethod
    def _drop_unused_programs(conn: sqlite3.Connection, program_ids: Iterable[int]) -> None:
        """Remove programs no job uses any more (and their search index entries)."""
        for program_id in set(program_ids):
            if conn.execute(
                "SELECT 1 FROM jobs WHERE program_id = ? LIMIT 1", (program_id,)
            ).fetchone():
                continue
            row = conn.execute("SELECT body FROM programs WHERE id = ?", (program_id,)).fetchone()
            if row is None:
                continue
            # a contentless FTS5 table forgets a row when given the text it indexed
            conn.execute(
                "INSERT INTO program_fts (program_fts, rowid, program) VALUES ('delete', ?, ?)",
                (program_id, unpack_text(row[0])),
            )
            conn.execute("DELETE FROM programs WHERE id = ?", (program_id,))

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
            # ids count up per job (the history is keyed by (job, id))
            conn.execute(
                "INSERT INTO status_history (job, id, status, at, detail) "
                "SELECT jobs.seq, 1 + COALESCE((SELECT MAX(h.id) FROM status_history h "
                "WHERE h.job = jobs.seq), 0), ?, ?, ? FROM jobs WHERE jobs.id = ?",
                (new.value, ts(moment), detail, job_id),
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
                "INSERT INTO job_results (job, raw, raw_type) SELECT seq, ?, ? FROM jobs "
                "WHERE id = ? ON CONFLICT (job) DO UPDATE SET raw = excluded.raw, "
                "raw_type = excluded.raw_type",
                (pack(data), content_type, job_id),
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
            # the counts are stored once, inside the normalized result
            conn.execute(
                "INSERT INTO job_results (job, result) SELECT seq, ? FROM jobs WHERE id = ? "
                "ON CONFLICT (job) DO UPDATE SET result = excluded.result",
                (pack_result(as_json), job_id),
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
            programs: list[int] = []
            for job_id in ids:
                found = conn.execute(
                    "SELECT program_id FROM jobs WHERE id = ?", (job_id,)
                ).fetchone()
                if found is None:
                    continue
                programs.append(int(found[0]))
                deleted += conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount
            self._drop_unused_programs(conn, programs)
            if deleted:
                self._changed("deleted", *ids)
        return deleted

    # --- reading
    def _where(self, flt: JobFilter, *, in_order: bool = False) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if flt.backends:
            clauses.append(f"jobs.backend IN ({','.join('?' * len(flt.backends))})")
            params.extend(flt.backends)
        if flt.statuses:
            clauses.append(f"jobs.status IN ({','.join('?' * len(flt.statuses))})")
            params.extend(str(s) for s in flt.statuses)
        if flt.since is not None:
            clauses.append("jobs.created_at >= ?")
            params.append(ts(flt.since))
        if flt.until is not None:
            clauses.append("jobs.created_at < ?")
            params.append(ts(flt.until))
        if flt.tag:
            clauses.append("EXISTS (SELECT 1 FROM json_each(jobs.tags) WHERE value = ?)")
            params.append(flt.tag)
        text = flt.text.strip()
        if text:
            clause, text_params = text_clause(text, in_order=in_order)
            clauses.append(clause)
            params.extend(text_params)
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
        """Light rows matching `flt`, sorted by `order` (ties by creation, see core.ledger.paging),
        rows offset..offset+limit (None: all).

        A page past the middle is read from the far end of the order (the last page costs what
        the first does); `page_after`/`page_before` read any page at that cost."""
        order = order or JobOrder()
        check_order(order)
        offset = max(0, int(offset))
        flt = flt or JobFilter()
        where, params = self._where(flt, in_order=self._in_order(flt, limit))
        reverse = False
        if limit is not None and offset > _FAR_OFFSET:
            total = self.count(flt)
            if offset + limit / 2 > total / 2:  # nearer the end: read backwards from it
                reverse = True
                limit = max(0, min(int(limit), total - offset))
                offset = max(0, total - offset - limit)
                if limit == 0:
                    return []
        ordering = order_by(order, reverse=reverse)
        sql = f"SELECT {ROW_COLUMNS} FROM jobs{where} {ordering} LIMIT ? OFFSET ?"
        if offset:  # skip rows by their index entries alone, then read only the page's rows
            sql = (
                f"SELECT {ROW_COLUMNS} FROM jobs WHERE jobs.seq IN (SELECT jobs.seq FROM jobs"
                f"{where} {ordering} LIMIT ? OFFSET ?) {ordering}"
            )
        params += [-1 if limit is None else int(limit), offset]
        with self._use() as conn:
            rows = conn.execute(sql, params).fetchall()
        if reverse:
            rows.reverse()
        return [JobRow(**row_from_sql(r)) for r in rows]

    def page_after(
        self,
        flt: JobFilter | None = None,
        order: JobOrder | None = None,
        after: PageKey | None = None,
        limit: int = 200,
    ) -> KeysetPage:
        """Up to `limit` rows matching `flt` that follow `after` in `order` (from the first row
        when `after` is None), read from the sort column's index: the same cost at any depth."""
        return self._keyset(flt, order or JobOrder(), after, limit, backwards=False)

    def page_before(
        self,
        flt: JobFilter | None = None,
        order: JobOrder | None = None,
        before: PageKey | None = None,
        limit: int = 200,
    ) -> KeysetPage:
        """Up to `limit` rows that precede `before` in `order` (the last page when `before` is
        None), returned in `order`."""
        return self._keyset(flt, order or JobOrder(), before, limit, backwards=True)

    def _keyset(
        self,
        flt: JobFilter | None,
        order: JobOrder,
        key: PageKey | None,
        limit: int,
        *,
        backwards: bool,
    ) -> KeysetPage:
        check_order(order)
        limit = max(0, int(limit))
        flt = flt or JobFilter()
        where, params = self._where(flt, in_order=self._in_order(flt, limit))
        columns = key_columns(order)
        select = (
            f"SELECT {ROW_COLUMNS}, {', '.join(f'jobs.{c}' for c in columns)}, jobs.seq FROM jobs"
        )
        ordering = order_by(order, reverse=backwards)
        segments = [("", [])] if key is None else after_clauses(order, key, reverse=backwards)
        rows: list[Any] = []
        with self._use() as conn:
            own_snapshot = len(segments) > 1 and not conn.in_transaction
            if own_snapshot:  # the segments of one page: one consistent read
                conn.execute("BEGIN")
            try:
                for condition, key_params in segments:
                    if len(rows) > limit:
                        break
                    if condition:
                        glue = " AND " if where else " WHERE "
                        sql = f"{select}{where}{glue}({condition}) {ordering} LIMIT ?"
                    else:
                        sql = f"{select}{where} {ordering} LIMIT ?"
                    wanted = limit + 1 - len(rows)  # one more than asked: is there more?
                    rows += conn.execute(sql, [*params, *key_params, wanted]).fetchall()
            finally:
                if own_snapshot:
                    conn.execute("COMMIT")
        at_end = len(rows) <= limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()
        width = len(columns)
        keys = [PageKey(tuple(r[-1 - width : -1]), int(r[-1])) for r in rows]
        return KeysetPage(
            rows=[JobRow(**row_from_sql(r)) for r in rows],
            first=keys[0] if keys else None,
            last=keys[-1] if keys else None,
            at_end=at_end,
        )

    def _in_order(self, flt: JobFilter, limit: int | None) -> bool:
        text = flt.text.strip()
        if not text or limit is None:
            return False
        with self._use() as conn:
            return prefer_order_scan(conn, text, max(1, limit))

    def unfinished_jobs(self) -> list[JobRow]:
        """Jobs not in a final status (Submitting, Waiting, Executing), oldest first: what
        start-up reconciliation must look at. Read from a partial index of those jobs only."""
        sql = (
            f"SELECT {ROW_COLUMNS} FROM jobs INDEXED BY jobs_unfinished "
            f"WHERE {UNFINISHED_CONDITION} ORDER BY jobs.created_at, jobs.seq"
        )
        with self._use() as conn:
            rows = conn.execute(sql).fetchall()
        return [JobRow(**row_from_sql(r)) for r in rows]

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
                # the trigram index finds the few candidates; the LIKE decides, as before
                rows = conn.execute(
                    "SELECT id FROM jobs WHERE seq IN (SELECT rowid FROM jobs_fts "
                    "WHERE jobs_fts MATCH ?) AND (id LIKE ? ESCAPE '\\' "
                    "OR azure_job_id LIKE ? ESCAPE '\\') LIMIT 6",
                    (trigram_query(ref), pattern, pattern),
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
                    f"SELECT {ROW_COLUMNS}, jobs.program_path, jobs.options, "
                    "(SELECT body FROM version_sets WHERE version_sets.id = jobs.versions_id), "
                    "(SELECT body FROM programs WHERE programs.id = jobs.program_id), jobs.seq "
                    "FROM jobs WHERE jobs.id = ?",
                    (job_id,),
                ).fetchone()
                seq = -1 if row is None else row[-1]
                results = conn.execute(
                    "SELECT raw, raw_type, result FROM job_results WHERE job = ?", (seq,)
                ).fetchone() or (None, None, None)
                history = conn.execute(
                    "SELECT status, at, detail FROM status_history WHERE job = ? ORDER BY id",
                    (seq,),
                ).fetchall()
            finally:
                if own_snapshot:
                    conn.execute("COMMIT")
        if row is None or row[21] is None:
            raise self._not_found(job_id)
        light = row_from_sql(row)
        result = None if results[2] is None else unpack_result(results[2])
        counts = None if result is None else result.get("counts")
        return JobRecord(
            **light,
            program_path=row[18],
            options=json.loads(row[19]),
            versions=loads_opt(row[20]) or {},
            program=unpack_text(row[21]),
            raw_result=None if results[0] is None else unpack(results[0]),
            raw_result_type=results[1],
            counts=counts,
            # a schema-1 row with counts but no normalized result was migrated as {"counts": ..}
            result=result if result is None or "backend" in result else None,
            history=tuple(StatusChange(s, parse_ts(at) or utc_now(), d) for s, at, d in history),
        )

    def find_by_azure_id(self, azure_job_id: str) -> JobRow | None:
        with self._use() as conn:
            row = conn.execute(
                f"SELECT {ROW_COLUMNS} FROM jobs WHERE jobs.azure_job_id = ?", (azure_job_id,)
            ).fetchone()
        return None if row is None else JobRow(**row_from_sql(row))

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
