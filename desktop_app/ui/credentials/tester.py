"""'Test connection' in the background: token + workspace + target list, with Cancel.

The network work is `core.azure.credentials.test_connection`, run in the Azure worker process
(`core.azure.process`: the window's process never imports the Azure SDK) and supervised from a
pool thread; the GUI thread only gets the outcome by signal. The secret is handed over from here
when the worker asks. Cancel answers at once (the worker stops at its next step and its late
answer is dropped).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.cancel import Cancelled, CancelToken
from desktop_app.core.errors import QuantumDeskError
from desktop_app.ui.tasks import BackgroundCalls

if TYPE_CHECKING:
    from desktop_app.core.azure import credentials
    from desktop_app.core.azure.profiles import Profile

log = logging.getLogger(__name__)


class ConnectionTester(QObject):
    """start(profile, secret_provider); exactly one of reportReady / failed / cancelled follows."""

    busyChanged = Signal(bool)
    reportReady = Signal(object)  # core.credentials.ConnectionReport (ok or not)
    failed = Signal(str)  # a plain message when no report could be made
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._calls = BackgroundCalls(self)
        self._calls.finished.connect(self._on_calls_finished)
        self._calls.failed.connect(self._on_calls_failed)
        self._ticket: int | None = None
        self._token: CancelToken | None = None

    @property
    def busy(self) -> bool:
        return self._ticket is not None

    def start(self, profile: Profile, secret_provider: credentials.SecretProvider) -> None:
        """Test `profile` (saved or not); a test already running is cancelled first."""
        self.cancel()
        token = CancelToken()
        self._token = token

        def call() -> credentials.ConnectionReport:
            from desktop_app.core.azure.process import call_in_azure_worker

            # the worker tests with interactive=False: a "test" button opens no browser window
            report: credentials.ConnectionReport = call_in_azure_worker(
                "test_connection", profile, cancel=token, secret_of=secret_provider
            )
            return report

        self._ticket = self._calls.submit(call)
        self.busyChanged.emit(True)

    def cancel(self) -> None:
        if self._ticket is None:
            return
        if self._token is not None:
            self._token.cancel()
        self._ticket = self._token = None
        self.busyChanged.emit(False)
        self.cancelled.emit()

    def _take(self, ticket: int) -> bool:
        if ticket != self._ticket:
            return False  # the answer of a cancelled test
        self._ticket = self._token = None
        self.busyChanged.emit(False)
        return True

    @Slot(int, object)
    def _on_calls_finished(self, ticket: int, report: object) -> None:
        if self._take(ticket):
            self.reportReady.emit(report)

    @Slot(int, object)
    def _on_calls_failed(self, ticket: int, error: object) -> None:
        if not self._take(ticket):
            return
        if isinstance(error, Cancelled):
            self.cancelled.emit()
        elif isinstance(error, QuantumDeskError):
            self.failed.emit(str(error))
        else:
            self.failed.emit("The connection test failed unexpectedly; the log has the details.")
