"""Opening the ledger file: created or migrated, and a damaged one moved aside (never overwritten)
when the user agreed to it."""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path

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
) -> Ledger:
    """Open (creating or migrating) the ledger, by default `data_dir()/ledger.sqlite3`.

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
        # that the recovery question comes here and not with every later run (quick_check
        # reads every page once: milliseconds for a ledger of thousands of jobs).
        ledger_check = ledger.quick_check()
        if ledger_check != "ok":
            ledger.close()
            raise LedgerCorruptError(
                f"The job ledger {path} is damaged ({ledger_check.splitlines()[0]}). {REPAIR_HINT}",
                path,
            )
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
    return ledger
