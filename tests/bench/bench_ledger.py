"""Ledger at scale (issue 16): 10,000 and 1,000,000 jobs, each figure against a baseline measured
in the same run on the same data.

The baseline is the ledger as it was before schema 2: the same jobs written in schema 1's layout
(one program text per job, results uncompressed with the counts twice, ISO text times) and read
with schema 1's queries (LIKE over the columns and the program text, OFFSET pages, ORDER BY a
column without an index). The app side is the real `Ledger` API on a schema-2 file.

The data is generated with executemany in one transaction per file (the API would take an hour
for a million jobs): a job's program is one of N/50 distinct texts (a program is run on several
backends and again, 50 times on average), 7 of 8 jobs succeeded with a 16-outcome result, and 50
jobs are unfinished (jobs in flight at any moment; the rest finished long ago).

Run: `.venv/bin/python tests/bench/bench_ledger.py [SIZES]` (default `10000,1000000`; the million
takes 2-4 minutes on 2 cores and ~3 GB of temporary disk, mostly the baseline's file; with
QUANTUM_DESK_BENCH_KEEP=<folder> the files are kept there and reused by the next run), or
`.venv/bin/pytest tests/bench/bench_ledger.py -m bench -s` (10,000 only). Prints app, baseline,
ratio, load average and goal per figure; asserts no timing.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.ledger.models import (
    JobFilter,
    JobOrder,
    JobRecord,
    JobRow,
    StatusChange,
    program_sha256,
)
from desktop_app.core.ledger.packing import pack, pack_result, pack_text
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.rows import dumps, like_pattern, loads_opt, parse_ts, row_from_sql
from desktop_app.core.ledger.schema import MIGRATIONS
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import RunResult, to_json_dict

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.bench.figures import meets, record

BACKENDS = (
    "local.simulator",
    "ionq.simulator",
    "ionq.qpu.forte-1",
    "quantinuum.sim.h2-1e",
    "rigetti.sim.qvm",
    "rigetti.qpu.ankaa-3",
)
WORDS = ("bell", "ghz", "qft", "grover")
UNFINISHED = 50
RUNS_PER_PROGRAM = 50
START_US = 1_735_689_600_000_000  # 2025-01-01T00:00:00Z in microseconds
VERSIONS = dumps({"python": "3.11.7", "qiskit": "1.3.0", "quantum-desk": "0.1.0"})
PAGE = 200
# a two-character text in few jobs: the end of every 100,003rd name, inside one tag of the next
# job and in every 5,000th program (about 220 jobs of 1,000,000); "j" is in nothing else
RARE = "jw"
RARE_EVERY = 100_003
CAP = 10_000  # the jobs view's count cap (ui.jobs.model.COUNT_CAP)


@dataclass
class Job:
    """One generated job, in the terms both layouts are written from."""

    seq: int
    id: str
    azure_job_id: str | None
    name: str
    backend: str
    program: int  # index into the program pool
    shots: int
    status: str
    created_us: int
    submitted_us: int | None
    completed_us: int | None
    tags: str
    estimated_cost: str | None
    result: int | None  # index into the result pool


def _program(rng: random.Random, i: int) -> str:
    n = rng.randint(2, 12)
    body = "".join(
        f"{rng.choice(('h', 'x', 'rz(0.5)', 'sx'))} q[{rng.randrange(n)}];\n" for _ in range(30)
    )
    rare = f"// {RARE} check\n" if i % 5_000 == 7 else ""
    return (
        f'OPENQASM 2.0;\ninclude "qelib1.inc";\n// experiment {i}\n{rare}qreg q[{n}];\n'
        f"creg c[{n}];\n{body}measure q -> c;\n"
    )


def _result(rng: random.Random, backend: str) -> tuple[str, bytes]:
    """(normalized result JSON, raw result bytes) of a 4-qubit job."""
    counts = {format(k, "04b"): rng.randint(1, 200) for k in range(16)}
    normalized = dumps(to_json_dict(RunResult.from_counts(backend, counts)))
    raw = json.dumps({"histogram": {str(k): v / 1000 for k, v in enumerate(counts.values())}})
    return normalized, raw.encode()


def _rare_tag(i: int, tags: str) -> str:
    return f'["{RARE}-lab"]' if i % RARE_EVERY == 2 else tags


def _jobs(n: int, rng: random.Random, programs: int, results: int) -> Iterator[Job]:
    tag_sets = ["[]", '["week1"]', '["lab"]', '["thesis"]', '["demo","week2"]', '["lab","thesis"]']
    for i in range(n):
        backend = BACKENDS[i % len(BACKENDS)]
        unfinished = i >= n - UNFINISHED
        roll = rng.random()
        status = (
            ("Waiting", "Executing")[i % 2]
            if unfinished
            else ("Succeeded" if roll < 0.875 else ("Failed" if roll < 0.95 else "Cancelled"))
        )
        created = START_US + i * 60_000_000 + rng.randrange(1_000_000)
        azure = backend != "local.simulator"
        yield Job(
            seq=i + 1,
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            azure_job_id=str(uuid.UUID(int=rng.getrandbits(128), version=1)) if azure else None,
            name=f"run {i} {rng.choice(WORDS)}" + (f" {RARE}" if i % RARE_EVERY == 1 else ""),
            backend=backend,
            program=rng.randrange(programs),
            shots=rng.choice((100, 500, 1000)),
            status=status,
            created_us=created,
            submitted_us=None if status == "Waiting" else created + 5_000_000,
            completed_us=None if unfinished else created + 65_000_000,
            tags=_rare_tag(i, rng.choice(tag_sets)),  # the same draws as without it
            estimated_cost=dumps({"amount": 0.3, "currency": "USD"}) if azure else None,
            result=rng.randrange(results) if status == "Succeeded" else None,
        )


def _iso(us: int | None) -> str | None:
    if us is None:
        return None
    seconds, micro = divmod(us, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{micro:06d}Z"


def _bulk_connection(path: Path) -> sqlite3.Connection:
    """Generation only (the queries then run as the app's): no journal, no fsync."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    return conn


def _drop_indexes(conn: sqlite3.Connection, bulk: bool) -> list[str]:
    """With `bulk`, drop the indexes and triggers (built again after the rows are in: sorting once
    is much faster than inserting into a dozen b-trees row by row); returns their SQL."""
    if not bulk:
        return []
    found = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        "AND sql IS NOT NULL"
    ).fetchall()
    for kind, name, _ in found:
        conn.execute(f"DROP {kind.upper()} {name}")
    return [sql for _, _, sql in found]


