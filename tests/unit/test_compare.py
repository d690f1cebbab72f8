"""core.compare: distances between results, hand-computed, and against qiskit's own Hellinger."""

from __future__ import annotations

import math

import pytest

from desktop_app.core.compare import distance, hellinger_fidelity, total_variation_distance
from desktop_app.core.results import RunResult


def test_identical_and_disjoint_distributions() -> None:
    bell = {"00": 0.5, "11": 0.5}
    assert total_variation_distance(bell, bell) == 0.0
    assert hellinger_fidelity(bell, bell) == pytest.approx(1.0)
    assert total_variation_distance(bell, {"01": 1.0}) == 1.0
    assert hellinger_fidelity(bell, {"01": 1.0}) == 0.0


def test_hand_computed_case() -> None:
    p = {"0": 0.9, "1": 0.1}
    q = {"0": 0.6, "1": 0.4}
    assert total_variation_distance(p, q) == pytest.approx(0.3)  # (0.3 + 0.3) / 2
    overlap = math.sqrt(0.9 * 0.6) + math.sqrt(0.1 * 0.4)  # 0.7348... + 0.2
    assert hellinger_fidelity(p, q) == pytest.approx(overlap**2)
    assert hellinger_fidelity(p, q) == pytest.approx(0.8739, abs=1e-4)


def test_matches_qiskits_hellinger_fidelity_on_counts() -> None:
    from qiskit.quantum_info import hellinger_fidelity as qiskit_hellinger

    a = RunResult.from_counts("local.simulator", {"00": 480, "11": 500, "01": 20})
    b = RunResult.from_counts("local.emulator.ionq-forte-1", {"00": 450, "11": 470, "10": 80})
    found = distance(a, b)
    assert found.hellinger_fidelity == pytest.approx(qiskit_hellinger(a.counts, b.counts))
    assert found.total_variation == pytest.approx((0.03 + 0.03 + 0.02 + 0.08) / 2)
    assert "total variation distance 0.080" in found.text()
