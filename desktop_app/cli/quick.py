"""A plain `quantum-desk jobs` started without argparse, logging, platformdirs or the ledger's
classes (issue 16: a CLI start within 3x of Python's own; those imports alone cost 4x).

`desktop_app.cli.main` comes here for exactly the command line `jobs` (no option, no
--verbose, no QUANTUM_DESK_DEBUG). The answer printed is the one the full command gives (the same
query and table: tests/unit/test_cli_quick.py compares them); None, with nothing printed, when
this path cannot be sure of it: no ledger yet (the full command creates it), another schema
version, a damaged or read-only file, a data folder it cannot name without platformdirs. The full
command then runs and says what there is to say. Nothing here logs (logging is never imported),
so the silence the full command sets up without --verbose holds.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # `typing` costs a CLI start as much as Python's own start
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

# the values of core.paths.APP_NAME, core.ledger.store.LEDGER_FILE_NAME and DEFAULT_BUSY_TIMEOUT
# (those modules import pathlib, logging and platformdirs; tests/unit/test_cli_quick.py keeps
# these equal to them)
APP_NAME = "quantum-desk"
LEDGER_FILE_NAME = "ledger.sqlite3"
BUSY_TIMEOUT = 10.0

# Ledger.page(JobFilter(), JobOrder()) with the columns the table shows (its order is
# core.ledger.paging.order_by(JobOrder()): the test checks it)
ORDER = "ORDER BY jobs.created_at DESC, jobs.seq DESC"
LIST_SQL = (
    "SELECT jobs.id, jobs.name, jobs.backend, jobs.status, jobs.created_at, jobs.shots "
    f"FROM jobs {ORDER}"
)

# (id, name, backend, status, created_at, shots)
TableRow = tuple[str, str, str, str, "datetime | None", int]


def data_dir() -> str | None:
    """core.paths.data_dir() where it is certain without platformdirs: QUANTUM_DESK_DATA_DIR,
    else platformdirs' answer on Linux ($XDG_DATA_HOME when absolute, else $HOME/.local/share,
    then the app's name) when HOME is absolute and nothing says Android; None otherwise."""
    override = os.environ.get("QUANTUM_DESK_DATA_DIR")
    if override:
        return override
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel"):
        return None
    if os.environ.get("ANDROID_DATA") or os.environ.get("ANDROID_ROOT"):
        return None
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if xdg.startswith("/"):
        return os.path.join(xdg, APP_NAME)
    home = os.environ.get("HOME", "")
    if not home.startswith("/"):
        return None  # platformdirs asks the password database: not guessed here
    return os.path.join(home.rstrip("/") + "/.local/share", APP_NAME)


def short_time(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M")


def job_table(rows: Sequence[TableRow]) -> str:
    """The text `quantum-desk jobs` prints for these rows (newest first)."""
    if not rows:
        return "No jobs.\n"
    table = [("ID", "NAME", "BACKEND", "STATUS", "CREATED", "SHOTS")]
    table += [
        (job_id[:8], name or "-", backend, status, short_time(created), str(shots))
        for job_id, name, backend, status, created, shots in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() + "\n"
        for line in table
    )


def ledger_rows(path: str) -> list[TableRow] | None:
    """Every job of the ledger at `path`, newest first, when the file is a sound ledger of this
    version that this user can write (what the full command would open as it is); else None."""
    folder = os.path.dirname(path) or "."
    try:
        if os.stat(path).st_size == 0:
            return None  # the full command says the file is damaged
    except OSError:
        return None  # not there yet: the full command creates it
    if not (os.access(path, os.R_OK | os.W_OK) and os.access(folder, os.W_OK | os.X_OK)):
        return None
    import sqlite3

    from desktop_app.core.ledger.rows import parse_ts
    from desktop_app.core.ledger.schema import SCHEMA_VERSION

    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
        if version != SCHEMA_VERSION or str(mode).lower() != "wal":
            return None  # the full command migrates it, or says why it cannot
        # the full command checks the file's structure on every open (core.ledger.recovery)
        check = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        if check != ["ok"]:
            return None
        found = conn.execute(LIST_SQL).fetchall()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return [(i, n, b, s, parse_ts(c), int(k)) for i, n, b, s, c, k in found]


def jobs() -> int | None:
    """`quantum-desk jobs`: the table, or None (nothing printed) for the full command."""
    folder = data_dir()
    if folder is None:
        return None
    rows = ledger_rows(os.path.join(folder, LEDGER_FILE_NAME))
    if rows is None:
        return None
    sys.stdout.write(job_table(rows))
    return 0


QUICK_COMMANDS: dict[str, Callable[[], int | None]] = {"jobs": jobs}
