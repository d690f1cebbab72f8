"""Opening the ledger file: created or migrated, and a damaged one moved aside (never overwritten)
when the user agreed to it."""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path
from typing import Literal

from desktop_app.core import paths
from desktop_app.core.errors import NotWritableError, why_not_writable
from desktop_app.core.ledger.errors import (
    REPAIR_HINT,
    LedgerCorruptError,
    LedgerError,
    LedgerNotWritableError,
    not_writable,
)
from desktop_app.core.ledger.models import utc_now
from desktop_app.core.ledger.store import DEFAULT_BUSY_TIMEOUT, LEDGER_FILE_NAME, Ledger

log = logging.getLogger(__name__)

# The structure check at open reads every page: 12 ms at 10,000 jobs (4.6 MB), 0.8-1.5 s at 1M
# (944 MB; bench_ledger_open.py). Up to this size it runs at every open; a larger file is left to
# whoever opened it ("if_small"): the window checks it in the background, a command's reads and
# writes find damage where they meet it (LedgerCorruptError), and `jobs repair` checks it whole.
CHECK_AT_OPEN_BYTES = 8 << 20
Check = Literal["always", "if_small"]


def default_ledger_path() -> Path:
    return paths.data_dir() / LEDGER_FILE_NAME


def move_aside(path: Path) -> Path:
    """Rename a bad ledger (and its -wal/-shm files) to <name>.corrupt-<timestamp>[-n]."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.replace(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    return target


def _create_whole(path: Path, busy_timeout: float) -> None:
    """A new ledger appears whole: made under a temporary name, then linked into place (which
    fails if another process got there first). So a 0-byte `ledger.sqlite3` is never one being
    created by a Quantum Desk starting at the same moment."""
    if path.exists():
        return
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.new")
    try:
        Ledger(tmp, busy_timeout=busy_timeout).close()  # schema and WAL mode; its log folded in
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    except LedgerNotWritableError:
        raise not_writable(path, "read-only or not writable for this user") from None
    except OSError as exc:
        raise not_writable(path, why_not_writable(exc)) from None
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-wal", "-shm"))):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _is_empty_file(path: Path) -> bool:
    """A 0-byte ledger with no write-ahead log: not a new ledger (SQLite writes its header
    when it creates one), but one cut off, e.g. by a full disk; never taken as new."""
    try:
        if path.stat().st_size != 0:
            return False
    except FileNotFoundError:
        return False
    wal = path.with_name(path.name + "-wal")
    return not (wal.exists() and wal.stat().st_size > 0)


def open_ledger(
    path: Path | None = None,
    *,
    recover: bool = False,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    check: Check = "if_small",
) -> Ledger:
    """Open (creating or migrating) the ledger, by default `data_dir()/ledger.sqlite3`; its
    structure is checked (`check`: "always", or "if_small": up to CHECK_AT_OPEN_BYTES, see
    there), and `Ledger.structure_checked` says whether it was.

    A damaged file raises LedgerCorruptError; with `recover=True` it is renamed to
    `ledger.sqlite3.corrupt-<UTC timestamp>` (never overwritten) and a new ledger is started:
    `Ledger.recovered_from` then names the kept file. A locked file raises LedgerLockedError and is
    never moved (another instance is using it).
    """
    try:
        path = Path(path) if path is not None else default_ledger_path()
        path.parent.mkdir(parents=True, exist_ok=True)
    except NotWritableError as exc:
        raise LedgerNotWritableError(str(exc), path) from None
    except OSError as exc:
        assert path is not None
        raise not_writable(path, why_not_writable(exc)) from None
    try:
        _create_whole(path, busy_timeout)
        if _is_empty_file(path):
            raise LedgerCorruptError(
                f"The job ledger {path} is empty (0 bytes). {REPAIR_HINT}", path
            )
        ledger = Ledger(path, busy_timeout=busy_timeout)
        # Damage past the header does not show on open: check the file's structure now, so
        # that the recovery question comes here and not with every later run
        if check == "always" or path.stat().st_size <= CHECK_AT_OPEN_BYTES:
            damage = structure_damage(ledger)
            if damage is not None:
                ledger.close()
                raise damage
            ledger.structure_checked = True
        return ledger
    except LedgerCorruptError:
        if not recover:
            raise
    try:
        kept = move_aside(path)
    except OSError as exc:
        raise LedgerError(
            f"The job ledger {path} is damaged and could not be moved aside "
            f"({exc.strerror or exc}); move or delete it yourself and start Quantum Desk again.",
            path,
        ) from None
    log.warning("damaged job ledger moved aside to %s; starting a new one", kept)
    ledger = Ledger(path, busy_timeout=busy_timeout)
    ledger.recovered_from = kept
    ledger.structure_checked = True  # new and empty
    return ledger


def structure_damage(ledger: Ledger) -> LedgerCorruptError | None:
    """What SQLite's quick_check finds wrong with the file's structure, as the error to show,
    or None when it is sound. Reads every page: see CHECK_AT_OPEN_BYTES."""
    try:
        found = ledger.quick_check()
    except LedgerCorruptError as exc:  # a page too damaged for the check to go on
        return exc
    if found == "ok":
        return None
    return LedgerCorruptError(
        f"The job ledger {ledger.path} is damaged ({found.splitlines()[0]}). {REPAIR_HINT}",
        ledger.path,
    )
