"""Wide results handled a slice at a time (core/slices.py): the same answers as the one-call
functions they stand in for."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from desktop_app.core import slices

if TYPE_CHECKING:
    from desktop_app.core.results import RunResult


@pytest.fixture(autouse=True)
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of 7: a few hundred items cross many slice boundaries."""
    monkeypatch.setattr(slices, "SLICE", 7)


def test_ordered_sorts_across_slices_whatever_the_input_order() -> None:
    rng = random.Random(5)
    keys = [format(i, "09b") for i in range(300)]
    shuffled = rng.sample(keys, len(keys))
    for items in (keys, keys[::-1], shuffled, shuffled[:8], shuffled[:7], []):
        assert slices.ordered(items) == sorted(items)
    weights = {k: rng.randint(1, 4) for k in keys}

    def by_weight(k: str) -> tuple[int, str]:
        return (-weights[k], k)

    assert slices.ordered(shuffled, key=by_weight) == sorted(keys, key=by_weight)
    assert slices.ordered(keys, key=by_weight) == sorted(keys, key=by_weight)


def test_proportional_means_count_over_total_for_every_outcome_and_no_other() -> None:
    counts = {format(i, "05b"): i + 1 for i in range(20)}
    total = sum(counts.values())
    derived = {k: v / total for k, v in counts.items()}
    assert slices.proportional(counts, derived)
    assert not slices.proportional(counts, {**derived, "00000": derived["00000"] + 1e-12})
    assert not slices.proportional(counts, {**derived, "11111": 0.0})  # one more outcome
    assert not slices.proportional({"0": 0}, {"0": 0.0})  # nothing counted: nothing follows
    assert not slices.proportional(counts, {})


def _full_sort(values: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))


@pytest.mark.parametrize("limit", [0, 1, 4, 32, 299, 300, 301])
def test_most_frequent_ranks_as_a_full_sort_would_ties_included(limit: int) -> None:
    rng = random.Random(limit)
    keys = rng.sample([format(i, "09b") for i in range(512)], 300)  # not in outcome order
    for values in (
        {k: float(rng.randint(1, 4)) for k in keys},  # ties across the limit
        {k: 1.0 for k in keys},  # every outcome tied
        {k: rng.random() for k in keys},
        {},
    ):
        assert slices.most_frequent(values, limit) == _full_sort(values)[:limit]


def test_a_wide_result_is_stored_as_the_same_json_text() -> None:
    import json

    from desktop_app.core.ledger import packing

    rng = random.Random(9)
    counts = {format(i, "08b"): rng.randint(1, 9) for i in rng.sample(range(256), 100)}
    total = sum(counts.values())
    result = {
        "counts": counts,
        "probabilities": {k: v / total + 1e-9 for k, v in counts.items()},  # not derived
        "timings": {"total": 0.5, "execution": 0.25},
        "warnings": ["a.qasm:1:1: ignored"],
        "shots": total,
        "error": None,
    }
    expected = json.dumps(result, sort_keys=True, separators=(",", ":"))
    assert packing.json_text(result) == expected
    assert packing.json_text({"counts": {}}) == '{"counts":{}}'
    sampled = {"counts": counts, "probabilities": {k: v / total for k, v in counts.items()}}
    assert packing.unpack_result(packing.pack_result(sampled)) == sampled


def test_a_wide_result_crosses_a_pipe_in_slices_and_arrives_the_same() -> None:
    import pickle

    from desktop_app.core.results import JobStatus, RunResult

    rng = random.Random(4)
    counts = {format(i, "08b"): rng.randint(1, 9) for i in rng.sample(range(256), 100)}
    sampled = RunResult.from_counts("local.simulator", counts, method="statevector")
    exact = RunResult.from_probabilities("ionq.simulator", sampled.probabilities, shots=77)
    small = RunResult.from_counts("local.simulator", {"0": 1, "1": 2})
    failed = RunResult.failed("ionq.qpu", 10, "Timeout", "too slow")
    for result in (sampled, exact, small, failed):
        sent = pickle.dumps(result)
        arrived = pickle.loads(sent)
        assert arrived == result and arrived.status is result.status
    # the sampled one's probabilities were not sent: made again, bit for bit
    assert len(pickle.dumps(sampled)) < len(pickle.dumps(exact)) * 0.7
    assert pickle.loads(pickle.dumps(failed)).status is JobStatus.FAILED


