"""What a run is about to spend, worked out before anything is sent (off the GUI thread).

For a set of run requests: each Azure request's estimate (the price table on the program as the
target runs it), each profile's monthly budget figures, and, for a program's first paid run on a
provider, that provider's free target to try first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop_app.core.azure.pricing import CostEstimate
    from desktop_app.core.jobs.budget import BudgetCheck
    from desktop_app.core.ledger.store import Ledger
    from desktop_app.core.request import RunRequest


@dataclass(frozen=True)
class RunCosts:
    estimates: dict[str, CostEstimate] = field(default_factory=dict)  # backend -> estimate
    problems: dict[str, str] = field(default_factory=dict)  # backend -> why it has none
    budgets: tuple[BudgetCheck, ...] = ()  # the profiles of this run that have a budget
    free_first: dict[str, str] = field(default_factory=dict)  # paid backend -> free target

    def paid(self) -> dict[str, CostEstimate]:
        return {b: e for b, e in self.estimates.items() if e.needs_confirmation}

    def exceeded(self) -> list[BudgetCheck]:
        return [b for b in self.budgets if b.exceeded]


def _first_paid_run(ledger: Ledger, source: str, provider: str) -> bool:
    """True when the ledger has no run of this program text on any target of `provider`."""
    from desktop_app.core.ledger.models import JobFilter, program_sha256

    names = tuple(b for b in ledger.backends() if b.lower().startswith(f"{provider}."))
    if not names:
        return True
    return ledger.count(JobFilter(backends=names, program_sha256=program_sha256(source))) == 0


Estimator = Callable[[Sequence["RunRequest"]], tuple[dict[str, "CostEstimate"], dict[str, str]]]


def run_costs(
    requests: Sequence[RunRequest],
    ledger: Ledger | None,
    budgets: Mapping[str, str | None],
    *,
    estimate: Estimator | None = None,
) -> RunCosts:
    """The costs of `requests` (their `profile` set; None: local). `budgets`: profile -> its
    budget text. `estimate` parses and prices (default: in this process, `program_work.
    estimate_requests`; the window runs it in a worker process). Raises ProgramError when the
    program cannot be read."""
    from desktop_app.core.azure.budget_field import parse_budget
    from desktop_app.core.azure.pricing import free_alternative
    from desktop_app.core.jobs.budget import check_budget
    from desktop_app.core.jobs.program_work import estimate_requests

    azure = [r for r in requests if r.profile is not None]
    if not azure:
        return RunCosts()
    estimates, problems = (estimate or estimate_requests)(azure)
    costs = RunCosts(dict(estimates), dict(problems))
    checks = []
    for profile in dict.fromkeys(r.profile for r in azure if r.profile is not None):
        text = budgets.get(profile)
        if not text or ledger is None:
            continue
        mine = {
            r.backend: costs.estimates[r.backend]
            for r in azure
            if r.profile == profile and r.backend in costs.estimates
        }
        checks.append(check_budget(ledger, profile, parse_budget(text), mine))
    running = {r.backend for r in requests}
    for backend in costs.paid():
        free = free_alternative(backend)
        if free is None or free in running or ledger is None:
            continue
        if _first_paid_run(ledger, azure[0].source, backend.split(".", 1)[0].lower()):
            costs.free_first[backend] = free
    return RunCosts(costs.estimates, costs.problems, tuple(checks), costs.free_first)


def _amount(cost: Mapping[str, Any]) -> str | None:
    from desktop_app.core.azure.price_table import format_amount

    amount = cost.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    return format_amount(float(amount), str(cost.get("currency") or ""))


def cost_text(cost: Mapping[str, Any] | None) -> str:
    """A ledger cost (estimated or billed) in words, with where the figure came from."""
    if not cost:
        return "—"
    amount = _amount(cost)
    if cost.get("free"):
        amount = "Free"
    elif amount is None:
        amount = "unknown until the run has ended"
    if cost.get("source") == "azure":
        events = len(cost.get("events") or [])
        return f"{amount} (reported by Azure Quantum, {events} billing event(s))"
    if cost.get("entry"):
        return f"{amount} (estimate: price table {cost['entry']}, checked {cost.get('checked')})"
    return amount


def short_cost(estimated: Mapping[str, Any] | None, billed: Mapping[str, Any] | None) -> str:
    """A job's cost in a table cell: the billed figure when there is one, else the estimate."""
    if billed and _amount(billed) is not None:
        return f"{_amount(billed)} billed"
    if not estimated:
        return ""
    if estimated.get("free"):
        return "Free"
    amount = _amount(estimated)
    return "unknown" if amount is None else f"≈ {amount}"
