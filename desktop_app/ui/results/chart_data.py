"""What a results chart shows, from a result and the options every pane shares: counts or
percentages, outcomes in bitstring or count order, the N largest and the rest in one bar.

Plain Python (no Qt): the histogram draws these bars, the tests check them directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
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
            return f"rest ({self.folded})"
        if len(self.outcome) > MAX_LABEL:
            return self.outcome[: MAX_LABEL - 1] + "…"
        return self.outcome

    def tooltip(self, exact: bool) -> str:
        kind = "expected count" if exact else "count"
        count = f"{self.count:,.1f}" if exact else f"{round(self.count):,}"
        head = f"{self.folded} other outcomes" if self.folded else f"Outcome {self.outcome}"
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
    result, probabilities = ranking.result, ranking.probabilities
    exact = result.exact or not result.counts
    shots = result.shots or ranking.total_count

    def bar(outcome: str) -> Bar:
        probability = probabilities.get(outcome, 0.0)
        count = probability * shots if exact else float(result.counts.get(outcome, 0))
        return Bar(outcome, _value(options, probability, count), count, probability)

    top = max(1, options.top)
    if len(ranking.by_chance) == top + 1:  # a "rest" of one outcome is that outcome
        top += 1
    kept = ranking.by_chance[:top]
    shown = _in_order([bar(k) for k in kept], options.sort)
    folded = len(ranking.by_chance) - len(kept)
    if folded:
        kept_probability = math.fsum(probabilities.get(k, 0.0) for k in kept)
        probability = max(0.0, ranking.total_probability - kept_probability)
        if exact:
            count = probability * shots
        else:  # the counts not shown, in whole numbers
            count = float(ranking.total_count - sum(result.counts.get(k, 0) for k in kept))
        shown.append(
            Bar("", _value(options, probability, count), count, probability, folded=folded)
        )
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
    others summed into "rest" per backend), ordered as `options.sort` says."""
    every = [{b.outcome: b for b in bars_from(r, replace(options, top=1 << 30))} for r in rankings]
    ranked = sorted(
        {k for bars in every for k in bars},
        key=lambda k: (-max(bars[k].probability if k in bars else 0.0 for bars in every), k),
    )
    top = max(1, options.top)
    if len(ranked) == top + 1:  # a "rest" of one outcome is that outcome
        top += 1
    shown, rest = ranked[:top], ranked[top:]
    if options.sort == BY_COUNT:
        shown.sort(key=lambda k: (-max(b[k].probability if k in b else 0.0 for b in every), k))
    else:
        shown.sort()
    empty = Bar("", 0.0, 0.0, 0.0)
    groups = [
        Group(
            Bar(k, 0, 0, 0).label,
            tuple(bars.get(k, replace(empty, outcome=k)) for bars in every),
        )
        for k in shown
    ]
    if rest:
        folded = []
        for bars in every:
            parts = [bars[k] for k in rest if k in bars]
            folded.append(
                Bar(
                    "",
                    sum(b.value for b in parts),
                    sum(b.count for b in parts),
                    sum(b.probability for b in parts),
                    folded=len(rest),
                )
            )
        groups.append(Group(f"rest ({len(rest)})", tuple(folded)))
    return groups
