"""Ledger text search (FTS5 trigram, schema 2) gives exactly the jobs the LIKE search of schema 1
gave, and keyset pages cover every row once in every sort order."""

from __future__ import annotations

import random
import sqlite3
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.ledger import reads as ledger_reads
from desktop_app.core.ledger.models import (
    SORT_COLUMNS,
    JobFilter,
    JobOrder,
    new_azure_job_id,
)
from desktop_app.core.ledger.paging import PageKey
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.rows import dumps, like_pattern
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import RunResult

WORDS = ("bell", "GHZ", "qft", "Grover", "teleport", "Straße", "Ünïcode", "café", "x_y", "50%")
BACKENDS = ("local.simulator", "ionq.simulator", "rigetti.sim.qvm", "quantinuum.sim.h2-1e")
GATES = ("h", "x", "sx", "rz(0.25)", "cx", "ccx")
# texts FTS5 would read as syntax, or that LIKE would read as wildcards
AWKWARD = ('"', '""', "'", "%", "_", "\\", "AND", "OR", "NOT", "NEAR(", "*", "^", "a:b", "(", ")")


def _program(rng: random.Random, i: int) -> str:
    n = rng.randint(2, 5)
    lines = [f"{rng.choice(GATES)} q[{rng.randrange(n)}];" for _ in range(rng.randint(1, 6))]
    comment = f"// {rng.choice(WORDS)} {i % 7}\n" if rng.random() < 0.5 else ""
    return f'OPENQASM 2.0;\ninclude "qelib1.inc";\n{comment}qreg q[{n}];\n' + "\n".join(lines)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    rng = random.Random(16)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    programs = [_program(rng, i) for i in range(40)]  # shared by many jobs: deduplicated
    path = tmp_path_factory.mktemp("search") / "ledger.sqlite3"
    with open_ledger(path) as ledger:
        with ledger.transaction():
            for i in range(400):
                backend = rng.choice(BACKENDS)
                name = " ".join(rng.sample(WORDS, k=rng.randint(0, 3)))
                job_id = ledger.create_job(
                    backend=backend,
                    program=rng.choice(programs) if i % 5 else _program(rng, 1000 + i),
                    shots=rng.choice((10, 100, 100, 1000)),
                    name=name if rng.random() < 0.8 else name.upper(),
                    tags=rng.sample(("week1", "Lab", "thesis", "50%", "a_b"), k=rng.randint(0, 2)),
                    profile=rng.choice((None, "lab", "Own-SP")),
                    azure_job_id=None if backend == "local.simulator" else new_azure_job_id(),
                    status="Waiting",
                    created_at=start + timedelta(minutes=rng.randrange(300)),  # ties
                )
                if i % 3 == 0:
                    ledger.mark_submitted(job_id, at=start + timedelta(hours=rng.randrange(5)))
                if i % 4 == 0:
                    ledger.record_result(job_id, RunResult.from_counts(backend, {"0": 1}))
        yield ledger


@pytest.fixture(scope="module")
def reference(filled: Ledger) -> Iterator[sqlite3.Connection]:
    """A plain table holding what the ledger holds, in the ledger's default order."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE ref (seq, name, backend, tags, id, azure_job_id, profile, program)")
    for seq, row in enumerate(filled.page(limit=None)):
        record = filled.get(row.id)
        conn.execute(
            "INSERT INTO ref VALUES (?,?,?,?,?,?,?,?)",
            (
                seq,
                record.name,
                record.backend,
                dumps(list(record.tags)),
                record.id,
                record.azure_job_id,
                record.profile,
                record.program,
            ),
        )
    yield conn
    conn.close()


def _like_reference(reference: sqlite3.Connection, text: str) -> list[str]:
    """Schema 1's search: SQLite LIKE over the same columns and the program text."""
    columns = ("name", "backend", "tags", "id", "azure_job_id", "profile", "program")
    matches = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns)
    rows = reference.execute(
        f"SELECT id FROM ref WHERE {matches} ORDER BY seq", [like_pattern(text)] * len(columns)
    ).fetchall()
    return [r[0] for r in rows]


