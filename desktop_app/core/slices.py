"""Work on a wide result (a million shots on 20 qubits: ~644,000 outcomes) in slices.

One C call over all of it (`sorted()`, `json.dumps`, `pickle.loads`, comparing two dicts) holds
the interpreter lock for 0.2-1.8 s, on whichever thread makes it; the window's thread then waits
as long. A slice of `SLICE` items takes 2-20 ms, and between slices the lock is let go.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

SLICE = 16_384

T = TypeVar("T")
V = TypeVar("V", int, float)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection for a moment: Python 3.11's json encoder makes a tuple per item of a
    dict, and 644,000 of them set off ~700 collections, gen-2 ones of 11-14 ms among them, that
    find nothing (the tuples are freed as they are used). Enabled again after, unless it was off
    before (a thread that finds it paused by another leaves it to that one)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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


def most_frequent(values: Mapping[str, V], limit: int) -> list[tuple[str, V]]:
    """The `limit` outcomes of largest value, largest first, equal values in outcome order:
    `sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]` without sorting them all.

    Only the outcomes at or above the `limit`-th largest value are sorted: for 644,000 outcomes
    0.1 s instead of 0.8 s (the command line's table, `jobs show`, a job's histogram image)."""
    if limit <= 0:
        return []
    contenders: Iterable[tuple[str, V]] = values.items()
    if len(values) > limit:
        floor = heapq.nlargest(limit, values.values())[-1]
        contenders = [(k, v) for k, v in values.items() if v >= floor]
    return sorted(contenders, key=lambda kv: (-kv[1], kv[0]))[:limit]


def over_total(counts: Mapping[str, int]) -> dict[str, float]:
    """Each count / the total: a sampled result's probabilities ({} when nothing was counted).
    The one expression for them, so that every copy comes out bit for bit the same (the
    ledger stores them left out, the worker's pipe does not send them)."""
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total else {}


def proportional(counts: Mapping[str, int], probabilities: Mapping[str, float]) -> bool:
    """`probabilities == over_total(counts)` as a loop, not one comparison of two dicts."""
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


class PackedStrings(Sequence[str]):
    """Strings of one width (a result's outcomes) kept in one string.

    A tuple of 644,000 outcomes cost the garbage collector 25 ms to look through once, and a list
    costs that at every collection; one string costs it nothing. Strings of mixed widths are
    kept in a tuple instead."""

    __slots__ = ("_count", "_text", "_tuple", "_width")

    def __init__(self, items: list[str]) -> None:
        self._count = len(items)
        self._width = width = len(items[0]) if items else 0
        parts = list(in_slices(items))  # one join of 644,000 strings holds the lock 70 ms
        one_width = all(set(map(len, part)) == {width} for part in parts)
        self._text = "".join(["".join(part) for part in parts]) if one_width else ""
        self._tuple: tuple[str, ...] | None = None if one_width else tuple(items)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:  # int -> str, slice -> list[str]
        if self._tuple is not None:
            found = self._tuple[index]
            return list(found) if isinstance(index, slice) else found
        width = self._width
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            if not width:
                return [""] * max(0, stop - start)
            text = self._text[start * width : stop * width]
            return [text[i : i + width] for i in range(0, len(text), width)]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("index out of range")
        return self._text[index * width : (index + 1) * width]

    def __iter__(self) -> Iterator[str]:
        for start in range(0, self._count, SLICE):
            yield from self[start : start + SLICE]
