"""The results exports carry the distances between results: every pair, hand-computed values,
and the plain results formats still read back."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from desktop_app.core.compare import (
    pairwise,
    write_csv_with_distances,
    write_json_with_distances,
)
from desktop_app.core.results import RunResult, read_csv, read_json

IDEAL = RunResult("local.simulator", 10, probabilities={"0": 0.9, "1": 0.1}, exact=True)
EMULATED = RunResult.from_counts("emulate:ionq.qpu.forte-1", {"0": 6, "1": 4}, shots=10)
HARDWARE = RunResult.from_counts("ionq.qpu.forte-1", {"1": 10}, shots=10)
FAILED = RunResult.failed("rigetti.sim.qvm", 10, "x", "no access")


def test_every_pair_of_comparable_results() -> None:
    found = pairwise([IDEAL, FAILED, EMULATED, HARDWARE])
    assert [(d.first, d.second) for d in found] == [
        ("local.simulator", "emulate:ionq.qpu.forte-1"),
        ("local.simulator", "ionq.qpu.forte-1"),
        ("emulate:ionq.qpu.forte-1", "ionq.qpu.forte-1"),
    ]
    ideal_hw = found[1]  # p = (0.9, 0.1), q = (0, 1): TVD 0.9, fidelity (sqrt(0.1))^2 = 0.1
    assert ideal_hw.total_variation == pytest.approx(0.9)
    assert ideal_hw.hellinger_fidelity == pytest.approx(0.1)


def test_json_export_gives_each_result_its_distances(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    write_json_with_distances([IDEAL, EMULATED], path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [d["backend"] for d in data] == ["local.simulator", "emulate:ionq.qpu.forte-1"]
    (distance,) = data[0]["distances"]
    assert data[1]["distances"] == [distance]
    assert distance["total_variation_distance"] == pytest.approx(0.3)
    assert distance["hellinger_fidelity"] == pytest.approx((math.sqrt(0.54) + 0.2) ** 2)
    assert [r.backend for r in read_json(path)] == [IDEAL.backend, EMULATED.backend]


def test_csv_export_writes_the_distances_beside_the_counts(tmp_path: Path) -> None:
    path = tmp_path / "bell-results.csv"
    write_csv_with_distances([IDEAL, EMULATED, HARDWARE], path)
    written = tmp_path / "bell-results-distances.csv"
    assert read_csv(path)["emulate:ionq.qpu.forte-1"] == {"0": 6, "1": 4}  # unchanged format
    with written.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3
    first = rows[0]
    assert (first["first"], first["second"]) == ("local.simulator", "emulate:ionq.qpu.forte-1")
    assert float(first["total_variation_distance"]) == pytest.approx(0.3)
    assert float(first["hellinger_fidelity"]) == pytest.approx(0.87394, abs=1e-5)


def test_one_result_writes_no_distances_file(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    write_csv_with_distances([EMULATED], path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.csv"]
