"""A two-character text found from the program trigram index gives the LIKE search's jobs; a first
page whose matches are bunched far down the creation order is read from the matches; a count or a
cost total stops when told to."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop_app.core.cancel import Cancelled
from desktop_app.core.ledger.models import JobFilter, JobOrder, new_azure_job_id
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.schema import SCHEMA_VERSION
from desktop_app.core.ledger.search import prefer_order_scan
from desktop_app.core.ledger.store import Ledger

START = datetime(2026, 3, 1, tzinfo=UTC)
# "c;" ends each but the last program (no trigram starts there), "Q[" is inside all of them,
# "é" follows "c;" in one (not an ASCII follower), "zq" is in none
PROGRAMS = (
    "OPENQASM 2.0;\nqreg q[2];\ncreg c[2];\nmeasure q -> c;",
    "OPENQASM 2.0;\nqreg Q[1];\nmeasure Q -> C;\n",
    "OPENQASM 2.0;\nqreg q[3];\n// c;é\nh q[0];",
    "OPENQASM 2.0;\nqreg q[4];\nx q[1];",
)


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    path = tmp_path_factory.mktemp("short") / "ledger.sqlite3"
    with open_ledger(path) as opened:
        with opened.transaction():
            for i in range(60):
                opened.create_job(
                    backend=("local.simulator", "ionq.simulator")[i % 2],
                    program=PROGRAMS[i % len(PROGRAMS)],
                    shots=100,
                    name=f"run {i} " + ("ZQ" if i == 7 else "bell"),
                    tags=["lab"] if i % 3 == 0 else [],
                    azure_job_id=new_azure_job_id() if i % 2 else None,
                    status="Succeeded",
                    created_at=START + timedelta(minutes=i),
                )
        yield opened


def _like(ledger: Ledger, text: str) -> list[str]:
    """LIKE '%text%' over the searched columns and the program text, as schema 1 asked it."""
    wanted = _ascii_lower(text)
    found = []
    for row in ledger.page(limit=None):
        record = ledger.get(row.id)
        fields = [record.name, record.backend, json.dumps(list(record.tags))]
        fields += [record.id, record.azure_job_id or "", record.profile or "", record.program]
        if any(wanted in _ascii_lower(f or "") for f in fields):
            found.append(row.id)
    return found


def _assert_found_as_like_finds(ledger: Ledger, text: str, cap: int, page: int) -> list[str]:
    """Every way of reading the jobs matching `text` gives LIKE's jobs: all of them, the count,
    the count capped at `cap`, a first keyset page of `page` rows. Returns LIKE's job ids."""
    expected = _like(ledger, text)
    flt = JobFilter(text=text)
    assert [r.id for r in ledger.page(flt, limit=None)] == expected
    assert ledger.count(flt) == len(expected)
    assert ledger.count(flt, cap=cap) == min(len(expected), cap + 1)
    assert [r.id for r in ledger.page_after(flt, JobOrder(), None, page).rows] == expected[:page]
    return expected


@pytest.mark.parametrize("text", ["c;", "C;", "Q[", "q[", ";\n", "zq", "ZQ", "é", "c", "m;"])
def test_a_two_character_substring_gives_the_like_search_jobs(ledger: Ledger, text: str) -> None:
    _assert_found_as_like_finds(ledger, text, cap=10, page=25)


def test_a_text_at_the_very_end_of_a_program_is_found(ledger: Ledger) -> None:
    """'c;' ends the first program: no trigram starts there, the LIKE on it finds it."""
    ids = {r.id for r in ledger.page(JobFilter(text="c;"), limit=None)}
    first_program = {
        r.id for r in ledger.page(limit=None) if ledger.get(r.id).program == PROGRAMS[0]
    }
    assert first_program and first_program <= ids


def test_a_first_page_of_matches_bunched_at_the_old_end_is_read_from_the_matches(
    tmp_path: Path,
) -> None:
    with open_ledger(tmp_path / "ledger.sqlite3") as bunched:
        with bunched.transaction():
            for i in range(1000):  # the oldest 30 are the matches
                bunched.create_job(
                    backend="local.simulator",
                    program="OPENQASM 2.0;\nqreg q[1];",
                    shots=10,
                    name=f"needle {i}" if i < 30 else f"hay {i}",
                    status="Succeeded",
                    created_at=START + timedelta(seconds=i),
                )
        with bunched._use() as conn:
            assert prefer_order_scan(conn, "needle", 5)  # many matches: an order scan, unless
            assert not prefer_order_scan(conn, "needle", 5, from_end=True)  # newest first
            assert prefer_order_scan(conn, "needle", 5, from_end=False)  # oldest first: near
        flt = JobFilter(text="needle")
        page = bunched.page_after(flt, JobOrder(), None, 5).rows
        assert [r.name for r in page] == [f"needle {i}" for i in range(29, 24, -1)]


