"""The overlay chart: several backends on one axis as grouped bars, with the distance between
every two results written on it (and exported with the image)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from desktop_app.core.results import RunResult
from desktop_app.ui.results.chart_controls import OVERLAY, SIDE_BY_SIDE
from desktop_app.ui.results.chart_data import PERCENT
from desktop_app.ui.results.view import ResultsView
from tests.gui.results_views import shown_results_view

IDEAL = RunResult("ionq.simulator", 10, probabilities={"0": 0.9, "1": 0.1}, exact=True)
NOISY = RunResult.from_counts("emulate:ionq.qpu.forte-1", {"0": 6, "1": 4}, shots=10)
# by hand: TVD = (|0.9-0.6| + |0.1-0.4|) / 2 = 0.3; Hellinger fidelity =
# (sqrt(0.9*0.6) + sqrt(0.1*0.4))^2 = (0.73485 + 0.2)^2 = 0.87394
HAND_TVD = 0.3
HAND_FIDELITY = (math.sqrt(0.54) + math.sqrt(0.04)) ** 2


def overlay_view(qtbot: QtBot, tmp_path: Path) -> ResultsView:
    view = shown_results_view(qtbot, tmp_path)
    view.set_result(IDEAL)
    view.set_result(NOISY)
    view.controls.layout_choice.setCurrentIndex(view.controls.layout_choice.findData(OVERLAY))
    return view


def test_grouped_bars_show_each_backends_values(qtbot: QtBot, tmp_path: Path) -> None:
    view = overlay_view(qtbot, tmp_path)
    overlay = view.overlay
    assert overlay is not None and overlay.isVisible()
    assert not view._panels_widget.isVisible()  # one axis replaces the side-by-side panes
    assert overlay.backend_values() == {
        "ionq.simulator": [("0", 9.0), ("1", 1.0)],  # exact: probability x shots
        "emulate:ionq.qpu.forte-1": [("0", 6.0), ("1", 4.0)],
    }
    ideal, noisy = overlay.series  # one bar series per backend, side by side in each group
    qtbot.waitUntil(lambda: overlay.height() > overlay.minimumHeight())  # laid out
    assert ideal.values == (9.0, 1.0) and noisy.values == (6.0, 4.0)
    for group in (0, 1):
        assert overlay.bar_centre(group, 0).x() < overlay.bar_centre(group, 1).x()
    image = overlay.grab().toImage()
    painted = [image.pixelColor(overlay.bar_centre(0, i).toPoint()) for i in (0, 1)]
    assert painted == [overlay.colour(0), overlay.colour(1)]  # told apart by colour
    assert painted[0] != painted[1]
    assert overlay.legend and [s.name for s in overlay.series] == [IDEAL.backend, NOISY.backend]

    view.controls.mode.setCurrentIndex(view.controls.mode.findData(PERCENT))  # shared switch
    assert overlay.backend_values()["emulate:ionq.qpu.forte-1"] == [("0", 60.0), ("1", 40.0)]
    assert overlay.y_axis.title == "Percent of shots"

    view.controls.layout_choice.setCurrentIndex(view.controls.layout_choice.findData(SIDE_BY_SIDE))
    assert view._panels_widget.isVisible() and not overlay.isVisible()


def test_the_distance_shown_is_the_hand_computed_one(qtbot: QtBot, tmp_path: Path) -> None:
    view = overlay_view(qtbot, tmp_path)
    overlay = view.overlay
    assert overlay is not None
    (found,) = overlay.distances
    assert found.total_variation == pytest.approx(HAND_TVD)
    assert found.hellinger_fidelity == pytest.approx(HAND_FIDELITY)
    title = "\n".join(overlay.title_lines)  # written on the chart itself
    assert "ionq.simulator vs emulate:ionq.qpu.forte-1" in title
    assert "total variation distance 0.300" in title and "Hellinger fidelity 0.874" in title

    svg = tmp_path / "overlay.svg"  # the exported image carries it too
    view.save_svg(str(svg))
    assert "Hellinger fidelity 0.874" in svg.read_text(encoding="utf-8")


def test_hovering_a_grouped_bar_names_its_backend(qtbot: QtBot, tmp_path: Path) -> None:
    view = overlay_view(qtbot, tmp_path)
    overlay = view.overlay
    assert overlay is not None
    qtbot.waitUntil(overlay.isVisible)  # shown and laid out
    qtbot.mouseMove(overlay, overlay.bar_centre(1, 1).toPoint())
    qtbot.waitUntil(QToolTip.isVisible)
    text = QToolTip.text()
    assert "emulate:ionq.qpu.forte-1" in text and "Outcome 1" in text and "count: 4" in text
    QToolTip.hideText()


def test_a_failed_run_is_left_out_of_the_comparison(qtbot: QtBot, tmp_path: Path) -> None:
    view = overlay_view(qtbot, tmp_path)
    view.set_result(RunResult.failed("rigetti.sim.qvm", 10, "x", "no access"))
    overlay = view.overlay
    assert overlay is not None
    assert set(overlay.backend_values()) == {IDEAL.backend, NOISY.backend}
    assert len(overlay.distances) == 1


def test_the_windows_exports_carry_the_distances(
    qtbot: QtBot, window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv
    import json

    from desktop_app.ui import messages

    window.results_view.set_result(IDEAL)
    window.results_view.set_result(NOISY)
    target = {"path": ""}
    monkeypatch.setattr(messages, "ask_save_path", lambda *a: target["path"])
    target["path"] = str(tmp_path / "bell-results.json")
    window.export_json_action.trigger()
    data = json.loads((tmp_path / "bell-results.json").read_text(encoding="utf-8"))
    assert data[0]["distances"][0]["total_variation_distance"] == pytest.approx(HAND_TVD)
    target["path"] = str(tmp_path / "bell-results.csv")
    window.export_csv_action.trigger()
    with (tmp_path / "bell-results-distances.csv").open(newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert float(row["hellinger_fidelity"]) == pytest.approx(HAND_FIDELITY)


def test_the_layout_choice_is_remembered_across_starts(qtbot: QtBot, tmp_path: Path) -> None:
    from desktop_app.ui import settings

    store_file = tmp_path / "qd.ini"
    overlay_view(qtbot, tmp_path)  # the user picked Overlay
    store = QSettings(str(store_file), QSettings.Format.IniFormat)
    assert settings.RESULTS_LAYOUT.read(store) == OVERLAY
    again = ResultsView(store=store)  # the next start
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.overlaid()
    again.set_result(IDEAL)
    again.set_result(NOISY)
    assert again.overlay is not None and again.overlay.isVisible()
    assert not again._panels_widget.isVisible()

    again.controls.layout_choice.setCurrentIndex(
        again.controls.layout_choice.findData(SIDE_BY_SIDE)
    )
    assert settings.RESULTS_LAYOUT.read(store) == SIDE_BY_SIDE
    store.setValue(settings.RESULTS_LAYOUT.key, "sideways")  # a hand-edited file
    odd = ResultsView(store=store)
    qtbot.addWidget(odd)
    assert not odd.overlaid()
