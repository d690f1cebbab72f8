"""Work on a wide result (a million shots on 20 qubits: ~644,000 outcomes) in slices.

One C call over all of it (`sorted()`, `json.dumps`, `pickle.loads`, comparing two dicts) holds
the interpreter lock for 0.2-1.8 s, on whichever thread makes it; the window's thread then waits
as long. A slice of `SLICE` items takes 0.5-5 ms, and between slices the lock is let go.

The window's thread enters Python many times to do one thing (the jobs table's update after a
run: ~200 calls), and each time it may wait for the slice under way. With slices of 16,384
(`json.dumps` of one: 4-5 ms) that update took 14 ms while a wide result was being ranked.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import heapq
import itertools
import threading
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    Sequence,
    ValuesView,
)
from typing import Any, Generic, TypeVar, overload

SLICE = 4_096

T = TypeVar("T")
V = TypeVar("V", int, float)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection for a moment: Python 3.11's json encoder makes a tuple per item of a
    dict, and 644,000 of them set off ~700 collections, gen-2 ones of 11-14 ms among them, that
    find nothing (the tuples are freed as they are used).

    Pauses on several threads at once overlap: the collector comes back when the last one ends,
    and only if it was on when the first began. (Left to each thread, one that ended first
    turned it back on under another's lists of 644,000 outcomes: a 40 ms collection.)"""
    with _pause_lock:
        if not _pauses:
            _was_enabled[0] = gc.isenabled()
            gc.disable()
        _pauses.append(None)
    try:
        yield
    finally:
        with _pause_lock:
            _pauses.pop()
            if not _pauses and _was_enabled[0]:
                gc.enable()


_pause_lock = threading.Lock()
_pauses: list[None] = []  # one per pause under way
_was_enabled = [True]  # the collector's state when the first of them began


def in_slices(items: Sequence[T]) -> Iterator[Sequence[T]]:
    return (items[i : i + SLICE] for i in range(0, len(items), SLICE))


def yielding(parts: Iterable[Iterable[T]]) -> Iterator[T]:
    """The items of `parts`, one after the other, for one C call over all of them (`fsum`,
    `list`, `sum`): the call comes back into Python at each part, and there the interpreter lock
    can go to the window's thread. Over plain `itertools.chain` it would hold it throughout."""
    return itertools.chain.from_iterable(_one_by_one(parts))


def _one_by_one(parts: Iterable[Iterable[T]]) -> Iterator[Iterable[T]]:
    yield from parts  # a Python frame: the interpreter's switch point


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
        joined = list(yielding(slices))
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


def total(counts: Mapping[str, int]) -> int:
    """The sum of the counts, a slice at a time."""
    return sum(yielding(part.values() for part in parts_of(counts)))


def exact_sum(values: Mapping[str, float]) -> float:
    """`math.fsum(values.values())`, letting the interpreter lock go between slices."""
    import math

    if isinstance(values, SortedSlices):
        return math.fsum(yielding(part.values() for part in values.parts))
    return math.fsum(yielding(in_slices(list(values.values()))))


def over_total(counts: Mapping[str, int]) -> Mapping[str, float]:
    """Each count / the total: a sampled result's probabilities ({} when nothing was counted),
    in slices like the counts when they are. The one expression for them, so that every copy
    comes out bit for bit the same (the ledger stores them left out, the worker's pipe does not
    send them)."""
    whole = total(counts)
    if not whole:
        return {}
    if isinstance(counts, SortedSlices):
        parts = [{k: v / whole for k, v in part.items()} for part in counts.parts]
        return counts.like(parts, over_total_of=counts)
    return {k: v / whole for k, v in counts.items()}


