"""Opening the app's one job ledger at start-up, with a plain message and a way out when it fails.

A damaged file: ask, then `open_ledger(recover=True)` moves it aside (kept, never overwritten) and
starts an empty ledger. Damage an operation finds later, while the app runs (a run's recording,
the jobs view's query): the window asks the same (`recovery_question`), stops what reads the
ledger, and `replace_damaged` moves the file aside and opens a new one. A locked file (another
program holds it), a newer app's file, or a refused recovery: the app still starts, without a
job history this time, and says so.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QWidget

from desktop_app.core.ledger.errors import REPAIR_HINT, LedgerCorruptError, LedgerError
from desktop_app.core.ledger.recovery import move_aside, open_ledger
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
        if not messages.ask(parent, TITLE, recovery_question(exc)):
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


def recovery_question(error: LedgerCorruptError) -> str:
    """The way out, in the window's words (the command line's `jobs repair` is not offered)."""
    problem = str(error).replace(REPAIR_HINT, "").strip()
    return (
        f"{problem}\n\nMove the damaged file aside and start a new, empty job ledger? "
        "The damaged file is kept next to it."
    )


def replace_damaged(parent: QWidget | None, ledger: Ledger) -> Ledger | None:
    """Damage found while the app runs: close `ledger` (its readers are stopped), move its file
    aside (kept) and open a new one, whose `recovered_from` names the kept file. An operation
    found the damage, so the file is moved even when a fresh check of it passes. None: it could
    not be done (the user was told)."""
    ledger.close()
    try:
        kept: Path | None = None
        with contextlib.suppress(FileNotFoundError):  # already moved (another Quantum Desk)
            kept = move_aside(ledger.path)
        fresh = open_ledger(ledger.path)
    except OSError as exc:
        log.warning("damaged job ledger not moved aside: %s", exc.strerror or type(exc).__name__)
        messages.show_error(
            parent,
            TITLE,
            f"The damaged job ledger {ledger.path} could not be moved aside: move or delete it "
            f"yourself and start Quantum Desk again.\n\n{WITHOUT_LEDGER}",
        )
        return None
    except LedgerError as exc:
        log.warning("new job ledger not opened: %s", exc)
        messages.show_error(parent, TITLE, f"{exc}\n\n{WITHOUT_LEDGER}")
        return None
    if kept is not None:
        fresh.recovered_from = kept
        log.warning("damaged job ledger kept as %s", kept)
    return fresh


class LedgerDamage(QObject):
    """The window's way out when an operation finds its ledger damaged while the app runs.

    `found(error)` (a slot, for the run executor's and the jobs view's signals) asks once; on
    yes `detach()` stops what reads the ledger, the file is moved aside and `attach(new)` gives
    the window the new ledger. A declined question is not asked again this session (the next
    start asks: the damage is found at open)."""

    def __init__(
        self,
        window: QWidget,
        current: Callable[[], Ledger | None],
        detach: Callable[[], None],
        attach: Callable[[Ledger], None],
    ) -> None:
        super().__init__(window)
        self._window, self._current, self._detach, self._attach = window, current, detach, attach
        self._asked = False

    @Slot(object)
    def found(self, error: object) -> None:
        ledger = self._current()
        if self._asked or ledger is None or not isinstance(error, LedgerCorruptError):
            return
        self._asked = True  # set first: other backends' failures arrive while the question is open
        log.warning("job ledger damaged while running: %s", error)
        # asked once the signal that brought it has been handled (a run reports its end first)
        QTimer.singleShot(0, self, lambda: self._offer(ledger, error))

    def _offer(self, ledger: Ledger, error: LedgerCorruptError) -> None:
        if self._current() is not ledger:
            return
        if not messages.ask(self._window, TITLE, recovery_question(error)):
            return
        self._detach()
        fresh = replace_damaged(self._window, ledger)
        if fresh is not None:
            self._attach(fresh)
            self._asked = False  # the new file may be damaged one day too
