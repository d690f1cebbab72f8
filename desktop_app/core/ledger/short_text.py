"""Jobs holding a text of two characters, found from the trigram indexes' term lists.

FTS5's trigram tokenizer has no term for a string shorter than three characters, but every place
a two-character text occurs in a column (or a program) of three characters or more is in a
trigram: the one starting there (the text and the character after it) or, in the column's last
two characters, the one ending there. Schema 3 (core.ledger.schema) makes each index's term list
a table (`fts5vocab`, one row per occurrence, ordered by term):
- the trigrams starting with the text are one range of terms, whatever character follows
  (non-ASCII ones too);
- those ending with it are the text after each character that starts a term: the distinct first
  characters are found by seeking, each from the one after the last (a few dozen seeks);
- a column of exactly two characters has no trigram: the partial index `jobs_two_characters`
  holds the jobs with one (none of the usual kind), `programs_tiny` the programs of under 10
  bytes (tested with the LIKE).
The jobs' candidates are decided by the LIKE over their columns (as for longer texts); a program
holding a folded trigram holds the text (the tokenizer folds ASCII letters as LIKE does; a text
with a "k" or an "s", which two non-ASCII characters fold to as well, has the LIKE decide on the
programs too). Nothing reads every job or every program.

Left to the LIKE alone (reading every job): a text of one character, one with a non-ASCII
character (the tokenizer folds the case of those, LIKE does not), and "[]", the whole of an
empty tag list (two characters: no trigram, and no index of its own).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from desktop_app.core.ledger.schema import TINY_PROGRAM_CONDITION, TWO_CHARACTER_CONDITION

JOB_TERMS = "jobs_fts_terms"
PROGRAM_TERMS = "program_fts_terms"
_LAST_CODE_POINT = 0x10FFFF
# the letters the tokenizer also folds a non-ASCII character to (KELVIN SIGN, LATIN SMALL LETTER
# LONG S: every code point tried with SQLite 3.40), which LIKE does not: a program found for a
# text holding one is tested with the LIKE as well
_FOLDED_TO_ASCII = {"k", "s"}


def from_terms(text: str) -> bool:
    """Whether `text` (stripped) is found from the term lists (else the LIKE alone)."""
    return len(text) == 2 and text.isascii() and text != "[]"


def starting(terms: str, text: str) -> tuple[str, list[Any]]:
    """SQL for the `doc` of every trigram of the `terms` table starting with `text` (one range
    of terms: a seek), with its parameters."""
    folded = text.lower()  # the tokenizer folds ASCII letters as lower() does
    after = folded[0] + chr(ord(folded[1]) + 1)  # ASCII: the next code point is one character
    return f"SELECT doc FROM {terms} WHERE term >= ? AND term < ?", [folded, after]


def _firsts_sql(terms: str) -> str:
    """SQL for the distinct first characters of the `terms` table's terms, each sought from the
    one after the last: about 0.15 ms a seek at 1,000,000 jobs (41 in the bench's jobs, 46 in
    its programs)."""
    first = f"SELECT substr(term, 1, 1) FROM {terms} WHERE term >= {{}} ORDER BY term LIMIT 1"
    empty = "''"
    return (
        f"WITH RECURSIVE firsts(c) AS (SELECT ({first.format(empty)}) "
        f"UNION ALL SELECT ({first.format('char(unicode(c) + 1)')}) FROM firsts "
        f"WHERE c IS NOT NULL AND unicode(c) < {_LAST_CODE_POINT}) "
        "SELECT c FROM firsts WHERE c IS NOT NULL"
    )


# id(connection) -> (the connection, its state, terms table -> first characters)
_FIRSTS: dict[int, tuple[sqlite3.Connection, tuple[int, int], dict[str, list[str]]]] = {}
_FIRSTS_KEPT = 64  # connections remembered (a closed one is forgotten with the others)


def first_characters(conn: sqlite3.Connection, terms: str) -> list[str]:
    """The distinct first characters of the `terms` table's terms, sought again only once the
    file has changed: by another connection (`PRAGMA data_version`) or this one (its
    `total_changes`, which a rolled-back write moves too)."""
    (version,) = conn.execute("PRAGMA data_version").fetchone()
    state = (int(version), conn.total_changes)
    known = _FIRSTS.get(id(conn))
    if known is None or known[0] is not conn or known[1] != state:
        if len(_FIRSTS) >= _FIRSTS_KEPT:
            _FIRSTS.clear()
        known = (conn, state, {})
        _FIRSTS[id(conn)] = known
    found = known[2].get(terms)
    if found is None:
        found = [str(c) for (c,) in conn.execute(_firsts_sql(terms))]
        known[2][terms] = found
    return found


def _occurrences(terms: str, text: str, conn: sqlite3.Connection | None) -> tuple[str, list[Any]]:
    """SQL for the `doc` of every trigram of the `terms` table holding `text` at its start or
    its end (a document may come more than once), with its parameters. With `conn`, the first
    characters of the terms are those it has already sought (if nothing has changed since)."""
    folded = text.lower()
    start_sql, start_params = starting(terms, text)
    if conn is not None:
        ends = [c + folded for c in first_characters(conn, terms)]
        ending = f"SELECT doc FROM {terms} WHERE term IN ({', '.join('?' * len(ends))})"
        return f"{start_sql} UNION ALL {ending}", [*start_params, *ends]
    ending = (
        f"SELECT doc FROM ({_firsts_sql(terms)}) AS f CROSS JOIN {terms} ON {terms}.term = f.c || ?"
    )
    return f"{start_sql} UNION ALL {ending}", [*start_params, folded]


def program_ids(
    text: str, pattern: str, conn: sqlite3.Connection | None = None
) -> tuple[str, list[Any]]:
    """SQL for the ids of the programs whose text LIKE `pattern` ('%text%') matches (some more
    than once), for a `text` that `from_terms` takes."""
    found, params = _occurrences(PROGRAM_TERMS, text, conn)
    if _FOLDED_TO_ASCII & set(text.lower()):
        found = (
            f"SELECT programs.id AS doc FROM programs WHERE programs.id IN ({found}) "
            "AND qd_unpack_text(programs.body) LIKE ? ESCAPE '\\'"
        )
        params = [*params, pattern]
    tiny = (
        f"SELECT id FROM programs INDEXED BY programs_tiny WHERE {TINY_PROGRAM_CONDITION} "
        "AND qd_unpack_text(body) LIKE ? ESCAPE '\\'"
    )
    return f"{found} UNION ALL {tiny}", [*params, pattern]


def job_candidates(text: str, conn: sqlite3.Connection | None = None) -> tuple[str, list[Any]]:
    """SQL for the seqs of the jobs whose searched columns may hold `text` (a superset: the
    LIKE decides), for a `text` that `from_terms` takes."""
    found, params = _occurrences(JOB_TERMS, text, conn)
    two = f"SELECT seq FROM jobs INDEXED BY jobs_two_characters WHERE {TWO_CHARACTER_CONDITION}"
    return f"{found} UNION ALL {two}", params


def short_clause(
    text: str,
    pattern: str,
    likes: tuple[str, list[Any]],
    *,
    in_order: bool,
    conn: sqlite3.Connection | None = None,
) -> tuple[str, list[Any]]:
    """The condition on `jobs` that `text` matches, given the LIKEs over the columns (`likes`,
    SQL and parameters). `in_order`: each job read in sort order is tested (many matches: the
    page is soon full); else the set of the matches, read from the indexes (few)."""
    programs, program_params = program_ids(text, pattern, conn)
    like_sql, like_params = likes
    if in_order:
        return (
            f"(+jobs.program_id IN ({programs}) OR ({like_sql}))",
            [*program_params, *like_params],
        )
    candidates, candidate_params = job_candidates(text, conn)
    sql = (
        f"jobs.seq IN (SELECT jobs.seq FROM jobs WHERE jobs.program_id IN ({programs}) "
        f"UNION SELECT jobs.seq FROM jobs WHERE jobs.seq IN ({candidates}) AND ({like_sql}))"
    )
    return sql, [*program_params, *candidate_params, *like_params]


def short_count_streams(
    conn: sqlite3.Connection,
    text: str,
    pattern: str,
    likes: tuple[str, list[Any]],
    others: tuple[str, list[Any]],
) -> list[tuple[str, list[Any]]]:
    """SQL (with its parameters) of the two streams of jobs matching `text` and the other
    conditions `others` (" AND ..." and parameters): the candidates of the columns the LIKE
    confirms, then the jobs of the programs holding it (search.count_streams counts them)."""
    like_sql, like_params = likes
    other_sql, other_params = others
    candidates, candidate_params = job_candidates(text, conn)
    programs, program_params = program_ids(text, pattern, conn)
    in_jobs = (
        f"SELECT jobs.seq FROM (SELECT DISTINCT doc FROM ({candidates})) AS c "
        "CROSS JOIN jobs ON jobs.seq = c.doc "
        f"WHERE ({like_sql}){other_sql}"
    )
    in_programs = (
        f"SELECT jobs.seq FROM (SELECT DISTINCT doc FROM ({programs})) AS p "
        f"CROSS JOIN jobs INDEXED BY jobs_program ON jobs.program_id = p.doc WHERE 1{other_sql}"
    )
    return [
        (in_jobs, [*candidate_params, *like_params, *other_params]),
        (in_programs, [*program_params, *other_params]),
    ]