def _queries(ledger: Ledger) -> list[str]:
    """Substrings of what the ledger holds (1 to 12 characters, case changed at random), words
    that are not there, and the awkward ones."""
    rng = random.Random(7)
    haystacks: list[str] = []
    for row in ledger.page(limit=60):
        record = ledger.get(row.id)
        haystacks += [record.name, record.backend, record.id, record.azure_job_id or ""]
        haystacks += [record.program, *record.tags, record.profile or ""]
    queries: list[str] = []
    for _ in range(150):
        hay = rng.choice([h for h in haystacks if h])
        size = rng.randint(1, min(12, len(hay)))
        begin = rng.randrange(len(hay) - size + 1)
        piece = hay[begin : begin + size]
        queries.append("".join(c.swapcase() if rng.random() < 0.3 else c for c in piece))
    queries += ["zzzz-none", "qreg q[3]", "measure", "h q[", "STRASSE", "straße", "ÜNÏCODE"]
    queries += ["ünïcode", "CAFÉ", "Café", "x_y", "50%", "5", "ß", "é", *AWKWARD]
    queries += [string.ascii_letters, "  ghz  ", 'lab"', "cx q[0]"]
    return queries


def test_text_search_equals_the_like_search(filled: Ledger, reference: sqlite3.Connection) -> None:
    for text in _queries(filled):
        expected = _like_reference(reference, text.strip())
        got = [r.id for r in filled.page(JobFilter(text=text), limit=None)]
        assert got == expected, text
        assert filled.count(JobFilter(text=text)) == len(expected), text


def test_text_search_combines_with_the_other_filters(
    filled: Ledger, reference: sqlite3.Connection
) -> None:
    flt = JobFilter(text="ghz", backends=("ionq.simulator",), statuses=("Waiting",))
    expected = [
        r.id
        for r in filled.page(JobFilter(backends=flt.backends, statuses=flt.statuses), limit=None)
        if r.id in set(_like_reference(reference, "ghz"))
    ]
    assert expected  # the data has such jobs
    assert [r.id for r in filled.page(flt, limit=None)] == expected


def test_a_rename_or_new_tags_are_found_at_once(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "ledger.sqlite3") as ledger:
        job_id = ledger.create_job(backend="local.simulator", program="OPENQASM 2.0;", shots=1)
        assert ledger.count(JobFilter(text="Dijkstra")) == 0
        ledger.rename(job_id, "dijkstra check")
        ledger.set_tags(job_id, ["Hamming"])
        assert [r.id for r in ledger.page(JobFilter(text="DIJKSTRA"))] == [job_id]
        assert ledger.count(JobFilter(text="hamming")) == 1
        ledger.rename(job_id, "other")
        assert ledger.count(JobFilter(text="dijkstra")) == 0
        assert ledger.count(JobFilter(text=job_id[9:20].upper())) == 1  # an id, any case


def _all_ids(ledger: Ledger, flt: JobFilter, order: JobOrder) -> list[str]:
    return [r.id for r in ledger.page(flt, order, limit=None)]


@pytest.mark.parametrize("column", sorted(SORT_COLUMNS))
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_cover_every_row_once(filled: Ledger, column: str, descending: bool) -> None:
    order = JobOrder(column, descending)  # type: ignore[arg-type]
    for flt in (JobFilter(), JobFilter(statuses=("Succeeded",)), JobFilter(text="e")):
        expected = _all_ids(filled, flt, order)
        assert len(expected) == filled.count(flt)
        for size in (3, 64):
            forward: list[str] = []
            key: PageKey | None = None
            while True:
                page = filled.page_after(flt, order, key, size)
                forward += [r.id for r in page.rows]
                if page.at_end:
                    break
                key = page.last
            assert forward == expected, (column, descending, flt, size)
            backward: list[str] = []
            key = None
            while True:
                page = filled.page_before(flt, order, key, size)
                backward = [r.id for r in page.rows] + backward
                if page.at_end:
                    break
                key = page.first
            assert backward == expected, (column, descending, flt, size)


