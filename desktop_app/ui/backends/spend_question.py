"""The one question asked before a run that may cost money, and the "don't ask again under X"
choice it offers (per profile, off until the user ticks it; kept in QSettings: no secret).

`question_for` lists each paid backend with its estimate and the total per unit; `Remembered`
says whether a later run is under the amount the user chose not to be asked about.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSettings

from desktop_app.core.azure.price_table import format_amount
from desktop_app.core.azure.pricing import totals
from desktop_app.core.jobs.spending import RunCosts
from desktop_app.core.request import RunRequest
from desktop_app.ui.messages import SpendQuestion

_KEY = "money/dontAskUnder/{profile}"


@dataclass(frozen=True)
class Threshold:
    profile: str
    amount: float
    unit: str


def nice_ceiling(amount: float) -> float:
    """The next of 1, 2, 5 x 10^k at or above `amount` (a round figure to offer)."""
    if amount <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(amount))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= amount - 1e-9)


class Remembered:
    """Per-profile thresholds under which the user chose not to be asked."""

    def __init__(self, settings: QSettings | None) -> None:
        self._settings = settings
        self._memory: dict[str, str] = {}  # without settings: this session only

    def get(self, profile: str) -> Threshold | None:
        key = _KEY.format(profile=profile)
        value = self._settings.value(key) if self._settings is not None else None
        text = str(value) if value is not None else self._memory.get(key, "")
        amount, _, unit = text.partition(" ")
        try:
            return Threshold(profile, float(amount), unit) if unit else None
        except ValueError:
            return None

    def set(self, threshold: Threshold) -> None:
        key = _KEY.format(profile=threshold.profile)
        text = f"{threshold.amount:g} {threshold.unit}"
        if self._settings is not None:
            self._settings.setValue(key, text)
            self._settings.sync()
        else:
            self._memory[key] = text

    def covers(self, requests: Sequence[RunRequest], costs: RunCosts) -> bool:
        """True when every paid backend of the run is under its profile's threshold."""
        offer = _single_total(requests, costs)
        if offer is None:
            return False
        chosen = self.get(offer.profile)
        return chosen is not None and chosen.unit == offer.unit and offer.amount < chosen.amount


def _single_total(requests: Sequence[RunRequest], costs: RunCosts) -> Threshold | None:
    """The run's total when its paid part is one profile, one unit and known amounts."""
    paid = costs.paid()
    profiles = {r.profile for r in requests if r.backend in paid}
    sums, unknown = totals(paid)
    if len(profiles) != 1 or len(sums) != 1 or unknown or costs.problems:
        return None
    (unit, amount), (profile,) = next(iter(sums.items())), profiles
    return None if profile is None else Threshold(profile, amount, unit)


def question_for(
    requests: Sequence[RunRequest], costs: RunCosts
) -> tuple[SpendQuestion, Threshold | None]:
    """The question, and the threshold its "don't ask again" box would keep (None: not offered)."""
    paid = costs.paid()
    lines = [f"  {backend}: {estimate.display()}" for backend, estimate in paid.items()]
    lines += [f"  {backend}: price unknown ({why})" for backend, why in costs.problems.items()]
    sums, unknown = totals(paid)
    parts = [format_amount(amount, unit) for unit, amount in sums.items()]
    parts += [f"{t} unknown until it has run" for t in unknown + list(costs.problems)]
    text = (
        "This run may be billed to the workspace:\n"
        + "\n".join(lines)
        + f"\n\nTotal (estimate): {'; '.join(parts)}"
    )
    for check in costs.budgets:
        text += (
            f"\nBudget of '{check.profile}' this month: {check.budget.show(check.left)} left "
            f"of {check.budget.show()}"
        )
    text += (
        "\n\nEstimates from the price table (see the details); the workspace's plan decides the "
        "bill. Run?"
    )
    details = "\n\n".join(
        f"{backend}: {e.formula}.\nPrice table entry {e.entry}, checked {e.checked}: {e.source}"
        for backend, e in paid.items()
        if e.entry
    )
    offer = _single_total(requests, costs)
    threshold = None
    remember = None
    if offer is not None:
        threshold = Threshold(offer.profile, nice_ceiling(offer.amount * 1.0001), offer.unit)
        remember = (
            f"Don't ask again for runs under {format_amount(threshold.amount, threshold.unit)} "
            f"with profile '{offer.profile}'"
        )
    free = sorted(set(costs.free_first.values()))
    free_first = f"Try it on {', '.join(free)} first (free)" if free else None
    question = SpendQuestion("This run may cost money", text, details, remember, free_first)
    return question, threshold


def free_requests(requests: Sequence[RunRequest], costs: RunCosts) -> list[RunRequest]:
    """The run with each paid backend that has a free twin replaced by it (others dropped)."""
    from dataclasses import replace

    paid = costs.paid()
    out: dict[str, RunRequest] = {}
    for request in requests:
        if request.backend in costs.free_first:
            free = costs.free_first[request.backend]
            out.setdefault(free, replace(request, backend=free, options={}))
        elif request.backend not in paid and request.backend not in costs.problems:
            out.setdefault(request.backend, request)
    return list(out.values())
