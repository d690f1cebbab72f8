"""A result's outcomes put in order once, a slice at a time, and a wide result ranked on a pool
thread while its pane says so (ui/results/ranking.py)."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core import slices
from desktop_app.core.results import RunResult
from desktop_app.ui.results import ranking
from desktop_app.ui.results.chart_data import BY_COUNT, ChartOptions
from tests.gui.results_views import shown_results_view


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of 7: a few hundred outcomes cross many slice boundaries."""
    monkeypatch.setattr(slices, "SLICE", 7)


def reference_orders(result: RunResult) -> tuple[list[str], list[str], list[str]]:
    """The three orders by full sorts, as the chart and the table have always keyed them."""
    probabilities = result.probabilities or {
        k: v / sum(result.counts.values()) for k, v in result.counts.items()
    }
    keys = set(result.counts) | set(probabilities)

    def chance(k: str) -> tuple[float, str]:
        return (-probabilities.get(k, 0.0), k)

    def count(k: str) -> tuple[int, float, str]:
        return (-(result.counts.get(k) or 0), -probabilities.get(k, 0.0), k)

    return sorted(keys), sorted(keys, key=chance), sorted(keys, key=count)


@pytest.mark.usefixtures("small_slices")
def test_every_kind_of_result_is_ranked_as_full_sorts_rank_it() -> None:
    rng = random.Random(11)
    counts = {format(i, "010b"): rng.randint(1, 5) for i in rng.sample(range(1024), 400)}
    total = sum(counts.values())
    probabilities = {k: v / total for k, v in counts.items()}
    results = {
        "sampled": RunResult.from_counts("local.simulator", counts),
        "exact": RunResult.from_probabilities("ionq.simulator", probabilities, shots=500),
        # a service's probabilities, rounded: not proportional to its counts
        "rounded": RunResult(
            "x",
            total,
            counts=counts,
            probabilities={k: p + rng.random() * 1e-6 for k, p in probabilities.items()},
        ),
        "counts only": RunResult("x", total, counts=dict(reversed(counts.items()))),
    }
    for name, result in results.items():
        found = ranking.rank(result)
        by_outcome, by_chance, by_count = reference_orders(result)
        assert list(found.by_outcome) == by_outcome, name
        assert list(found.by_chance) == by_chance, name
        assert list(found.by_count) == by_count, name
        assert found.total_count == sum(result.counts.values())
        expected = sum(result.probabilities.values()) if result.probabilities else 1.0
        assert found.total_probability == pytest.approx(expected, rel=1e-12)


def test_a_wide_result_is_ranked_off_the_gui_thread_then_drawn(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranking, "WIDE", 100)
    threads: list[threading.Thread] = []
    real = ranking.rank

    def watched(result: RunResult) -> ranking.Ranking:
        threads.append(threading.current_thread())
        return real(result)

    monkeypatch.setattr(ranking, "rank", watched)
    view = shown_results_view(qtbot, tmp_path)
    view.controls.sort.setCurrentIndex(view.controls.sort.findData(BY_COUNT))
    counts = {format(i, "09b"): 1 + i % 7 for i in range(300)}
    wide = RunResult.from_counts("local.simulator", counts)
    view.set_result(RunResult.from_counts("ionq.simulator", {"0": 900, "1": 100}))  # small
    assert threads == [threading.main_thread()]
    panel = view.panel("local.simulator")
    with qtbot.waitSignal(panel.ranked, timeout=10_000):
        view.set_result(wide)
        assert panel.status.text().endswith("· putting 300 outcomes in order…")
        assert panel.histogram is None or panel.histogram.isHidden()
    assert threads[1] is not threading.main_thread()
    assert panel.status.text() == f"Succeeded, {sum(counts.values()):,} shots"
    bars = panel.histogram.bars()
    assert len(bars) == ChartOptions().top + 1 and bars[-1][0] == "rest (284)"
    assert bars[0][1] == 7.0
    model = panel.counts_model
    assert model.total_rows() == 300 and counts[model.outcomes()[0]] == 7
    other = view.panel("ionq.simulator").histogram
    assert other.y_axis.top == panel.histogram.y_axis.top  # the shared axis moved with it


def test_a_ranking_that_comes_after_a_newer_result_is_dropped(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranking, "WIDE", 100)
    view = shown_results_view(qtbot, tmp_path)
    wide = RunResult.from_counts("local.simulator", {format(i, "09b"): 1 for i in range(300)})
    view.set_result(wide)
    panel = view.panel("local.simulator")
    newer = RunResult.from_counts("local.simulator", {"00": 2, "11": 3})
    view.set_result(newer)  # small: drawn at once
    assert panel.histogram.bars() == [("00", 2.0), ("11", 3.0)]
    panel._on_ranking_finished(ranking.rank(wide))  # the wide result's answer, late
    assert panel.result is newer and panel.histogram.bars() == [("00", 2.0), ("11", 3.0)]
    assert panel.counts_model.outcomes() == ["00", "11"]
