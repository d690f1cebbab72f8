"""A profile's monthly budget as the user types it ("200 USD", "40 HQC"): parsed and checked here,
tracked against the ledger in `core.jobs.budget`."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from desktop_app.core.azure.price_table import format_amount
from desktop_app.core.errors import UserInputError

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