def test_a_count_or_a_cost_total_stops_when_cancelled(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.core.ledger import search

    monkeypatch.setattr(search, "CANCEL_CHECK_STEPS", 1)  # looked at from the first step on
    for flt in (JobFilter(), JobFilter(text="bell"), JobFilter(text="c;")):
        asked: list[bool] = []

        def after_a_while(asked: list[bool] = asked) -> bool:  # cancelled while it runs
            asked.append(True)
            return len(asked) > 3

        with pytest.raises(Cancelled):
            ledger.count(flt, cancelled=after_a_while)
        assert len(asked) > 3
        assert ledger.count(flt, cancelled=lambda: False) == ledger.count(flt)
        assert ledger.cost_totals(flt, cancelled=lambda: False) == ledger.cost_totals(flt)
        with pytest.raises(Cancelled):
            ledger.count(flt, cancelled=lambda: True)
        with pytest.raises(Cancelled):
            ledger.cost_totals(flt, cancelled=lambda: True)
    assert ledger.count() == 60  # the connection is usable after


# texts in the last two characters of a column, a whole column of two, followed by a non-ASCII
# character, in either case; "jw" is in a few jobs only, "qq" in none
MIXED_PROGRAMS = (
    "OPENQASM 2.0;\nqreg q[1];\n// jw",  # at the very end
    "jW",  # the whole program: no trigram at all
    "OPENQASM 2.0;\n// JWé\nqreg q[1];",  # followed by a non-ASCII character
    "OPENQASM 2.0;\n// éjw",  # preceded by one, at the end
    "OPENQASM 2.0;\nqreg q[5];",
)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    path = tmp_path_factory.mktemp("mixed") / "ledger.sqlite3"
    names = ["jw", "run jw", "Jwé run", "ñjw", "x", "", "plain", "K9 first", "ends k9"]
    with open_ledger(path) as opened:
        with opened.transaction():
            for i in range(45):
                opened.create_job(
                    backend=("local.simulator", "ionq.simulator", "ab")[i % 3],
                    program=MIXED_PROGRAMS[i % len(MIXED_PROGRAMS)] if i < 40 else "x q;",
                    shots=10,
                    name=names[i % len(names)] if i < 36 else f"job {i}",
                    profile=("Jw", "lab-jw", None, "zz")[i % 4],
                    tags=(["jw"], ["a", "Tjw"], [], ["jw-é"])[i % 4] if i < 30 else ["t"],
                    azure_job_id=new_azure_job_id() if i % 2 else None,
                    status="Succeeded",
                    created_at=START + timedelta(minutes=i),
                )
        yield opened


def _texts_of(ledger: Ledger) -> list[str]:
    """Two-character texts at the ends and in the middle of some jobs' ids and Azure ids."""
    rows = ledger.page(limit=None)
    texts = [rows[3].id[-2:], rows[3].id[:2], rows[5].id[14:16].upper()]
    azure = [r.azure_job_id for r in rows if r.azure_job_id]
    return [*texts, azure[0][-2:].upper(), azure[1][9:11]]


@pytest.mark.parametrize(
    "text", ["jw", "JW", "jW", "k9", "K9", "ab", "zz", "qq", "w]", '"]', "[]", "é", "x", "q;", "2."]
)
def test_rare_and_absent_two_character_texts_give_the_like_search_jobs(
    mixed: Ledger, text: str
) -> None:
    expected = _assert_found_as_like_finds(mixed, text, cap=3, page=5)
    flt = JobFilter(text=text)
    by_name = JobOrder("name", descending=False)
    names = [r.id for r in mixed.page_after(flt, by_name, None, 100).rows]
    assert sorted(names) == sorted(expected)


def test_two_characters_of_an_id_at_its_end_or_inside_give_the_like_search_jobs(
    mixed: Ledger,
) -> None:
    for text in _texts_of(mixed):
        expected = _like(mixed, text)
        assert expected, text  # each is in some id
        flt = JobFilter(text=text)
        assert [r.id for r in mixed.page(flt, limit=None)] == expected, text
        assert mixed.count(flt, cap=2) == min(len(expected), 3), text


def test_the_rare_text_is_found_in_each_place_it_is(mixed: Ledger) -> None:
    """'jw' ends a name, is a whole name, a whole profile, inside a tag and ends a program: each
    of those jobs, whatever else it holds, is found."""
    found = {r.id for r in mixed.page(JobFilter(text="jw"), limit=None)}
    for row in mixed.page(limit=None):
        record = mixed.get(row.id)
        places = [record.name.lower(), (record.profile or "").lower(), record.program.lower()]
        places += [t.lower() for t in record.tags]
        if any("jw" in p for p in places):
            assert row.id in found
    only_at_end = [
        r.id for r in mixed.page(limit=None) if mixed.get(r.id).program == MIXED_PROGRAMS[0]
    ]
    assert only_at_end and set(only_at_end) <= found


def test_a_schema_2_ledger_is_migrated_and_then_finds_two_character_texts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite3"
    with open_ledger(path) as made:
        for i, program in enumerate(MIXED_PROGRAMS):
            made.create_job(
                backend="local.simulator", program=program, shots=1, name=f"n{i} jw"[: 2 + i]
            )
    conn = sqlite3.connect(path, isolation_level=None)
    try:  # back to the file as schema 2 left it
        for table in ("jobs_fts_terms", "program_fts_terms"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DROP INDEX jobs_two_characters")
        conn.execute("DROP INDEX programs_tiny")
        conn.execute("PRAGMA user_version = 2")
    finally:
        conn.close()
    with pytest.raises(sqlite3.OperationalError):  # the search needs what schema 3 adds
        _raw_two_character_search(path)
    with open_ledger(path) as migrated:
        flt = JobFilter(text="JW")
        assert [r.id for r in migrated.page(flt, limit=None)] == _like(migrated, "JW")
        assert migrated.count(flt) == len(_like(migrated, "JW")) == 5
    _raw_two_character_search(path)


def _raw_two_character_search(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("SELECT COUNT(*) FROM jobs_fts_terms WHERE term >= 'jw' AND term < 'jx'")
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        assert version == SCHEMA_VERSION
    finally:
        conn.close()


def test_a_text_after_a_character_new_to_the_ledger_is_found_by_every_connection(
    tmp_path: Path,
) -> None:
    """The first characters of the terms, remembered per connection, are sought again once the
    file changed: by this connection or by another one."""
    path = tmp_path / "ledger.sqlite3"
    program = "OPENQASM 2.0;\nqreg q[1];"
    with open_ledger(path) as here, open_ledger(path) as there:
        here.create_job(backend="local.simulator", program=program, shots=1, name="plain")
        for ledger in (here, there):
            assert ledger.count(JobFilter(text="qx")) == 0
            assert ledger.page_after(JobFilter(text="qx")).rows == []
        here.create_job(backend="local.simulator", program=program, shots=1, name="run Ωqx")
        assert here.count(JobFilter(text="qx")) == 1  # its own write
        there.create_job(backend="local.simulator", program=program + "\n// ∆qx", shots=1)
        for ledger in (here, there):
            flt = JobFilter(text="QX")
            assert ledger.count(flt) == len(_like(ledger, "QX")) == 2
            assert ledger.count(flt, cap=5) == 2
            assert len(ledger.page_after(flt).rows) == 2


def test_characters_the_tokenizer_folds_to_k_or_s_are_not_taken_for_them(tmp_path: Path) -> None:
    """KELVIN SIGN and LONG S fold to "k" and "s" in the trigram index; LIKE keeps them apart."""
    with open_ledger(tmp_path / "ledger.sqlite3") as ledger:
        for program in ("OPENQASM 2.0;\n// \u212a; \u017fx", "OPENQASM 2.0;\n// k; sx"):
            ledger.create_job(backend="local.simulator", program=program, shots=1)
        for text in ("k;", "K;", "sx", "SX"):
            expected = _like(ledger, text)
            assert len(expected) == 1, text
            assert [r.id for r in ledger.page(JobFilter(text=text), limit=None)] == expected
            assert ledger.count(JobFilter(text=text), cap=5) == 1