def test_counts_already_in_canonical_form_are_read_as_any_others() -> None:
    from desktop_app.core.results import RunResult

    rng = random.Random(2)
    counts = {format(i, "06b"): rng.randint(0, 9) for i in rng.sample(range(64), 40)}
    fast = RunResult.from_counts("local.simulator", counts, num_clbits=6)  # every key 6 bits
    spaced = {f"{k[:3]} {k[3:]}": v for k, v in counts.items()}  # register-split: the long way
    slow = RunResult.from_counts("local.simulator", spaced, num_clbits=6)
    assert fast == slow and list(fast.counts) == sorted(counts)
    with pytest.raises(ValueError, match="negative count for '000001'"):
        RunResult.from_counts("local.simulator", {"000000": 3, "000001": -1}, num_clbits=6)
    assert RunResult.from_counts("x", {"": 5}, num_clbits=0).counts == {"": 5}


def test_a_key_is_canonical_only_as_bits_of_the_width_in_every_slice() -> None:
    from desktop_app.core.results import _canonical

    class Bits(str):
        pass

    keys = [format(i, "06b") for i in range(40)]
    assert _canonical(dict.fromkeys(keys, 1), 6) and _canonical({}, 6)
    assert _canonical(dict.fromkeys([""], 1), 0)
    for wrong in ("002011", "0 0111", "0x1f11", "00001", "0000001", 7, Bits("111111")):
        late = [*keys[:30], wrong, *keys[30:]]  # in the fifth slice of 7
        assert not _canonical(dict.fromkeys(late, 1), 6), wrong


def test_stored_counts_are_read_the_same_whether_converted_or_not() -> None:
    from desktop_app.core.errors import UserInputError
    from desktop_app.core.results import from_json_dict

    stored = {"backend": "x", "shots": 12, "status": "Succeeded"}
    plain = from_json_dict({**stored, "counts": {"00": 5, "11": 7}})
    assert plain.counts == {"00": 5, "11": 7}
    for converted in ({"00": 5.0, "11": "7"}, {"0 0": 5, "11": 7}, {"00": 4, "0": 1, "11": 7}):
        assert from_json_dict({**stored, "counts": converted}).counts == plain.counts, converted
    assert from_json_dict({**stored, "counts": {"1": True}}).counts == {"1": 1}
    with pytest.raises(UserInputError, match="'counts' or 'probabilities' is invalid"):
        from_json_dict({**stored, "counts": {"00": 5, "11": -1}})


@pytest.mark.parametrize(
    "items",
    [
        [format(i, "05b") for i in range(40)],  # one width: one string
        ["", "", ""],  # no classical bits
        ["0", "10", "110"],  # mixed widths: kept as a tuple
        [],
    ],
)
def test_packed_strings_read_as_the_list_they_were_made_from(items: list[str]) -> None:
    packed = slices.PackedStrings(items)
    assert len(packed) == len(items) and list(packed) == items
    for index in range(-len(items), len(items)):
        assert packed[index] == items[index]
    for window in (slice(0, 3), slice(2, 100), slice(5, 2), slice(None, None, 3), slice(-4, None)):
        assert packed[window] == items[window]
    with pytest.raises(IndexError):
        packed[len(items)]


