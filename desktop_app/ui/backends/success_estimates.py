"""The estimated success probability of the editor's program on each offline emulation, shown
before the run next to its price ("Free; success ≈ 97%"), with the figures' sources in the cell's
tooltip. The product of gate and readout fidelities over the transpiled circuit
(`core.local.emulation.success_estimate`), computed in a worker process once typing pauses.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Final

from PySide6.QtCore import QObject, QTimer, Slot

from desktop_app.core.emulation_table import EmulationDataError, find_emulation
from desktop_app.ui.backends.model import BackendModel
from desktop_app.ui.tasks import BackgroundCalls, Lane

log = logging.getLogger(__name__)

DELAY_MS: Final = 700  # wait for typing to pause
TIMEOUT_SECONDS: Final = 30.0
FREE: Final = "Free"


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


def cell(name: str, estimate: object) -> tuple[str, str]:
    """The price cell's text and tooltip of emulation `name` for `estimate` (a float or why not)."""
    try:
        emulation = find_emulation(name)
    except EmulationDataError:
        emulation = None
    sources = (
        ""
        if emulation is None
        else f"\nError figures from {emulation.source}, read {emulation.checked}"
        + (" (approximate)" if emulation.approximate else "")
    )
    if isinstance(estimate, float):
        return (
            f"{FREE}; success ≈ {estimate:.0%}",
            f"Estimated success probability {estimate:.3f}: the product of the gate and readout "
            f"fidelities over the program on the target's native gates. An approximation.{sources}",
        )
    return FREE, (f"No success estimate: {estimate}." if estimate else "")


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

    def _names(self) -> tuple[str, ...]:
        return tuple(r.backend.name for r in self.model.rows() if r.backend.kind == "emulator")

    def set_program(self, source: str, path: str | None) -> None:
        """The program changed: estimate again once typing pauses."""
        self._program = (source, path)
        self.timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        names = self._names()
        if self._program is None or not names or not self._program[0].strip():
            self._show({})
            return
        source, path = self._program
        self._ticket = self._calls.submit(functools.partial(_estimate, source, path, names))

    def _show(self, estimates: dict[str, object]) -> None:
        for name in self._names():
            text, tip = cell(name, estimates.get(name))
            self.model.set_info(name, "price", text, tip)

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
