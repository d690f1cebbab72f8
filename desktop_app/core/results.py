"""One normalized result type for every backend, and its CSV / JSON export.

Bitstrings follow Qiskit's order: classical bit 0 is the rightmost character. Every key of one
result has the same width (the number of classical bits). No qiskit import here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from desktop_app.core import slices
from desktop_app.core.atomic_files import write_text_atomic
from desktop_app.core.errors import UserInputError

JSON_FORMAT = "quantum-desk.results.v1"
CSV_COLUMNS = ("backend", "bitstring", "count", "probability")


class JobStatus(StrEnum):
    """A job's status, the one vocabulary of executors, the ledger and the views (Azure's job
    states map onto it in `core.azure.status`)."""

    SUBMITTING = "Submitting"  # ledger write-ahead: recorded, the submit call not yet answered
    WAITING = "Waiting"
    EXECUTING = "Executing"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELLED = "Cancelled"
    NEVER_SUBMITTED = "NeverSubmitted"  # reconciliation: the service never got it

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.NEVER_SUBMITTED}
)


def normalize_bitstring(key: str, width: int | None = None) -> str:
    """'01 1' (registers split by spaces) -> '011'; '0x3' -> binary; zero-padded to `width`."""
    text = key.replace(" ", "").replace("_", "")
    if text.lower().startswith("0x"):
        try:
            text = format(int(text, 16), "b")
        except ValueError:
            raise ValueError(f"not a bitstring: {key!r}") from None
    if text == "" and width == 0:
        return ""
    if not text or set(text) - {"0", "1"}:
        raise ValueError(f"not a bitstring: {key!r}")
    if width is not None:
        if len(text) > width:
            stripped = text.lstrip("0")
            if len(stripped) > width:
                raise ValueError(f"bitstring {key!r} is wider than {width} bits")
            text = stripped
        text = text.zfill(width)
    return text


def normalize_counts(counts: Mapping[str, int], width: int | None = None) -> Mapping[str, int]:
    """Keys normalized and padded to one width (the widest key when `width` is None), sorted.
    Counts in `slices.SortedSlices` stay in that form."""
    one_width = _first_width(counts) if width is None else width
    if isinstance(counts, slices.SortedSlices) and _canonical(counts, one_width or 0):
        return _sorted_counts(counts)
    if one_width is not None and _canonical(counts, one_width):  # 2.5 s -> 0.4 s for 644,000
        if min(counts.values(), default=0) < 0:
            key = next(k for k, v in counts.items() if v < 0)
            raise ValueError(f"negative count for {key!r}")
        return {k: int(counts[k]) for k in slices.ordered(list(counts))}
    cleaned = {normalize_bitstring(k): int(v) for k, v in counts.items()} if width is None else {}
    if width is None:
        width = max((len(k) for k in cleaned), default=0)
    merged: dict[str, int] = {}
    for key, value in counts.items():
        if int(value) < 0:
            raise ValueError(f"negative count for {key!r}")
        bits = normalize_bitstring(key, width)
        merged[bits] = merged.get(bits, 0) + int(value)
    return dict(sorted(merged.items()))


def _sorted_counts(counts: slices.SortedSlices[int]) -> Mapping[str, int]:
    """Canonical counts in slices, checked and converted a slice at a time."""
    for part in counts.parts:
        if min(part.values()) < 0:
            key = next(k for k, v in part.items() if v < 0)
            raise ValueError(f"negative count for {key!r}")
    if all(slices.all_of_type(part.values(), int) for part in counts.parts):
        return counts
    return counts.like([{k: int(v) for k, v in part.items()} for part in counts.parts])


def _first_width(keyed: Mapping[str, Any]) -> int | None:
    """The length of the first key, when it is a string (the width all of them may have)."""
    first = next(iter(keyed), None)
    return len(first) if isinstance(first, str) else None


def _canonical(counts: Mapping[str, Any], width: int) -> bool:
    """Every key is already `width` characters of 0 and 1 (a few C calls a slice: one join
    of 644,000 keys holds the interpreter lock 70 ms). 0.11 s for 644,000 keys, where a loop
    over them and a set of their characters took 0.3 s."""
    import re

    return all(
        slices.all_of_type(part, str)
        and set(map(len, part)) <= {width}
        and re.fullmatch("[01]*", "".join(part)) is not None
        for part in _key_slices(counts)
    )


def _key_slices(keyed: Mapping[str, Any]) -> Iterable[Iterable[str]]:
    """The keys a slice at a time (a `SortedSlices`' own slices: no list of them all)."""
    if isinstance(keyed, slices.SortedSlices):
        return keyed.parts
    return slices.in_slices(list(keyed))


def _plain_counts(counts: Mapping[Any, Any]) -> bool:
    """Every key a str and every count an int, as JSON gives them: nothing to convert."""
    if isinstance(counts, slices.SortedSlices):
        return all(
            slices.all_of_type(part, str) and slices.all_of_type(part.values(), int)
            for part in counts.parts
        )
    return all(slices.all_of_type(part, str) for part in slices.in_slices(list(counts))) and all(
        slices.all_of_type(part, int) for part in slices.in_slices(list(counts.values()))
    )


@dataclass(frozen=True)
class RunResult:
    backend: str
    shots: int
    # a plain dict, or for a wide result from a worker process a `slices.SortedSlices`
    counts: Mapping[str, int] = field(default_factory=dict)
    probabilities: Mapping[str, float] = field(default_factory=dict)
    status: JobStatus = JobStatus.SUCCEEDED
    exact: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    error_code: str | None = None
    error_message: str | None = None
    job_id: str | None = None
    method: str | None = None  # the qiskit-aer method of a local.simulator run
    # what reading the program left out (timing statements), "file:line:column: ..." each
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_counts(
        cls,
        backend: str,
        counts: Mapping[str, int],
        shots: int | None = None,
        *,
        num_clbits: int | None = None,
        **kw: Any,
    ) -> RunResult:
        """Sampled counts (e.g. qiskit-aer's `get_counts()`); probabilities are count / total."""
        normalized = normalize_counts(counts, num_clbits)
        return cls(
            backend=backend,
            shots=sum(normalized.values()) if shots is None else int(shots),
            counts=normalized,
            probabilities=slices.over_total(normalized),
            **kw,
        )

    @classmethod
    def from_probabilities(
        cls,
        backend: str,
        probs: Mapping[str, float],
        shots: int,
        exact: bool = True,
        *,
        num_clbits: int | None = None,
        **kw: Any,
    ) -> RunResult:
        """An exact distribution (e.g. ionq.simulator); counts are the expected counts for `shots`,
        rounded by largest remainder so they add up to `shots`."""
        width = num_clbits
        if width is None:
            width = max((len(normalize_bitstring(k)) for k in probs), default=0)
        merged: dict[str, float] = {}
        for key, value in probs.items():
            p = float(value)
            if not math.isfinite(p) or p < 0:
                raise ValueError(f"bad probability {value!r} for {key!r}")
            bits = normalize_bitstring(key, width)
            merged[bits] = merged.get(bits, 0.0) + p
        norm = sum(merged.values())
        probabilities = {k: v / norm for k, v in sorted(merged.items())} if norm else {}
        return cls(
            backend=backend,
            shots=int(shots),
            counts=_expected_counts(probabilities, int(shots)),
            probabilities=probabilities,
            exact=exact,
            **kw,
        )

    @classmethod
    def failed(cls, backend: str, shots: int, code: str, message: str, **kw: Any) -> RunResult:
        return cls(
            backend=backend,
            shots=int(shots),
            status=JobStatus.FAILED,
            error_code=code,
            error_message=message,
            **kw,
        )

    @classmethod
    def cancelled(cls, backend: str, shots: int) -> RunResult:
        return cls(backend=backend, shots=int(shots), status=JobStatus.CANCELLED)

    @property
    def num_clbits(self) -> int:
        return len(next(iter(self.counts), ""))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled for the pipe from a worker process: a wide result's counts go a slice at a
        time (unpickling 644,000 outcomes in one call holds this process's interpreter lock for
        0.3 s: the window waits), and sampled probabilities are made again on arrival."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        counts, probabilities = fields.pop("counts"), fields.pop("probabilities")
        if len(counts) <= slices.SLICE and len(probabilities) <= slices.SLICE:
            return (_unpickled, (fields, counts, probabilities))
        derived = slices.proportional(counts, probabilities)
        return (
            _unpickled,
            (fields, slices.pickled(counts), None if derived else slices.pickled(probabilities)),
        )


def _unpickled(
    fields: dict[str, Any],
    counts: Mapping[str, int] | list[bytes],
    probabilities: Mapping[str, float] | list[bytes] | None,
) -> RunResult:
    """The RunResult `RunResult.__reduce__` sent; a wide one's counts and probabilities stay in
    slices (`slices.SortedSlices`)."""
    if isinstance(counts, list):
        counts = slices.unpickled(counts)
    if probabilities is None:  # count / total, as from_counts made them
        probabilities = slices.over_total(counts)
    elif isinstance(probabilities, list):
        probabilities = slices.unpickled(probabilities)
    return RunResult(counts=counts, probabilities=probabilities, **fields)


def _expected_counts(probabilities: Mapping[str, float], shots: int) -> dict[str, int]:
    raw = {k: p * shots for k, p in probabilities.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    missing = shots - sum(counts.values())
    for key in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: max(missing, 0)]:
        counts[key] += 1
    return {k: v for k, v in counts.items() if v}


# ---------------------------------------------------------------- JSON


def to_json_dict(result: RunResult) -> dict[str, Any]:
    """The result as JSON values. Its counts and probabilities are the result's own dicts, not
    copies (a wide result's copy held the interpreter lock 20 ms each): read them only."""
    return {
        "backend": result.backend,
        "shots": result.shots,
        "status": str(result.status),
        "counts": result.counts,
        "probabilities": result.probabilities,
        "exact": result.exact,
        "timings": dict(result.timings),
        "error": (
            None
            if result.error_code is None and result.error_message is None
            else {"code": result.error_code, "message": result.error_message}
        ),
        "job_id": result.job_id,
        **({} if result.method is None else {"method": result.method}),
        **({"warnings": list(result.warnings)} if result.warnings else {}),
    }


def from_json_dict(d: Mapping[str, Any]) -> RunResult:
    """Inverse of to_json_dict; bad data raises UserInputError naming the field."""

    def need(name: str, kind: type | tuple[type, ...]) -> Any:
        if name not in d:
            raise UserInputError(f"result field '{name}' is missing")
        value = d[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise UserInputError(f"result field '{name}' has the wrong type")
        return value

    backend = need("backend", str)
    shots = need("shots", int)
    try:
        status = JobStatus(need("status", str))
    except ValueError:
        known = [s.value for s in JobStatus]
        raise UserInputError(f"result field 'status' is not one of {known}") from None
    counts = need("counts", (dict, slices.SortedSlices))  # the second: a wide stored result
    probabilities = d.get("probabilities") or {}
    error = d.get("error") or {}
    if not isinstance(probabilities, dict | slices.SortedSlices) or not isinstance(error, dict):
        raise UserInputError("result field 'probabilities' or 'error' has the wrong type")
    try:
        return RunResult(
            backend=backend,
            shots=shots,
            counts=normalize_counts(
                counts if _plain_counts(counts) else {str(k): int(v) for k, v in counts.items()}
            ),
            probabilities=_read_probabilities(probabilities),
            status=status,
            exact=bool(d.get("exact", False)),
            timings={str(k): float(v) for k, v in (d.get("timings") or {}).items()},
            error_code=error.get("code"),
            error_message=error.get("message"),
            job_id=d.get("job_id"),
            method=d["method"] if isinstance(d.get("method"), str) else None,
            warnings=tuple(w for w in _list(d.get("warnings")) if isinstance(w, str)),
        )
    except (TypeError, ValueError) as exc:
        raise UserInputError(
            f"result field 'counts' or 'probabilities' is invalid: {exc}"
        ) from None


def _read_probabilities(probabilities: Mapping[str, Any]) -> Mapping[str, float]:
    width = _first_width(probabilities)
    if isinstance(probabilities, slices.SortedSlices) and _canonical(probabilities, width or 0):
        if all(slices.all_of_type(part.values(), float) for part in probabilities.parts):
            return probabilities  # as stored, or count / total as `over_total` made them
        return probabilities.like(
            [{k: float(v) for k, v in part.items()} for part in probabilities.parts]
        )
    if width is not None and _canonical(probabilities, width):  # no key to normalize
        return {k: float(v) for k, v in probabilities.items()}
    return {normalize_bitstring(str(k)): float(v) for k, v in probabilities.items()}


def dumps_json(results: Iterable[RunResult]) -> str:
    import json  # json, csv and io are imported where used: not before the window's first paint

    return json.dumps([to_json_dict(r) for r in results], indent=2, default=slices.plain) + "\n"


def write_json(results: Iterable[RunResult], path: str | Path) -> None:
    """A JSON list of results (the same document `quantum-desk run --json` prints)."""
    write_text_atomic(path, dumps_json(results))


def read_json(path: str | Path) -> list[RunResult]:
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserInputError(f"{path}: cannot read results: {exc}") from None
    if not isinstance(data, list):
        raise UserInputError(f"{path}: expected a JSON list of results")
    return [from_json_dict(item) for item in data]


# ---------------------------------------------------------------- CSV


def write_csv(results: Iterable[RunResult], path: str | Path) -> None:
    """Columns backend,bitstring,count,probability; one row per outcome of each backend."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result in results:
        keys = list(result.counts) + [k for k in result.probabilities if k not in result.counts]
        for key in sorted(keys):
            probability = result.probabilities.get(key)
            writer.writerow(
                [
                    result.backend,
                    key,
                    result.counts.get(key, 0),
                    "" if probability is None else repr(probability),
                ]
            )
    write_text_atomic(path, buffer.getvalue(), newline="")


def read_csv(path: str | Path) -> dict[str, dict[str, int]]:
    """backend -> counts, from a file written by write_csv (bitstrings kept as text)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"backend", "bitstring", "count"} <= set(reader.fieldnames):
        raise UserInputError(f"{path}: expected the columns {', '.join(CSV_COLUMNS)}")
    out: dict[str, dict[str, int]] = {}
    for number, row in enumerate(reader, start=2):
        try:
            out.setdefault(row["backend"], {})[normalize_bitstring(row["bitstring"])] = int(
                row["count"]
            )
        except (TypeError, ValueError):
            raise UserInputError(f"{path}:{number}: bad bitstring or count") from None
    return out


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []
