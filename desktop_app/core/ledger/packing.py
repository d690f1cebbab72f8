"""How the ledger keeps program texts and results small: zlib with a preset dictionary.

Most programs and results are a few hundred bytes, too short for plain zlib to find much to reuse;
a preset dictionary of the text they all share (OpenQASM headers and statements, the keys of a
result's JSON) gives it that context. A stored blob starts with one format byte, so that a later
dictionary can be added without re-writing old rows:

- 0x00: the bytes as they are (when compressing would not make them smaller)
- 0x01: zlib (RFC 1950) with `_DICTIONARY_V1`

`_DICTIONARY_V1` is part of the file format: never edit it (add a V2 and a new format byte).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from desktop_app.core import slices
from desktop_app.core.ledger.errors import LedgerError

_RAW = 0x00
_ZLIB_V1 = 0x01
# Above this, data is always stored compressed: text this long compresses well (zlib adds 11
# bytes to data it cannot shrink), and the raw copy is not worth keeping.
_KEEP_RAW_UP_TO = 1 << 20

# Strings the programs and results share, most frequent last (zlib reaches the end of the
# dictionary with the shortest distances).
_DICTIONARY_V1 = (
    b'"probabilities":{"timings":{"total":"exact":false,"exact":true,"error":null,'
    b'"job_id":null,"shots":"status":"Succeeded","status":"Failed","counts":{"backend":"'
    b"local.simulatorionq.simulatorquantinuum.sim.h2-1erigetti.sim.qvm"
    b'application/jsontext/plain{"histogram":{"meas":["c":["results":['
    b'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[bit[ = measure q;\n'
    b"c[0] = measure q[0];\nc[1] = measure q[1];\nreset q;\nbarrier q;\n"
    b"gate u3(theta,phi,lambda) q { }\nrz(pi/2) q[rx(pi/2) q[ry(pi/4) q[u3(sx q[sdg q[tdg q["
    b"ccx q[swap q[cz q[cy q[rzz(0.5) q[// generated\n"
    b'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[creg c[measure q -> c;\n'
    b"measure q[0] -> c[0];\nmeasure q[1] -> c[1];\nmeasure q[2] -> c[2];\n"
    b"t q[s q[z q[y q[x q[h q[0];\ncx q[0],q[1];\nh q[1];\nh q["
)


def pack(data: bytes) -> bytes:
    """`data` in the ledger's stored form (format byte + body)."""
    return pack_pieces([data])


def pack_pieces(pieces: Iterable[bytes]) -> bytes:
    """The pieces' bytes, one after the other, as `pack` stores them: each piece compressed as it
    comes (a wide result's 16 MB of JSON is never one string)."""
    # Level 6 and memLevel 8, zlib's defaults. Level 9 gave the same size on the example programs
    # and larger results, and took 12 s instead of 0.6 s for 644,000 outcomes (1M shots, 20
    # qubits). memLevel 9 gives the same output here and costs ~0.5 ms per call to set up.
    compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS, 8, zdict=_DICTIONARY_V1)
    body, size, raw = [], 0, []
    for piece in pieces:
        size += len(piece)
        body.append(compressor.compress(piece))
        if size <= _KEEP_RAW_UP_TO:  # small: kept in case compressing does not pay
            raw.append(piece)
    body.append(compressor.flush())
    compressed = b"".join(body)
    if len(compressed) < size or size > _KEEP_RAW_UP_TO:
        return bytes((_ZLIB_V1,)) + compressed
    return bytes((_RAW,)) + b"".join(raw)


def unpack(blob: bytes) -> bytes:
    """The bytes `pack` was given. A blob in no known format raises LedgerError."""
    if not blob:
        raise LedgerError("a stored program or result in the job ledger is empty")
    kind, body = blob[0], blob[1:]
    if kind == _RAW:
        return bytes(body)
    if kind == _ZLIB_V1:
        try:
            decompressor = zlib.decompressobj(zlib.MAX_WBITS, zdict=_DICTIONARY_V1)
            data = decompressor.decompress(body) + decompressor.flush()
        except zlib.error:
            raise LedgerError("a stored program or result in the job ledger is damaged") from None
        if not decompressor.eof:
            raise LedgerError("a stored program or result in the job ledger is cut short")
        return data
    raise LedgerError(
        f"a stored program or result in the job ledger has an unknown format ({kind}): "
        "was it written by a newer Quantum Desk?"
    )


def pack_text(text: str) -> bytes:
    return pack(text.encode("utf-8"))


