"""The ledger's stuck states of issue 14 in fresh CLI processes under the hostile-input harness
(wall-clock limit, RLIMIT_AS, peak memory and no signal asserted: tests/unit/hostile_harness.py):
a ledger damaged past its header and a 0-byte ledger make `jobs` and `run` end in one plain line
that offers `jobs repair`, which keeps the damaged file byte for byte and starts a new ledger."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core import paths
from desktop_app.core.ledger.recovery import open_ledger
from tests.unit.hostile_harness import ROOT, run_cli

BELL = ROOT / "resources" / "examples" / "bell.qasm"


def damaged_past_its_header(path: Path) -> bytes:
    with open_ledger(path) as ledger, ledger.transaction():
        for i in range(200):
            ledger.create_job(backend="b", program="OPENQASM 2.0;" * 20, shots=i + 1)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    noise = random.Random(14)
    data[4096 * 3 :] = bytes(noise.randrange(256) for _ in range(len(data) - 4096 * 3))
    path.write_bytes(bytes(data))
    return bytes(data)


def empty(path: Path) -> bytes:
    path.write_bytes(b"")
    return b""


@pytest.mark.parametrize(
    ("damage", "words"),
    [(damaged_past_its_header, "is damaged"), (empty, "empty (0 bytes)")],
    ids=["pages", "0-byte"],
)
def test_a_damaged_ledger_is_refused_in_one_line_and_repaired_keeping_it(
    damage: Callable[[Path], bytes], words: str
) -> None:
    path = paths.data_dir() / "ledger.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    original = damage(path)
    refused = run_cli("jobs")
    assert (refused.returncode, refused.stdout, refused.stderr.count("\n")) == (2, "", 1)
    line = refused.stderr
    assert line.startswith(f"quantum-desk: error: The job ledger {path} "), line
    for word in (words, "quantum-desk jobs repair", "kept"):
        assert word in line, (word, line)
    run = run_cli("run", str(BELL), "--backend", "local.simulator", "--shots", "10")
    lines = run.stderr.strip().splitlines()
    assert "Traceback" not in run.stderr and any("jobs repair" in line for line in lines), lines
    assert path.read_bytes() == original  # nothing wrote to it behind the user's back

    repaired = run_cli("jobs", "repair")
    assert repaired.returncode == 0, repaired.stderr
    (kept,) = path.parent.glob("ledger.sqlite3.corrupt-*[0-9Z]")
    assert kept.read_bytes() == original and str(kept) in repaired.stdout
    listed = run_cli("jobs")
    assert (listed.returncode, listed.stdout, listed.stderr) == (0, "No jobs.\n", "")
