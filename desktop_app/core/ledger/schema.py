"""The job ledger's SQLite schema and its forward migrations (`PRAGMA user_version`).

Migration N (index N - 1 in MIGRATIONS) takes a ledger from schema version N - 1 to N. A released
migration is never edited: add a new one. Large per-job data lives in side tables (`job_programs`,
`job_results`) so that paging through `jobs` never reads it and a text search over programs does
not wade through results.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# a step of a migration: one SQL statement, or a function for what SQL alone cannot do
# (compressing the texts of schema 2)
Step = str | Callable[[sqlite3.Connection], None]

_V1: tuple[str, ...] = (
    """
    CREATE TABLE jobs (
        id              TEXT PRIMARY KEY,
        azure_job_id    TEXT UNIQUE,
        name            TEXT NOT NULL DEFAULT '',
        backend         TEXT NOT NULL,
        profile         TEXT,
        program_sha256  TEXT NOT NULL,
        program_path    TEXT,
        shots           INTEGER NOT NULL,
        options         TEXT NOT NULL DEFAULT '{}',
        status          TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        submitted_at    TEXT,
        completed_at    TEXT,
        updated_at      TEXT NOT NULL,
        error_code      TEXT,
        error_message   TEXT,
        estimated_cost  TEXT,
        billed_cost     TEXT,
        versions        TEXT NOT NULL DEFAULT '{}',
        tags            TEXT NOT NULL DEFAULT '[]',
        has_result      INTEGER NOT NULL DEFAULT 0
    )
    """,
    """
    CREATE TABLE job_programs (
        job_id          TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        program         TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE job_results (
        job_id          TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        raw_result      BLOB,
        raw_result_type TEXT,
        counts          TEXT,
        result          TEXT
    )
    """,
    """
    CREATE TABLE status_history (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id  TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        status  TEXT NOT NULL,
        at      TEXT NOT NULL,
        detail  TEXT
    )
    """,
    "CREATE INDEX jobs_created ON jobs(created_at)",
    "CREATE INDEX jobs_backend_created ON jobs(backend, created_at)",
    "CREATE INDEX jobs_status_created ON jobs(status, created_at)",
    "CREATE INDEX history_job ON status_history(job_id, id)",
)


def _migrate_to_v2(conn: sqlite3.Connection) -> None:
    # imported when a ledger needs it: reading SCHEMA_VERSION (the quick `quantum-desk jobs`,
    # cli/quick.py) costs no hashlib, json or zlib
    from desktop_app.core.ledger.schema_v2 import migrate_to_v2

    migrate_to_v2(conn)


# Schema 3: what a text of two characters is found from (core.ledger.short_text). The term
# lists of the two trigram indexes as tables (fts5vocab: no bytes of their own, a term range is
# a seek), and two partial indexes of what has no trigram: a searched column of exactly two
# characters (no job of the usual kind has one) and a program text of under ten bytes.
# A query must spell the partial indexes' conditions the same way for SQLite to use them.
TWO_CHARACTER_CONDITION = (
    "(length(name) = 2 OR length(backend) = 2 OR length(id) = 2 OR length(azure_job_id) = 2 "
    "OR length(profile) = 2)"
)
# a text of up to 8 UTF-8 bytes (2 characters at least) is stored as it is, 9 bytes with the
# format byte: zlib's own header and check alone take 10 (core.ledger.packing)
TINY_PROGRAM_CONDITION = "length(body) < 10"
_V3: tuple[str, ...] = (
    "CREATE VIRTUAL TABLE jobs_fts_terms USING fts5vocab(jobs_fts, instance)",
    "CREATE VIRTUAL TABLE program_fts_terms USING fts5vocab(program_fts, instance)",
    f"CREATE INDEX jobs_two_characters ON jobs(seq) WHERE {TWO_CHARACTER_CONDITION}",
    f"CREATE INDEX programs_tiny ON programs(id) WHERE {TINY_PROGRAM_CONDITION}",
)

MIGRATIONS: tuple[tuple[Step, ...], ...] = (_V1, (_migrate_to_v2,), _V3)
SCHEMA_VERSION = len(MIGRATIONS)


class NewerSchemaError(Exception):
    """The file was written by a newer Quantum Desk; carries the version found."""

    def __init__(self, found: int) -> None:
        super().__init__(found)
        self.found = found


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION in one write transaction; returns the version found.

    The connection must be in autocommit mode (isolation_level=None). The version is re-read after
    BEGIN IMMEDIATE so that two processes opening a fresh file at once migrate it only once.
    Foreign keys are off while migrating (a migration may rebuild a table: dropping the old one
    must not cascade) and checked before the commit.
    """
    (found,) = conn.execute("PRAGMA user_version").fetchone()
    if found == SCHEMA_VERSION:
        return int(found)
    if found > SCHEMA_VERSION:
        raise NewerSchemaError(int(found))
    (foreign_keys,) = conn.execute("PRAGMA foreign_keys").fetchone()
    conn.execute("PRAGMA foreign_keys = OFF")  # no effect inside a transaction: set before BEGIN
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            (found,) = conn.execute("PRAGMA user_version").fetchone()
            if found > SCHEMA_VERSION:
                raise NewerSchemaError(int(found))
            for version in range(int(found), SCHEMA_VERSION):
                for step in MIGRATIONS[version]:
                    if isinstance(step, str):
                        conn.execute(step)
                    else:
                        step(conn)
            if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise sqlite3.IntegrityError("a migration left a dangling reference")
            # PRAGMA takes no parameters; SCHEMA_VERSION is our own integer.
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute(f"PRAGMA foreign_keys = {1 if foreign_keys else 0}")
    return int(found)
