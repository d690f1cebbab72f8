"""The ledger's errors, each with a plain message and the file it is about."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from desktop_app.core.errors import QuantumDeskError


class LedgerError(QuantumDeskError):
    """The ledger cannot be used; `path` is the ledger file."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class LedgerCorruptError(LedgerError):
    """The file is not a readable SQLite ledger. `open_ledger(recover=True)` moves it aside."""


class LedgerLockedError(LedgerError):
    """Another program held the ledger's lock for longer than the busy timeout."""


class LedgerNotWritableError(LedgerError):
    """The ledger's folder (or file) cannot be written: read-only, no permission, full."""


class LedgerTooNewError(LedgerError):
    """The file was written by a newer Quantum Desk (a later schema version)."""


class JobNotFoundError(LedgerError):
    """No job with that id (or id prefix) is in the ledger."""


# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF)
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED


_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_READONLY_CODES = {8, 14}  # SQLITE_READONLY, SQLITE_CANTOPEN

REPAIR_HINT = (
    "Quantum Desk can move it aside and start a new, empty ledger (the window asks at its start; "
    "on the command line: `quantum-desk jobs repair`); the damaged file is kept."
)


def not_writable(path: Path, why: str) -> LedgerNotWritableError:
    return LedgerNotWritableError(
        f"The job ledger {path} cannot be written: its folder {path.parent} is {why}. Make it "
        "writable, or set QUANTUM_DESK_DATA_DIR to a folder that is.",
        path,
    )


def translate_sqlite_error(exc: sqlite3.Error, path: Path) -> LedgerError:
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code in _BUSY_CODES:
        return LedgerLockedError(
            f"The job ledger {path} is locked by another program (is another Quantum Desk "
            "busy with it?). Close it and try again.",
            path,
        )
    if code in _CORRUPT_CODES:
        return LedgerCorruptError(f"The job ledger {path} is damaged ({exc}). {REPAIR_HINT}", path)
    if code in _READONLY_CODES and not os.access(path.parent, os.W_OK):
        return not_writable(path, "read-only or not writable for this user")
    if code == 13:  # SQLITE_FULL
        return not_writable(path, "on a full disk")
    return LedgerError(f"The job ledger {path} could not be used: {exc}", path)
