"""Cost estimates per Azure target for one program and a shot count.

Every figure here is an ESTIMATE from the providers' published formulas; the workspace's own
pricing plan (credits, subscriptions, regional prices) decides what is actually billed. The app
asks the user to confirm any run whose estimate is not free.

Sources (checked 2025; providers change them, see https://learn.microsoft.com/azure/quantum/pricing):
- IonQ on Azure Quantum, pay-as-you-go, billed in Azure Quantum Tokens (AQT, 1 AQT = 1 USD):
  ``AQT = m + 0.000220 * (N1q * C) + 0.000975 * (N2q * C)``, ``m`` the minimum per program:
  USD 97.50 with error mitigation (debiasing) on, USD 12.4166 with it off; a multi-controlled gate
  on N qubits is billed as 6 * (N - 2) two-qubit gates. ionq.simulator is free. Debiasing is on
  by default for jobs of 500 shots or more and unavailable below 500 shots
  (https://docs.ionq.com/sdks/qiskit/error-mitigation-qiskit); option `error_mitigation` turns
  it off.
- Quantinuum, in H-System Quantum Credits (HQC; the emulators in eHQC):
  ``HQC = 5 + C * (N1q + 10 * N2q + 5 * Nm) / 5000``, Nm the state preparations and measurements
  (the initial preparation of every qubit, each reset and each measurement). Syntax checkers
  (`*sc`) are free. HQCs are sold by subscription, so no USD figure is given.
- Rigetti: the QVM simulator is free; QPU time is billed per 10 ms of execution, which cannot be
  known before the run: the amount is unknown but it costs money.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_app.core.azure.translate import GateStats, translate

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

log = logging.getLogger(__name__)

PRICING_URL = "https://learn.microsoft.com/azure/quantum/pricing"

IONQ_PRICE_1Q = 0.000220
IONQ_PRICE_2Q = 0.000975
IONQ_MIN_MITIGATED = 97.50
IONQ_MIN_UNMITIGATED = 12.4166
HQC_BASE = 5.0


@dataclass(frozen=True)
class CostEstimate:
    """The estimated price of one run on one target (`amount` None: not knowable in advance)."""

    target: str
    amount: float | None
    unit: str  # "USD", "HQC", "eHQC"
    free: bool
    formula: str  # how the figure was made, for a tooltip
    source: str = PRICING_URL
    is_estimate: bool = True

    @property
    def needs_confirmation(self) -> bool:
        """True for anything that may cost money: the app asks before running it."""
        return not self.free

    def display(self) -> str:
        if self.free:
            return "Free"
        if self.amount is None:
            return "Paid (price depends on run time)"
        if self.unit == "USD":
            return f"≈ ${self.amount:,.2f} (estimate)"
        return f"≈ {self.amount:,.2f} {self.unit} (estimate)"


def _free(target: str, why: str) -> CostEstimate:
    return CostEstimate(target, 0.0, "USD", True, why)


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "off", "no")
    return bool(value)


def ionq_cost(target: str, stats: GateStats, shots: int, error_mitigation: bool) -> CostEstimate:
    if target == "ionq.simulator" or ".simulator" in target:
        return _free(target, "IonQ's ideal simulator is free of charge.")
    two_q = stats.two_qubit + sum(6 * (n - 2) for n in stats.multi_qubit)
    minimum = IONQ_MIN_MITIGATED if error_mitigation else IONQ_MIN_UNMITIGATED
    amount = minimum + IONQ_PRICE_1Q * stats.one_qubit * shots + IONQ_PRICE_2Q * two_q * shots
    formula = (
        f"{minimum} + {IONQ_PRICE_1Q} x {stats.one_qubit} 1q gates x {shots} shots + "
        f"{IONQ_PRICE_2Q} x {two_q} 2q gates x {shots} shots (error mitigation "
        f"{'on' if error_mitigation else 'off'})"
    )
    return CostEstimate(target, round(amount, 2), "USD", False, formula)


def quantinuum_cost(target: str, stats: GateStats, shots: int) -> CostEstimate:
    if target.endswith("sc"):
        return _free(target, "Quantinuum's syntax checkers are free of charge.")
    n_2q = stats.two_qubit + sum(stats.multi_qubit)  # rare after transpiling; billed as 2q
    n_m = stats.num_qubits + stats.resets + stats.measurements
    amount = HQC_BASE + shots * (stats.one_qubit + 10 * n_2q + 5 * n_m) / 5000
    unit = "eHQC" if ".sim." in target else "HQC"
    formula = (
        f"5 + {shots} shots x ({stats.one_qubit} 1q + 10 x {n_2q} 2q + 5 x {n_m} "
        "preparations/measurements) / 5000"
    )
    return CostEstimate(target, round(amount, 2), unit, False, formula)


def rigetti_cost(target: str) -> CostEstimate:
    if ".sim." in target:
        return _free(target, "Rigetti's QVM simulator is free of charge.")
    return CostEstimate(
        target, None, "USD", False, "Rigetti bills QPU time per 10 ms of execution."
    )


def estimate_cost(
    target: str,
    circuit: QuantumCircuit,
    shots: int,
    options: Mapping[str, object] | None = None,
) -> CostEstimate:
    """Estimate the price of `shots` shots of `circuit` on the Azure target `target`.

    Local backends are free. Targets of other providers get an unknown, non-free estimate so the
    app still asks before spending. Raises UserInputError when the circuit cannot be translated.
    """
    options = options or {}
    if target.startswith("local."):
        return _free(target, "Runs on this computer.")
    provider = target.split(".", 1)[0].lower()
    if provider == "rigetti":
        return rigetti_cost(target)
    if provider not in ("ionq", "quantinuum"):
        return CostEstimate(target, None, "USD", False, "No published formula is known.")
    stats = translate(circuit, target).stats
    if provider == "ionq":
        mitigation = shots >= 500 and _truthy(options.get("error_mitigation", True))
        return ionq_cost(target, stats, shots, mitigation)
    return quantinuum_cost(target, stats, shots)
