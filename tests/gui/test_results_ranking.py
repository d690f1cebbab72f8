"""A result's outcomes put in order once, a slice at a time, and a wide result ranked on a pool
thread while its pane says so (ui/results/ranking.py)."""

from __future__ import annotations

import pickle
import random
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core import slices
from desktop_app.core.results import RunResult
from desktop_app.ui.results import ranking
from desktop_app.ui.results.chart_data import BY_COUNT, Bar, ChartOptions
from tests.gui.results_views import shown_results_view
from tests.gui.threads_of import threads_calling


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
    for name in ("sampled", "exact"):  # as they arrive from a worker process: in slices
        results[f"{name}, in slices"] = arrived = pickle.loads(pickle.dumps(results[name]))
        assert isinstance(arrived.counts, slices.SortedSlices), name
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
    threads = threads_calling(monkeypatch, ranking, "rank")
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
    wider = chart_data_bar_label(1_234_567)
    assert wider == "rest (1,234,567)"  # thousands marked, as every other count
    assert bars[0][1] == 7.0
    model = panel.counts_model
    assert model.total_rows() == 300 and counts[model.outcomes()[0]] == 7
    other = view.panel("ionq.simulator").histogram
    assert other.y_axis.top == panel.histogram.y_axis.top  # the shared axis moved with it


def chart_data_bar_label(folded: int) -> str:
    return Bar("", 0.0, 0.0, 0.0, folded=folded).label


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


def reference_overlay(results: list[RunResult], options: ChartOptions) -> list[tuple[str, list]]:
    """The overlay's groups from every outcome's bar, as they were made before rankings: each
    outcome by its highest probability in any result, the rest summed per backend."""
    from desktop_app.ui.results.chart_data import bars_for

    every = [{b.outcome: b for b in bars_for(r, replace(options, top=1 << 30))} for r in results]

    def best(k: str) -> float:
        return max(bars[k].probability if k in bars else 0.0 for bars in every)

    ranked = sorted({k for bars in every for k in bars}, key=lambda k: (-best(k), k))
    top = max(1, options.top) + (len(ranked) == max(1, options.top) + 1)
    shown, rest = ranked[:top], ranked[top:]
    shown.sort(key=(lambda k: (-best(k), k)) if options.sort == BY_COUNT else None)
    groups = [
        (k, [(b[k].value, b[k].count) if k in b else (0.0, 0.0) for b in every]) for k in shown
    ]
    if rest:
        sums = [
            (sum(b[k].value for k in rest if k in b), sum(b[k].count for k in rest if k in b))
            for b in every
        ]
        groups.append((f"rest ({len(rest):,})", sums))
    return groups


@pytest.mark.parametrize("top", [1, 3, 8, 40])
def test_the_overlay_from_rankings_groups_as_every_outcome_s_bars_did(top: int) -> None:
    from desktop_app.ui.results.chart_data import COUNT, PERCENT, overlay_groups

    rng = random.Random(top)
    sampled = RunResult.from_counts(
        "local.simulator", {format(i, "06b"): rng.randint(1, 30) for i in rng.sample(range(64), 40)}
    )
    other = RunResult.from_counts(
        "ionq.qpu", {format(i, "06b"): rng.randint(1, 30) for i in rng.sample(range(64), 25)}
    )
    weights = {format(i, "06b"): rng.random() for i in rng.sample(range(64), 30)}
    total = sum(weights.values())
    exact = RunResult.from_probabilities(
        "ionq.simulator", {k: w / total for k, w in weights.items()}, shots=999
    )
    small = RunResult.from_counts("x", {"000000": 3, "111111": 1})
    for results in ([sampled, other, exact], [small], [small, other], [exact]):
        for mode, sort in ((COUNT, BY_COUNT), (PERCENT, "bitstring")):
            options = ChartOptions(mode=mode, sort=sort, top=top)
            found = overlay_groups([ranking.rank(r) for r in results], options)
            expected = reference_overlay(results, options)
            assert [g.label for g in found] == [
                k if k.startswith("rest") else Bar(k, 0, 0, 0).label for k, _ in expected
            ]
            for group, (_, bars) in zip(found, expected, strict=True):
                flat = [x for b in group.bars for x in (b.value, b.count)]
                assert flat == pytest.approx([x for pair in bars for x in pair], abs=1e-9)


