"""How far apart two results are: total variation distance and Hellinger fidelity over their
outcome probabilities (ideal vs emulation vs hardware)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from desktop_app.core.results import RunResult


def total_variation_distance(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """Half the L1 distance: 0 for the same distribution, 1 for disjoint ones."""
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in set(p) | set(q))


def hellinger_fidelity(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """(sum_k sqrt(p_k q_k))^2, as qiskit.quantum_info.hellinger_fidelity defines it: 1 for the
    same distribution, 0 for disjoint ones."""
    overlap = sum(math.sqrt(p.get(k, 0.0) * q.get(k, 0.0)) for k in set(p) & set(q))
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
