"""Monthly budgets: parsing, the ledger's cost totals (billed beside estimated), and the check."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop_app.core.azure.budget_field import Budget, parse_budget
from desktop_app.core.azure.pricing import CostEstimate
from desktop_app.core.azure.profiles import Profile, ProfileError
from desktop_app.core.errors import UserInputError
from desktop_app.core.jobs.budget import check_budget, month_start, spent_this_month
from desktop_app.core.ledger.models import JobFilter, new_azure_job_id
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger

BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n'
RESOURCE_ID = (
    "/subscriptions/0f6c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5/resourceGroups/rg/providers/"
    "Microsoft.Quantum/Workspaces/ws-lab"
)
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def ledger(tmp_path: Path):
    with open_ledger(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def _job(
    ledger: Ledger,
    amount: float | None,
    unit: str = "USD",
    *,
    profile: str = "mine",
    billed: float | None = None,
    billed_unit: str = "USD",
    sent: bool = True,
    at: datetime = NOW,
) -> str:
    job_id = ledger.create_job(
        backend="ionq.qpu.forte-1",
        program=BELL,
        shots=1000,
        profile=profile,
        azure_job_id=new_azure_job_id() if sent else None,
        status="Executing",
        estimated_cost={"amount": amount, "currency": unit, "free": False},
        created_at=at,
    )
    if billed is not None:
        ledger.set_costs(job_id, billed={"amount": billed, "currency": billed_unit})
    return job_id


def test_parse_budget_forms():
    assert parse_budget("200 USD") == Budget(200.0, "USD")
    assert parse_budget("USD 1,500.50") == Budget(1500.5, "USD")
    assert parse_budget("$75") == Budget(75.0, "USD")
    assert parse_budget("40 ehqc") == Budget(40.0, "eHQC")
    assert parse_budget(" 12.5 HQC ").text() == "12.5 HQC"
    for bad in ("200", "USD", "-5 USD", "0 USD", "five USD", "USD 5 HQC"):
        with pytest.raises(UserInputError, match="budget"):
            parse_budget(bad)


def test_a_profile_keeps_an_optional_budget_in_canonical_form():
    profile = Profile("lab", RESOURCE_ID, "eastus", "azure-sign-in", budget="$250").validated()
    assert profile.budget == "250 USD"
    assert Profile("lab", RESOURCE_ID, "eastus", "azure-sign-in").validated().budget is None
    with pytest.raises(ProfileError) as caught:
        Profile.from_fields(
            {"name": "x", "resource_id": RESOURCE_ID, "location": "eastus",
             "auth_kind": "azure-sign-in", "budget": "lots"}
        )  # fmt: skip
    assert caught.value.field == "budget"


def test_cost_totals_use_billed_figures_when_reported_and_skip_jobs_never_sent(ledger: Ledger):
    _job(ledger, 169.48)  # estimate only
    _job(ledger, 169.48, billed=1.20)  # the service's figure replaces the estimate
    _job(ledger, 11.2, "eHQC", billed=11.2, billed_unit="USD")  # other unit: the estimate counts
    _job(ledger, 500.0, sent=False)  # failed before the submit: cost nothing
    _job(ledger, None)  # Rigetti-like: paid, amount unknown
    _job(ledger, 99.0, profile="other")
    ledger.mark_never_submitted(_job(ledger, 42.0))
    totals = ledger.cost_totals(JobFilter(profile="mine"))
    assert totals["USD"].amount == pytest.approx(169.48 + 1.20)
    assert (totals["USD"].jobs, totals["USD"].billed, totals["USD"].unknown) == (2, 1, 1)
    assert totals["eHQC"].amount == pytest.approx(11.2) and totals["eHQC"].billed == 0
    assert ledger.cost_totals()["USD"].amount == pytest.approx(169.48 + 1.20 + 99.0)


def test_spent_counts_this_month_only(ledger: Ledger):
    _job(ledger, 100.0, at=month_start(NOW) - timedelta(seconds=1))  # last month
    _job(ledger, 30.0, at=month_start(NOW))
    _job(ledger, 20.0, at=NOW)
    assert spent_this_month(ledger, "mine", "USD", NOW) == pytest.approx(50.0)
    assert spent_this_month(ledger, "mine", "HQC", NOW) == 0.0


def test_check_budget_figures(ledger: Ledger):
    _job(ledger, 150.0)
    run = {
        "ionq.qpu.forte-1": CostEstimate("ionq.qpu.forte-1", 169.48, "USD", False, ""),
        "quantinuum.sim.h2-1e": CostEstimate("quantinuum.sim.h2-1e", 11.2, "eHQC", False, ""),
    }
    check = check_budget(ledger, "mine", Budget(300.0, "USD"), run, NOW)
    assert check.exceeded and check.spent == 150.0 and check.this_run == pytest.approx(169.48)
    assert check.message() == (
        "profile 'mine': this run (about $169.48) would exceed the monthly budget: spent $150.00 "
        "since 2026-12-01, this run $169.48, budget $300.00"
    )
    assert not check_budget(ledger, "mine", Budget(320.0, "USD"), run, NOW).exceeded
    assert not check_budget(ledger, "mine", Budget(12.0, "eHQC"), run, NOW).exceeded
    assert check_budget(ledger, "mine", Budget(11.0, "eHQC"), run, NOW).exceeded


def test_profile_add_takes_a_budget(capsys):
    from desktop_app.cli import main

    args = ["profile", "add", "lab", "--resource-id", RESOURCE_ID, "--location", "eastus",
            "--auth", "azure-sign-in"]  # fmt: skip
    assert main([*args, "--budget", "lots"]) == 2
    _out, err = capsys.readouterr()
    assert err.startswith("quantum-desk: error: --budget: ") and err.count("\n") == 1
    assert main([*args, "--budget", "USD 250"]) == 0
    capsys.readouterr()
    assert main(["profile", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["budget"] == "250 USD"