def _finish(conn: sqlite3.Connection, definitions: list[str], *, fts: bool) -> None:
    for sql in definitions:
        conn.execute(sql)
    if fts and definitions:
        conn.execute("INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild')")
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")  # as the app keeps it
    conn.close()


def insert_programs(conn: sqlite3.Connection, programs: list[str]) -> None:
    """Schema 2's programs (packed) and their text index, program k at id k + 1."""
    conn.executemany(
        "INSERT INTO programs (id, sha256, body) VALUES (?, ?, ?)",
        (
            (k + 1, bytes.fromhex(program_sha256(text)), pack_text(text))
            for k, text in enumerate(programs)
        ),
    )
    conn.executemany(
        "INSERT INTO program_fts (rowid, program) VALUES (?, ?)",
        ((k + 1, text) for k, text in enumerate(programs)),
    )


def insert_jobs(conn: sqlite3.Connection, jobs: Iterable[Any]) -> None:
    """Schema 2's job rows (every job of version set 1)."""
    conn.executemany(
        "INSERT INTO jobs (seq, id, azure_job_id, name, backend, program_id, shots, status, "
        "created_at, submitted_at, completed_at, updated_at, estimated_cost, versions_id, tags, "
        "has_result) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?)",
        (
            (
                j.seq,
                j.id,
                j.azure_job_id,
                j.name,
                j.backend,
                j.program + 1,
                j.shots,
                j.status,
                j.created_us,
                j.submitted_us,
                j.completed_us,
                j.completed_us or j.created_us,
                j.estimated_cost,
                j.tags,
                int(j.result is not None),
            )
            for j in jobs
        ),
    )


