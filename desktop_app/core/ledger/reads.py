"""The ledger's queries: counts, pages (offset and keyset), search, one job, integrity checks.

A mixin of `store.Ledger`, which supplies the connections (`_use`) and the not-found error.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from desktop_app.core.ledger.errors import (
    JobNotFoundError,
)
from desktop_app.core.ledger.models import (
    CostTotal,
    JobFilter,
    JobOrder,
    JobRecord,
    JobRow,
    StatusChange,
    utc_now,
)
from desktop_app.core.ledger.packing import (
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
from desktop_app.core.ledger.query import cost_totals_query, other_conditions, where_clause
from desktop_app.core.ledger.rows import (
    ROW_COLUMNS,
    like_pattern,
    loads_opt,
    parse_ts,
    row_from_sql,
)
from desktop_app.core.ledger.schema_v2 import UNFINISHED_CONDITION
from desktop_app.core.ledger.search import (
    TRIGRAM,
    cancellable,
    capped_text_count,
    is_prefix_search,
    prefer_order_scan,
    prefix_ranges,
    short_count,
    trigram_query,
    within_budget,
)
from desktop_app.core.ledger.short_text import from_terms

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

_FAR_OFFSET = 2_000  # past this many rows, a page nearer the end is read backwards from it


class LedgerReads:
    """Read-only queries over the ledger's connection (see `store.Ledger`)."""

    path: Path  # the ledger file

    def _use(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _not_found(self, ref: str) -> JobNotFoundError:
        raise NotImplementedError

    # --- reading
    def count(
        self,
        flt: JobFilter | None = None,
        cap: int | None = None,
        *,
        cancelled: Callable[[], bool] | None = None,
    ) -> int:
        """The jobs matching `flt`; with `cap`, counted only up to cap + 1 ("more than cap"): a
        stream from the indexes left early, milliseconds where the exact count of a common text
        reads every match. Raises `Cancelled` once `cancelled()` says True."""
        with self._use() as conn, cancellable(conn, cancelled):
            return self._count(conn, flt or JobFilter(), cap)

    def _count(self, conn: sqlite3.Connection, flt: JobFilter, cap: int | None) -> int:
        text = flt.text.strip()
        if cap is None:
            where, params = where_clause(flt, conn=conn)
            (n,) = conn.execute(f"SELECT COUNT(*) FROM jobs{where}", params).fetchone()
            return int(n)
        cap = max(0, int(cap))
        if len(text) >= TRIGRAM or (from_terms(text) and flt.short_text == "substring"):
            return self._capped_text_count(conn, flt, text, cap)
        if is_prefix_search(text, flt.short_text):  # the ranges, read as a stream
            ranges, params = prefix_ranges(text)
            other_sql, other_params = other_conditions(flt)
            where, params = f" WHERE {ranges}{other_sql}", [*params, *other_params]
        else:
            where, params = where_clause(flt, conn=conn)
        sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM jobs{where} LIMIT ?)"
        (n,) = conn.execute(sql, [*params, cap + 1]).fetchone()
        return int(n)

    @staticmethod
    def _capped_text_count(conn: sqlite3.Connection, flt: JobFilter, text: str, cap: int) -> int:
        own_snapshot = not conn.in_transaction
        if own_snapshot:  # the two streams it adds up: one consistent read
            conn.execute("BEGIN")
        try:
            if len(text) < TRIGRAM:
                return short_count(conn, text, other_conditions(flt), cap + 1)
            return capped_text_count(conn, text, other_conditions(flt), cap)
        finally:
            if own_snapshot:
                conn.execute("COMMIT")

    def cost_totals(
        self, flt: JobFilter | None = None, *, cancelled: Callable[[], bool] | None = None
    ) -> dict[str, CostTotal]:
        """unit -> CostTotal of the jobs matching `flt` that reached the service (see CostTotal).
        The billed cost counts when it is in the estimate's unit (or there is no estimate).
        Raises `Cancelled` once `cancelled()` says True."""
        sql, params = cost_totals_query(flt or JobFilter())
        with self._use() as conn, cancellable(conn, cancelled):
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
        """Light rows matching `flt`, sorted by `order` (ties by creation, see core.ledger.paging),
        rows offset..offset+limit (None: all).

        A page past the middle is read from the far end of the order (the last page costs what
        the first does); `page_after`/`page_before` read any page at that cost."""
        order = order or JobOrder()
        check_order(order)
        offset = max(0, int(offset))
        flt = flt or JobFilter()
        with self._use() as conn:  # this thread's connection, which the page is read on
            where, params = where_clause(flt, in_order=self._in_order(flt, limit), conn=conn)
        reverse = False
        if limit is not None and offset > _FAR_OFFSET:
            # a text's count: exact only if the end is near enough to matter (past the cap,
            # "more": read forwards); without one, SQLite counts a b-tree's entries at once
            cap = 2 * offset + int(limit) if flt.text.strip() else None
            total = self.count(flt, cap=cap)
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

    def rows(
        self,
        flt: JobFilter | None = None,
        order: JobOrder | None = None,
        limit: int | None = None,
        chunk: int = 1000,
    ) -> Generator[JobRow, None, None]:
        """`page(flt, order, 0, limit)` as it is read, `chunk` rows at a time: one query, and
        memory bounded at any ledger size (the command line's list of a million jobs). Holds
        this thread's connection until the last row is read or it is closed: close it before
        the ledger."""
        order = order or JobOrder()
        check_order(order)
        flt = flt or JobFilter()
        with self._use() as conn:
            where, params = where_clause(flt, in_order=self._in_order(flt, limit), conn=conn)
            sql = f"SELECT {ROW_COLUMNS} FROM jobs{where} {order_by(order)} LIMIT ?"
            cursor = conn.execute(sql, [*params, -1 if limit is None else int(limit)])
            try:
                while found := cursor.fetchmany(chunk):
                    for row in found:
                        yield JobRow(**row_from_sql(row))
            finally:
                cursor.close()

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
        # from the top of the creation order (the view's first page): where the matches start
        from_end = None if key is not None or order.column != "created_at" else order.descending
        in_order = self._in_order(flt, limit, from_end)
        columns = key_columns(order)
        segments = [("", [])] if key is None else after_clauses(order, key, reverse=backwards)
        with self._use() as conn:
            own_snapshot = len(segments) > 1 and not conn.in_transaction
            if own_snapshot:  # the segments of one page: one consistent read
                conn.execute("BEGIN")
            try:

                def read(in_order: bool) -> list[Any]:
                    return _keyset_rows(conn, flt, order, segments, limit, in_order, backwards)

                # matches bunched far down the order make an order scan long: past its budget
                # the page is read from the matches instead
                found = within_budget(conn, lambda: read(True)) if in_order else None
                rows = read(False) if found is None else found
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

    def _in_order(self, flt: JobFilter, limit: int | None, from_end: bool | None = None) -> bool:
        text = flt.text.strip()
        if not text or limit is None:
            return False
        with self._use() as conn:
            return prefer_order_scan(conn, text, max(1, limit), flt.short_text, from_end)

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
        # one index seek per distinct name (a skip scan of jobs_backend_created), not a read of
        # every job's entry: a fraction of a millisecond at 1,000,000 jobs instead of 100 ms
        sql = (
            "WITH RECURSIVE names(name) AS (SELECT MIN(backend) FROM jobs UNION ALL "
            "SELECT (SELECT MIN(backend) FROM jobs WHERE backend > names.name) FROM names "
            "WHERE names.name IS NOT NULL) SELECT name FROM names WHERE name IS NOT NULL"
        )
        with self._use() as conn:
            rows = conn.execute(sql).fetchall()
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

    def row(self, job_id: str) -> JobRow:
        """One job's row, without its program, result or history (`get` reads a wide result's
        16 MB of JSON). Raises JobNotFoundError."""
        found = self._row_where("id", job_id)
        if found is None:
            raise self._not_found(job_id)
        return found

    def result_bytes(self, job_id: str) -> int:
        """The size of the job's stored result, compressed (0 without one): how long `get`
        will take to read it."""
        with self._use() as conn:
            found = conn.execute(
                "SELECT length(job_results.result) FROM jobs JOIN job_results "
                "ON job_results.job = jobs.seq WHERE jobs.id = ?",
                (job_id,),
            ).fetchone()
        return int(found[0] or 0) if found is not None else 0

    def find_by_azure_id(self, azure_job_id: str) -> JobRow | None:
        return self._row_where("azure_job_id", azure_job_id)

    def _row_where(self, column: Literal["id", "azure_job_id"], value: str) -> JobRow | None:
        """The row whose `column` (one of the two unique ids) is `value`."""
        with self._use() as conn:
            row = conn.execute(
                f"SELECT {ROW_COLUMNS} FROM jobs WHERE jobs.{column} = ?", (value,)
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


def _keyset_rows(
    conn: sqlite3.Connection,
    flt: JobFilter,
    order: JobOrder,
    segments: list[tuple[str, list[Any]]],
    limit: int,
    in_order: bool,
    backwards: bool,
) -> list[Any]:
    """Up to limit + 1 rows (one more: is there more?) of `segments` in `order`, each row with its
    key columns and seq at the end."""
    where, params = where_clause(flt, in_order=in_order, conn=conn)
    # from a text's matches: the page's keys first (sorted without the rows' other columns), its
    # rows then; a few thousand matches are sorted as numbers, not as whole rows
    by_keys = bool(flt.text.strip()) and not in_order
    key_sql = ", ".join(f"jobs.{c}" for c in key_columns(order))
    select = f"SELECT {ROW_COLUMNS}, {key_sql}, jobs.seq FROM jobs"
    ordering = order_by(order, reverse=backwards)
    rows: list[Any] = []
    for condition, key_params in segments:
        if len(rows) > limit:
            break
        glue = " AND " if where else " WHERE "
        rest = f"{glue}({condition})" if condition else ""
        sql = f"{select}{where}{rest} {ordering} LIMIT ?"
        if by_keys:
            sql = (
                f"{select} WHERE jobs.seq IN (SELECT jobs.seq FROM jobs{where}{rest} "
                f"{ordering} LIMIT ?) {ordering}"
            )
        wanted = limit + 1 - len(rows)
        rows += conn.execute(sql, [*params, *key_params, wanted]).fetchall()
    return rows
