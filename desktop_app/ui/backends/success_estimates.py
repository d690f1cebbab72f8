"""The estimated success probability of the editor's program, shown before the run in the backend
summary's "Est. success" column beside the price: for each offline emulation and each Azure target
one emulates (ionq.qpu.forte-1, ...), with the figures' sources in the cell's tooltip. The product
of gate and readout fidelities over the transpiled circuit (`core.local.emulation.success_estimate`)
computed in a worker process once typing pauses.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Final

from PySide6.QtCore import QObject, QTimer, Slot

from desktop_app.core.emulation_table import Emulation, EmulationDataError, emulations
from desktop_app.ui.backends.model import PLACEHOLDER, BackendModel
from desktop_app.ui.tasks import BackgroundCalls, Lane

log = logging.getLogger(__name__)

DELAY_MS: Final = 700  # wait for typing to pause
TIMEOUT_SECONDS: Final = 30.0
COLUMN: Final = "success"


def _estimate(source: str, path: str | None, names: tuple[str, ...]) -> dict[str, Any]:
    """Pool thread: the estimates, made in a worker process."""
    from desktop_app.core.local.calls import call_in_worker
    from desktop_app.core.translation_report import success_estimates

    result: dict[str, Any] = call_in_worker(
        success_estimates,
        (source, path, names),
        what="estimating the success probability",
        timeout=TIMEOUT_SECONDS,
    )
    return result


def _table() -> tuple[Emulation, ...]:
    try:
        return emulations()
    except EmulationDataError:
        return ()


def cell(name: str, estimate: object) -> tuple[str, str]:
    """The column's text and tooltip for backend `name` and `estimate` (a float or why not)."""
    emulation = next((e for e in _table() if name in (e.name, e.emulates)), None)
    sources = (
        ""
        if emulation is None
        else f"\nFrom {emulation.name}'s error figures: {emulation.source}, read "
        f"{emulation.checked}" + (" (approximate)" if emulation.approximate else "")
    )
    if isinstance(estimate, float):
        return (
            f"≈ {estimate:.0%}",
            f"Estimated success probability {estimate:.3f}: the product of the gate and readout "
            f"fidelities over the program on the target's native gates. An approximation.{sources}",
        )
    return PLACEHOLDER, (f"No success estimate: {estimate}." if estimate else "")


class SuccessEstimates(QObject):
    def __init__(self, model: BackendModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.worker_pid: int | None = None  # the process that made the shown estimates
        self._program: tuple[str, str | None] | None = None
        self._ticket: int | None = None
        self._calls = BackgroundCalls(self, lane=Lane.LONG)
        self._calls.finished.connect(self._on_calls_finished)
        self._calls.failed.connect(self._on_calls_failed)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self._on_timer_timeout)

    def names(self) -> tuple[str, ...]:
        """The rows that get an estimate: the emulations, and the targets they emulate."""
        covered = {n for e in _table() for n in (e.name, e.emulates)}
        return tuple(r.backend.name for r in self.model.rows() if r.backend.name in covered)

    def set_program(self, source: str, path: str | None) -> None:
        """The program changed: estimate again once typing pauses."""
        self._program = (source, path)
        self.timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        names = self.names()
        if self._program is None or not names or not self._program[0].strip():
            self._show({})
            return
        source, path = self._program
        self._ticket = self._calls.submit(functools.partial(_estimate, source, path, names))

    def _show(self, estimates: dict[str, object]) -> None:
        self.model.set_infos(
            COLUMN, {name: cell(name, estimates.get(name)) for name in self.names()}
        )

    @Slot(int, object)
    def _on_calls_finished(self, ticket: int, result: object) -> None:
        if ticket != self._ticket or not isinstance(result, dict):
            return
        self._ticket = None
        self.worker_pid = int(result["pid"])
        self._show(dict(result["estimates"]))

    @Slot(int, object)
    def _on_calls_failed(self, ticket: int, error: object) -> None:
        if ticket != self._ticket:
            return
        self._ticket = None
        log.info("no success estimate: %s", error)  # a bad program: the editor says why
        self._show({})

    def shutdown(self) -> None:
        self.timer.stop()
        self._ticket = None
