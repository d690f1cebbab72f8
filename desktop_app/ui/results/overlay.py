"""Several backends' results on one axis as grouped bars (ui/results/bar_chart.py), with the
distance between every two of them (core.compare) written on the chart.

Each outcome is a group; inside it one bar per backend, in one colour per backend (legend).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
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
from desktop_app.ui.results.ranking import Ranking


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
        self._options = ChartOptions()

    def show_results(self, rankings: list[Ranking], options: ChartOptions) -> None:
        """The ranked results (ui/results/ranking.py) on one axis."""
        shown = [r for r in rankings if r.result.counts or r.result.probabilities]
        self.results = [r.result for r in shown]
        self._options = options
        self.groups = overlay_groups(shown, options)
        self.distances = pairwise(self.results)
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
        self.title_lines = distance_lines(self.distances)
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
