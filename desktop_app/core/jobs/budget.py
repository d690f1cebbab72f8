"""Monthly budgets per Azure profile, tracked from the job ledger.

A profile may carry a budget such as "200 USD" or "40 HQC" (its `budget` field). What a month has
spent is the ledger's cost of that profile's jobs created since the first of the month (UTC) that
reached the service: the billed cost when the service reported one, else the app's estimate. A run
whose estimate would take the month past the budget is refused before anything is sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from desktop_app.core.errors import UserInputError

if TYPE_CHECKING:
    from desktop_app.core.azure.pricing import CostEstimate
    from desktop_app.core.ledger.store import Ledger

_BUDGET_RE: Final = re.compile(
    r"^\s*(?:(?P<u1>[A-Za-z]{2,8})\s*)?(?P<amount>\d[\d,_]*(?:\.\d+)?)\s*(?P<u2>[A-Za-z]{2,8})?\s*$"
)
MAX_BUDGET: Final = 1e9


@dataclass(frozen=True)
class Budget:
    amount: float
    unit: str  # "USD", "HQC", "eHQC", ... as the price table spells it

    def text(self) -> str:
        """The form a profile stores: '200 USD'."""
        return f"{self.amount:g} {self.unit}"

    def show(self, amount: float | None = None) -> str:
        from desktop_app.core.azure.pricing import format_amount

        return format_amount(self.amount if amount is None else amount, self.unit)


def parse_budget(text: str) -> Budget:
    """'200 USD', 'USD 200', '$200', '40 HQC' -> Budget; UserInputError with a plain sentence."""
    cleaned = text.strip().replace("$", "USD ", 1) if text.strip().startswith("$") else text
    match = _BUDGET_RE.match(cleaned)
    unit = (match.group("u1") or match.group("u2")) if match else None
    if match is None or unit is None or (match.group("u1") and match.group("u2")):
        raise UserInputError(
            f"budget {text.strip()!r}: write an amount and a unit, such as '200 USD' or '40 HQC'"
        )
    amount = float(match.group("amount").replace(",", "").replace("_", ""))
    if not math.isfinite(amount) or amount <= 0 or amount > MAX_BUDGET:
        raise UserInputError(f"budget {text.strip()!r}: the amount must be above 0")
    canonical = {"usd": "USD", "hqc": "HQC", "ehqc": "eHQC", "eur": "EUR"}
    return Budget(amount, canonical.get(unit.lower(), unit))


def validate_budget(text: str) -> str | None:
    """None when `text` is empty (no budget) or a valid budget, else one plain sentence."""
    if not text.strip():
        return None
    try:
        parse_budget(text)
    except UserInputError as exc:
        return str(exc)[0].upper() + str(exc)[1:] + "."
    return None


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
