"""Monthly budgets per Azure profile, tracked from the job ledger.

A profile may carry a budget such as "200 USD" or "40 HQC" (its `budget` field). What a month has
spent is the ledger's cost of that profile's jobs created since the first of the month (UTC) that
reached the service: the billed cost when the service reported one, else the app's estimate. A run
whose estimate would take the month past the budget is refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from desktop_app.core.azure.budget_field import Budget

if TYPE_CHECKING:
    from desktop_app.core.azure.pricing import CostEstimate
    from desktop_app.core.ledger.store import Ledger


def month_start(now: datetime | None = None) -> datetime:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def spent_this_month(ledger: Ledger, profile: str, unit: str, now: datetime | None = None) -> float:
    from desktop_app.core.ledger.models import JobFilter

    totals = ledger.cost_totals(JobFilter(profile=profile, since=month_start(now)))
    total = totals.get(unit)
    return 0.0 if total is None else total.amount


@dataclass(frozen=True)
class BudgetCheck:
    profile: str
    budget: Budget
    spent: float
    this_run: float
    since: datetime

    @property
    def exceeded(self) -> bool:
        return self.spent + self.this_run > self.budget.amount + 1e-9

    @property
    def left(self) -> float:
        return max(0.0, self.budget.amount - self.spent)

    def message(self) -> str:
        b = self.budget
        return (
            f"profile '{self.profile}': this run (about {b.show(self.this_run)}) would exceed "
            f"the monthly budget: spent {b.show(self.spent)} since {self.since:%Y-%m-%d}, "
            f"this run {b.show(self.this_run)}, budget {b.show()}"
        )


def check_budget(
    ledger: Ledger,
    profile: str,
    budget: Budget,
    estimates: Mapping[str, CostEstimate],
    now: datetime | None = None,
) -> BudgetCheck:
    """The month's figures for `profile` with this run's estimates in the budget's unit added."""
    this_run = sum(
        e.amount for e in estimates.values() if e.unit == budget.unit and e.amount is not None
    )
    since = month_start(now)
    spent = spent_this_month(ledger, profile, budget.unit, now)
    return BudgetCheck(profile, budget, spent, this_run, since)
