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
    LedgerChange,
    program_sha256,
    utc_now,
)
from desktop_app.core.ledger.packing import (
    pack,
    pack_result,
    pack_text,
    unpack_text,
)
from desktop_app.core.ledger.reads import LedgerReads
from desktop_app.core.ledger.rows import (
    collect_versions,
    dumps,
    normalize_tags,
    ts,
)
from desktop_app.core.ledger.schema import SCHEMA_VERSION, NewerSchemaError, migrate
from desktop_app.core.results import JobStatus

if TYPE_CHECKING:
    from desktop_app.core.results import RunResult

log = logging.getLogger(__name__)

LEDGER_FILE_NAME = "ledger.sqlite3"
DEFAULT_BUSY_TIMEOUT = 10.0  # seconds another instance may hold the write lock before we give up


def _unpack_text_sql(blob: bytes | None) -> str | None:
    """`qd_unpack_text(body)` in SQL: a stored program's text (for searches too short for the
    trigram index)."""
    return None if blob is None else unpack_text(blob)


class Ledger(LedgerReads):
    """The job ledger on one SQLite file. Thread-safe; open it with `open_ledger()`."""

    def __init__(self, path: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        # set by open_ledger when a damaged file was moved aside
        self.recovered_from: Path | None = None
        # open_ledger checked the file's structure (quick_check) when it opened it
        self.structure_checked = False
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

        # packed before the write lock is taken: a wide result takes a while to encode
        packed = pack_result(to_json_dict(result))
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
                (packed, job_id),
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
