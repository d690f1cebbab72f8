"""The window's ledger at start-up in stuck states (issue 14): damage past the header and a
0-byte file are found at open and the recovery question is asked (the file is kept); a data
folder that cannot be made gives one plain message, and the app runs without a ledger."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from desktop_app.core import paths
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.ui import messages
from desktop_app.ui.jobs import app_ledger

BELL = 'OPENQASM 2.0; include "qelib1.inc"; qreg q[1]; creg c[1]; h q[0]; measure q -> c;'


def _damaged_past_its_header() -> bytes:
    path = paths.data_dir() / "ledger.sqlite3"
    with open_ledger(path) as ledger, ledger.transaction():
        for i in range(200):
            ledger.create_job(backend="b", program=BELL * 4, shots=i + 1)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 :] = os.urandom(len(data) - 4096 * 3)
    path.write_bytes(bytes(data))
    return bytes(data)


def _empty() -> bytes:
    (paths.data_dir() / "ledger.sqlite3").write_bytes(b"")
    return b""


@pytest.mark.parametrize("damage", [_damaged_past_its_header, _empty], ids=["pages", "0-byte"])
def test_damage_is_found_at_open_and_recovery_is_offered(monkeypatch, damage) -> None:
    original = damage()
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda parent, title, q: asked.append(q) or True)
    monkeypatch.setattr(messages, "show_error", lambda *a: pytest.fail(f"unexpected error {a}"))
    ledger = app_ledger.open_app_ledger(None)
    assert ledger is not None
    try:
        (question,) = asked
        assert "ledger.sqlite3" in question and "kept" in question
        assert "jobs repair" not in question  # the command line's way, not the window's
        assert ledger.recovered_from is not None
        assert ledger.recovered_from.read_bytes() == original
        assert ledger.count() == 0
    finally:
        ledger.close()


def test_a_data_folder_that_cannot_be_made_is_said_plainly(monkeypatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("QUANTUM_DESK_DATA_DIR", str(blocker / "quantum-desk"))
    shown: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda *a: pytest.fail("nothing to recover"))
    monkeypatch.setattr(messages, "show_error", lambda parent, title, text: shown.append(text))
    assert app_ledger.open_app_ledger(None) is None
    (text,) = shown
    assert str(blocker) in text and app_ledger.WITHOUT_LEDGER in text
    assert "Errno" not in text and "Error" not in text


# Run in a fresh process (as a user starts it) with its dialogs answered by printing them.
_APP = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop_app import app
from desktop_app.ui import messages

def said(parent, title, text):
    print("SAID: " + " ".join(text.split()), flush=True)
    QTimer.singleShot(300, QApplication.instance().closeAllWindows)

messages.show_error = said
messages.ask = lambda parent, title, question: said(parent, title, question) or False
sys.exit(app.main([]))
"""


def test_the_app_starts_with_read_only_folders(tmp_path: Path) -> None:
    """Data, config, cache and log folders under a read-only one: the window opens, says once
    that the job ledger cannot be written (naming the folder), and no unhandled error comes."""
    import subprocess
    import sys

    from tests.unit.test_read_only_dirs import _prefix

    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    env = {
        **os.environ,
        "QUANTUM_DESK_DATA_DIR": str(read_only / "data"),
        "QUANTUM_DESK_LOG_DIR": str(read_only / "log"),
        "XDG_CONFIG_HOME": str(read_only),
        "XDG_CACHE_HOME": str(read_only),
    }
    try:
        ran = subprocess.run(
            [*_prefix(), sys.executable, "-c", _APP],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env,
        )
    finally:
        read_only.chmod(0o755)
    said = [line for line in ran.stdout.splitlines() if line.startswith("SAID: ")]
    assert ran.returncode == 0, ran.stderr
    assert "Traceback" not in ran.stderr and "Something went wrong" not in ran.stdout
    (message,) = said
    assert str(read_only) in message and " ".join(app_ledger.WITHOUT_LEDGER.split()) in message
    assert list(read_only.iterdir()) == []
