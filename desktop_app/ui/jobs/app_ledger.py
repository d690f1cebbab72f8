"""Opening the app's one job ledger at start-up, with a plain message and a way out when it fails.

A damaged file: ask, then `open_ledger(recover=True)` moves it aside (kept, never overwritten) and
starts an empty ledger. A locked file (another program holds it), a newer app's file, or a refused
recovery: the app still starts, without a job history this time, and says so.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from desktop_app.core.ledger.errors import REPAIR_HINT, LedgerCorruptError, LedgerError
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui import messages

log = logging.getLogger(__name__)

TITLE = "Job ledger"
WITHOUT_LEDGER = (
    "Quantum Desk will start without its job history: runs work, but are not recorded and "
    "unfinished Azure jobs are not picked up until the ledger can be opened again."
)


def open_app_ledger(parent: QWidget | None = None) -> Ledger | None:
    """The ledger in the data dir, or None (the user was told) when it cannot be used."""
    try:
        return open_ledger()
    except LedgerCorruptError as exc:
        log.warning("job ledger damaged: %s", exc)
        problem = str(exc).replace(REPAIR_HINT, "").strip()  # the command line's way: not here
        question = (
            f"{problem}\n\nMove the damaged file aside and start a new, empty job ledger? "
            "The damaged file is kept next to it."
        )
        if not messages.ask(parent, TITLE, question):
            messages.show_error(parent, TITLE, WITHOUT_LEDGER)
            return None
    except LedgerError as exc:
        log.warning("job ledger unusable: %s", exc)
        messages.show_error(parent, TITLE, f"{exc}\n\n{WITHOUT_LEDGER}")
        return None
    try:
        ledger = open_ledger(recover=True)
    except LedgerError as exc:
        log.warning("job ledger recovery failed: %s", exc)
        messages.show_error(parent, TITLE, f"{exc}\n\n{WITHOUT_LEDGER}")
        return None
    log.warning("damaged job ledger kept as %s", ledger.recovered_from)
    return ledger
