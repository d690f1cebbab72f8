"""A two-character text found from the program trigram index gives the LIKE search's jobs; a first
page whose matches are bunched far down the creation order is read from the matches; a count or a
cost total stops when told to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop_app.core.cancel import Cancelled
from desktop_app.core.ledger.models import JobFilter, JobOrder, new_azure_job_id
from desktop_app.core.ledger.recovery import open_ledger
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


@pytest.mark.parametrize("text", ["c;", "C;", "Q[", "q[", ";\n", "zq", "ZQ", "é", "c", "m;"])
def test_a_two_character_substring_gives_the_like_search_jobs(ledger: Ledger, text: str) -> None:
    expected = _like(ledger, text)
    flt = JobFilter(text=text)
    assert [r.id for r in ledger.page(flt, limit=None)] == expected
    assert ledger.count(flt) == len(expected)
    assert ledger.count(flt, cap=10) == min(len(expected), 11)
    assert [r.id for r in ledger.page_after(flt, JobOrder(), None, 25).rows] == expected[:25]


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
