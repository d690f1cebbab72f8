"""Cost estimates: the price table's figures applied to the program as the target runs it.

Every expected figure below is computed by hand from the table entry (resources/prices.toml, which
cites learn.microsoft.com/azure/quantum/pricing) and the gates of the program, written out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from qiskit import qasm2

from desktop_app.core import paths
from desktop_app.core.azure import pricing
from desktop_app.core.azure.price_table import (
    PriceTableError,
    builtin_prices_path,
    load_price_table,
    price_table,
)
from desktop_app.core.errors import UserInputError

HEADER = 'OPENQASM 2.0; include "qelib1.inc"; '
BELL = qasm2.loads(HEADER + "qreg q[2]; creg c[2]; h q[0]; cx q[0],q[1]; measure q -> c;")
GHZ5 = qasm2.loads(
    HEADER + "qreg q[5]; creg c[5]; h q[0]; cx q[0],q[1]; cx q[1],q[2]; cx q[2],q[3]; "
    "cx q[3],q[4]; measure q -> c;"
)
# A 3-qubit QFT (no final swaps). Each controlled phase becomes rz, cx, rz, cx, rz on every
# priced target: 3 h + 3 x 3 rz = 12 one-qubit gates, 3 x 2 cx = 6 two-qubit gates.
QFT3 = qasm2.loads(
    HEADER + "qreg q[3]; creg c[3]; h q[2]; cu1(pi/2) q[1],q[2]; cu1(pi/4) q[0],q[2]; h q[1]; "
    "cu1(pi/2) q[0],q[1]; h q[0]; measure q -> c;"
)
TOFFOLI = qasm2.loads(
    HEADER + "qreg q[3]; creg c[3]; h q[0]; h q[1]; ccx q[0],q[1],q[2]; measure q -> c;"
)
# (program, one-qubit gates, two-qubit gates, qubits + measurements)
PROGRAMS = {"bell": (BELL, 1, 1, 4), "ghz5": (GHZ5, 1, 4, 10), "qft3": (QFT3, 12, 6, 6)}

FORTE = {"p1": 0.0001645, "p2": 0.001121, "on": 168.195, "off": 25.7899}
ARIA = {"p1": 0.000220, "p2": 0.000975, "on": 97.50, "off": 12.4166}


def ionq(prices: dict[str, float], n1: int, n2: int, shots: int, on: bool) -> float:
    return prices["on" if on else "off"] + prices["p1"] * n1 * shots + prices["p2"] * n2 * shots


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize(
    ("target", "prices"),
    [
        ("ionq.qpu.forte-1", FORTE),
        ("ionq.qpu.forte-enterprise-1", FORTE),
        ("ionq.qpu.aria-1", ARIA),
    ],
)
def test_ionq_hardware_by_hand(name: str, target: str, prices: dict[str, float]):
    circuit, n1, n2, _ = PROGRAMS[name]
    on = pricing.estimate_cost(target, circuit, 1000)  # mitigation is on by default from 500
    assert on.amount == pytest.approx(ionq(prices, n1, n2, 1000, True), abs=1e-6)
    assert on.unit == "USD" and on.needs_confirmation and not on.free
    assert on.breakdown["error_mitigation"] is True and on.breakdown["minimum"] == prices["on"]
    assert on.breakdown["gates_1q"] == n1 and on.breakdown["gates_2q"] == n2
    assert on.alternative is not None
    assert on.alternative.amount == pytest.approx(ionq(prices, n1, n2, 1000, False), abs=1e-6)
    off = pricing.estimate_cost(target, circuit, 1000, {"error_mitigation": "off"})
    assert off.amount == pytest.approx(ionq(prices, n1, n2, 1000, False), abs=1e-6)
    assert off.alternative is not None and off.alternative.amount == on.amount


def test_forte_bell_figures_and_what_the_estimate_cites():
    estimate = pricing.estimate_cost("ionq.qpu.forte-1", BELL, 1000)
    # 168.195 + 0.0001645 x 1 x 1000 + 0.001121 x 1 x 1000
    assert estimate.amount == pytest.approx(169.4805)
    assert estimate.display() == "≈ $169.48 (estimate); mitigation off ≈ $27.08"
    assert estimate.entry == "ionq-forte" and estimate.checked == "2026-12-01"
    assert estimate.source == "https://learn.microsoft.com/azure/quantum/pricing#ionq"
    document = estimate.to_json()
    assert document["backend"] == "ionq.qpu.forte-1" and document["unit"] == "USD"
    assert document["total"] == pytest.approx(169.4805) and document["free"] is False
    assert document["breakdown"]["price_2q"] == 0.001121


def test_below_500_shots_mitigation_is_off_and_cannot_be_turned_on():
    few = pricing.estimate_cost("ionq.qpu.forte-1", BELL, 499)
    assert few.amount == pytest.approx(25.7899 + 0.0001645 * 499 + 0.001121 * 499)
    assert few.breakdown["error_mitigation"] is False and few.alternative is None
    with pytest.raises(UserInputError, match="at least 500 shots"):
        pricing.estimate_cost("ionq.qpu.forte-1", BELL, 499, {"error_mitigation": True})
    with pytest.raises(UserInputError, match="must be on or off"):
        pricing.estimate_cost("ionq.qpu.forte-1", BELL, 1000, {"error_mitigation": "maybe"})


def test_the_minimum_is_charged_even_for_an_empty_program():
    empty = qasm2.loads(HEADER + "qreg q[1]; creg c[1]; measure q -> c;")
    assert pricing.estimate_cost("ionq.qpu.forte-1", empty, 1000).amount == 168.195
    off = pricing.estimate_cost("ionq.qpu.aria-1", empty, 1000, {"error_mitigation": False})
    assert off.amount == 12.4166


def test_a_multi_qubit_gate_is_billed_as_its_decomposition():
    # IonQ: a gate on N qubits is billed as 6 x (N - 2) two-qubit gates: ccx = 6
    forte = pricing.estimate_cost("ionq.qpu.forte-1", TOFFOLI, 1000, {"error_mitigation": False})
    assert forte.breakdown["gates_1q"] == 2 and forte.breakdown["gates_2q"] == 6
    assert forte.amount == pytest.approx(25.7899 + 0.0001645 * 2 * 1000 + 0.001121 * 6 * 1000)
    # Quantinuum: the Toffoli's definition, 9 one-qubit gates and 6 cx, plus the two h
    h2 = pricing.estimate_cost("quantinuum.qpu.h2-1", TOFFOLI, 1000)
    assert (h2.breakdown["gates_1q"], h2.breakdown["gates_2q"]) == (11, 6)
    assert h2.amount == pytest.approx(5 + 1000 * (11 + 10 * 6 + 5 * 6) / 5000)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize(
    ("target", "unit"), [("quantinuum.sim.h2-1e", "eHQC"), ("quantinuum.qpu.h2-1", "HQC")]
)
def test_quantinuum_hqc_formula_by_hand(name: str, target: str, unit: str):
    circuit, n1, n2, n_m = PROGRAMS[name]
    estimate = pricing.estimate_cost(target, circuit, 1000)
    assert estimate.amount == pytest.approx(5 + 1000 * (n1 + 10 * n2 + 5 * n_m) / 5000)
    assert estimate.unit == unit and estimate.needs_confirmation
    assert estimate.display().endswith(f"{unit} (estimate)")


def test_quantinuum_figures_for_bell_and_ghz5():
    # Bell: 5 + 1000 x (1 + 10 x 1 + 5 x (2 preparations + 2 measurements)) / 5000
    assert pricing.estimate_cost("quantinuum.sim.h2-1e", BELL, 1000).amount == pytest.approx(11.2)
    # GHZ-5: 5 + 1000 x (1 + 10 x 4 + 5 x 10) / 5000
    assert pricing.estimate_cost("quantinuum.qpu.h2-1", GHZ5, 1000).amount == pytest.approx(23.2)
    subscribed = pricing.estimate_cost(
        "quantinuum.sim.h2-1e", BELL, 1000, {"hardware_subscription": "on"}
    )
    assert subscribed.free and subscribed.entry == "quantinuum-h2-emulators"


def test_free_targets():
    for target in ("ionq.simulator", "quantinuum.sim.h2-1sc", "rigetti.sim.qvm", "local.simulator"):
        estimate = pricing.estimate_cost(target, BELL, 1000)
        assert estimate.free and estimate.amount == 0.0, target
        assert not estimate.needs_confirmation and estimate.display() == "Free"


def test_rigetti_hardware_costs_an_amount_known_only_after_the_run():
    estimate = pricing.estimate_cost("rigetti.qpu.cepheus-1-108q", BELL, 100)
    assert estimate.amount is None and estimate.needs_confirmation
    assert estimate.breakdown["price"] == 0.02 and estimate.breakdown["per_ms"] == 10
    assert estimate.display() == "Paid (known only after the run)"
    assert estimate.formula.startswith("USD 0.02 per 10 ms of execution")


def test_a_target_without_a_table_entry_costs_an_unknown_amount():
    estimate = pricing.estimate_cost("pasqal.qpu.fresnel", BELL, 100)
    assert estimate.amount is None and estimate.needs_confirmation
    assert estimate.display() == "Paid (price unknown)"


def test_an_edited_user_price_file_changes_the_estimate():
    before = pricing.estimate_cost("ionq.qpu.forte-1", BELL, 1000).amount
    text = builtin_prices_path().read_text("utf-8")
    user = paths.config_dir() / "prices.toml"
    # the Forte entry is the file's first: its figures are the first occurrences
    edited = text.replace("price_2q = 0.001121", "price_2q = 0.002", 1)
    user.write_text(edited.replace('checked = "2026-12-01"', 'checked = "2027-01-15"', 1), "utf-8")
    after = pricing.estimate_cost("ionq.qpu.forte-1", BELL, 1000)
    assert before == pytest.approx(169.4805)
    assert after.amount == pytest.approx(168.195 + 0.0001645 * 1000 + 0.002 * 1000)
    assert after.checked == "2027-01-15"


def test_a_user_entry_is_looked_at_first_and_may_use_the_floor_rule(tmp_path: Path):
    user = tmp_path / "prices.toml"
    user.write_text(
        'schema_version = 1\n[[entry]]\nid = "lab-forte"\ntargets = ["ionq.qpu.forte-1"]\n'
        'model = "ionq-gate-shots"\nunit = "USD"\nprice_1q = 0.0001645\nprice_2q = 0.001121\n'
        'minimum_mitigated = 168.195\nminimum_unmitigated = 25.7899\nminimum_rule = "floor"\n'
        'source = "lab agreement"\nchecked = "2026-11-30"\n',
        "utf-8",
    )
    table = load_price_table(user=user)
    estimate = pricing.estimate_cost("ionq.qpu.forte-1", GHZ5, 1000, table=table)
    assert estimate.entry == "lab-forte" and estimate.amount == 168.195  # max(168.195, 4.6485)
    big = pricing.estimate_cost("ionq.qpu.forte-1", GHZ5, 100_000, {"error_mitigation": 0}, table)
    assert big.amount == pytest.approx(464.85)  # the gate-shots exceed the minimum
    # the other Forte target still comes from the built-in table
    assert table.entry_for("ionq.qpu.forte-enterprise-1").id == "ionq-forte"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("schema_version = 1\n[[entry]\n", "not valid TOML"),
        ("[[entry]]\nid='x'\n", "schema_version: missing"),
        (
            'schema_version = 1\n[[entry]]\nid = "x"\ntargets = ["a.*"]\nmodel = "free"\n'
            'unit = "USD"\nsource = "s"\n',
            "entry 1: field 'checked' is missing",
        ),
        (
            'schema_version = 1\n[[entry]]\nid = "x"\ntargets = ["a.*"]\nmodel = "ionq-gate-shots"'
            '\nunit = "USD"\nsource = "s"\nchecked = "2026-01-01"\nprice_1q = "cheap"\n',
            "entry 'x': field 'price_1q' must be a number",
        ),
    ],
)
def test_a_broken_price_file_is_refused_in_one_line(content: str, message: str):
    user = paths.config_dir() / "prices.toml"
    user.write_text(content, "utf-8")
    with pytest.raises(PriceTableError) as caught:
        price_table()
    text = str(caught.value)
    assert message in text and str(user) in text and "\n" not in text


def test_totals_per_unit():
    estimates = {
        t: pricing.estimate_cost(t, BELL, 1000)
        for t in ("ionq.qpu.forte-1", "ionq.qpu.aria-1", "quantinuum.sim.h2-1e", "ionq.simulator")
    }
    estimates["rigetti.qpu.cepheus-1-108q"] = pricing.estimate_cost(
        "rigetti.qpu.cepheus-1-108q", BELL, 1000
    )
    sums, unknown = pricing.totals(estimates)
    assert sums == {"USD": pytest.approx(169.4805 + 98.695), "eHQC": pytest.approx(11.2)}
    assert unknown == ["rigetti.qpu.cepheus-1-108q"]


def test_each_paid_target_has_its_providers_free_twin():
    assert pricing.free_alternative("ionq.qpu.forte-1") == "ionq.simulator"
    assert pricing.free_alternative("ionq.simulator") is None
    assert pricing.free_alternative("quantinuum.sim.h2-1e") == "quantinuum.sim.h2-1sc"
    assert pricing.free_alternative("quantinuum.qpu.h2-2") == "quantinuum.sim.h2-2sc"
    assert pricing.free_alternative("quantinuum.sim.h2-1sc") is None
    assert pricing.free_alternative("rigetti.qpu.cepheus-1-108q") == "rigetti.sim.qvm"
    assert pricing.free_alternative("rigetti.sim.qvm") is None
