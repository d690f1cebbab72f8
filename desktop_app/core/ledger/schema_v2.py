"""Ledger schema 2 (issue 16, a ledger of a million jobs) and the migration from schema 1.

What changes, and why:
- Programs are stored once per distinct text (`programs`, keyed by SHA-256) and compressed
  (core.ledger.packing); jobs point at them. Raw and normalized results are compressed, and the
  counts live only inside the normalized result (schema 1 kept them twice).
- Times are integers (microseconds since 1970 UTC), the version set recorded with each job is
  stored once per distinct set (`version_sets`), and the side tables point at a job by its integer
  `seq` instead of repeating its 36-character id: together most of a job's bytes in schema 1.
  The status history is clustered by job (WITHOUT ROWID, key (job, id)): no separate index.
- Text search: FTS5 trigram indexes, so that a substring search reads an index instead of every
  row. `jobs_fts` (names, backend, tags, ids, profile) is external-content on `jobs`, kept in step
  by triggers, with detail=none and columnsize=0 (row ids only: a fifth of the full index); it
  finds candidates and the LIKE it stands in for decides. `program_fts` is contentless (the text
  is only in `programs`, compressed) with full detail, so that a phrase query answers a substring
  search by itself.
- An index per sortable column (keyset pages, core.ledger.paging; backend and status are sorted
  with the (column, created_at) indexes that also serve filtering by them) and a partial index of
  the unfinished jobs (start-up reconciliation reads only those).

Needs SQLite 3.34 (trigram tokenizer): Python's own on Windows and macOS, and the system SQLite of
every Linux the app supports (Ubuntu 22.04: 3.37, Debian 12: 3.40, RHEL 9: 3.34).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from desktop_app.core.ledger.packing import pack, pack_result, pack_text

UNFINISHED_STATUSES = ("Submitting", "Waiting", "Executing")  # JobStatus values not final
# the partial index's condition; a query must spell it the same way for SQLite to use the index
UNFINISHED_CONDITION = "status IN ('Submitting', 'Waiting', 'Executing')"

# one expression per schema-1 ISO text time -> microseconds (exact: the text is fixed-width,
# 'YYYY-MM-DDTHH:MM:SS.ffffffZ')
_US = (
    "(CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER) * 1000000 "
    "+ CAST(substr({0}, 21, 6) AS INTEGER))"
)

_TABLES = (
    """
    CREATE TABLE programs (
        id      INTEGER PRIMARY KEY,
        sha256  BLOB NOT NULL UNIQUE,
        body    BLOB NOT NULL
    )
    """,
    """
    CREATE TABLE version_sets (
        id      INTEGER PRIMARY KEY,
        body    TEXT NOT NULL UNIQUE
    )
    """,
    """
    CREATE TABLE jobs_v2 (
        seq             INTEGER PRIMARY KEY,
        id              TEXT NOT NULL UNIQUE,
        azure_job_id    TEXT UNIQUE,
        name            TEXT NOT NULL DEFAULT '',
        backend         TEXT NOT NULL,
        profile         TEXT,
        program_id      INTEGER NOT NULL REFERENCES programs(id),
        program_path    TEXT,
        shots           INTEGER NOT NULL,
        options         TEXT NOT NULL DEFAULT '{}',
        status          TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        submitted_at    INTEGER,
        completed_at    INTEGER,
        updated_at      INTEGER NOT NULL,
        error_code      TEXT,
        error_message   TEXT,
        estimated_cost  TEXT,
        billed_cost     TEXT,
        versions_id     INTEGER REFERENCES version_sets(id),
        tags            TEXT NOT NULL DEFAULT '[]',
        has_result      INTEGER NOT NULL DEFAULT 0
    )
    """,
    """
    CREATE TABLE job_results_v2 (
        job         INTEGER PRIMARY KEY REFERENCES jobs(seq) ON DELETE CASCADE,
        raw         BLOB,
        raw_type    TEXT,
        result      BLOB
    )
    """,
    """
    CREATE TABLE status_history_v2 (
        job     INTEGER NOT NULL REFERENCES jobs(seq) ON DELETE CASCADE,
        id      INTEGER NOT NULL,
        status  TEXT NOT NULL,
        at      INTEGER NOT NULL,
        detail  TEXT,
        PRIMARY KEY (job, id)
    ) WITHOUT ROWID
    """,
    # rowid = programs.id
    "CREATE VIRTUAL TABLE program_fts USING fts5(program, content='', tokenize='trigram')",
)

_FTS_COLUMNS = "name, backend, tags, id, azure_job_id, profile"

_INDEXES = (
    "CREATE INDEX jobs_created ON jobs(created_at)",
    "CREATE INDEX jobs_submitted ON jobs(submitted_at)",
    "CREATE INDEX jobs_completed ON jobs(completed_at)",
    "CREATE INDEX jobs_updated ON jobs(updated_at)",
    "CREATE INDEX jobs_name ON jobs(name)",
    "CREATE INDEX jobs_shots ON jobs(shots)",
    "CREATE INDEX jobs_backend_created ON jobs(backend, created_at)",
    "CREATE INDEX jobs_status_created ON jobs(status, created_at)",
    "CREATE INDEX jobs_program ON jobs(program_id)",
    f"CREATE INDEX jobs_unfinished ON jobs(created_at) WHERE {UNFINISHED_CONDITION}",
    f"""
    CREATE VIRTUAL TABLE jobs_fts USING fts5(
        {_FTS_COLUMNS}, content='jobs', content_rowid='seq', tokenize='trigram', detail='none',
        columnsize=0
    )
    """,
    f"""
    CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO jobs_fts (rowid, {_FTS_COLUMNS})
        VALUES (new.seq, new.name, new.backend, new.tags, new.id, new.azure_job_id, new.profile);
    END
    """,
    f"""
    CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
        INSERT INTO jobs_fts (jobs_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.seq, old.name, old.backend, old.tags, old.id, old.azure_job_id,
                old.profile);
    END
    """,
    f"""
    CREATE TRIGGER jobs_fts_update AFTER UPDATE OF {_FTS_COLUMNS} ON jobs BEGIN
        INSERT INTO jobs_fts (jobs_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.seq, old.name, old.backend, old.tags, old.id, old.azure_job_id,
                old.profile);
        INSERT INTO jobs_fts (rowid, {_FTS_COLUMNS})
        VALUES (new.seq, new.name, new.backend, new.tags, new.id, new.azure_job_id, new.profile);
    END
    """,
)


def _copy_programs(conn: sqlite3.Connection) -> None:
    """Each schema-1 job's program into `programs` (once per distinct text) and `program_fts`;
    `_program_of` maps the job's id to it."""
    conn.execute("CREATE TEMP TABLE _program_of (job_id TEXT PRIMARY KEY, program_id INTEGER)")
    known: dict[bytes, int] = {}
    rows = conn.execute(
        "SELECT jobs.id, job_programs.program FROM jobs "
        "LEFT JOIN job_programs ON job_programs.job_id = jobs.id"
    )
    for job_id, program in rows:
        text = program or ""
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        program_id = known.get(digest)
        if program_id is None:
            cursor = conn.execute(
                "INSERT INTO programs (sha256, body) VALUES (?, ?)", (digest, pack_text(text))
            )
            program_id = int(cursor.lastrowid or 0)
            conn.execute(
                "INSERT INTO program_fts (rowid, program) VALUES (?, ?)", (program_id, text)
            )
            known[digest] = program_id
        conn.execute("INSERT INTO _program_of VALUES (?, ?)", (job_id, program_id))