def unpack_text(blob: bytes) -> str:
    return unpack(blob).decode("utf-8")


# set in a stored result instead of its probabilities when they are count / total of its counts
_DERIVED = "probabilities_are_counts_over_total"
_SEPARATORS = (",", ":")


def pack_result(result: dict[str, Any]) -> bytes:
    """A normalized result (core.results.to_json_dict) stored: its probabilities left out when
    they follow from its counts (sampled results), which halves what is stored."""
    counts, probabilities = result.get("counts"), result.get("probabilities")
    if (
        isinstance(counts, Mapping)
        and isinstance(probabilities, Mapping)
        and slices.proportional(counts, probabilities)
    ):
        result = {k: v for k, v in result.items() if k != "probabilities"}
        result[_DERIVED] = True
    return pack_pieces(piece.encode("utf-8") for piece in json_pieces(result))


def json_text(value: dict[str, Any]) -> str:
    """`json.dumps(value, sort_keys=True, separators=(",", ":"))`, made by `json_pieces`."""
    return "".join(json_pieces(value))


def json_pieces(value: dict[str, Any]) -> Iterator[str]:
    """The text of `json_text` in pieces, a wide result's counts and probabilities (dicts of
    numbers) a slice at a time (core/slices.py): one call over 644,000 outcomes holds the
    interpreter lock for 1-2 s."""
    yield "{"
    for index, key in enumerate(sorted(value)):
        yield f"{',' if index else ''}{json.dumps(key)}:"
        item = value[key]
        if isinstance(item, slices.SortedSlices) or (
            isinstance(item, dict) and len(item) > slices.SLICE
        ):
            yield "{"
            # each chunk in key order (the values are numbers: nothing nested to sort)
            for number, chunk in enumerate(_sorted_chunks(item)):
                with slices.collector_paused():  # one slice: ~1 ms
                    text = json.dumps(chunk, separators=_SEPARATORS)
                yield ("," if number else "") + text[1:-1]
            yield "}"
        else:
            yield json.dumps(item, sort_keys=True, separators=_SEPARATORS)
    yield "}"


def _sorted_chunks(item: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    """A wide mapping as dicts of one slice each, their keys ascending across all of them."""
    if isinstance(item, slices.SortedSlices):
        return item.parts
    return ({k: item[k] for k in part} for part in slices.in_slices(slices.ordered(list(item))))


def unpack_result(blob: bytes) -> dict[str, Any]:
    result = json_loads(unpack_text(blob))
    if result.pop(_DERIVED, False):
        result["probabilities"] = slices.over_total(result["counts"])
    return result


_WIDE_MEMBERS = ("counts", "probabilities")
_LOADS_SLICE = 256 * 1024  # characters of a wide member decoded in one call (~5 ms)


def json_loads(text: str) -> dict[str, Any]:
    """`json.loads(text)` of a stored result, its wide counts and probabilities decoded a slice
    at a time (one call over 16 MB of JSON holds the interpreter lock 0.4 s).

    The slices are cut at commas; a member whose keys hold a comma or a brace (never a
    normalized bit string) fails to decode in slices and is decoded whole instead."""
    if len(text) <= 4 * _LOADS_SLICE:
        loaded: dict[str, Any] = json.loads(text)
        return loaded
    wide: dict[str, Mapping[str, Any]] = {}
    for name in _WIDE_MEMBERS:
        opening = f'"{name}":{{'
        start = text.find(opening)  # a key: inside a string its quotes would be escaped
        end = -1 if start < 0 else text.find("}", start)
        if end < 0:
            continue
        body = text[start + len(opening) : end]
        try:
            wide[name] = _decoded_in_slices(body)
        except ValueError:
            continue  # not a plain member: decoded whole, with the rest
        text = text[: start + len(opening)] + text[end:]
    loaded = json.loads(text)
    loaded.update(wide)
    return loaded


def _decoded_in_slices(body: str) -> Mapping[str, Any]:
    """A wide member's slices, kept as `slices.SortedSlices` when they are in key order (as
    `json_pieces` writes them): no dict of every outcome to build."""
    parts: list[dict[str, Any]] = []
    start = 0
    while start < len(body):
        cut = body.find(",", start + _LOADS_SLICE)
        stop = len(body) if cut < 0 else cut
        part = json.loads("{" + body[start:stop] + "}")
        if not isinstance(part, dict) or any(isinstance(v, dict | list) for v in part.values()):
            raise ValueError("not a member of plain values")
        parts.append(part)
        start = stop + 1
    return slices.SortedSlices.of_parts(parts)
