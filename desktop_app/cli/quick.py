"""A plain `quantum-desk jobs` and `backends` started without argparse, logging, platformdirs,
tomllib or the ledger's and catalog's classes (issue 16: a CLI start within 3x of Python's own;
those imports alone cost 4x).

`desktop_app.cli.main` comes here for exactly the command lines `jobs` and `backends` (no
option, no --verbose, no QUANTUM_DESK_DEBUG). The answer printed is the one the full command
gives (tests/unit/test_cli_quick.py compares them); None, with nothing printed, when this path
cannot be sure of it: no ledger yet (the full command creates it), another schema version, a
damaged or read-only file, a backend table not computed yet from the files it comes from, a
folder it cannot name without platformdirs. The full command then runs and says what there is to
say. Nothing here logs (logging is never imported), so the silence the full command sets up
without --verbose holds.

`backends`: the full command keeps the table it printed in the cache folder, headed by what it
was computed from (the version, the data files' overrides, and the modification time and size
of the TOML files and the modules that read them); it is shown again only while all of these are
unchanged. The TOML files stay the one source of the data.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # `typing` costs a CLI start as much as Python's own start
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime

# the values of core.paths.APP_NAME, core.ledger.store.LEDGER_FILE_NAME and DEFAULT_BUSY_TIMEOUT
# (those modules import pathlib, logging and platformdirs; tests/unit/test_cli_quick.py keeps
# these equal to them)
APP_NAME = "quantum-desk"
LEDGER_FILE_NAME = "ledger.sqlite3"
BUSY_TIMEOUT = 10.0
CHECK_AT_OPEN_BYTES = 8 << 20  # core.ledger.recovery's: a larger file is the full command's

# Ledger.page(JobFilter(), JobOrder()) with the columns the table shows (its order is
# core.ledger.paging.order_by(JobOrder()): the test checks it)
ORDER = "ORDER BY jobs.created_at DESC, jobs.seq DESC"
LIST_SQL = (
    "SELECT jobs.id, jobs.name, jobs.backend, jobs.status, jobs.created_at, jobs.shots "
    f"FROM jobs {ORDER}"
)

# (id, name, backend, status, created_at, shots)
TableRow = tuple[str, str, str, str, "datetime | None", int]


def _user_dir(override_var: str, xdg_var: str, under_home: str) -> str | None:
    """A core.paths folder where it is certain without platformdirs: the override, else
    platformdirs' answer on Linux ($XDG_... when absolute, else under an absolute $HOME, then the
    app's name) when nothing says Android; None otherwise."""
    override = os.environ.get(override_var)
    if override:
        return override
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel"):
        return None
    if os.environ.get("ANDROID_DATA") or os.environ.get("ANDROID_ROOT"):
        return None
    xdg = os.environ.get(xdg_var, "")
    if xdg.startswith("/"):
        return os.path.join(xdg, APP_NAME)
    home = os.environ.get("HOME", "")
    if not home.startswith("/"):
        return None  # platformdirs asks the password database: not guessed here
    return os.path.join(home.rstrip("/") + "/" + under_home, APP_NAME)


def data_dir() -> str | None:
    """core.paths.data_dir(), or None (see _user_dir)."""
    return _user_dir("QUANTUM_DESK_DATA_DIR", "XDG_DATA_HOME", ".local/share")


def cache_dir() -> str | None:
    """core.paths.cache_dir(), or None (see _user_dir)."""
    return _user_dir("QUANTUM_DESK_CACHE_DIR", "XDG_CACHE_HOME", ".cache")


def short_time(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M")


# the columns are as wide as the header and the first rows need: a longer list is written as it
# is read (a cell wider further down pushes the rest of its line to the right)
WIDTH_ROWS = 1000
_HEADER = ("ID", "NAME", "BACKEND", "STATUS", "CREATED", "SHOTS")


def _cells(row: TableRow) -> tuple[str, ...]:
    job_id, name, backend, status, created, shots = row
    return (job_id[:8], name or "-", backend, status, short_time(created), str(shots))


def write_job_table(rows: Iterable[TableRow], write: Callable[[str], object]) -> None:
    """Write the text `quantum-desk jobs` prints for these rows (newest first), a line at a time
    after the first WIDTH_ROWS: memory stays bounded at any ledger size."""
    remaining = iter(rows)
    first = []
    for row in remaining:
        first.append(_cells(row))
        if len(first) == WIDTH_ROWS:
            break
    if not first:
        write("No jobs.\n")
        return
    widths = [max(len(line[i]) for line in (_HEADER, *first)) for i in range(len(_HEADER))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip()

    write("".join(line(cells) + "\n" for cells in (_HEADER, *first)))
    for row in remaining:
        write(line(_cells(row)) + "\n")


def ledger_rows(path: str) -> list[TableRow] | None:
    """Every job of the ledger at `path`, newest first, when the file is a sound ledger of this
    version that this user can write (what the full command would open as it is), small enough
    for its structure to be checked at open (the full command streams a larger one); else
    None."""
    folder = os.path.dirname(path) or "."
    try:
        size = os.stat(path).st_size
    except OSError:
        return None  # not there yet: the full command creates it
    if size == 0 or size > CHECK_AT_OPEN_BYTES:
        return None  # the full command says the file is damaged, or reads it page by page
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
        # as the full command checks a file of this size at open (core.ledger.recovery)
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
    write_job_table(rows, sys.stdout.write)
    return 0


# --- backends
TABLE_FILE = "backends-table.txt"  # in the cache folder
_TABLE_HEADER = "quantum-desk backends table 1"
_TABLE_ENV = ("QUANTUM_DESK_CATALOG_FILE", "QUANTUM_DESK_EMULATIONS_FILE")


def table_head(inputs: Sequence[str]) -> str | None:
    """What a backend table computed now from the files `inputs` depends on: the version, the
    data files' overrides, each file's modification time and size (None: not kept, a name with
    a line break)."""
    from desktop_app import __version__

    lines = [_TABLE_HEADER, __version__]
    for var in _TABLE_ENV:
        lines.append(f"env {var}={os.environ.get(var, '')}")
    for path in inputs:
        try:
            st = os.stat(path)
        except OSError:
            lines.append(f"missing {path}")
        else:
            lines.append(f"file {st.st_mtime_ns} {st.st_size} {path}")
    if any("\n" in line for line in lines):
        return None
    return "\n".join(lines) + "\n"


def kept_table(content: str) -> str | None:
    """The table in a kept file's `content` while what it was computed from is unchanged."""
    head, blank, text = content.partition("\n\n")
    if not blank:
        return None
    inputs = []
    for line in head.split("\n")[2 + len(_TABLE_ENV) :]:
        kind, _, rest = line.partition(" ")
        if kind == "file" and rest.count(" ") >= 2:
            inputs.append(rest.split(" ", 2)[2])
        elif kind == "missing":
            inputs.append(rest)
        else:
            return None
    if not inputs:
        return None
    return text if table_head(inputs) == head + "\n" else None


def backends() -> int | None:
    """`quantum-desk backends`: the kept table, or None (nothing printed) for the full command."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(os.path.join(folder, TABLE_FILE), encoding="utf-8") as kept:
            text = kept_table(kept.read())
    except (OSError, UnicodeDecodeError):
        return None
    if text is None:
        return None
    sys.stdout.write(text)
    return 0


QUICK_COMMANDS: dict[str, Callable[[], int | None]] = {"jobs": jobs, "backends": backends}
