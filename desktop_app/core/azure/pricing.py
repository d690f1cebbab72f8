"""Cost estimates per Azure target for one program, a shot count and the provider options.

The figures come from the price table (`price_table`: resources/prices.toml, which cites the
provider's page and the date it was checked, overridden by the user's prices.toml), applied to the
program as the target will run it: the gate counts of `translate` (the target's gate set), with a
gate on three or more qubits billed as the provider bills it (IonQ: 6 * (N - 2) two-qubit gates;
Quantinuum: the gates it decomposes into). Every estimate names the table entry and its date.

These are ESTIMATES from the providers' published formulas; the workspace's own plan (credits,
subscriptions, regional prices) decides what is billed. The app asks before anything not free.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from desktop_app.core.azure.price_table import PriceEntry, PriceTable, format_amount, price_table
from desktop_app.core.errors import UserInputError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from desktop_app.core.azure.translate import GateStats
    from desktop_app.core.request import RunRequest

log = logging.getLogger(__name__)

PRICING_URL: Final = "https://learn.microsoft.com/azure/quantum/pricing"
ERROR_MITIGATION: Final = "error_mitigation"
HARDWARE_SUBSCRIPTION: Final = "hardware_subscription"
# provider options the estimate reads (other options, such as a simulator seed, do not change it)
PRICE_OPTIONS: Final = (ERROR_MITIGATION, HARDWARE_SUBSCRIPTION)
_ON: Final = ("1", "true", "on", "yes")
_OFF: Final = ("0", "false", "off", "no")


@dataclass(frozen=True)
class CostEstimate:
    """The estimated price of one run on one target (`amount` None: not knowable in advance)."""

    target: str
    amount: float | None
    unit: str  # "USD", "HQC", "eHQC", ...
    free: bool
    formula: str  # how the figure was made, in words (tooltips, --json)
    entry: str = ""  # the price-table entry used
    checked: str = ""  # the date that entry was checked against its source
    source: str = PRICING_URL
    breakdown: Mapping[str, Any] = field(default_factory=dict)  # counts and unit prices
    # IonQ hardware: the same run with error mitigation switched the other way
    alternative: CostEstimate | None = None
    is_estimate: bool = True

    @property
    def needs_confirmation(self) -> bool:
        """True for anything that may cost money: the app asks before running it."""
        return not self.free

    def amount_text(self) -> str:
        """'$168.38', '6.24 eHQC', 'Free', or 'unknown' (the amount alone)."""
        if self.free:
            return "Free"
        if self.amount is None:
            return "unknown"
        return format_amount(self.amount, self.unit)

    def display(self) -> str:
        """One cell's text: the estimate, and for IonQ hardware the price with mitigation off."""
        if self.free:
            return "Free"
        if self.amount is None:
            return "Paid (known only after the run)" if self.entry else "Paid (price unknown)"
        text = f"≈ {self.amount_text()} (estimate)"
        other = self.alternative
        if other is not None and other.amount is not None:
            state = "off" if self.breakdown.get(ERROR_MITIGATION) else "on"
            text += f"; mitigation {state} ≈ {other.amount_text()}"
        return text

    def to_json(self) -> dict[str, Any]:
        """The `estimate --json` object."""
        return {
            "backend": self.target,
            "total": self.amount,
            "unit": self.unit,
            "free": self.free,
            "known": self.amount is not None,
            "entry": self.entry,
            "source": self.source,
            "checked": self.checked,
            "formula": self.formula,
            "breakdown": dict(self.breakdown),
            "alternative": None if self.alternative is None else self.alternative.to_json(),
        }

    def to_ledger(self) -> dict[str, Any]:
        """The ledger's cost convention ({"amount", "currency", ...}) plus where it came from."""
        return {
            "amount": self.amount,
            "currency": self.unit,
            "free": self.free,
            "entry": self.entry,
            "checked": self.checked,
            "source": self.source,
            "formula": self.formula,
            "breakdown": dict(self.breakdown),
            "origin": "estimate",
        }


