"""The jobs model's whole-filter figures: the exact count past the cap and the cost totals.

Both read every job the filter matches (seconds of CPU at 1,000,000 jobs), so they run on the
long-task lane, each on its own SQLite connection, at most one of each kind at a time
(`OneAtATime`), and stop as soon as the filter they were asked for is no longer the model's
(`Ledger.count(cancelled=...)`): a superseded total must not keep a core busy while the user
scrolls the rows of the next filter. A cost total is of a filter and the ledger's state (a
`CostKey`: the filter and the model's query generation that asked for it), not of a sort: sorting
the same jobs again keeps it, and one still running for them goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.models import CostTotal, JobFilter
from desktop_app.core.ledger.store import Ledger
from desktop_app.ui.jobs.pages import InFlight, OneAtATime, Wanted
from desktop_app.ui.tasks import Lane, run_task

log = logging.getLogger(__name__)

AGGREGATE_LANE = Lane.LONG
CostKey = tuple[JobFilter, int]  # the filter, and the query generation of its jobs


class Aggregates(QObject):
    """Signals: `counted(answer)` with ("exact", generation, count, {}) or ("failed", generation,
    -1, error), as the model's page queries answer; `costed(key, totals)` for the cost totals
    of the `CostKey` still wanted."""

    counted = Signal(object)
    costed = Signal(object, object)

    def __init__(self, ledger: Ledger, wanted: Wanted, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self._wanted = wanted  # its generation: the model's current query
        self.wanted_costs: CostKey = (JobFilter(), 0)  # set by the model, read by the workers
        self._in_flight = InFlight()
        self._one_at_a_time = OneAtATime()
        self._costing: CostKey | None = None  # the cost total running

    def count(self, flt: JobFilter, generation: int) -> None:
        """The exact count of `flt` for the model's query `generation`."""
        ledger, wanted = self.ledger, self._wanted

        def superseded() -> bool:
            return wanted.generation != generation

        def count_query() -> Any:
            if superseded():
                return None
            try:
                return ("exact", generation, ledger.count(flt, cancelled=superseded), {})
            except QuantumDeskError as exc:
                return ("failed", generation, -1, exc)

        self._one_at_a_time.submit(
            "count", lambda: self._run(count_query, self._on_count_finished, self._on_count_failed)
        )

    def costs(self, key: CostKey) -> None:
        """The cost totals of `key`'s filter (`costed`), unless they are being read already."""
        if self._costing == key:
            return
        ledger, flt = self.ledger, key[0]

        def superseded() -> bool:
            return self.wanted_costs != key

        def costs() -> tuple[CostKey, dict[str, CostTotal] | None]:
            if superseded():
                return (key, None)
            try:
                return (key, ledger.cost_totals(flt, cancelled=superseded))
            except QuantumDeskError as exc:
                log.warning("jobs view: no cost total: %s", exc)
                return (key, None)

        def start() -> None:
            self._costing = key
            self._run(costs, self._on_costs_finished, self._on_costs_failed)

        self._one_at_a_time.submit("costs", start)

    def wait(self) -> None:
        self._in_flight.wait()

    def _run(
        self, call: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[Any], None]
    ) -> None:
        # bound slots of this object: an answer coming after it is gone is dropped
        run_task(
            self._in_flight.wrap(call),  # its own connection (WAL)
            lane=AGGREGATE_LANE,
            on_finished=done,
            on_failed=failed,  # Cancelled: a newer filter took over
        )

    @Slot(object)
    def _on_count_finished(self, answer: Any) -> None:
        self._one_at_a_time.done("count")  # the next one waiting may start
        if answer is not None:
            self.counted.emit(answer)

    @Slot(object)
    def _on_count_failed(self, _exc: object) -> None:
        self._on_count_finished(None)

    @Slot(object)
    def _on_costs_finished(self, answer: tuple[CostKey, dict[str, CostTotal] | None]) -> None:
        self._costing = None
        self._one_at_a_time.done("costs")
        key, totals = answer
        if totals is not None and key == self.wanted_costs:
            self.costed.emit(key, totals)

    @Slot(object)
    def _on_costs_failed(self, _exc: object) -> None:
        self._costing = None
        self._one_at_a_time.done("costs")
