"""The ledger's errors, each with a plain message and the file it is about."""

from __future__ import annotations

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


class LedgerTooNewError(LedgerError):
    """The file was written by a newer Quantum Desk (a later schema version)."""


class JobNotFoundError(LedgerError):
    """No job with that id (or id prefix) is in the ledger."""


# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF)
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED


_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


def translate_sqlite_error(exc: sqlite3.Error, path: Path) -> LedgerError:
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code in _BUSY_CODES:
        return LedgerLockedError(
            f"The job ledger {path} is locked by another program (is another Quantum Desk "
            "busy with it?). Close it and try again.",
            path,
        )
    if code in _CORRUPT_CODES:
        return LedgerCorruptError(
            f"The job ledger {path} is damaged ({exc}). Quantum Desk can move it aside and "
            "start a new, empty ledger; the damaged file is kept.",
            path,
        )
    return LedgerError(f"The job ledger {path} could not be used: {exc}", path)
