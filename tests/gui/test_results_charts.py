"""Results you can read and compare: one count/percent switch for every pane, sorting, top N +
rest, tooltips with the whole outcome, whole-number count ticks, the bit-order note, captions on
exported images and TSV copies of the counts table."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QPoint,
    QPointF,
    QRectF,
    Qt,
)
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.core.results import RunResult
from desktop_app.ui.results.chart_data import (
    BY_BITSTRING,
    BY_COUNT,
    PERCENT,
    ChartOptions,
    bars_for,
    integer_tick_step,
)
from tests.gui.results_views import shown_results_view

SAMPLED = RunResult.from_counts("local.simulator", {"00": 3, "01": 1, "11": 6}, shots=10)
EXACT = RunResult("ionq.simulator", 10, probabilities={"00": 0.5, "11": 0.5}, exact=True)


def test_one_switch_puts_every_pane_in_percent_on_one_range(qtbot: QtBot, tmp_path: Path) -> None:
    view = shown_results_view(qtbot, tmp_path)
    view.set_result(SAMPLED)
    view.set_result(EXACT)
    sampled, exact = (p.histogram for p in view.panels())
    assert sampled is not None and exact is not None
    assert sampled.y_axis.title == "Count"
    assert exact.y_axis.title == "Expected count"  # exact: probability x shots
    assert sampled.y_axis.top == exact.y_axis.top  # one range for both panes
    assert dict(exact.bars()) == {"00": 5.0, "11": 5.0}

    view.controls.mode.setCurrentIndex(view.controls.mode.findData(PERCENT))
    for histogram in (sampled, exact):
        assert histogram.y_axis.title == "Percent of shots"
    assert dict(sampled.bars()) == {"00": 30.0, "01": 10.0, "11": 60.0}
    assert dict(exact.bars()) == {"00": 50.0, "11": 50.0}
    assert sampled.y_axis.top == exact.y_axis.top
    again = shown_results_view(qtbot, tmp_path)  # the choice is remembered
    assert again.options().mode == PERCENT


def test_a_new_result_moves_the_other_panes_axis_without_redrawing_their_bars(
    qtbot: QtBot, tmp_path: Path
) -> None:
    view = shown_results_view(qtbot, tmp_path)
    view.set_result(SAMPLED)
    first = view.panels()[0].histogram
    assert first is not None
    labels = first.value_labels
    top = first.y_axis.top
    larger = RunResult.from_counts("ionq.simulator", {"00": 40, "11": 60}, shots=100)
    view.set_result(larger)
    second = view.panels()[1].histogram
    assert second is not None
    assert first.y_axis.top == second.y_axis.top > top  # one range, raised by the new maximum
    assert first.value_labels is labels  # the same labels: its bars were not rebuilt
    assert dict(first.bars()) == {"00": 3.0, "01": 1.0, "11": 6.0}
    plot = first.plot_rect(QRectF(first.rect()))  # its bars are drawn on the new range
    assert first.bar_rect(2, 0, plot).height() == pytest.approx(
        plot.height() * 6 / first.y_axis.top
    )

    view.set_result(RunResult.from_counts("local.simulator", {"00": 30, "11": 61}, shots=91))
    assert first.value_labels != labels  # its own new result is drawn
    assert first.y_axis.top == second.y_axis.top  # 61 is under the top already: kept


def test_counts_get_whole_number_ticks(qtbot: QtBot, tmp_path: Path) -> None:
    view = shown_results_view(qtbot, tmp_path)
    view.set_result(RunResult.from_counts("local.simulator", {"0": 1, "1": 1}, shots=2))
    axis = view.panels()[0].histogram.y_axis
    assert axis.label_format == "%d" and axis.step == 1
    ticks = [label for _, label in axis.ticks()]
    assert ticks == ["0", "1", "2"]  # from 0, whole numbers, up to a tick above the tallest bar
    assert axis.top == int(axis.top)
    assert [integer_tick_step(t) for t in (3, 12, 120, 2000)] == [1, 5, 50, 500]


def test_a_wide_result_shows_its_largest_outcomes_and_the_rest_exactly() -> None:
    # tens of thousands of outcomes (a million shots on 20 qubits has ~640,000): the top bars
    # are found without sorting them all; checked against a full sort here
    rng = random.Random(16)
    counts = {format(i, "017b"): rng.randint(1, 50) for i in range(40_000)}
    result = RunResult.from_counts("local.simulator", counts, shots=sum(counts.values()))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    for mode in (BY_COUNT, BY_BITSTRING):
        bars = bars_for(result, ChartOptions(sort=mode, top=16))
        shown, rest = bars[:-1], bars[-1]
        assert sorted(b.outcome for b in shown) == sorted(k for k, _ in ranked[:16])
        assert rest.folded == 40_000 - 16
        assert rest.count == sum(v for _, v in ranked[16:])  # whole shots, not a float sum
        assert rest.probability == pytest.approx(rest.count / sum(counts.values()), rel=1e-12)
    percent = bars_for(result, ChartOptions(mode=PERCENT, top=16))
    assert sum(b.value for b in percent) == pytest.approx(100.0, rel=1e-9)


def test_sort_and_top_n_with_the_rest_in_one_bar(qtbot: QtBot, tmp_path: Path) -> None:
    counts = {format(i, "04b"): 10 + i for i in range(16)}
    result = RunResult.from_counts("local.simulator", counts, shots=sum(counts.values()))
    bars = bars_for(result, ChartOptions(sort=BY_COUNT, top=3))
    assert [b.label for b in bars] == ["1111", "1110", "1101", "rest (13)"]
    assert bars[-1].count == sum(counts.values()) - (25 + 24 + 23)
    by_bits = bars_for(result, ChartOptions(top=3))
    assert [b.outcome for b in by_bits[:3]] == ["1101", "1110", "1111"]

    view = shown_results_view(qtbot, tmp_path)
    view.controls.top.setValue(3)
    view.controls.sort.setCurrentIndex(view.controls.sort.findData(BY_COUNT))
    view.set_result(result)
    shown = view.panels()[0].histogram.bars()
    assert [outcome for outcome, _ in shown] == ["1111", "1110", "1101", "rest (13)"]


def test_hovering_a_bar_shows_the_full_outcome_count_and_probability(
    qtbot: QtBot, tmp_path: Path
) -> None:
    wide = "1" * 14 + "0" * 6
    result = RunResult.from_counts("local.simulator", {wide: 750, "0" * 20: 250}, shots=1000)
    view = shown_results_view(qtbot, tmp_path)
    view.set_result(result)
    histogram = view.panels()[0].histogram
    labels = histogram.x_axis.labels
    assert all(len(label) <= 10 for label in labels)  # shortened on the axis
    assert histogram.x_axis.rotated  # and drawn upright, so none is dropped
    index = [b.outcome for b in histogram.shown_bars()].index(wide)
    qtbot.waitUntil(histogram.isVisible)  # the new pane is shown and laid out
    qtbot.mouseMove(histogram, histogram.bar_centre(index).toPoint())
    qtbot.waitUntil(QToolTip.isVisible)
    text = QToolTip.text()
    assert wide in text and "count: 750" in text and "0.7500" in text and "75.00%" in text
    qtbot.mouseMove(histogram, QPoint(2, 2))  # off the plot: the tip goes
    qtbot.waitUntil(lambda: not QToolTip.isVisible())


def test_the_bit_order_is_stated(qtbot: QtBot, tmp_path: Path) -> None:
    view = shown_results_view(qtbot, tmp_path)
    assert "classical bit 0 is the rightmost character" in view.controls.note.text()
    assert view.controls.note.isVisible()


def test_exported_images_carry_title_backend_shots_and_date(qtbot: QtBot, tmp_path: Path) -> None:
    view = shown_results_view(qtbot, tmp_path)
    view.title = "bell.qasm"
    view.set_result(SAMPLED)
    view.set_result(EXACT)
    caption = view.caption()
    assert caption[0].startswith("bell.qasm — 20")  # the date
    assert "local.simulator (10 shots)" in caption[1] and "ionq.simulator (10 shots)" in caption[1]
    png, svg = tmp_path / "r.png", tmp_path / "r.svg"
    view.save_png(str(png))
    view.save_svg(str(svg))
    image = QImage(str(png))
    assert image.height() > view._panels_widget.height()  # the caption above the panels
    text = svg.read_text(encoding="utf-8")
    assert "<title>bell.qasm — 20" in text and "local.simulator (10 shots)" in text


def test_ctrl_c_copies_the_selected_counts_as_tsv(qtbot: QtBot, tmp_path: Path) -> None:
    view = shown_results_view(qtbot, tmp_path)
    view.set_result(SAMPLED)
    table = view.panels()[0].table
    model = table.model()
    selection = table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.select(model.index(0, 0), flags)
    selection.select(model.index(1, 0), flags)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == (
        "Outcome\tCount\tProbability\n00\t3\t0.3000\n01\t1\t0.1000\n"
    )  # the rows in the order shown (By bitstring)


def test_a_long_counts_table_is_made_as_it_scrolls_and_copied_whole(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from desktop_app.ui.results.counts_model import CHUNK

    counts = {format(i, "09b"): 1 + i % 7 for i in range(300)}
    view = shown_results_view(qtbot, tmp_path)
    view.set_result(RunResult.from_counts("local.simulator", counts, shots=sum(counts.values())))
    table = view.panels()[0].table
    model = table.counts()
    assert model.rowCount() == CHUNK < model.total_rows() == 300  # the first rows only
    qtbot.waitUntil(table.isVisible)
    table.scrollToBottom()  # the view asks for the next rows as it reaches the end
    qtbot.waitUntil(lambda: model.rowCount() > CHUNK)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == sorted(counts)[
        : model.rowCount()
    ]
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QApplication.clipboard().text().splitlines()
    assert len(lines) == 301 and lines[0] == "Outcome\tCount\tProbability"  # every outcome
    assert lines[-1].split("\t")[:2] == ["100101011", str(counts["100101011"])]
    assert model.rowCount() < 300  # copied from the result, not by making every row
    first_row = "\t".join(str(model.index(0, c).data()) for c in range(3))
    assert lines[1] == first_row  # as the table shows it
    table.scrollToTop()
    row_two = table.visualRect(model.index(2, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=row_two)  # one row now
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert len(QApplication.clipboard().text().splitlines()) == 2


def test_the_counts_table_follows_the_sort_choice(qtbot: QtBot, tmp_path: Path) -> None:
    # the most frequent outcome is not the first bitstring: the two orders differ
    counts = {"00": 10, "01": 500, "10": 30, "11": 460}
    view = shown_results_view(qtbot, tmp_path)
    assert view.controls.sort.currentData() == BY_BITSTRING
    view.set_result(RunResult.from_counts("local.simulator", counts, shots=1000))
    view.set_result(EXACT)
    sampled, exact = (p.table.model() for p in view.panels())

    def column(model: QAbstractItemModel) -> list[str]:
        return [model.index(r, 0).data() for r in range(model.rowCount())]

    assert column(sampled) == ["00", "01", "10", "11"]  # as the chart above it
    assert [b.outcome for b in view.panels()[0].bars(view.options())] == column(sampled)
    view.controls.sort.setCurrentIndex(view.controls.sort.findData(BY_COUNT))
    assert column(sampled) == ["01", "11", "10", "00"]
    assert column(exact) == ["00", "11"]
    again = shown_results_view(qtbot, tmp_path)  # a remembered By count sorts a new table too
    assert again.controls.sort.currentData() == BY_COUNT
    again.set_result(RunResult.from_counts("local.simulator", counts, shots=1000))
    assert column(again.panels()[0].table.model()) == ["01", "11", "10", "00"]
    view.controls.sort.setCurrentIndex(view.controls.sort.findData(BY_BITSTRING))
    assert column(sampled) == ["00", "01", "10", "11"]


def test_charts_take_their_colours_from_the_palette(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtGui import QPalette

    view = shown_results_view(qtbot, tmp_path)
    view.set_result(SAMPLED)
    histogram = view.panels()[0].histogram
    assert histogram is not None
    qtbot.waitUntil(histogram.isVisible)  # the new pane is shown and laid out
    light_bar = drawn_colour(histogram, histogram.bar_centre(0))
    assert light_bar == histogram.colour(0)  # the bar is painted in the series colour
    dark = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.Base, "#181818"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
        (QPalette.ColorRole.WindowText, "#e8e8e8"),
    ):
        dark.setColor(role, QColor(colour))
    view.setPalette(dark)  # what dark mode does to every widget
    assert drawn_colour(histogram, QPointF(2, 2)) == QColor("#181818")  # the background
    assert histogram.text_colour() == QColor("#e8e8e8")  # axes and value labels
    dark_bar = drawn_colour(histogram, histogram.bar_centre(0))
    assert dark_bar.lightness() > light_bar.lightness()  # bars lighter on dark


def drawn_colour(widget: QWidget, where: QPointF) -> QColor:
    """The colour `widget` paints at `where` (its own painting, as on screen)."""
    return widget.grab().toImage().pixelColor(where.toPoint())


def test_the_rest_bar_of_an_exact_result_holds_the_expected_counts() -> None:
    probabilities = {format(i, "03b"): p for i, p in enumerate((0.4, 0.2, 0.1, 0.1, 0.1, 0.1))}
    result = RunResult("ionq.simulator", 1000, probabilities=probabilities, exact=True)
    bars = bars_for(result, ChartOptions(sort=BY_COUNT, top=2))
    assert [b.label for b in bars] == ["000", "001", "rest (4)"]
    assert bars[-1].count == pytest.approx(400.0)  # 4 x 0.1 of 1000 shots
    assert bars[-1].probability == pytest.approx(0.4)


def test_a_result_landing_ranks_its_own_result_only(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every pane's bars set the shared value axis: a result is ranked once, when it lands, and
    not again for another pane's result or for other Show, Sort or Top choices (a wide one takes
    ~0.2 s)."""
    from desktop_app.ui.results import ranking

    view = shown_results_view(qtbot, tmp_path)
    names = [f"target-{i}" for i in range(4)]
    for name in names:
        view.set_result(RunResult.from_counts(name, {"0": 3, "1": 5}, shots=8))
    ranked: list[str] = []
    real = ranking.rank

    def counted(result: RunResult) -> ranking.Ranking:
        ranked.append(result.backend)
        return real(result)

    monkeypatch.setattr(ranking, "rank", counted)
    view.set_result(RunResult.from_counts("target-2", {"0": 1, "1": 7}, shots=8))
    assert ranked == ["target-2"]
    view.controls.mode.setCurrentIndex(view.controls.mode.findData(PERCENT))
    view.controls.sort.setCurrentIndex(view.controls.sort.findData(BY_COUNT))
    view.controls.top.setValue(1)
    assert ranked == ["target-2"]
    assert view.panels()[2].histogram.bars() == [("1", 87.5), ("0", 12.5)]


def test_the_counts_table_orders_by_count_as_its_key_says(qtbot: QtBot) -> None:
    from desktop_app.ui.results.counts_model import CountsModel
    from desktop_app.ui.results.ranking import rank

    rng = random.Random(7)
    counts = {format(i, "012b"): rng.randint(1, 6) for i in range(3000)}
    # probabilities not quite proportional to the counts (as a service may round them)
    probabilities = {k: v / 10_000 + rng.random() * 1e-6 for k, v in counts.items()}
    result = RunResult("x", 0, counts=counts, probabilities=probabilities)
    model = CountsModel()
    model.show(rank(result), sort=BY_COUNT)
    expected = sorted(counts, key=lambda k: (-counts[k], -probabilities[k], k))
    assert model.outcomes() == expected
    model.set_sort(BY_BITSTRING)
    assert model.outcomes() == sorted(counts)
    exact = CountsModel()  # no counts: the probabilities decide
    probabilities = {"01": 0.25, "10": 0.5, "00": 0.25}
    exact.show(rank(RunResult("x", 0, probabilities=probabilities, exact=True)), sort=BY_COUNT)
    assert exact.outcomes() == ["10", "00", "01"]
