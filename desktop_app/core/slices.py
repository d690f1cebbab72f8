"""Work on a wide result (a million shots on 20 qubits: ~644,000 outcomes) in slices.

One C call over all of it (`sorted()`, `json.dumps`, `pickle.loads`, comparing two dicts) holds
the interpreter lock for 0.2-1.8 s, on whichever thread makes it; the window's thread then waits
as long. A slice of `SLICE` items takes 2-20 ms, and between slices the lock is let go.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

SLICE = 16_384

T = TypeVar("T")


def in_slices(items: Sequence[T]) -> Iterator[Sequence[T]]:
    return (items[i : i + SLICE] for i in range(0, len(items), SLICE))


def ordered(items: list[Any], key: Callable[[Any], Any] | None = None) -> list[Any]:
    """`sorted(items, key=key)`, one slice at a time.

    Each slice is sorted in one call; slices already in order (a result's outcomes arrive in
    bitstring order) are joined as they are, others are merged in Python."""
    if len(items) <= SLICE:
        return sorted(items, key=key)
    if key is None:
        slices = [sorted(part) for part in in_slices(items)]
    else:  # decorated: heapq.merge then compares tuples in C, not keys called in Python
        slices = [sorted(part) for part in in_slices([(key(item), item) for item in items])]
    if all(a[-1] < b[0] for a, b in itertools.pairwise(slices)):
        joined = list(itertools.chain.from_iterable(slices))
    else:
        joined = list(heapq.merge(*slices))
    return joined if key is None else [item for _, item in joined]


def proportional(counts: Mapping[str, int], probabilities: Mapping[str, float]) -> bool:
    """Each probability is its count / total, as RunResult.from_counts makes them, and there
    are no others (a loop, not one comparison of two dicts)."""
    total = sum(counts.values())
    get = probabilities.get
    return (
        total > 0
        and len(probabilities) == len(counts)
        and all(get(k) == v / total for k, v in counts.items())
    )


def pickled(mapping: dict[str, Any]) -> list[bytes]:
    """`mapping` for another process, a slice of it per bytes object (see `unpickled`)."""
    import pickle

    keys = list(mapping)
    return [pickle.dumps({k: mapping[k] for k in part}) for part in in_slices(keys)]


def unpickled(parts: list[bytes]) -> dict[str, Any]:
    """The mapping `pickled` gave, one slice unpickled per call."""
    import pickle

    mapping: dict[str, Any] = {}
    for part in parts:
        mapping.update(pickle.loads(part))
    return mapping