def _copy_results(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT jobs.rowid, r.raw_result, r.raw_result_type, r.counts, r.result "
        "FROM job_results r JOIN jobs ON jobs.id = r.job_id"
    )

    def packed() -> Iterator[tuple[Any, ...]]:
        for seq, raw, raw_type, counts, result in rows:
            if result is None and counts is not None:  # counts alone: keep them as a result would
                result = '{"counts":' + counts + "}"
            yield (
                seq,
                None if raw is None else pack(bytes(raw)),
                raw_type,
                None if result is None else pack_result(json.loads(result)),
            )

    conn.executemany(
        "INSERT INTO job_results_v2 (job, raw, raw_type, result) VALUES (?, ?, ?, ?)", packed()
    )


def migrate_to_v2(conn: sqlite3.Connection) -> None:
    """Schema 1 -> 2 inside the caller's write transaction (foreign keys off: the old tables are
    dropped and the new ones renamed into their place, as SQLite's ALTER TABLE guide says)."""
    for statement in _TABLES:
        conn.execute(statement)
    _copy_programs(conn)
    conn.execute("INSERT OR IGNORE INTO version_sets (body) SELECT DISTINCT versions FROM jobs")
    times = {c: _US.format(f"j.{c}") for c in ("created_at", "submitted_at", "completed_at")}
    conn.execute(
        "INSERT INTO jobs_v2 (seq, id, azure_job_id, name, backend, profile, program_id, "
        "program_path, shots, options, status, created_at, submitted_at, completed_at, "
        "updated_at, error_code, error_message, estimated_cost, billed_cost, versions_id, tags, "
        "has_result) "
        "SELECT j.rowid, j.id, j.azure_job_id, j.name, j.backend, j.profile, p.program_id, "
        f"j.program_path, j.shots, j.options, j.status, {times['created_at']}, "
        f"{times['submitted_at']}, {times['completed_at']}, {_US.format('j.updated_at')}, "
        "j.error_code, j.error_message, j.estimated_cost, j.billed_cost, v.id, j.tags, "
        "j.has_result FROM jobs j JOIN _program_of p ON p.job_id = j.id "
        "LEFT JOIN version_sets v ON v.body = j.versions"
    )
    (old_jobs,) = conn.execute("SELECT COUNT(*) FROM jobs").fetchone()
    (new_jobs,) = conn.execute("SELECT COUNT(*) FROM jobs_v2").fetchone()
    if old_jobs != new_jobs:  # never drop a job silently: keep the old file as it is
        raise sqlite3.IntegrityError(f"{old_jobs - new_jobs} jobs could not be carried over")
    _copy_results(conn)
    conn.execute(
        "INSERT INTO status_history_v2 (id, job, status, at, detail) "  # ids stay in order
        f"SELECT h.id, j.rowid, h.status, {_US.format('h.at')}, h.detail "
        "FROM status_history h JOIN jobs j ON j.id = h.job_id"
    )
    for old in ("job_programs", "job_results", "status_history", "jobs"):
        conn.execute(f"DROP TABLE {old}")
    conn.execute("DROP TABLE temp._program_of")
    for new in ("jobs", "job_results", "status_history"):
        conn.execute(f"ALTER TABLE {new}_v2 RENAME TO {new}")
    for statement in _INDEXES:
        conn.execute(statement)
    conn.execute("INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild')")