def test_packed_strings_leave_the_garbage_collector_one_string_a_slice_to_walk() -> None:
    import gc

    packed = slices.PackedStrings([format(i, "020b") for i in range(1000)])
    tracked = [getattr(packed, name) for name in packed.__slots__]
    walked = sum(len(gc.get_referents(each)) for each in tracked if gc.is_tracked(each))
    assert 0 < walked <= -(-1000 // slices.SLICE)  # not one object per outcome


def test_the_collector_comes_back_as_it_was() -> None:
    import gc

    assert gc.isenabled()
    with slices.collector_paused():
        assert not gc.isenabled()
        with slices.collector_paused():  # nested, or another thread's: leaves it to the outer
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with slices.collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: stays off
    finally:
        gc.enable()


def test_pauses_that_overlap_keep_the_collector_off_until_the_last_one_ends() -> None:
    import gc
    import threading

    first, second = slices.collector_paused(), slices.collector_paused()
    first.__enter__()
    ended = threading.Event()

    def other_thread() -> None:  # begins while the first pause runs, ends after it
        with second:
            first.__exit__(None, None, None)
            assert not gc.isenabled()  # the other pause still runs
        ended.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join(timeout=10)
    assert ended.is_set() and gc.isenabled()


def test_pieces_are_packed_as_their_joined_bytes_would_be() -> None:
    from desktop_app.core.ledger import packing

    rng = random.Random(3)
    text = b'{"counts":{"00":1,"11":2}}' * 50
    noise = rng.randbytes(300)  # does not compress: stored as it is
    for data in (text, noise, b""):
        pieces = [data[i : i + 64] for i in range(0, len(data), 64)] or [b""]
        assert packing.pack_pieces(pieces) == packing.pack(data)
        assert packing.unpack(packing.pack_pieces(pieces)) == data
    wide_noise = rng.randbytes((1 << 20) + 10)  # past the raw copy's limit: compressed anyway
    blob = packing.pack_pieces([wide_noise[:1000], wide_noise[1000:]])
    assert blob[0] == 0x01 and packing.unpack(blob) == wide_noise


def test_a_stored_result_is_read_back_in_slices_as_json_loads_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    from desktop_app.core.ledger import packing

    monkeypatch.setattr(packing, "_LOADS_SLICE", 40)
    rng = random.Random(8)
    counts = {format(i, "08b"): rng.randint(1, 9) for i in rng.sample(range(256), 120)}
    total = sum(counts.values())
    documents = [
        {"counts": counts, "probabilities": {k: v / total for k, v in counts.items()}, "shots": 9},
        {"counts": counts, "warnings": ['a "counts":{ in a message'], "timings": {}},
        {"counts": {"a,b": 1, "c}d": 2, **counts}, "probabilities": {}},  # decoded whole
        {"counts": {"nested": {"x": 1}, **counts}},  # not plain values: decoded whole
        {"counts": {}, "probabilities": {}, "shots": 0},
    ]
    for document in documents:
        text = packing.json_text(document)
        assert packing.json_loads(text) == json.loads(text)
        assert list(packing.json_loads(text)["counts"]) == list(json.loads(text)["counts"])


def _wide_result() -> RunResult:
    from desktop_app.core.results import RunResult

    rng = random.Random(12)
    counts = {format(i, "08b"): rng.randint(1, 9) for i in rng.sample(range(256), 100)}
    return RunResult.from_counts("local.simulator", counts, method="statevector")


def test_a_wide_result_arrives_in_sorted_slices_that_read_as_its_dicts() -> None:
    import pickle

    sent = _wide_result()
    arrived = pickle.loads(pickle.dumps(sent))
    counts, probabilities = arrived.counts, arrived.probabilities
    assert isinstance(counts, slices.SortedSlices) and len(counts.parts) == 15
    assert isinstance(probabilities, slices.SortedSlices)
    assert arrived == sent and sent == arrived  # as mappings, both ways
    assert list(counts) == list(sent.counts) == sorted(sent.counts) and len(counts) == 100
    assert list(counts.items()) == list(sent.counts.items())
    assert list(counts.values()) == list(sent.counts.values())
    assert list(probabilities.items()) == list(sent.probabilities.items())  # bit for bit
    missing = ["", "0", "00000000x", "11111111", "00000000 ", format(999, "b"), 5, None]
    for key in [*sent.counts, *missing]:
        known = key in sent.counts
        assert (key in counts) is known
        assert counts.get(key) == sent.counts.get(key)  # type: ignore[arg-type]
        assert counts.get(key, -1) == sent.counts.get(key, -1)  # type: ignore[arg-type]
        if not known:
            with pytest.raises(KeyError):
                counts[key]  # type: ignore[index]
    changed = dict(sent.counts)
    changed[next(iter(changed))] += 1
    assert counts != changed and counts != {**sent.counts, "11111111": 1} and counts != [1]
    assert counts == slices.SortedSlices(list(counts.parts))
    assert slices.total(counts) == sum(sent.counts.values())
    assert slices.exact_sum(probabilities) == math.fsum(sent.probabilities.values())
    assert probabilities.over_total_of is counts and slices.proportional(counts, probabilities)
    assert slices.proportional(counts, dict(probabilities.items()))  # checked one by one
    same = probabilities.like(list(probabilities.parts))  # checked slice by slice
    nudged = [dict(part) for part in probabilities.parts]
    nudged[-1][next(iter(nudged[-1]))] += 1e-12
    assert slices.proportional(counts, same)
    assert not slices.proportional(counts, probabilities.like(nudged))


def test_slices_out_of_order_arrive_as_one_dict() -> None:
    ordered = [{"000": 1, "001": 2}, {"010": 3, "011": 4}]
    assert isinstance(slices.SortedSlices.of_parts(ordered), slices.SortedSlices)
    for parts in (
        ordered[::-1],  # slices out of order
        [{"001": 2, "000": 1}, {"010": 3}],  # one slice unsorted inside
        [{"000": 1, "011": 2}, {"010": 3}],  # slices that overlap
        [{"000": 1}, {5: 3}],  # a key that is not a bit string
    ):
        union = slices.SortedSlices.of_parts(parts)  # type: ignore[arg-type]
        assert type(union) is dict
        assert union == {k: v for part in parts for k, v in part.items()}
    assert slices.SortedSlices.of_parts([{}, {"1": 1}, {}]) == {"1": 1}


def test_a_result_in_slices_is_written_as_the_same_json() -> None:
    import json
    import pickle

    from desktop_app.core import results
    from desktop_app.core.ledger import packing

    sent = _wide_result()
    arrived = pickle.loads(pickle.dumps(sent))
    stored, stored_sent = results.to_json_dict(arrived), results.to_json_dict(sent)
    assert packing.json_text(stored) == packing.json_text(stored_sent)
    assert packing.pack_result(stored) == packing.pack_result(stored_sent)
    assert results.dumps_json([arrived]) == results.dumps_json([sent])
    with pytest.raises(TypeError, match="not JSON serializable"):
        json.dumps(stored)  # the default is needed: `plain`
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        json.dumps({1}, default=slices.plain)


def test_results_in_slices_compare_and_write_csv_as_their_dicts_do(tmp_path: Path) -> None:
    import pickle

    from desktop_app.core import compare, results

    sent = _wide_result()
    other = results.RunResult.from_counts(
        "ionq.simulator", {k: v + (k.count("1") % 3) for k, v in sent.counts.items()}
    )
    arrived, other_arrived = (pickle.loads(pickle.dumps(r)) for r in (sent, other))
    assert isinstance(other_arrived.probabilities, slices.SortedSlices)
    assert compare.distance(arrived, other_arrived) == compare.distance(sent, other)
    assert compare.distance(arrived, other) == compare.distance(sent, other)
    results.write_csv([arrived, other_arrived], tmp_path / "sliced.csv")
    results.write_csv([sent, other], tmp_path / "plain.csv")
    assert (tmp_path / "sliced.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


def test_a_wide_stored_result_is_read_back_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core.ledger import packing
    from desktop_app.core.results import from_json_dict, to_json_dict

    monkeypatch.setattr(packing, "_LOADS_SLICE", 40)
    sent = _wide_result()
    document = packing.unpack_result(packing.pack_result(to_json_dict(sent)))
    assert isinstance(document["counts"], slices.SortedSlices)
    back = from_json_dict(document)
    assert isinstance(back.counts, slices.SortedSlices)
    assert isinstance(back.probabilities, slices.SortedSlices)
    assert back == sent and list(back.counts.items()) == list(sent.counts.items())
    assert list(back.probabilities.items()) == list(sent.probabilities.items())  # bit for bit
    assert back.probabilities.over_total_of is back.counts  # nothing left to check


def test_stored_counts_in_slices_are_normalized_as_one_dict_would_be(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    from desktop_app.core.errors import UserInputError
    from desktop_app.core.ledger import packing
    from desktop_app.core.results import from_json_dict, to_json_dict

    monkeypatch.setattr(packing, "_LOADS_SLICE", 40)
    stored = to_json_dict(_wide_result())
    counts = dict(stored["counts"])
    for changed in (
        {**counts, "1": 4},  # a key narrower than the rest: padded, merged into 00000001
        {**counts, "00000011": 2.0},  # a count JSON gives as a float
        {k: True for k in counts},  # bools read as 1
    ):
        text = packing.json_text({**stored, "counts": changed, "probabilities": {}})
        assert isinstance(packing.json_loads(text)["counts"], slices.SortedSlices)
        in_slices = from_json_dict(packing.json_loads(text))
        assert in_slices == from_json_dict(json.loads(text))
        assert list(in_slices.counts) == list(from_json_dict(json.loads(text)).counts)
    text = packing.json_text({**stored, "counts": {**counts, "00000011": -1}})
    with pytest.raises(UserInputError, match="negative count for '00000011'"):
        from_json_dict(packing.json_loads(text))
