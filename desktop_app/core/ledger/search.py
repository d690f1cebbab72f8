"""The ledger's text search: "case-insensitive substring of the name, backend, tags, ids, profile
or program text", answered from the FTS5 trigram indexes of schema 2 instead of a scan.

The results are those of the LIKE search it replaces (SQLite's LIKE: ASCII letters match either
case), by construction:
- jobs columns: `jobs_fts` (detail=none) gives the rows holding every trigram of the text, and the
  LIKE over the same columns decides among those few.
- program text: `program_fts` holds full positions, so the phrase of the text's trigrams is a
  substring match by itself. Its tokenizer folds the case of non-ASCII letters too, which LIKE does
  not: for text with a non-ASCII character the LIKE on the program text decides as well.
- text of one or two characters has no trigram: the LIKE alone, over the jobs and over each
  distinct program once (`qd_unpack_text`, registered on every connection, reads a stored text).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from desktop_app.core.ledger.rows import like_pattern

SEARCHED_COLUMNS = ("name", "backend", "tags", "id", "azure_job_id", "profile")
TRIGRAM = 3


def _phrase(text: str) -> str:
    """`text` as one FTS5 string (double quotes doubled): no operator or column name inside it
    means anything to the query parser."""
    return '"' + text.replace('"', '""') + '"'


def trigram_query(text: str) -> str:
    """Every distinct trigram of `text`, each a term of its own (FTS5 ANDs them): the candidates
    of a detail=none index."""
    grams = dict.fromkeys(text[i : i + TRIGRAM] for i in range(len(text) - TRIGRAM + 1))
    return " ".join(_phrase(gram) for gram in grams)


def text_clause(text: str, *, in_order: bool = False) -> tuple[str, list[Any]]:
    """An SQL condition on `jobs` (and its parameters): the job matches `text` (already stripped,
    not empty). With `in_order` the index terms are written `+x IN (...)`, which SQLite cannot
    drive a query from: it reads the jobs in the sort index's order and tests each (the better plan
    for a page when many jobs match; see `prefer_order_scan`)."""
    plus = "+" if in_order else ""
    pattern = like_pattern(text)
    likes = " OR ".join(f"jobs.{c} LIKE ? ESCAPE '\\'" for c in SEARCHED_COLUMNS)
    like_params: list[Any] = [pattern] * len(SEARCHED_COLUMNS)
    unpacked_like = "qd_unpack_text(programs.body) LIKE ? ESCAPE '\\'"
    if len(text) < TRIGRAM:
        sql = (
            f"(({likes}) OR jobs.program_id IN "
            f"(SELECT programs.id FROM programs WHERE {unpacked_like}))"
        )
        return sql, [*like_params, pattern]
    in_jobs = f"{plus}jobs.seq IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?) AND ({likes})"
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
    sql = f"(({in_jobs}) OR {in_programs})"
    return sql, [trigram_query(text), *like_params, *program_params]


def prefer_order_scan(conn: sqlite3.Connection, text: str, page: int) -> bool:
    """Whether a page of `page` rows matching `text` is cheaper read in sort order (testing each
    job) than from the index matches (read all, then sorted). In order, about page * jobs /
    matches jobs are read; from the matches, all of them: the scan wins when matches^2 exceeds
    page * jobs. The matches are estimated from the trigram indexes alone (row ids, no rows)."""
    if len(text) < TRIGRAM:
        return False  # no index to drive from anyway
    (jobs,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM jobs").fetchone()
    (in_jobs,) = conn.execute(
        "SELECT COUNT(*) FROM jobs_fts WHERE jobs_fts MATCH ?", (trigram_query(text),)
    ).fetchone()
    (in_programs,) = conn.execute(
        "SELECT COUNT(*) FROM program_fts WHERE program_fts MATCH ?", (_phrase(text),)
    ).fetchone()
    (programs,) = conn.execute("SELECT COALESCE(MAX(id), 1) FROM programs").fetchone()
    matches = in_jobs + jobs * in_programs / max(programs, 1)
    return bool(matches * matches > page * jobs)
