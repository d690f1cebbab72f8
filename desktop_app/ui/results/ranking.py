"""A result's outcomes in every order its pane shows them, found once per result.

A million shots on 20 qubits give ~644,000 outcomes. One `sorted()` over them holds the
interpreter lock for 0.3-0.9 s on whichever thread calls it, and the window stops for as long.
Here nothing large is sorted in one call (core/slices.py), and sampled counts (whole numbers)
are put in order by grouping them by count. A pane ranks a result of more than `WIDE` outcomes
on a pool thread (ui/results/view.py); a smaller one takes a few ms on the GUI thread.

Plain Python (no Qt), like chart_data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_app.core.slices import (
    PackedStrings,
    SortedSlices,
    collector_paused,
    exact_sum,
    keys_in_order,
    ordered,
    over_total,
    proportional,
    total,
)

if TYPE_CHECKING:  # core.results is not needed before the window's first paint
    from desktop_app.core.results import RunResult

WIDE = 20_000  # outcomes from which a pane ranks off the GUI thread


@dataclass(frozen=True)
class Ranking:
    """`result`'s outcomes in three orders, and the totals the "rest" bar needs."""

    result: RunResult
    probabilities: Mapping[str, float]  # the result's, or count / total when it has none
    by_outcome: PackedStrings  # bitstring order
    by_chance: PackedStrings  # most likely first, ties by outcome: the chart's top bars
    by_count: PackedStrings  # the table's count order: count, then probability, then outcome
    total_count: int
    total_probability: float


def is_wide(result: RunResult) -> bool:
    return max(len(result.counts), len(result.probabilities)) > WIDE


def rank(result: RunResult) -> Ranking:
    """The result's orders. The garbage collector waits meanwhile: until they are packed, the
    orders are lists of every outcome, and a collection that met them walked each item
    (39 ms on whichever thread it ran, the window's among them)."""
    with collector_paused():
        return _ranked(result)


def _ranked(result: RunResult) -> Ranking:
    counts = result.counts
    total_count = total(counts)
    probabilities = result.probabilities  # read only: not copied (a wide one is 40 MB)
    if not probabilities:
        probabilities = over_total(counts)
    if counts and proportional(counts, probabilities):  # sampled: one key set
        in_order = keys_in_order(counts)
        in_pairs = (  # (outcome, count) in outcome order
            counts.items()
            if isinstance(counts, SortedSlices)
            else zip(in_order, map(counts.__getitem__, in_order), strict=True)
        )
        by_count = _grouped_by_count(in_pairs)  # (-count, outcome): no sort at all
        by_chance = by_count  # the probabilities follow the counts
    else:  # a loop, not one set union: that would hold the interpreter lock throughout
        in_order = ordered(list(counts) + [k for k in probabilities if k not in counts])
        get_p, get_c = probabilities.get, counts.get
        by_chance = ordered(in_order, key=lambda k: (-get_p(k, 0.0), k))
        by_count = ordered(in_order, key=lambda k: (-(get_c(k) or 0), -get_p(k, 0.0), k))
    by_count_packed = PackedStrings(by_count)
    return Ranking(
        result,
        probabilities,
        PackedStrings(in_order),
        by_count_packed if by_chance is by_count else PackedStrings(by_chance),
        by_count_packed,
        total_count,
        exact_sum(probabilities),
    )


def _grouped_by_count(in_pairs: Iterable[tuple[str, int]]) -> list[str]:
    """The outcomes of (outcome, count) pairs in bitstring order by count, largest first, each
    count's outcomes in bitstring order."""
    groups: dict[int, list[str]] = {}
    for outcome, count in in_pairs:
        group = groups.get(count)
        if group is None:
            groups[count] = [outcome]
        else:
            group.append(outcome)
    ranked: list[str] = []
    for count in sorted(groups, reverse=True):  # a few hundred distinct counts at most
        ranked.extend(groups[count])
    return ranked
