"""A result's outcomes in every order its pane shows them, found once per result.

A million shots on 20 qubits give ~644,000 outcomes. One `sorted()` over them holds the
interpreter lock for 0.3-0.9 s on whichever thread calls it, and the window stops for as long.
Here nothing large is sorted in one call: slices of `SLICE` outcomes are sorted and then merged,
and sampled counts (whole numbers) are put in order by grouping them by count. Between those
steps the GUI thread gets its turn. A pane ranks a result of more than `WIDE` outcomes on a pool
thread (ui/results/view.py); a smaller result takes a few ms on the GUI thread.

Plain Python (no Qt), like chart_data.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # core.results is not needed before the window's first paint
    from desktop_app.core.results import RunResult

SLICE = 16_384  # sorted in one call: ~2-5 ms of the interpreter lock
WIDE = 20_000  # outcomes from which a pane ranks off the GUI thread


@dataclass(frozen=True)
class Ranking:
    """`result`'s outcomes in three orders, and the totals the "rest" bar needs."""

    result: RunResult
    probabilities: dict[str, float]  # the result's, or count / total when it has none
    by_outcome: list[str]  # bitstring order
    by_chance: list[str]  # most likely first, ties by outcome: the chart's top bars
    by_count: list[str]  # the table's count order: count, then probability, then outcome
    total_count: int
    total_probability: float


def is_wide(result: RunResult) -> bool:
    return max(len(result.counts), len(result.probabilities)) > WIDE


def rank(result: RunResult) -> Ranking:
    counts = result.counts
    total_count = sum(counts.values())
    probabilities = result.probabilities  # read only: not copied (a wide one is 40 MB)
    if not probabilities and counts:
        probabilities = {k: v / (total_count or 1) for k, v in counts.items()}
    if counts and _proportional(counts, probabilities, total_count):  # sampled: one key set
        by_outcome = ordered(list(counts))
        by_count = _grouped_by_count(by_outcome, counts)  # (-count, outcome): no sort at all
        by_chance = by_count  # the probabilities follow the counts
    else:  # a loop, not one set union: that would hold the interpreter lock throughout
        keys = list(counts) + [k for k in probabilities if k not in counts]
        by_outcome = ordered(keys)
        get_p, get_c = probabilities.get, counts.get
        by_chance = ordered(by_outcome, key=lambda k: (-get_p(k, 0.0), k))
        by_count = ordered(by_outcome, key=lambda k: (-(get_c(k) or 0), -get_p(k, 0.0), k))
    return Ranking(
        result,
        probabilities,
        by_outcome,
        by_chance,
        by_count,
        total_count,
        math.fsum(probabilities.values()),
    )


def ordered(items: list[Any], key: Callable[[Any], Any] | None = None) -> list[Any]:
    """`sorted(items, key=key)`, with the interpreter lock let go every `SLICE` items.

    Each slice is sorted in one call; slices already in order (a result's outcomes arrive in
    bitstring order) are joined as they are, others are merged in Python."""
    if len(items) <= SLICE:
        return sorted(items, key=key)
    if key is None:
        slices = [sorted(items[i : i + SLICE]) for i in range(0, len(items), SLICE)]
    else:  # decorated: heapq.merge then compares tuples in C, not keys called in Python
        keyed = [(key(item), item) for item in items]
        slices = [sorted(keyed[i : i + SLICE]) for i in range(0, len(keyed), SLICE)]
    if all(a[-1] < b[0] for a, b in itertools.pairwise(slices)):
        joined = list(itertools.chain.from_iterable(slices))
    else:
        joined = list(heapq.merge(*slices))
    return joined if key is None else [item for _, item in joined]


def _proportional(counts: dict[str, int], probabilities: dict[str, float], total: int) -> bool:
    """Each probability is its count / total, as RunResult.from_counts makes them (a loop, not
    one comparison of two dicts: that is one long hold of the interpreter lock)."""
    get = probabilities.get
    return (
        total > 0
        and len(probabilities) == len(counts)
        and all(get(k) == v / total for k, v in counts.items())
    )


def _grouped_by_count(by_outcome: list[str], counts: dict[str, int]) -> list[str]:
    """`by_outcome` by count, largest first, each count's outcomes in bitstring order."""
    groups: dict[int, list[str]] = {}
    for outcome in by_outcome:
        count = counts[outcome]
        group = groups.get(count)
        if group is None:
            groups[count] = [outcome]
        else:
            group.append(outcome)
    ranked: list[str] = []
    for count in sorted(groups, reverse=True):  # a few hundred distinct counts at most
        ranked.extend(groups[count])
    return ranked
