"""A damaged ledger (issue 14): found when it is opened, not at every run; a 0-byte one is not
taken as new; `quantum-desk jobs repair` moves it aside (always kept) and starts a new one; and
the live-run locks that keep reconciliation off a job another process is running."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core import paths
from desktop_app.core.jobs import live_runs
from desktop_app.core.ledger import recovery
from desktop_app.core.ledger.errors import LedgerCorruptError
from desktop_app.core.ledger.recovery import open_ledger

BELL = 'OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[2]; h q[0]; measure q -> c;'


def _damaged_past_its_header(path: Path, keep_pages: float = 0.0) -> bytes:
    """A real ledger of 200 jobs whose pages after the third (or after that share of its pages)
    are overwritten with noise."""
    with open_ledger(path) as ledger, ledger.transaction():
        for i in range(200):
            ledger.create_job(backend="b", program=BELL * 4, shots=i + 1)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    noise = random.Random(14)
    start = max(3, int(len(data) // 4096 * keep_pages)) * 4096
    data[start:] = bytes(noise.randrange(256) for _ in range(len(data) - start))
    path.write_bytes(bytes(data))
    return bytes(data)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_damage_past_the_header_is_found_at_open(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    damaged = _damaged_past_its_header(path)
    with pytest.raises(LedgerCorruptError, match="damaged") as caught:
        open_ledger(path)  # no query needed: the open itself says so
    assert "jobs repair" in str(caught.value) and "kept" in str(caught.value)
    assert path.read_bytes() == damaged  # nothing was written to it


def test_a_large_ledger_is_opened_without_reading_it_whole(
    capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the check reads every page (0.8 s at 1,000,000 jobs): past CHECK_AT_OPEN_BYTES it is the
    # opener's; here every file counts as large
    monkeypatch.setattr(recovery, "CHECK_AT_OPEN_BYTES", 0)
    path = paths.data_dir() / "ledger.sqlite3"
    damaged = _damaged_past_its_header(path, keep_pages=0.75)  # deep pages: not read at open
    with open_ledger(path) as ledger:
        assert not ledger.structure_checked
        damage = recovery.structure_damage(ledger)
    assert damage is not None and "damaged" in str(damage) and "jobs repair" in str(damage)
    with pytest.raises(LedgerCorruptError, match="damaged"):
        open_ledger(path, check="always")
    assert path.read_bytes() == damaged

    code, out, err = _run(capsys, "jobs")  # a read that meets the damage says so plainly
    assert code == 2 and out == "" and "quantum-desk jobs repair" in err and err.count("\n") == 1
    code, out, err = _run(capsys, "jobs", "repair")  # checks the file whole, however large
    assert code == 0 and "damaged" in err
    kept = sorted(path.parent.glob("ledger.sqlite3.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    with open_ledger(path) as fresh:
        assert fresh.structure_checked or fresh.page() == []


def test_a_small_ledger_is_checked_at_every_open(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert ledger.structure_checked


def test_jobs_repair_keeps_the_damaged_file_and_starts_a_new_ledger(capsys) -> None:
    path = paths.data_dir() / "ledger.sqlite3"
    damaged = _damaged_past_its_header(path)
    code, out, err = _run(capsys, "jobs")
    assert code == 2 and out == "" and "quantum-desk jobs repair" in err and err.count("\n") == 1
    code, out, err = _run(capsys, "jobs", "repair")
    assert code == 0 and "damaged" in err
    (kept,) = path.parent.glob("ledger.sqlite3.corrupt-*[0-9Z]")
    assert kept.read_bytes() == damaged and str(kept) in out
    assert _run(capsys, "jobs") == (0, "No jobs.\n", "")
    code, out, _ = _run(capsys, "jobs", "repair")
    assert code == 0 and "nothing to repair" in out
    assert len(list(path.parent.glob("ledger.sqlite3.corrupt-*[0-9Z]"))) == 1


def test_a_zero_byte_ledger_is_not_taken_as_new(capsys) -> None:
    path = paths.data_dir() / "ledger.sqlite3"
    path.write_bytes(b"")
    code, _out, err = _run(capsys, "jobs")
    assert code == 2 and "empty (0 bytes)" in err and "jobs repair" in err
    assert path.stat().st_size == 0  # not turned into a new ledger behind the user's back
    code, _out, _err = _run(capsys, "jobs", "repair")
    assert code == 0
    (kept,) = path.parent.glob("ledger.sqlite3.corrupt-*")
    assert kept.stat().st_size == 0 and path.stat().st_size > 0


def test_a_live_run_lock_ends_with_its_process(tmp_path: Path) -> None:
    ledger_path = tmp_path / "ledger.sqlite3"
    job_id = "6f1c0a9e-ed62-11f1-a53b-02fc00000001"
    assert not live_runs.is_live(ledger_path, job_id)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from desktop_app.core.jobs import live_runs; "
            f"run = live_runs.hold(Path({str(ledger_path)!r}), {job_id!r}); "
            "print('held', flush=True); sys.stdin.readline()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert live_runs.is_live(ledger_path, job_id)
        holder.kill()  # no clean-up of its own: the operating system drops the lock
        holder.wait(30)
        assert not live_runs.is_live(ledger_path, job_id)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(30)
    mine = live_runs.hold(ledger_path, job_id)
    assert live_runs.is_live(ledger_path, job_id)
    mine.release()
    assert not live_runs.is_live(ledger_path, job_id)
    assert not live_runs.is_live(ledger_path, "../escape")  # never a path outside its folder
