"""What a results chart shows, from a result and the options every pane shares: counts or
percentages, outcomes in bitstring or count order, the N largest and the rest in one bar.

Plain Python (no Qt): the histogram draws these bars, the tests check them directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # core.results is not needed before the window's first paint
    from desktop_app.core.results import RunResult
    from desktop_app.ui.results.ranking import Ranking

COUNT: Final = "count"
PERCENT: Final = "percent"
BY_BITSTRING: Final = "bitstring"
BY_COUNT: Final = "count"
MAX_LABEL = 10  # a longer outcome is shortened on the axis; the tooltip has all of it
BIT_ORDER_NOTE: Final = "Bit order: classical bit 0 is the rightmost character of each outcome."


@dataclass(frozen=True)
class ChartOptions:
    mode: str = COUNT
    sort: str = BY_BITSTRING
    top: int = 16


@dataclass(frozen=True)
class Bar:
    outcome: str  # the full bitstring; for the rest bar, "" (see `folded`)
    value: float  # in the chart's unit (count, or percent of shots)
    count: float  # measured count (expected count for an exact result)
    probability: float
    folded: int = 0  # outcomes summed into this bar ("rest")

    @property
    def label(self) -> str:
        if self.folded:
            return f"rest ({self.folded:,})"
        if len(self.outcome) > MAX_LABEL:
            return self.outcome[: MAX_LABEL - 1] + "…"
        return self.outcome

    def tooltip(self, exact: bool) -> str:
        kind = "expected count" if exact else "count"
        count = f"{self.count:,.1f}" if exact else f"{round(self.count):,}"
        head = f"{self.folded:,} other outcomes" if self.folded else f"Outcome {self.outcome}"
        return (
            f"{head}\n{kind}: {count}\nprobability: {self.probability:.4f} ({self.probability:.2%})"
        )


def value_title(options: ChartOptions, exact: bool = False) -> str:
    if options.mode == PERCENT:
        return "Percent of shots"
    return "Expected count" if exact else "Count"


def bars_for(result: RunResult, options: ChartOptions) -> list[Bar]:
    from desktop_app.ui.results.ranking import rank

    return bars_from(rank(result), options)


def bars_from(ranking: Ranking, options: ChartOptions) -> list[Bar]:
    """The `options.top` most likely outcomes in `options.sort` order, then one bar for the rest:
    a few dozen steps whatever the result's size (it was ranked once, see ranking.py)."""
    top = max(1, options.top)
    if len(ranking.by_chance) == top + 1:  # a "rest" of one outcome is that outcome
        top += 1
    kept = ranking.by_chance[:top]
    shown = _in_order([_bar(ranking, k, options) for k in kept], options.sort)
    folded = len(ranking.by_chance) - len(kept)
    if folded:  # the rest, in whole counts for a sampled result
        shown.append(_rest_bar(ranking, kept, options, folded))
    return shown


def _value(options: ChartOptions, probability: float, count: float) -> float:
    """A bar's height in the chart's unit: its count, or its percent of the shots."""
    return probability * 100 if options.mode == PERCENT else count


def _in_order(bars: list[Bar], sort: str) -> list[Bar]:
    if sort == BY_COUNT:
        return sorted(bars, key=lambda b: (-b.probability, b.outcome))
    return sorted(bars, key=lambda b: b.outcome)


def integer_tick_step(top: float, ticks: int = 5) -> int:
    """A whole-number step (1, 2, 5 x 10^k) giving about `ticks` ticks up to `top`."""
    if top <= ticks:
        return 1
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def axis_top(value: float, step: float) -> float:
    """The axis' upper end: a tick above `value`, with room above the bar for its label."""
    if value <= 0:
        return step
    return math.ceil(value * 1.2 / step) * step


@dataclass(frozen=True)
class Group:
    """One outcome on the overlay chart: each backend's bar for it, in the backends' order."""

    label: str
    bars: tuple[Bar, ...]


def overlay_groups(rankings: list[Ranking], options: ChartOptions) -> list[Group]:
    """Several results on one axis: the `options.top` outcomes most likely in any of them (the
    others summed into "rest" per backend), ordered as `options.sort` says.

    Only each result's own `top` most likely outcomes are candidates: an outcome that `top`
    others outrank in the result where it is most likely is outranked by them overall as well.
    So a wide result costs a few dozen steps here, not one bar per outcome."""
    top = max(1, options.top)
    distinct = _distinct_outcomes(rankings)
    if distinct == top + 1:  # a "rest" of one outcome is that outcome
        top += 1
    candidates = {k for r in rankings for k in r.by_chance[:top]}

    def best(k: str) -> float:
        return max(r.probabilities.get(k, 0.0) for r in rankings)

    shown = sorted(candidates, key=lambda k: (-best(k), k))[:top]
    shown.sort(key=(lambda k: (-best(k), k)) if options.sort == BY_COUNT else None)
    groups = [
        Group(Bar(k, 0, 0, 0).label, tuple(_bar(r, k, options) for r in rankings)) for k in shown
    ]
    folded = distinct - len(shown)
    if folded:
        rest = tuple(_rest_bar(r, shown, options, folded) for r in rankings)
        groups.append(Group(f"rest ({folded:,})", rest))
    return groups


def _distinct_outcomes(rankings: list[Ranking]) -> int:
    """How many outcomes the results have between them: the widest one's, and the others' that
    it lacks (a loop over the smaller ones only)."""
    if not rankings:
        return 0
    widest = max(rankings, key=lambda r: len(r.by_outcome))
    probabilities, counts, extra = widest.probabilities, widest.result.counts, set[str]()
    for ranking in rankings:
        if ranking is not widest:
            extra.update(
                k for k in ranking.by_outcome if k not in probabilities and k not in counts
            )
    return len(widest.by_outcome) + len(extra)


def _bar(ranking: Ranking, outcome: str, options: ChartOptions) -> Bar:
    """`outcome`'s bar in `ranking`'s result (zero when the result never had it)."""
    result = ranking.result
    probability = ranking.probabilities.get(outcome, 0.0)
    if result.exact or not result.counts:
        count = probability * (result.shots or ranking.total_count)
    else:
        count = float(result.counts.get(outcome, 0))
    return Bar(outcome, _value(options, probability, count), count, probability)


def _rest_bar(ranking: Ranking, shown: list[str], options: ChartOptions, folded: int) -> Bar:
    """One bar for every outcome of `ranking`'s result not in `shown`."""
    result = ranking.result
    kept_probability = math.fsum(ranking.probabilities.get(k, 0.0) for k in shown)
    probability = max(0.0, ranking.total_probability - kept_probability)
    if result.exact or not result.counts:
        count = probability * (result.shots or ranking.total_count)
    else:
        count = float(ranking.total_count - sum(result.counts.get(k, 0) for k in shown))
    return Bar("", _value(options, probability, count), count, probability, folded=folded)