def proportional(counts: Mapping[str, int], probabilities: Mapping[str, float]) -> bool:
    """`probabilities == over_total(counts)` as a loop, not one comparison of two dicts."""
    if isinstance(probabilities, SortedSlices) and probabilities.over_total_of is counts:
        return True  # made by over_total from these very counts (0.7 s of checks saved)
    whole = total(counts)
    if whole <= 0 or len(probabilities) != len(counts):
        return False
    if (
        isinstance(counts, SortedSlices)
        and isinstance(probabilities, SortedSlices)
        and counts.firsts == probabilities.firsts
    ):
        return all(
            all(get(k) == v / whole for k, v in part.items())
            for part, get in zip(counts.parts, (p.get for p in probabilities.parts), strict=True)
        )
    get = probabilities.get
    return all(get(k) == v / whole for k, v in counts.items())


def pickled(mapping: Mapping[str, Any]) -> list[bytes]:
    """`mapping` for another process, a slice of it per bytes object (see `unpickled`)."""
    import pickle

    if isinstance(mapping, SortedSlices):
        return [pickle.dumps(part) for part in mapping.parts]
    keys = list(mapping)
    return [pickle.dumps({k: mapping[k] for k in part}) for part in in_slices(keys)]


def unpickled(parts: list[bytes]) -> Mapping[str, Any]:
    """The mapping `pickled` gave, one slice unpickled per call; a `SortedSlices` when its keys
    came in order (a normalized result's always do)."""
    import pickle

    return SortedSlices.of_parts([pickle.loads(part) for part in parts])


def parts_of(mapping: Mapping[str, V]) -> Sequence[Mapping[str, V]]:
    """A `SortedSlices`' slices, or any other mapping as one part."""
    return mapping.parts if isinstance(mapping, SortedSlices) else (mapping,)


def keys_in_order(mapping: Mapping[str, Any]) -> list[str]:
    """`sorted(mapping)`, a slice at a time (a `SortedSlices` is in order already)."""
    if isinstance(mapping, SortedSlices):
        return list(yielding(mapping.parts))
    return ordered(list(mapping))


class SortedSlices(Mapping[str, V]):
    """A wide mapping of bit strings (a result's counts or probabilities) kept as dicts of at
    most `SLICE` items each, every key in ascending order across them. Read-only.

    No dict of 644,000 items is built: growing one holds the interpreter lock 8-16 ms at its
    last resize (one C call copying most of it), and the window's thread waits as long. A key
    is found by bisecting the slices' first keys."""

    __slots__ = ("_firsts", "_length", "_over_total_of", "_parts")
    _parts: tuple[dict[str, V], ...]
    _firsts: list[str]
    _length: int
    _over_total_of: SortedSlices[int] | None

    def __init__(self, parts: Iterable[dict[str, V]]) -> None:
        """`parts` already in order, each sorted and before the next (`of_parts` checks that)."""
        self._parts = tuple(part for part in parts if part)
        self._firsts = [next(iter(part)) for part in self._parts]
        self._length = sum(map(len, self._parts))
        self._over_total_of = None

    @classmethod
    def of_parts(cls, parts: Sequence[dict[str, V]]) -> Mapping[str, V]:
        """The union of `parts` (slices of one mapping, as another process sent them): in
        slices when they are in key order, else one dict."""
        kept = [part for part in parts if part]
        if len(kept) <= 1:
            return kept[0] if kept else {}
        last = None  # one slice's keys at a time: a list of all of them would cost a
        for part in kept:  # garbage collection that meets it 30-40 ms
            keys = list(part)
            if not (all_of_type(keys, str) and keys == sorted(keys)):
                break
            if last is not None and not last < keys[0]:
                break
            last = keys[-1]
        else:
            return cls(kept)
        merged: dict[str, V] = {}
        for part in kept:
            merged.update(part)
        return merged

    def like(
        self, parts: list[dict[str, Any]], *, over_total_of: SortedSlices[int] | None = None
    ) -> SortedSlices[Any]:
        """Parts with the same keys as this one's, slice for slice (not checked)."""
        made: SortedSlices[Any] = SortedSlices.__new__(SortedSlices)
        made._parts, made._firsts, made._length = tuple(parts), self._firsts, self._length
        made._over_total_of = over_total_of
        return made

    @property
    def over_total_of(self) -> SortedSlices[int] | None:
        """The counts these are `over_total` of, when `over_total` made them."""
        return self._over_total_of

    @property
    def parts(self) -> tuple[dict[str, V], ...]:
        return self._parts

    @property
    def firsts(self) -> list[str]:
        return self._firsts

    def _part(self, key: object) -> dict[str, V] | None:
        if not isinstance(key, str):
            return None
        index = bisect.bisect_right(self._firsts, key) - 1
        return self._parts[index] if index >= 0 else None

    def __getitem__(self, key: str) -> V:
        part = self._part(key)
        if part is None:
            raise KeyError(key)
        return part[key]

    @overload
    def get(self, key: str, /) -> V | None: ...
    @overload
    def get(self, key: str, default: V | T, /) -> V | T: ...
    def get(self, key: str, default: Any = None, /) -> Any:
        part = self._part(key)
        return default if part is None else part.get(key, default)

    def __contains__(self, key: object) -> bool:
        part = self._part(key)
        return part is not None and key in part

    def __iter__(self) -> Iterator[str]:
        return yielding(self._parts)

    def __len__(self) -> int:
        return self._length

    def keys(self) -> KeysView[str]:
        return KeysView(self)

    def items(self) -> ItemsView[str, V]:
        return _Items(self)

    def values(self) -> ValuesView[V]:
        return _Values(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SortedSlices) and other.firsts == self._firsts:
            return all(a == b for a, b in zip(self._parts, other.parts, strict=True))
        return (
            isinstance(other, Mapping)
            and len(other) == len(self)
            and all(other.get(k, _MISSING) == v for k, v in self.items())
        )

    def __repr__(self) -> str:
        return f"<SortedSlices: {self._length:,} items in {len(self._parts)} slices>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (SortedSlices, (list(self._parts),))


