"""Which Azure jobs a live Quantum Desk process is submitting or following right now.

The process running a job holds an exclusive lock (flock on POSIX, msvcrt on Windows) on a small
file named after the job's Azure id, next to the ledger, from before the ledger row is written
until the run ends. The operating system drops the lock when that process ends in any way (a
crash, a kill), so `is_live` never mistakes a dead process for a live one, nor a reused pid for
the old process. Reconciliation in another process leaves such jobs alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def _folder(ledger_path: Path) -> Path:
    return ledger_path.with_name(ledger_path.name + ".live")


def _lock_path(ledger_path: Path, azure_job_id: str) -> Path | None:
    if not _SAFE_ID.match(azure_job_id) or azure_job_id.startswith("."):
        return None  # not a file name we would make (the SDK's ids are uuids)
    return _folder(ledger_path) / f"{azure_job_id}.lock"


def _lock(handle: IO[bytes]) -> bool:
    """Take the lock; it waits only for an `is_live` check that holds it for an instant."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    except OSError:
        return False
    return True


class LiveRun:
    """The lock of one job held by this process; `release()` (idempotent) ends it."""

    def __init__(self, path: Path | None, handle: IO[bytes] | None) -> None:
        self._path, self._handle = path, handle

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        with contextlib.suppress(OSError):
            if self._path is not None:
                self._path.unlink(missing_ok=True)  # while still locked: nobody takes it over
        handle.close()  # drops the lock


def hold(ledger_path: Path, azure_job_id: str) -> LiveRun:
    """Mark the job as handled by this process. Never fails: without a lock (a read-only
    folder, an odd id) the job is simply not protected, which is logged."""
    path = _lock_path(ledger_path, azure_job_id)
    if path is None:
        return LiveRun(None, None)
    try:
        path.parent.mkdir(exist_ok=True)
        handle = open(path, "a+b")  # noqa: SIM115  (held open for the whole run)
    except OSError as exc:
        log.warning("job %s: no live-run lock (%s)", azure_job_id, exc.strerror or exc)
        return LiveRun(None, None)
    if not _lock(handle):
        handle.close()
        log.warning("job %s: its live-run lock could not be taken", azure_job_id)
        return LiveRun(None, None)
    with contextlib.suppress(OSError):
        handle.write(f"{os.getpid()}\n".encode())  # for a person looking; the lock is the truth
        handle.flush()
    return LiveRun(path, handle)


def is_live(ledger_path: Path, azure_job_id: str) -> bool:
    """True while another live process (or this one) holds the job's lock."""
    path = _lock_path(ledger_path, azure_job_id)
    if path is None:
        return False
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except OSError:
        return False  # no lock file: nobody is running it
    with handle:
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return True
            return False
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBRLCK, 1)
        except OSError:
            return True
        return False