def test_values_tie_and_nulls_in_the_sorted_columns(filled: Ledger) -> None:
    rows = filled.page(limit=None)
    assert len({r.created_at for r in rows}) < len(rows)  # ties to break
    assert any(r.submitted_at is None for r in rows)
    assert any(r.submitted_at is not None for r in rows)


def test_offset_pages_read_from_the_far_end_equal_the_plain_ones(
    filled: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_reads, "_FAR_OFFSET", 5)
    for order in (JobOrder(), JobOrder("name", False), JobOrder("completed_at", True)):
        everything = _all_ids(filled, JobFilter(), order)
        for offset in (0, 6, 150, 333, 390, 399, 400, 450):
            for limit in (1, 10, 200):
                got = [r.id for r in filled.page(None, order, offset, limit)]
                assert got == everything[offset : offset + limit], (order, offset, limit)


def test_unfinished_jobs_are_the_open_ones_oldest_first(filled: Ledger) -> None:
    open_ones = [
        r.id
        for r in filled.page(order=JobOrder("created_at", False), limit=None)
        if r.status in ("Submitting", "Waiting", "Executing")
    ]
    assert open_ones
    assert [r.id for r in filled.unfinished_jobs()] == open_ones


@pytest.mark.parametrize("in_order", [False, True])
def test_both_search_plans_give_the_same_pages(
    filled: Ledger, monkeypatch: pytest.MonkeyPatch, in_order: bool
) -> None:
    """A page of a text search is read from the index matches or in sort order, whichever is
    cheaper; both give the rows of the full list."""
    monkeypatch.setattr(ledger_reads, "prefer_order_scan", lambda *_args: in_order)
    for text in ("qelib1", "ghz", "Lab", "q[1]", "zzzz-none"):
        flt = JobFilter(text=text)
        for order in (JobOrder(), JobOrder("name", False), JobOrder("submitted_at", True)):
            everything = _all_ids(filled, flt, order)
            assert [r.id for r in filled.page(flt, order, 0, 50)] == everything[:50]
            assert [r.id for r in filled.page(flt, order, 30, 50)] == everything[30:80]
            first = filled.page_after(flt, order, None, 40)
            assert [r.id for r in first.rows] == everything[:40]
            if first.last is not None:
                after = filled.page_after(flt, order, first.last, 40).rows
                assert [r.id for r in after] == everything[40:80]


def test_the_order_scan_is_chosen_when_many_jobs_match(filled: Ledger) -> None:
    from desktop_app.core.ledger.search import prefer_order_scan

    with filled._use() as conn:
        assert prefer_order_scan(conn, "qelib1", 20)  # every job
        assert not prefer_order_scan(conn, "zzzz-none", 20)
        assert not prefer_order_scan(conn, "q", 20)  # no trigram: LIKE either way


def _prefix_reference(reference: sqlite3.Connection, text: str) -> list[str]:
    """A short text as the jobs view asks for it: LIKE 'text%' over the name, backend and ids."""
    columns = ("name", "backend", "id", "azure_job_id")
    matches = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns)
    pattern = like_pattern(text)[1:]
    rows = reference.execute(
        f"SELECT id FROM ref WHERE {matches} ORDER BY seq", [pattern] * len(columns)
    ).fetchall()
    return [r[0] for r in rows]


def _short_queries(ledger: Ledger) -> list[str]:
    starts = [t[:n] for t in _queries(ledger) for n in (1, 2) if t.strip()]
    return [*dict.fromkeys([*starts, "gR", "Gh", "ST", "Ü", "ün", "é", "\U0010ffff", "\ud7ff"])]


