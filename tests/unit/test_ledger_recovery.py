"""A damaged or locked ledger: a plain message naming the file, and a way out keeping the file."""

from __future__ import annotations

import random
import re
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.ledger.errors import LedgerCorruptError, LedgerError, LedgerLockedError
from desktop_app.core.ledger.recovery import open_ledger

BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n'

# Holds a lock on the ledger from another process until its stdin closes.
_HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    if sys.argv[2] == "exclusive":
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE jobs SET name = 'held' WHERE 0")
    conn.execute("SELECT COUNT(*) FROM jobs").fetchone()
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("COMMIT")
    conn.close()
    """
)


def _garbage(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[str]] = []

    def hold(path: Path, mode: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(path), mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"  # blocks until the lock is held
        return proc

    yield hold
    for proc in procs:
        if proc.poll() is None:
            proc.communicate("\n", timeout=30)


def release(proc: subprocess.Popen[str]) -> None:
    proc.communicate("\n", timeout=30)
    assert proc.returncode == 0


def test_garbage_file_is_refused_then_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    garbage = _garbage(16384, seed=1)
    path.write_bytes(garbage)

    with pytest.raises(LedgerCorruptError) as caught:
        open_ledger(path)
    message = str(caught.value)
    assert str(path) in message and "damaged" in message
    assert "Traceback" not in message
    assert path.read_bytes() == garbage  # untouched without recover

    with open_ledger(path, recover=True) as ledger:
        kept = ledger.recovered_from
        assert kept is not None
        assert re.fullmatch(r"ledger\.sqlite3\.corrupt-\d{8}T\d{6}Z(-\d+)?", kept.name)
        assert kept.read_bytes() == garbage
        job_id = ledger.create_job(backend="b", program=BELL, shots=1)
        assert ledger.get(job_id).shots == 1
        assert ledger.integrity_check() == "ok"

    # a second bad file in the same second never overwrites the first one kept
    path.write_bytes(_garbage(4096, seed=2))
    with open_ledger(path, recover=True) as again:
        assert again.recovered_from is not None and again.recovered_from != kept
        assert again.recovered_from.read_bytes() == _garbage(4096, seed=2)
    assert kept.read_bytes() == garbage


def test_damaged_pages_inside_a_real_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with open_ledger(path) as ledger, ledger.transaction():
        for i in range(300):
            ledger.create_job(backend="b", program=BELL * 5, shots=i + 1, name=f"j{i}")
    # fold the WAL into the main file, then overwrite everything after the first page
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 8192
    data[4096:] = _garbage(len(data) - 4096, seed=3)
    path.write_bytes(bytes(data))

    with pytest.raises(LedgerCorruptError, match="damaged"), open_ledger(path) as ledger:
        ledger.count()
        ledger.page(limit=None)
    with open_ledger(path, recover=True) as ledger:
        assert ledger.recovered_from is not None
        assert ledger.recovered_from.read_bytes() == bytes(data)
        assert ledger.count() == 0


def test_writer_holding_the_lock_too_long(tmp_path: Path, lock_holder) -> None:
    path = tmp_path / "ledger.sqlite3"
    with open_ledger(path) as ledger:
        first = ledger.create_job(backend="b", program=BELL, shots=1)
    holder = lock_holder(path, "normal")
    with open_ledger(path, busy_timeout=0.2) as ledger:
        assert ledger.get(first).shots == 1  # WAL: reading goes on while another writes
        with pytest.raises(LedgerLockedError) as caught:
            ledger.create_job(backend="b", program=BELL, shots=2)
        assert str(path) in str(caught.value) and "locked" in str(caught.value)
        release(holder)
        second = ledger.create_job(backend="b", program=BELL, shots=2)  # the way out: retry
        assert {r.id for r in ledger.page()} == {first, second}
        assert ledger.integrity_check() == "ok"


def test_exclusively_locked_file_is_never_moved_aside(tmp_path: Path, lock_holder) -> None:
    path = tmp_path / "ledger.sqlite3"
    with open_ledger(path) as ledger:
        job_id = ledger.create_job(backend="b", program=BELL, shots=1)
    holder = lock_holder(path, "exclusive")
    for recover in (False, True):
        with pytest.raises(LedgerLockedError, match="locked") as caught:
            open_ledger(path, recover=recover, busy_timeout=0.2)
        assert isinstance(caught.value, LedgerError) and caught.value.path == path
    assert not list(tmp_path.glob("*.corrupt-*"))
    release(holder)
    with open_ledger(path) as ledger:
        assert ledger.get(job_id).shots == 1