def switch(value: object, name: str) -> bool:
    """An on/off option (bool or on/off/true/false/yes/no/1/0); UserInputError otherwise."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _ON:
        return True
    if text in _OFF:
        return False
    raise UserInputError(f"option {name} must be on or off, not {value!r}")


def _free(target: str, entry: PriceEntry | None, why: str) -> CostEstimate:
    if entry is None:
        return CostEstimate(target, 0.0, "USD", True, why, entry="local", source="")
    return CostEstimate(
        target, 0.0, entry.unit, True, entry.note or why, entry.id, entry.checked, entry.source
    )


def _priced(
    entry: PriceEntry, target: str, amount: float | None, formula: str, breakdown: dict[str, Any]
) -> CostEstimate:
    total = None if amount is None else round(amount, 6)
    return CostEstimate(
        target, total, entry.unit, False, formula, entry.id, entry.checked, entry.source, breakdown
    )


def ionq_cost(
    entry: PriceEntry, target: str, stats: GateStats, shots: int, mitigation: bool
) -> CostEstimate:
    n1 = stats.one_qubit
    n2 = stats.two_qubit + sum(
        int(entry.figure("multi_qubit_2q")) * (n - 2) for n in stats.multi_qubit
    )
    p1, p2 = entry.figure("price_1q"), entry.figure("price_2q")
    minimum = entry.figure("minimum_mitigated" if mitigation else "minimum_unmitigated")
    gates = p1 * n1 * shots + p2 * n2 * shots
    amount = minimum + gates if entry.minimum_rule == "added" else max(minimum, gates)
    joined = "+" if entry.minimum_rule == "added" else "max of"
    formula = (
        f"minimum {minimum:g} {joined} {p1:g} x {n1} 1q gates x {shots} shots + "
        f"{p2:g} x {n2} 2q gates x {shots} shots (error mitigation "
        f"{'on' if mitigation else 'off'})"
    )
    breakdown = {
        "shots": shots,
        "gates_1q": n1,
        "gates_2q": n2,
        "gate_shots_1q": n1 * shots,
        "gate_shots_2q": n2 * shots,
        "price_1q": p1,
        "price_2q": p2,
        "minimum": minimum,
        "minimum_rule": entry.minimum_rule,
        ERROR_MITIGATION: mitigation,
    }
    return _priced(entry, target, amount, formula, breakdown)


def quantinuum_cost(entry: PriceEntry, target: str, stats: GateStats, shots: int) -> CostEstimate:
    n1 = stats.one_qubit + stats.multi_decomposed[0]
    n2 = stats.two_qubit + stats.multi_decomposed[1]
    n_m = stats.num_qubits + stats.resets + stats.measurements
    base, w1, w2, wm, divisor = (
        entry.figure(n) for n in ("base", "weight_1q", "weight_2q", "weight_spam", "divisor")
    )
    amount = base + shots * (w1 * n1 + w2 * n2 + wm * n_m) / divisor
    formula = (
        f"{base:g} + {shots} shots x ({w1:g} x {n1} 1q + {w2:g} x {n2} 2q + {wm:g} x {n_m} "
        f"preparations/measurements) / {divisor:g}"
    )
    breakdown = {
        "shots": shots,
        "gates_1q": n1,
        "gates_2q": n2,
        "spam": n_m,
        "base": base,
        "weight_1q": w1,
        "weight_2q": w2,
        "weight_spam": wm,
        "divisor": divisor,
    }
    return _priced(entry, target, amount, formula, breakdown)


def _time_cost(entry: PriceEntry, target: str, shots: int) -> CostEstimate:
    price, per_ms = entry.figure("price"), entry.figure("per_ms")
    formula = f"{entry.unit} {price:g} per {per_ms:g} ms of execution, known only after the run"
    breakdown = {"shots": shots, "price": price, "per_ms": per_ms}
    return _priced(entry, target, None, formula, breakdown)


def _ionq_mitigation(entry: PriceEntry, target: str, shots: int, value: object) -> bool | None:
    """The effective error mitigation: None when it is not available (too few shots)."""
    least = int(entry.figure("mitigation_min_shots"))
    wanted = None if value is None else switch(value, ERROR_MITIGATION)
    if shots < least:
        if wanted:
            raise UserInputError(
                f"{target}: error mitigation needs at least {least} shots (IonQ does not debias "
                f"smaller jobs); raise the shots or turn it off"
            )
        return None
    return True if wanted is None else wanted


def estimate_cost(
    target: str,
    circuit: QuantumCircuit,
    shots: int,
    options: Mapping[str, object] | None = None,
    table: PriceTable | None = None,
) -> CostEstimate:
    """Estimate the price of `shots` shots of `circuit` on `target` with provider `options`.

    Local backends are free. A target without a table entry costs an unknown amount, so the app
    still asks. Raises UserInputError when the circuit cannot be translated for a paid target,
    an option is invalid, or a price file cannot be used (PriceTableError).
    """
    options = options or {}
    if target.startswith("local."):
        return _free(target, None, "Runs on this computer.")
    entry = (table or price_table()).entry_for(target)
    if entry is None:
        return CostEstimate(
            target, None, "", False, "the price table has no entry for this target", source=""
        )
    if entry.model == "free":
        return _free(target, entry, "Free of charge.")
    if entry.model == "per-execution-time":
        return _time_cost(entry, target, shots)
    subscribed = switch(options.get(HARDWARE_SUBSCRIPTION, False), HARDWARE_SUBSCRIPTION)
    if entry.free_with_subscription and subscribed:
        return _free(target, entry, "Included in the workspace's hardware subscription.")
    from desktop_app.core.azure.translate import translate

    stats = translate(circuit, target).stats
    if entry.model == "quantinuum-hqc":
        return quantinuum_cost(entry, target, stats, shots)
    mitigation = _ionq_mitigation(entry, target, shots, options.get(ERROR_MITIGATION))
    estimate = ionq_cost(entry, target, stats, shots, bool(mitigation))
    if mitigation is None:
        return estimate
    other = ionq_cost(entry, target, stats, shots, not mitigation)
    return replace(estimate, alternative=other)


def estimate_request(request: RunRequest) -> CostEstimate | None:
    """The estimate of one Azure run request (None for a local backend)."""
    if request.profile is None and request.backend.startswith("local."):
        return None
    from desktop_app.core.programs import load_program

    program = load_program(request.source, request.path)
    return estimate_cost(request.backend, program.circuit, request.shots, request.options)


def totals(estimates: Mapping[str, CostEstimate]) -> tuple[dict[str, float], list[str]]:
    """unit -> sum of the known paid amounts, and the paid targets whose amount is unknown."""
    sums: dict[str, float] = {}
    unknown: list[str] = []
    for target, estimate in estimates.items():
        if estimate.free:
            continue
        if estimate.amount is None:
            unknown.append(target)
        else:
            sums[estimate.unit] = sums.get(estimate.unit, 0.0) + estimate.amount
    return sums, unknown


def free_alternative(target: str) -> str | None:
    """The same provider's free target to try a program on before paying (None: there is none):
    IonQ's simulator, Quantinuum's syntax checker of the same machine, Rigetti's QVM."""
    provider, _, rest = target.lower().partition(".")
    if provider == "ionq" and target != "ionq.simulator":
        return "ionq.simulator"
    if provider == "quantinuum" and not rest.endswith("sc"):
        machine = rest.rsplit(".", 1)[-1]  # h2-1e (emulator) or h2-1 (hardware)
        return f"quantinuum.sim.{machine.removesuffix('e')}sc"
    if provider == "rigetti" and rest.startswith("qpu."):
        return "rigetti.sim.qvm"
    return None