def test_the_overlay_of_wide_results_works_out_their_distances_off_the_gui_thread(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.core import compare
    from desktop_app.ui.results.chart_controls import OVERLAY

    monkeypatch.setattr(ranking, "WIDE", 100)
    from desktop_app.ui.results import overlay as overlay_module

    threads = threads_calling(monkeypatch, overlay_module, "pairwise")
    view = shown_results_view(qtbot, tmp_path)
    wide = RunResult.from_counts(
        "local.simulator", {format(i, "09b"): 1 + i % 3 for i in range(300)}
    )
    narrow = RunResult.from_counts("ionq.qpu", {"000000000": 5, "000000001": 5})
    with qtbot.waitSignal(view.panel("local.simulator").ranked, timeout=10_000):
        view.set_result(wide)
    view.set_result(narrow)
    view.controls.layout_choice.setCurrentIndex(view.controls.layout_choice.findData(OVERLAY))
    overlay = view.overlay
    assert overlay is not None
    assert overlay.title_lines == ["Distances between the backends: being worked out…"]
    qtbot.waitUntil(lambda: overlay.title_lines[0].startswith("local.simulator vs ionq.qpu"))
    assert threads and threading.main_thread() not in threads
    expected = compare.distance(wide, narrow).total_variation
    assert overlay.distances[0].total_variation == pytest.approx(expected)
    view.controls.top.setValue(3)  # other bars, the same results: no distances again
    assert len(threads) == 1 and overlay.title_lines[0].startswith("local.simulator vs")


def test_every_outcome_of_a_wide_result_is_copied_from_a_pool_thread(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.results import counts_table

    monkeypatch.setattr(ranking, "WIDE", 100)
    threads = threads_calling(monkeypatch, counts_table, "_everything_tsv")
    view = shown_results_view(qtbot, tmp_path)
    counts = {format(i, "09b"): 1 + i % 7 for i in range(300)}
    panel = view.panel("local.simulator")
    with qtbot.waitSignal(panel.ranked, timeout=10_000):
        view.set_result(RunResult.from_counts("local.simulator", counts))
    table = panel.table
    qtbot.waitUntil(table.isVisible)
    table.setFocus()
    QApplication.clipboard().setText("before")
    with qtbot.waitSignal(table.copied, timeout=10_000):
        qtbot.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QApplication.clipboard().text().splitlines()
    assert len(lines) == 301 and lines[0] == "Outcome\tCount\tProbability"
    assert threads and threading.main_thread() not in threads


@pytest.mark.parametrize("in_slices", [False, True], ids=["one dict", "in slices"])
def test_a_wide_result_is_exported_from_a_pool_thread(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, window, in_slices: bool
) -> None:
    import csv
    import json

    from desktop_app.core import compare
    from desktop_app.ui import messages

    monkeypatch.setattr(ranking, "WIDE", 100)
    threads = threads_calling(monkeypatch, compare, "write_csv_with_distances")
    counts = {format(i, "09b"): 1 + i % 7 for i in range(300)}
    result = RunResult.from_counts("local.simulator", counts)
    if in_slices:  # as a worker process sends a wide result
        monkeypatch.setattr(slices, "SLICE", 7)
        result = pickle.loads(pickle.dumps(result))
        assert isinstance(result.counts, slices.SortedSlices)
    panel = window.results_view.panel("local.simulator")
    with qtbot.waitSignal(panel.ranked, timeout=10_000):
        window.results_view.set_result(result)
    target = tmp_path / "wide.csv"
    monkeypatch.setattr(messages, "ask_save_path", lambda *a: str(target))
    window.export_csv_action.trigger()
    assert window.status_label.text() == f"Saving {target}…"
    qtbot.waitUntil(lambda: window.status_label.text() == f"Saved {target}", timeout=10_000)
    assert threads and threading.main_thread() not in threads
    with target.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 300 and {r["bitstring"] for r in rows} == set(counts)
    assert {r["bitstring"]: int(r["count"]) for r in rows} == counts
    target = tmp_path / "wide.json"
    window.files.export_json_action.trigger()
    qtbot.waitUntil(lambda: window.status_label.text() == f"Saved {target}", timeout=10_000)
    (document,) = json.loads(target.read_text(encoding="utf-8"))
    assert document["counts"] == counts
