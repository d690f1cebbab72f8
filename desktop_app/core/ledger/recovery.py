"""Opening the ledger file: created or migrated, and a damaged one moved aside (never overwritten)
when the user agreed to it."""

from __future__ import annotations

import logging
from pathlib import Path

from desktop_app.core import paths
from desktop_app.core.ledger.errors import LedgerCorruptError, LedgerError
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
    path = Path(path) if path is not None else default_ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        ledger = Ledger(path, busy_timeout=busy_timeout)
        # A damaged page may not show on open: check the file's structure (cheap at this size).
        ledger_check = ledger.integrity_check() if recover else "ok"
        if ledger_check != "ok":
            ledger.close()
            raise LedgerCorruptError(
                f"The job ledger {path} is damaged ({ledger_check.splitlines()[0]}).", path
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
