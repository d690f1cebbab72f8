"""Several backends' results on one axis as grouped bars (ui/results/bar_chart.py), with the
distance between every two of them (core.compare) written on the chart.

Each outcome is a group; inside it one bar per backend, in one colour per backend (legend).
"""

from __future__ import annotations

import functools
from typing import cast

from PySide6.QtCore import QPointF, Slot
from PySide6.QtWidgets import QWidget

from desktop_app.core.compare import Distance, pairwise
from desktop_app.core.results import RunResult
from desktop_app.ui.results.bar_chart import BarChart, Series
from desktop_app.ui.results.chart_data import (
    PERCENT,
    ChartOptions,
    Group,
    overlay_groups,
    value_title,
)
from desktop_app.ui.results.ranking import Ranking, is_wide
from desktop_app.ui.tasks import Lane, run_task


def _distances(results: list[RunResult]) -> tuple[list[RunResult], list[Distance]]:
    return results, pairwise(results)


def distance_lines(found: list[Distance]) -> list[str]:
    return [
        f"{d.first} vs {d.second}: total variation distance {d.total_variation:.3f}, "
        f"Hellinger fidelity {d.hellinger_fidelity:.3f}"
        for d in found
    ]


class OverlayChart(BarChart):
    """objectName `overlayChart`."""

    group_width = 0.8  # of one outcome's slot; the backends' bars share it
    bar_fill = 0.92

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overlayChart")
        self.setMinimumSize(320, 220)
        self.legend = True
        self.results: list[RunResult] = []
        self.groups: list[Group] = []
        self.distances: list[Distance] = []
        self._distances_of: list[RunResult] = []  # the results `distances` belong to
        self._options = ChartOptions()

    def show_results(self, rankings: list[Ranking], options: ChartOptions) -> None:
        """The ranked results (ui/results/ranking.py) on one axis."""
        shown = [r for r in rankings if r.result.counts or r.result.probabilities]
        self.results = [r.result for r in shown]
        self._options = options
        self.groups = overlay_groups(shown, options)
        self._find_distances()
        self.series = [
            Series(result.backend, tuple(g.bars[i].value for g in self.groups), i)
            for i, result in enumerate(self.results)
        ]
        self.x_axis.set_labels([g.label for g in self.groups])
        any_exact = any(r.exact or not r.counts for r in self.results)
        percent = options.mode == PERCENT
        top = max((b.value for g in self.groups for b in g.bars), default=1.0)
        self.y_axis.configure(
            value_title(options, any_exact), top, whole_numbers=not (percent or any_exact)
        )
        self.update()

    def _find_distances(self) -> None:
        """The distances of these results, found once (Show, Sort and Top leave them as they
        are); for a wide result on a pool thread: a pair of them takes ~0.5 s."""
        results = list(self.results)
        if len(results) == len(self._distances_of) and all(
            a is b for a, b in zip(results, self._distances_of, strict=True)
        ):
            return
        self._distances_of = results
        if not any(is_wide(r) for r in results):
            self._on_distances_found((results, pairwise(results)))
            return
        self.distances = []
        self.title_lines = ["Distances between the backends: being worked out…"]
        run_task(
            functools.partial(_distances, results),
            lane=Lane.LONG,
            on_finished=self._on_distances_found,
        )

    @Slot(object)
    def _on_distances_found(self, found: object) -> None:
        results, distances = cast("tuple[list[RunResult], list[Distance]]", found)
        if results is not self._distances_of:
            return  # other results came meanwhile
        self.distances = distances
        self.title_lines = distance_lines(distances)
        self.update()

    def backend_values(self) -> dict[str, list[tuple[str, float]]]:
        """backend -> (outcome label, value) of its bar in each group, left to right."""
        return {
            result.backend: [(g.label, g.bars[i].value) for g in self.groups]
            for i, result in enumerate(self.results)
        }

    def bar_centre(self, group: int, backend: int) -> QPointF:
        return self.centre(group, backend)

    def bar_tooltip(self, group: int, backend: int) -> str:
        result = self.results[backend]
        exact = result.exact or not result.counts
        return f"{result.backend}\n{self.groups[group].bars[backend].tooltip(exact)}"