def generate(
    n: int, app_path: Path, base_path: Path, *, distinct: int | None = None, bulk: bool = False
) -> None:
    """The same `n` jobs into a schema-2 file (through its own DDL, opened once by Ledger) and a
    schema-1 file (schema 1's DDL). Rows go in one by one into the indexes (as a ledger grows), or
    with `bulk` the indexes are built after them (minutes instead of half an hour for 1M)."""
    rng = random.Random(16)
    n_programs = distinct or max(20, n // RUNS_PER_PROGRAM)
    programs = [_program(rng, i) for i in range(n_programs)]
    pool = [_result(rng, BACKENDS[k % len(BACKENDS)]) for k in range(1000)]
    jobs = list(_jobs(n, rng, n_programs, len(pool)))
    open_ledger(app_path).close()  # schema 2, empty
    conn = _bulk_connection(app_path)
    conn.execute("BEGIN")
    definitions = _drop_indexes(conn, bulk)
    insert_programs(conn, programs)
    conn.execute("INSERT INTO version_sets (id, body) VALUES (1, ?)", (VERSIONS,))
    insert_jobs(conn, jobs)
    packed = [(pack_result(json.loads(normalized)), pack(raw)) for normalized, raw in pool]
    conn.executemany(
        "INSERT INTO job_results (job, raw, raw_type, result) VALUES (?, ?, 'application/json', ?)",
        ((j.seq, packed[j.result][1], packed[j.result][0]) for j in jobs if j.result is not None),
    )
    conn.executemany(
        "INSERT INTO status_history (job, id, status, at) VALUES (?, ?, ?, ?)",
        (
            (j.seq, n, status, at)
            for j in jobs
            for n, (status, at) in enumerate(
                (("Submitting", j.created_us), (j.status, j.completed_us)), 1
            )
            if at is not None
        ),
    )
    _finish(conn, definitions, fts=True)

    conn = _bulk_connection(base_path)
    conn.execute("BEGIN")
    for statement in MIGRATIONS[0]:
        assert isinstance(statement, str)
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    definitions = _drop_indexes(conn, bulk)
    shas = [program_sha256(text) for text in programs]
    conn.executemany(
        "INSERT INTO jobs (id, azure_job_id, name, backend, program_sha256, shots, status, "
        "created_at, submitted_at, completed_at, updated_at, estimated_cost, versions, tags, "
        "has_result) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            (
                j.id,
                j.azure_job_id,
                j.name,
                j.backend,
                shas[j.program],
                j.shots,
                j.status,
                _iso(j.created_us),
                _iso(j.submitted_us),
                _iso(j.completed_us),
                _iso(j.completed_us or j.created_us),
                j.estimated_cost,
                VERSIONS,
                j.tags,
                int(j.result is not None),
            )
            for j in jobs
        ),
    )
    conn.executemany(
        "INSERT INTO job_programs (job_id, program) VALUES (?, ?)",
        ((j.id, programs[j.program]) for j in jobs),
    )
    conn.executemany(
        "INSERT INTO job_results (job_id, raw_result, raw_result_type, counts, result) "
        "VALUES (?, ?, 'application/json', ?, ?)",
        (
            (
                j.id,
                pool[j.result][1],
                dumps(json.loads(pool[j.result][0])["counts"]),
                pool[j.result][0],
            )
            for j in jobs
            if j.result is not None
        ),
    )
    conn.executemany(
        "INSERT INTO status_history (job_id, status, at) VALUES (?, ?, ?)",
        (
            (j.id, status, _iso(at))
            for j in jobs
            for status, at in (("Submitting", j.created_us), (j.status, j.completed_us))
            if at is not None
        ),
    )
    _finish(conn, definitions, fts=False)