def test_a_short_prefix_search_equals_the_like_prefix_search(
    filled: Ledger, reference: sqlite3.Connection
) -> None:
    found = 0
    for text in _short_queries(filled):
        expected = _prefix_reference(reference, text.strip())
        flt = JobFilter(text=text, short_text="prefix")
        assert [r.id for r in filled.page(flt, limit=None)] == expected, text
        assert filled.count(flt) == len(expected), text
        assert filled.count(flt, cap=3) == min(len(expected), 4), text
        found += bool(expected)
    assert found > 20  # most of them match something


@pytest.mark.parametrize("in_order", [False, True])
def test_both_plans_of_a_prefix_search_give_the_same_pages(
    filled: Ledger, monkeypatch: pytest.MonkeyPatch, in_order: bool
) -> None:
    monkeypatch.setattr(ledger_reads, "prefer_order_scan", lambda *_args: in_order)
    for text in ("gh", "G", "i", "1", "%", "zz"):
        flt = JobFilter(text=text, short_text="prefix")
        for order in (JobOrder(), JobOrder("name", False)):
            everything = _all_ids(filled, flt, order)
            first = filled.page_after(flt, order, None, 30)
            assert [r.id for r in first.rows] == everything[:30], (text, order)
            if first.last is not None:
                after = filled.page_after(flt, order, first.last, 30).rows
                assert [r.id for r in after] == everything[30:60], (text, order)


def test_a_capped_count_stops_past_the_cap_and_is_exact_below_it(
    filled: Ledger, reference: sqlite3.Connection
) -> None:
    for text in _queries(filled)[::3]:
        exact = len(_like_reference(reference, text.strip()))
        for cap in (0, 1, 7, 60, 10_000):
            assert filled.count(JobFilter(text=text), cap=cap) == min(exact, cap + 1), (text, cap)
    flt = JobFilter(text="ghz", backends=("ionq.simulator",), statuses=("Waiting",))
    exact = filled.count(flt)
    assert 0 < exact == filled.count(flt, cap=exact) < filled.count(JobFilter(text="ghz"))
    assert filled.count(flt, cap=exact - 1) == exact
    assert filled.count(JobFilter(), cap=10) == 11
    assert filled.count(JobFilter(statuses=("Succeeded",)), cap=10_000) == filled.count(
        JobFilter(statuses=("Succeeded",))
    )


def test_id_fragments_are_found_in_any_case(filled: Ledger, reference: sqlite3.Connection) -> None:
    rows = filled.page(limit=None)
    for row in rows[::37]:
        for ref in (row.id, row.azure_job_id or row.id):
            for piece in (ref[:3], ref[:8], ref[9:23], ref[-5:], ref[4:30].upper()):
                flt = JobFilter(text=piece)
                expected = _like_reference(reference, piece)
                assert row.id in expected
                assert [r.id for r in filled.page(flt, limit=None)] == expected, piece
                assert filled.count(flt, cap=2) == min(len(expected), 3), piece


def test_an_order_scan_past_its_budget_reads_the_page_from_the_matches(
    filled: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matches bunched far down the order make the order scan long: it is cut off at its budget
    (here at its first look) and the page read from the matches, the same rows."""
    from desktop_app.core.ledger import search

    monkeypatch.setattr(ledger_reads, "prefer_order_scan", lambda *_args: True)
    monkeypatch.setattr(search, "ORDER_SCAN_BUDGET", 0)
    cut: list[bool] = []
    original = search.within_budget

    def recorded(conn: sqlite3.Connection, call: Any) -> Any:
        answer = original(conn, call)
        cut.append(answer is None)
        return answer

    monkeypatch.setattr(ledger_reads, "within_budget", recorded)
    for flt in (JobFilter(text="qelib1"), JobFilter(text="gh", short_text="prefix")):
        for order in (JobOrder(), JobOrder("name", False)):
            everything = _all_ids(filled, flt, order)
            first = filled.page_after(flt, order, None, 40)
            assert [r.id for r in first.rows] == everything[:40]
            assert first.last is not None
            after = filled.page_after(flt, order, first.last, 40).rows
            assert [r.id for r in after] == everything[40:80]
    # a read of under 1,000 SQLite steps ends before the first look at the budget: not cut
    assert any(cut)
