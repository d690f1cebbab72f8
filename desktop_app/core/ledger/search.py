"""The ledger's text search: "case-insensitive substring of the name, backend, tags, ids, profile
or program text", answered from the FTS5 trigram indexes of schema 2 instead of a scan.

The results are those of the LIKE search it replaces (SQLite's LIKE: ASCII letters match either
case), by construction:
- jobs columns: `jobs_fts` (detail=none) gives the rows holding some trigrams of the text (enough
  of them to cover it: every trigram would only narrow a set already small), and the LIKE over the
  same columns decides among those few.
- program text: `program_fts` holds full positions, so the phrase of the text's trigrams is a
  substring match by itself. Its tokenizer folds the case of non-ASCII letters too, which LIKE does
  not: for text with a non-ASCII character the LIKE on the program text decides as well.
- text of one or two characters has no trigram: the LIKE alone, over the jobs and over each
  distinct program once (`qd_unpack_text`, registered on every connection, reads a stored text).
  That reads every job; a filter with `short_text="prefix"` asks instead for the jobs whose name,
  backend or an id starts with the text: ranges of those columns' indexes (the jobs view's search
  while the text is that short; see `prefix_clause`).

A page of a text that many jobs match is read in sort order, testing each job with the LIKEs alone
(`in_order`; see `prefer_order_scan`), and a count can stop at a cap (`capped_text_count`): a
search shows its first page and "10,000+" without reading 250,000 matches first.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any, Literal, TypeVar

from desktop_app.core.cancel import Cancelled
from desktop_app.core.ledger.rows import like_pattern
from desktop_app.core.ledger.short_text import (
    JOB_TERMS,
    PROGRAM_TERMS,
    from_terms,
    short_clause,
    short_count_streams,
    starting,
)

SEARCHED_COLUMNS = ("name", "backend", "tags", "id", "azure_job_id", "profile")
# the columns a short text is a prefix of: each has an index whose ranges answer it
PREFIX_COLUMNS = ("name", "backend", "id", "azure_job_id")
TRIGRAM = 3
ORDER_SCAN_COST_RATIO = 6  # a match read and sorted / a job read in order and tested
ShortText = Literal["substring", "prefix"]
# an order scan's budget, in progress calls every 1,000 SQLite VM steps: about 40 ms at 1,000,000
# jobs (measured: 13-24 calls a millisecond), while a page from 10,000 matches takes about 50
ORDER_SCAN_BUDGET = 1_000
T = TypeVar("T")


def _phrase(text: str) -> str:
    """`text` as one FTS5 string (double quotes doubled): no operator or column name inside it
    means anything to the query parser."""
    return '"' + text.replace('"', '""') + '"'


def trigram_query(text: str) -> str:
    """Trigrams covering `text` (at every third position, and the last one), each a term of its
    own (FTS5 ANDs them): the candidates of a detail=none index. Each term read is a list of row
    ids to merge, so a third of them reads a third as much, and the LIKE decides anyway."""
    starts = [*range(0, len(text) - TRIGRAM + 1, TRIGRAM), len(text) - TRIGRAM]
    grams = dict.fromkeys(text[i : i + TRIGRAM] for i in starts)
    return " ".join(_phrase(gram) for gram in grams)


def _likes(pattern: str) -> tuple[str, list[Any]]:
    likes = " OR ".join(f"jobs.{c} LIKE ? ESCAPE '\\'" for c in SEARCHED_COLUMNS)
    return likes, [pattern] * len(SEARCHED_COLUMNS)


def is_prefix_search(text: str, short_text: ShortText) -> bool:
    return short_text == "prefix" and 0 < len(text) < TRIGRAM


def _case_variants(text: str) -> list[str]:
    """`text` with each ASCII letter in either case: the strings LIKE takes for it."""
    options = [(c.lower(), c.upper()) if c.isascii() and c.isalpha() else (c,) for c in text]
    return list(dict.fromkeys("".join(p) for p in itertools.product(*options)))


def _next_code_point(char: str) -> str | None:
    """The smallest character after `char` (None after the last one); UTF-8 sorts as code
    points, so [text, text[:-1] + this) is the range of strings starting with `text`."""
    n = ord(char) + 1
    if 0xD800 <= n <= 0xDFFF:  # surrogates are not characters
        n = 0xE000
    return None if n > 0x10FFFF else chr(n)


def prefix_clause(text: str, *, in_order: bool = False) -> tuple[str, list[Any]]:
    """The jobs whose name, backend, local or Azure id starts with `text` (ASCII letters of
    either case, as LIKE 'text%' matches), as the set of the ranges' row ids (SQLite would rather
    test the ranges on each job read in sort order than sort the few they hold); `in_order`, the
    LIKE itself, tested on each job read in sort order."""
    if in_order:
        return prefix_ranges(text, in_order=True)
    ranges, params = prefix_ranges(text)
    return f"jobs.seq IN (SELECT jobs.seq FROM jobs WHERE {ranges})", params


def prefix_ranges(text: str, *, in_order: bool = False) -> tuple[str, list[Any]]:
    """`prefix_clause` as one index range per column and case variant, which SQLite reads as a
    union of the ranges (the way to count, and to stop at a cap)."""
    variants = _case_variants(text)
    uppers = [_next_code_point(v[-1]) for v in variants]
    if in_order or None in uppers:
        pattern = like_pattern(text)[1:]  # 'text%'
        sql = " OR ".join(f"jobs.{c} LIKE ? ESCAPE '\\'" for c in PREFIX_COLUMNS)
        return f"({sql})", [pattern] * len(PREFIX_COLUMNS)
    terms: list[str] = []
    params: list[Any] = []
    for variant, upper in zip(variants, uppers, strict=True):
        for column in PREFIX_COLUMNS:
            terms.append(f"(jobs.{column} >= ? AND jobs.{column} < ?)")
            params += [variant, variant[:-1] + str(upper)]
    return "(" + " OR ".join(terms) + ")", params


def text_clause(
    text: str,
    *,
    in_order: bool = False,
    short_text: ShortText = "substring",
    conn: sqlite3.Connection | None = None,
) -> tuple[str, list[Any]]:
    """An SQL condition on `jobs` (and its parameters): the job matches `text` (already stripped,
    not empty). With `in_order` SQLite is left no index to drive the query from: it reads the jobs
    in the sort index's order and tests each with the LIKEs (the better plan for a page when many
    jobs match; see `prefer_order_scan`)."""
    if is_prefix_search(text, short_text):
        return prefix_clause(text, in_order=in_order)
    plus = "+" if in_order else ""
    pattern = like_pattern(text)
    likes, like_params = _likes(pattern)
    unpacked_like = "qd_unpack_text(programs.body) LIKE ? ESCAPE '\\'"
    if from_terms(text):
        return short_clause(text, pattern, (likes, like_params), in_order=in_order, conn=conn)
    if len(text) < TRIGRAM:  # the programs first: when they hold it, no LIKE of the names
        programs = f"SELECT programs.id FROM programs WHERE {unpacked_like}"
        return f"(jobs.program_id IN ({programs}) OR ({likes}))", [pattern, *like_params]
    fts_programs = "SELECT rowid FROM program_fts WHERE program_fts MATCH ?"
    if text.isascii():
        in_programs = f"{plus}jobs.program_id IN ({fts_programs})"
        program_params: list[Any] = [_phrase(text)]
    else:
        in_programs = (
            f"{plus}jobs.program_id IN (SELECT programs.id FROM programs "
            f"WHERE programs.id IN ({fts_programs}) AND {unpacked_like})"
        )
        program_params = [_phrase(text), pattern]
    if in_order:  # the LIKEs decide alone: no set of every candidate to build first
        return f"(({likes}) OR {in_programs})", [*like_params, *program_params]
    in_jobs = f"jobs.seq IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?) AND ({likes})"
    sql = f"(({in_jobs}) OR {in_programs})"
    return sql, [trigram_query(text), *like_params, *program_params]


def _count_upto(conn: sqlite3.Connection, sql: str, params: list[Any], limit: int) -> int:
    (n,) = conn.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT ?)", [*params, limit]).fetchone()
    return int(n)


def prefer_order_scan(
    conn: sqlite3.Connection,
    text: str,
    page: int,
    short_text: ShortText = "substring",
    from_end: bool | None = None,
) -> bool:
    """Whether a page of `page` rows matching `text` is cheaper read in sort order (testing each
    job) than from the index matches (read all, then sorted). In order, about page * jobs /
    matches jobs are read; from the matches, all of them, each costing about 6 times a job
    tested in order (measured at 1,000,000 jobs): the scan wins when matches exceed
    sqrt(page * jobs / 6). The matches are counted from the indexes alone (row ids, no rows), and
    only up to that point.

    Matches are not always spread out: "run 77" is the name of jobs 77, 770-779, ... and
    770,000-779,999, none of the newest 220,000. For a first page in creation order (`from_end`:
    newest first, False: oldest first) the job ids, given in creation order, say where the page's
    matches begin; an order scan that would read many times the matches' cost first is left."""
    prefix = is_prefix_search(text, short_text)
    if len(text) < TRIGRAM and not prefix and not from_terms(text):
        return False  # no index to drive from anyway
    (jobs,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM jobs").fetchone()
    enough = math.isqrt(page * jobs // ORDER_SCAN_COST_RATIO) + 1
    if len(text) < TRIGRAM and not prefix:
        return _short_is_common(conn, text, jobs, enough)
    if prefix:
        where, params = prefix_ranges(text)
        return _count_upto(conn, f"SELECT 1 FROM jobs WHERE {where}", params, enough) >= enough
    in_jobs = _count_upto(
        conn, "SELECT 1 FROM jobs_fts WHERE jobs_fts MATCH ?", [trigram_query(text)], enough
    )
    if in_jobs >= enough:
        return from_end is None or not _bunched(conn, text, page, jobs, enough, from_end)
    in_programs = _count_upto(
        conn, "SELECT 1 FROM program_fts WHERE program_fts MATCH ?", [_phrase(text)], enough
    )
    (programs,) = conn.execute("SELECT COALESCE(MAX(id), 1) FROM programs").fetchone()
    return bool(in_jobs + jobs * in_programs / max(programs, 1) >= enough)


def _short_is_common(conn: sqlite3.Connection, text: str, jobs: int, enough: int) -> bool:
    """`prefer_order_scan` for a two-character text: its matches estimated from the trigrams
    starting with it (a seek each, where finding those ending with it takes dozens; an estimate
    short of the count only reads the matches, an order scan past its budget is left)."""
    in_jobs_sql, in_jobs_params = starting(JOB_TERMS, text)
    in_jobs = _count_upto(conn, f"SELECT DISTINCT doc FROM ({in_jobs_sql})", in_jobs_params, enough)
    if in_jobs >= enough:
        return True
    in_programs_sql, in_programs_params = starting(PROGRAM_TERMS, text)
    sql = f"SELECT DISTINCT doc FROM ({in_programs_sql})"
    in_programs = _count_upto(conn, sql, in_programs_params, enough)
    (programs,) = conn.execute("SELECT COALESCE(MAX(id), 1) FROM programs").fetchone()
    return bool(in_jobs + jobs * in_programs / max(programs, 1) >= enough)


def _bunched(
    conn: sqlite3.Connection, text: str, page: int, jobs: int, enough: int, from_end: bool
) -> bool:
    """Whether the `page`-th candidate of the jobs' index from that end of the creation order
    stands further in than the matches would cost to read (their count seen up to 4 * enough, at
    ORDER_SCAN_COST_RATIO a match). The program text's matches are not looked at: they only add
    rows to an order scan, never make it longer."""
    direction = "DESC" if from_end else "ASC"
    row = conn.execute(
        f"SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ? ORDER BY rowid {direction} "
        "LIMIT 1 OFFSET ?",
        [trigram_query(text), page - 1],
    ).fetchone()
    if row is None:
        return False
    depth = jobs - int(row[0]) if from_end else int(row[0])
    sql = "SELECT 1 FROM jobs_fts WHERE jobs_fts MATCH ?"
    matches = _count_upto(conn, sql, [trigram_query(text)], 4 * enough)
    return depth > matches * ORDER_SCAN_COST_RATIO


def short_count(
    conn: sqlite3.Connection, text: str, others: tuple[str, list[Any]], limit: int
) -> int:
    """The jobs matching a two-character `text` that `from_terms` takes, and `others`, counted
    up to `limit` (see short_text.short_count_streams)."""
    pattern = like_pattern(text)
    return count_streams(
        conn, short_count_streams(conn, text, pattern, _likes(pattern), others), limit
    )


def capped_text_count(
    conn: sqlite3.Connection, text: str, others: tuple[str, list[Any]], cap: int
) -> int:
    """The jobs matching `text` (3 characters or more) and the other conditions `others` (" AND
    ..." and its parameters), counted up to cap + 1: the matches of the names etc. (trigram
    candidates the LIKE confirms), then those of the programs not counted yet, each read as a
    stream from its index and left as soon as cap + 1 jobs are in."""
    other_sql, other_params = others
    likes, like_params = _likes(like_pattern(text))
    in_jobs = (
        "SELECT jobs.seq FROM jobs_fts CROSS JOIN jobs ON jobs.seq = jobs_fts.rowid "
        f"WHERE jobs_fts MATCH ? AND ({likes}){other_sql}"
    )
    programs = "SELECT rowid AS pid FROM program_fts WHERE program_fts MATCH ?"
    program_params: list[Any] = [_phrase(text)]
    if not text.isascii():  # the LIKE decides for the tokenizer's wider case folding
        programs = (
            f"SELECT programs.id AS pid FROM programs WHERE programs.id IN ({programs}) "
            "AND qd_unpack_text(programs.body) LIKE ? ESCAPE '\\'"
        )
        program_params.append(like_pattern(text))
    in_programs = (
        f"SELECT jobs.seq FROM ({programs}) AS p CROSS JOIN jobs INDEXED BY jobs_program "
        f"ON jobs.program_id = p.pid WHERE 1{other_sql}"
    )
    streams = [
        (in_jobs, [trigram_query(text), *like_params, *other_params]),
        (in_programs, [*program_params, *other_params]),
    ]
    return count_streams(conn, streams, cap + 1)


def count_streams(
    conn: sqlite3.Connection, streams: list[tuple[str, list[Any]]], limit: int
) -> int:
    """The distinct jobs (`seq`) the queries `streams` yield, counted up to `limit`: each read as
    a stream, left as soon as `limit` jobs are in."""
    seen: set[int] = set()
    for sql, params in streams:
        cursor = conn.execute(sql, params)
        try:
            for (seq,) in cursor:
                seen.add(seq)
                if len(seen) >= limit:
                    return limit
        finally:
            cursor.close()
    return len(seen)


def within_budget(conn: sqlite3.Connection, call: Callable[[], T]) -> T | None:
    """`call()`'s answer, or None when SQLite ran past ORDER_SCAN_BUDGET for it (interrupted: a
    read only, nothing to undo)."""
    ticks = 0

    def tick() -> int:
        nonlocal ticks
        ticks += 1
        return int(ticks > ORDER_SCAN_BUDGET)

    conn.set_progress_handler(tick, 1000)
    try:
        return call()
    except sqlite3.OperationalError:
        if ticks > ORDER_SCAN_BUDGET:
            return None
        raise
    finally:
        conn.set_progress_handler(None, 0)


# SQLite VM steps between two looks at `cancelled` (a few milliseconds): each look takes the GIL,
# which the GUI thread, painting in Python, then has to hand over; more often only costs both
CANCEL_CHECK_STEPS = 100_000


@contextlib.contextmanager
def cancellable(conn: sqlite3.Connection, cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """A read on `conn` that stops (raising `Cancelled`) once `cancelled()` says True: a count or
    a cost total of a filter the user has already left must not keep a core busy for seconds."""
    if cancelled is None:
        yield
        return
    if cancelled():
        raise Cancelled("superseded")
    conn.set_progress_handler(lambda: int(cancelled()), CANCEL_CHECK_STEPS)
    try:
        yield
    except sqlite3.OperationalError:
        if cancelled():
            raise Cancelled("superseded") from None
        raise
    finally:
        conn.set_progress_handler(None, 0)