class Baseline:
    """Schema 1's queries and row reading (as core/ledger/store.py did them before schema 2) on a
    schema-1 file: the same JobRow/JobRecord objects come out, so the Python work is the same."""

    COLUMNS = (
        "id, azure_job_id, name, backend, profile, shots, status, created_at, submitted_at, "
        "completed_at, updated_at, error_code, error_message, estimated_cost, billed_cost, tags, "
        "has_result, program_sha256"
    )

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)

    def _text(self, text: str) -> tuple[str, list[Any]]:
        pattern = like_pattern(text)
        columns = ("name", "backend", "tags", "id", "azure_job_id", "profile")
        matches = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns)
        sql = (
            f" WHERE ({matches} OR id IN (SELECT job_id FROM job_programs "
            "WHERE program LIKE ? ESCAPE '\\'))"
        )
        return sql, [pattern] * (len(columns) + 1)

    def _rows(self, sql: str, params: list[Any]) -> list[JobRow]:
        return [JobRow(**row_from_sql(r)) for r in self.conn.execute(sql, params).fetchall()]

    def count(self, text: str = "") -> int:
        where, params = self._text(text) if text else ("", [])
        return int(self.conn.execute(f"SELECT COUNT(*) FROM jobs{where}", params).fetchone()[0])

    def prefix(self, text: str) -> tuple[int, list[JobRow]]:
        """Schema 1 asked the jobs view's short-text question: LIKE 'text%' over the name,
        backend and ids (count, first page)."""
        columns = ("name", "backend", "id", "azure_job_id")
        where = " WHERE " + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns)
        params = [like_pattern(text)[1:]] * len(columns)
        (n,) = self.conn.execute(f"SELECT COUNT(*) FROM jobs{where}", params).fetchone()
        rows = self._rows(
            f"SELECT {self.COLUMNS} FROM jobs{where} ORDER BY created_at DESC, rowid DESC LIMIT ?",
            [*params, PAGE],
        )
        return int(n), rows

    def page(
        self, text: str = "", column: str = "created_at", desc: bool = True, offset: int = 0
    ) -> list[JobRow]:
        where, params = self._text(text) if text else ("", [])
        direction = "DESC" if desc else "ASC"
        return self._rows(
            f"SELECT {self.COLUMNS} FROM jobs{where} ORDER BY {column} {direction}, "
            f"rowid {direction} LIMIT ? OFFSET ?",
            [*params, PAGE, offset],
        )

    def unfinished(self) -> list[JobRow]:
        return self._rows(
            f"SELECT {self.COLUMNS} FROM jobs WHERE status IN (?,?,?) "
            "ORDER BY created_at ASC, rowid ASC",
            ["Submitting", "Waiting", "Executing"],
        )

    def get(self, job_id: str) -> JobRecord:
        row = self.conn.execute(
            f"SELECT {self.COLUMNS}, program_path, options, versions FROM jobs WHERE id = ?",
            (job_id,),
        ).fetchone()
        (program,) = self.conn.execute(
            "SELECT program FROM job_programs WHERE job_id = ?", (job_id,)
        ).fetchone()
        results = self.conn.execute(
            "SELECT raw_result, raw_result_type, counts, result FROM job_results WHERE job_id = ?",
            (job_id,),
        ).fetchone() or (None, None, None, None)
        history = self.conn.execute(
            "SELECT status, at, detail FROM status_history WHERE job_id = ? ORDER BY id",
            (job_id,),
        ).fetchall()
        return JobRecord(
            **row_from_sql(row),
            program_path=row[18],
            options=json.loads(row[19]),
            versions=json.loads(row[20]),
            program=program,
            raw_result=None if results[0] is None else bytes(results[0]),
            raw_result_type=results[1],
            counts=loads_opt(results[2]),
            result=loads_opt(results[3]),
            history=tuple(StatusChange(s, parse_ts(at), d) for s, at, d in history),  # type: ignore[arg-type]
        )