_MISSING = object()


class _Items(ItemsView[str, V], Generic[V]):
    _mapping: SortedSlices[V]

    def __iter__(self) -> Iterator[tuple[str, V]]:
        return yielding(part.items() for part in self._mapping.parts)


class _Values(ValuesView[V], Generic[V]):
    _mapping: SortedSlices[V]

    def __iter__(self) -> Iterator[V]:
        return yielding(part.values() for part in self._mapping.parts)


def plain(value: object) -> dict[str, Any]:
    """`json.dumps(..., default=plain)`: a `SortedSlices` written as the dict it stands for."""
    if isinstance(value, SortedSlices):
        return dict(value.items())
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def all_of_type(items: Iterable[Any], kind: type) -> bool:
    """Every item is exactly a `kind` (not a subclass: a bool is not an int here)."""
    return set(map(type, items)) <= {kind}


class PackedStrings(Sequence[str]):
    """Strings of one width (a result's outcomes) kept in a few long strings, one per `SLICE`.

    A tuple of 644,000 outcomes cost the garbage collector 25 ms to look through once, and a list
    costs that at every collection; a few strings cost it nothing. (One string of them all
    would be one join holding the interpreter lock 8 ms.) Strings of mixed widths are kept in
    a tuple instead."""

    __slots__ = ("_count", "_texts", "_tuple", "_width")

    def __init__(self, items: list[str]) -> None:
        self._count = len(items)
        self._width = width = len(items[0]) if items else 0
        parts = list(in_slices(items))
        one_width = all(set(map(len, part)) == {width} for part in parts)
        self._texts = ["".join(part) for part in parts] if one_width else []
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
            picked: list[str] = []
            while start < stop:
                part, offset = divmod(start, SLICE)
                end = min(stop, (part + 1) * SLICE)
                text = self._texts[part][offset * width : (end - part * SLICE) * width]
                picked.extend(text[i : i + width] for i in range(0, len(text), width))
                start = end
            return picked
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("index out of range")
        part, offset = divmod(index, SLICE)
        return self._texts[part][offset * width : (offset + 1) * width]

    def __iter__(self) -> Iterator[str]:
        for start in range(0, self._count, SLICE):
            yield from self[start : start + SLICE]
