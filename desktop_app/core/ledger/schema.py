"""The job ledger's SQLite schema and its forward migrations (`PRAGMA user_version`).

Migration N (index N - 1 in MIGRATIONS) takes a ledger from schema version N - 1 to N. A released
migration is never edited: add a new one. Large per-job data lives in side tables (`job_programs`,
`job_results`) so that paging through `jobs` never reads it and a text search over programs does
not wade through results.
"""

from __future__ import annotations

import sqlite3

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

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
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
    """
    (found,) = conn.execute("PRAGMA user_version").fetchone()
    if found == SCHEMA_VERSION:
        return int(found)
    if found > SCHEMA_VERSION:
        raise NewerSchemaError(int(found))
    conn.execute("BEGIN IMMEDIATE")
    try:
        (found,) = conn.execute("PRAGMA user_version").fetchone()
        if found > SCHEMA_VERSION:
            raise NewerSchemaError(int(found))
        for version in range(int(found), SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
        # PRAGMA takes no parameters; SCHEMA_VERSION is our own integer.
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return int(found)