def _median(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    value = fn()  # warm-up: the pages it reads are then in the OS cache, as in a session
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


@dataclass
class Figure:
    label: str
    app: float
    baseline: float | None
    goal: str
    load: float
    unit: str = "ms"


def run_bench(n: int, directory: Path, *, keep: bool = False) -> list[Figure]:
    """The figures at `n` jobs; with `keep` the two files stay in `directory` and a later run
    reuses them (the million takes minutes to generate)."""
    app_path, base_path = directory / f"app-{n}.sqlite3", directory / f"base-{n}.sqlite3"
    started = time.perf_counter()
    if not (keep and app_path.exists() and base_path.exists()):
        generate(n, app_path, base_path, bulk=n > 100_000)
    generated = time.perf_counter() - started
    repeat = 3 if n > 100_000 else 7
    figures: list[Figure] = []

    def measure(
        label: str, app: Callable[[], Any], base: Callable[[], Any] | None, goal: str
    ) -> tuple[Any, Any]:
        app_s, app_value = _median(app, repeat)
        base_s, base_value = _median(base, repeat) if base is not None else (None, None)
        figures.append(Figure(label, app_s, base_s, goal, os.getloadavg()[0]))
        return app_value, base_value

    baseline = Baseline(base_path)
    with open_ledger(app_path) as ledger:
        middle_id = ledger.page(offset=n // 2, limit=1)[0].id
        # what a search shows at once: its count up to CAP ("10,000+") and its first page, as
        # the jobs view asks for them; the exact count follows off the GUI thread (own row)
        for label, text in (
            ("name", f"run {n // 3} "),
            ("program", f"experiment {n // RUNS_PER_PROGRAM // 2}"),
            ("id part", middle_id[9:23].upper()),
            ("1/4 of jobs", "grover"),
            ("2 chars, substring (CLI), common", "c;"),
            ("2 chars, substring (CLI), rare", RARE),
            ("2 chars, substring (CLI), none", "zq"),
        ):
            got, want = measure(
                f"text search, {label} (count to {CAP:,} + page)",
                lambda t=text: _search(ledger, JobFilter(text=t)),  # type: ignore[misc]
                lambda t=text: (baseline.count(t), baseline.page(t)),  # type: ignore[misc]
                "< 50 ms",
            )
            assert got[0] == min(want[0], CAP + 1), (label, got[0], want[0])  # as the LIKE
            assert [r.id for r in got[1]] == [r.id for r in want[1]], label
        for label, text in (("common", "ru"), ("an id start", middle_id[:2]), ("none", "c;")):
            got, want = measure(
                f"text search, 2 chars as the view asks, {label} (count to {CAP:,} + page)",
                lambda t=text: _search(ledger, JobFilter(text=t, short_text="prefix")),  # type: ignore[misc]
                lambda t=text: baseline.prefix(t),  # type: ignore[misc]
                "< 50 ms",
            )
            assert got[0] == min(want[0], CAP + 1), (label, got[0], want[0])
            assert [r.id for r in got[1]] == [r.id for r in want[1]], label
        exact, _ = measure(
            "text search, 1/4 of jobs: exact count (off the GUI thread)",
            lambda: ledger.count(JobFilter(text="grover")),
            lambda: baseline.count("grover"),
            "(none)",
        )
        assert exact == baseline.count("grover")
        rows, base_rows = measure(
            "unfinished_jobs()", ledger.unfinished_jobs, baseline.unfinished, "< 20 ms"
        )
        assert [r.id for r in rows] == [r.id for r in base_rows]
        assert len(rows) == UNFINISHED
        _check_same(
            measure(
                "last page, newest first (keyset)",
                lambda: ledger.page_before(limit=PAGE).rows,
                lambda: baseline.page(offset=n - PAGE),
                "< 20 ms",
            )
        )
        _check_same(
            measure(
                "last page, newest first (page(offset))",
                lambda: ledger.page(offset=n - PAGE),
                lambda: baseline.page(offset=n - PAGE),
                "< 20 ms",
            )
        )
        by_name = JobOrder("name", descending=False)
        _check_same(
            measure(
                "sort by name, first page",
                lambda: ledger.page_after(order=by_name, limit=PAGE).rows,
                lambda: baseline.page(column="name", desc=False),
                "< 20 ms",
            )
        )
        _check_same(
            measure(
                "sort by name, last page",
                lambda: ledger.page_before(order=by_name, limit=PAGE).rows,
                lambda: baseline.page(column="name", desc=False, offset=n - PAGE),
                "< 20 ms",
            )
        )
        key = ledger.page_after(order=by_name, limit=n // 2).last
        _check_same(
            measure(
                "sort by name, next page at the middle (keyset)",
                lambda: ledger.page_after(order=by_name, after=key, limit=PAGE).rows,
                lambda: baseline.page(column="name", desc=False, offset=n // 2),
                "< 20 ms",
            )
        )
        _check_same(
            measure(
                "page(offset) at the middle, newest first",
                lambda: ledger.page(offset=n // 2),
                lambda: baseline.page(offset=n // 2),
                "(none: keyset pages)",
            )
        )
        measure("count()", ledger.count, baseline.count, "(none)")
        measure(
            "get(id), full record",
            lambda: ledger.get(middle_id),
            lambda: baseline.get(middle_id),
            "(none)",
        )
        figures.append(_insert_figure(ledger))
    baseline.conn.close()
    load = os.getloadavg()[0]
    figures.append(
        Figure("ledger file per job", _kb(app_path, n), _kb(base_path, n), "<= 1 KB", load, "KB")
    )
    figures.append(Figure("generating both files (s)", generated, None, "", load, "s"))
    if n <= 100_000:  # the same jobs with every program text distinct, for the worst case
        generate(n, directory / "app-d.sqlite3", directory / "base-d.sqlite3", distinct=n)
        app_kb, base_kb = _kb(directory / "app-d.sqlite3", n), _kb(directory / "base-d.sqlite3", n)
        figures.append(
            Figure("file per job, every program distinct", app_kb, base_kb, "", load, "KB")
        )
    if not keep:
        for path in directory.iterdir():
            path.unlink()
    return figures


def _search(ledger: Ledger, flt: JobFilter) -> tuple[int, list[JobRow]]:
    """A search as the jobs view shows it: the count up to CAP, the first page (keyset)."""
    return ledger.count(flt, cap=CAP), ledger.page_after(flt, limit=PAGE).rows


def _kb(path: Path, n: int) -> float:
    """KB per job of the file's pages in use (free pages, which FTS5 segment merges leave and the
    next writes reuse, not counted; VACUUM would return them)."""
    conn = sqlite3.connect(path)
    try:
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
        (free,) = conn.execute("PRAGMA freelist_count").fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    finally:
        conn.close()
    return float((pages - free) * size / n / 1000)


def _check_same(pair: tuple[Any, Any]) -> None:
    app_rows, base_rows = pair
    assert [r.id for r in app_rows] == [r.id for r in base_rows]


def _insert_figure(ledger: Ledger) -> Figure:
    """create_job + record_result, one commit each (as a run does), into the big file."""
    times = []
    made = []
    for i in range(20):
        started = time.perf_counter()
        job_id = ledger.create_job(
            backend="ionq.simulator", program=_program(random.Random(i), i), shots=100
        )
        ledger.record_result(job_id, RunResult.from_counts("ionq.simulator", {"00": 60, "11": 40}))
        times.append(time.perf_counter() - started)
        made.append(job_id)
    ledger.delete(made)  # the file holds the generated jobs only again (a kept file is reused)
    return Figure(
        "new job + result, one commit each", statistics.median(times), None, "", os.getloadavg()[0]
    )


def report(n: int, figures: list[Figure]) -> None:
    print(f"\nledger, {n:,} jobs (median of repeated runs; baseline = schema 1 and its queries)")
    print(f"  {'figure':48s} {'app':>10s} {'baseline':>10s} {'ratio':>8s} {'load':>5s}  goal")
    for f in figures:
        scale = 1000 if f.unit == "ms" else 1
        app = f"{f.app * scale:.2f} {f.unit}"
        base = "-" if f.baseline is None else f"{f.baseline * scale:.2f} {f.unit}"
        ratio = "-" if f.baseline is None or f.baseline == 0 else f"{f.app / f.baseline:.3f}x"
        print(f"  {f.label:48s} {app:>10s} {base:>10s} {ratio:>8s} {f.load:5.2f}  {f.goal}")
        record(
            f"ledger at {n:,} jobs: {f.label}",
            f.app * scale,
            None if f.baseline is None else f.baseline * scale,
            f.unit,
            f.goal or "-",
            met=meets(f.goal, f.app * scale),
            note="baseline: schema 1",
        )


@pytest.mark.bench
def test_bench_ledger(tmp_path: Path) -> None:
    report(10_000, run_bench(10_000, tmp_path))


if __name__ == "__main__":
    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "10000,1000000").split(",")]
    kept = os.environ.get("QUANTUM_DESK_BENCH_KEEP")  # a folder: generate once, reuse after
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        for size in sizes:
            report(size, run_bench(size, Path(kept), keep=True))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            for size in sizes:
                report(size, run_bench(size, Path(tmp)))
