"""The quick start of a plain `quantum-desk jobs` and `backends` (desktop_app/cli/quick.py) gives
the full command's answer, and hands over to it whenever it cannot be sure of that."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs
import pytest

from desktop_app.cli import main, quick
from desktop_app.core import paths
from desktop_app.core.ledger import recovery, store
from desktop_app.core.ledger.models import JobOrder
from desktop_app.core.ledger.paging import order_by
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.target_table import target_table


@pytest.fixture(autouse=True)
def fresh_target_table() -> Iterator[None]:
    """target_table() keeps what it read for the process: each test here reads its own files."""
    target_table.cache_clear()
    yield
    target_table.cache_clear()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_constants_are_the_modules_own() -> None:
    assert quick.APP_NAME == paths.APP_NAME
    assert quick.LEDGER_FILE_NAME == store.LEDGER_FILE_NAME
    assert quick.BUSY_TIMEOUT == store.DEFAULT_BUSY_TIMEOUT
    assert quick.CHECK_AT_OPEN_BYTES == recovery.CHECK_AT_OPEN_BYTES
    assert order_by(JobOrder()) == quick.ORDER


@pytest.mark.parametrize(
    "env",
    [
        {"XDG_DATA_HOME": "/srv/x data", "XDG_CACHE_HOME": "/srv/cache", "HOME": "/home/a"},
        {"XDG_DATA_HOME": "", "XDG_CACHE_HOME": "", "HOME": "/home/a"},
        {"XDG_DATA_HOME": "relative", "XDG_CACHE_HOME": "rel", "HOME": "/home/a/"},
        {"XDG_DATA_HOME": "", "XDG_CACHE_HOME": "", "HOME": "/"},
    ],
)
def test_folders_are_platformdirs_own(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    monkeypatch.delenv("QUANTUM_DESK_DATA_DIR")
    monkeypatch.delenv("QUANTUM_DESK_CACHE_DIR", raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    app = paths.APP_NAME
    assert quick.data_dir() == platformdirs.user_data_dir(app, appauthor=False)
    assert quick.cache_dir() == platformdirs.user_cache_dir(app, appauthor=False)


def test_no_guess_without_an_absolute_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUANTUM_DESK_DATA_DIR")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", "relative/home")
    assert quick.data_dir() is None


def _fill(n: int) -> None:
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with open_ledger() as ledger:
        for i in range(n):
            ledger.create_job(
                backend="local.simulator" if i % 2 else "ionq.simulator",
                program=f"OPENQASM 2.0;\n// {i}\n",
                shots=10 + i,
                name="" if i % 3 == 0 else f"job {i}",
                created_at=start + timedelta(minutes=i // 2),  # ties: seq decides
            )


def test_jobs_list_is_the_full_commands(capsys: pytest.CaptureFixture[str]) -> None:
    _fill(7)
    quick_code, quick_out, quick_err = run(capsys, "jobs")
    # the same command through the full path (an option the quick path does not take)
    full_code, full_out, full_err = run(capsys, "jobs", "--limit", "100")
    assert (quick_code, quick_out, quick_err) == (full_code, full_out, full_err)
    assert quick_out.count("\n") == 8
    assert quick.jobs is not None
    rows = quick.ledger_rows(str(paths.data_dir() / quick.LEDGER_FILE_NAME))
    assert rows is not None and len(rows) == 7
    with open_ledger() as ledger:
        assert [r[0] for r in rows] == [r.id for r in ledger.page(limit=None)]


def test_jobs_hands_over_when_unsure(capsys: pytest.CaptureFixture[str]) -> None:
    ledger_path = paths.data_dir() / quick.LEDGER_FILE_NAME
    assert quick.jobs() is None  # no ledger yet: the full command creates it
    assert run(capsys, "jobs") == (0, "No jobs.\n", "")
    assert ledger_path.exists()
    assert quick.jobs() == 0
    assert capsys.readouterr().out == "No jobs.\n"
    with sqlite3.connect(ledger_path) as conn:
        conn.execute("PRAGMA user_version = 99")  # written by a newer Quantum Desk
    conn.close()
    assert quick.jobs() is None
    code, out, err = run(capsys, "jobs")
    assert code == 2 and out == "" and "newer Quantum Desk" in err
    ledger_path.write_bytes(b"")  # cut off: the full command's message
    assert quick.jobs() is None
    code, out, err = run(capsys, "jobs")
    assert code == 2 and "empty (0 bytes)" in err


def test_backends_table_kept_while_its_sources_are_unchanged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert quick.backends() is None  # nothing kept yet
    code, full_out, _ = run(capsys, "backends")
    assert code == 0 and "local.simulator" in full_out
    assert quick.backends() == 0
    assert capsys.readouterr().out == full_out

    # another catalog file: not the kept table, and the full command's answer kept instead
    catalog = tmp_path / "catalog.toml"
    source = Path(quick.__file__).resolve().parents[2] / "resources" / "targets" / "catalog.toml"
    text = source.read_text(encoding="utf-8")
    catalog.write_text(text, encoding="utf-8")
    monkeypatch.setenv("QUANTUM_DESK_CATALOG_FILE", str(catalog))
    assert quick.backends() is None
    assert run(capsys, "backends")[1] == full_out
    assert quick.backends() == 0
    assert capsys.readouterr().out == full_out

    # the file edited: its change shows at once
    catalog.write_text(text.replace("IonQ Forte 1 trapped-ion", "IonQ Forte One"), encoding="utf-8")
    os.utime(catalog, ns=(1, 1))
    target_table.cache_clear()  # this process read the file before (a new process reads it anew)
    assert quick.backends() is None
    code, edited, _ = run(capsys, "backends")
    assert "IonQ Forte One" in edited and edited != full_out
    assert quick.backends() == 0
    assert capsys.readouterr().out == edited


def test_a_damaged_kept_table_is_not_shown(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "backends")
    kept = paths.cache_dir() / quick.TABLE_FILE
    content = kept.read_text(encoding="utf-8")
    for damaged in ("", content[:40], content.replace("\nfile ", "\nfiel ", 1), "x\n\ny"):
        kept.write_text(damaged, encoding="utf-8")
        assert quick.backends() is None
    kept.write_bytes(b"\xff\xfe")
    assert quick.backends() is None


def test_debug_and_verbose_run_the_full_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    full = run(capsys, "backends")[1]
    kept = paths.cache_dir() / quick.TABLE_FILE
    head = kept.read_text(encoding="utf-8").partition("\n\n")[0]
    kept.write_text(f"{head}\n\nkept\n", encoding="utf-8")
    assert run(capsys, "backends") == (0, "kept\n", "")  # the plain line takes the kept table
    assert run(capsys, "backends", "--verbose")[1] == full
    monkeypatch.setenv("QUANTUM_DESK_DEBUG", "1")
    assert run(capsys, "backends")[1] == full
