"""How far apart two results are: total variation distance and Hellinger fidelity over their
outcome probabilities (ideal vs emulation vs hardware); every pair of a run's results, and the
results exports that carry them."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from desktop_app.core import results as results_module
from desktop_app.core import slices
from desktop_app.core.atomic_files import write_text_atomic
from desktop_app.core.results import RunResult


def total_variation_distance(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """Half the L1 distance: 0 for the same distribution, 1 for disjoint ones. (Loops over each
    mapping, no set of their keys: a wide result's set holds the interpreter lock 40 ms.)"""
    get_q = q.get
    both = sum(abs(value - get_q(k, 0.0)) for k, value in p.items())
    return 0.5 * (both + sum(value for k, value in q.items() if k not in p))


def hellinger_fidelity(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """(sum_k sqrt(p_k q_k))^2, as qiskit.quantum_info.hellinger_fidelity defines it: 1 for the
    same distribution, 0 for disjoint ones."""
    fewer, more = (p, q) if len(p) <= len(q) else (q, p)
    overlap = sum(math.sqrt(value * more[k]) for k, value in fewer.items() if k in more)
    return overlap**2


@dataclass(frozen=True)
class Distance:
    first: str
    second: str
    total_variation: float
    hellinger_fidelity: float

    def text(self) -> str:
        return (
            f"{self.first} vs {self.second}: total variation distance "
            f"{self.total_variation:.3f}, Hellinger fidelity {self.hellinger_fidelity:.3f}"
        )


def distance(first: RunResult, second: RunResult) -> Distance:
    """The distance between two results' probabilities (their keys are Qiskit-order bitstrings)."""
    return Distance(
        first.backend,
        second.backend,
        total_variation_distance(first.probabilities, second.probabilities),
        hellinger_fidelity(first.probabilities, second.probabilities),
    )


def comparable(result: RunResult) -> bool:
    """A result with a distribution to compare (a failed or cancelled run has none)."""
    return bool(result.probabilities)


def pairwise(results: Sequence[RunResult]) -> list[Distance]:
    """The distance between every two comparable results, in the order they are given."""
    usable = [r for r in results if comparable(r)]
    return [distance(a, b) for a, b in combinations(usable, 2)]


def to_json_dict(found: Distance) -> dict[str, Any]:
    return {
        "first": found.first,
        "second": found.second,
        "total_variation_distance": found.total_variation,
        "hellinger_fidelity": found.hellinger_fidelity,
    }


DISTANCE_COLUMNS = ("first", "second", "total_variation_distance", "hellinger_fidelity")


def dumps_json_with_distances(results: Sequence[RunResult]) -> str:
    """results.dumps_json's list, each result carrying its distances to the others (`distances`;
    readers of the plain list, such as results.read_json, ignore the extra field)."""
    found = pairwise(results)
    documents = []
    for result in results:
        document = results_module.to_json_dict(result)
        document["distances"] = [
            to_json_dict(d) for d in found if result.backend in (d.first, d.second)
        ]
        documents.append(document)
    return json.dumps(documents, indent=2, default=slices.plain) + "\n"


def write_json_with_distances(results: Sequence[RunResult], path: str | Path) -> None:
    write_text_atomic(path, dumps_json_with_distances(results))


def distances_csv_path(path: str | Path) -> Path:
    """Where the distances go next to a results CSV: NAME-distances.csv (the results CSV keeps
    its one-row-per-outcome columns, which results.read_csv reads back)."""
    path = Path(path)
    return path.with_name(f"{path.stem}-distances{path.suffix or '.csv'}")


def write_csv_with_distances(results: Sequence[RunResult], path: str | Path) -> None:
    """The results CSV, and beside it (distances_csv_path) the distances CSV when two or more
    results compare."""
    results_module.write_csv(results, path)
    found = pairwise(results)
    if not found:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DISTANCE_COLUMNS)
    for d in found:
        writer.writerow([d.first, d.second, repr(d.total_variation), repr(d.hellinger_fidelity)])
    write_text_atomic(distances_csv_path(path), buffer.getvalue(), newline="")
