"""A bar histogram of one result (ui/results/bar_chart.py with one series).

Bars come from ui.results.chart_data; hovering a bar shows its full outcome, count and
probability; counts get whole-number ticks; colours come from the widget's palette.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QWidget

from desktop_app.core.slices import most_frequent
from desktop_app.ui.results.bar_chart import BarChart, Series
from desktop_app.ui.results.chart_data import PERCENT, Bar, ChartOptions

MAX_BARS = 32  # beyond this the labels are unreadable: the most frequent outcomes are shown
VALUE_LABELS_UP_TO = 8  # bars that get their value written above them


def top_outcomes(values: Mapping[str, float], limit: int = MAX_BARS) -> list[tuple[str, float]]:
    """The `limit` largest outcomes, in bitstring order."""
    return sorted(most_frequent(values, limit))


@dataclass(frozen=True)
class TopValues:
    """What a histogram of plain values draws: the largest (in bitstring order), the values'
    total and how many there are."""

    largest: list[tuple[str, float]]
    total: float
    outcomes: int


def top_values(values: Mapping[str, float]) -> TopValues:
    """Plain Python over every value (26-38 ms for 644,000): a wide job's are found with its
    read, off the GUI thread (ui/jobs/job_reads.py)."""
    return TopValues(top_outcomes(values), sum(values.values()) or 1.0, len(values))


def value_text(value: float, percent: bool, exact: bool) -> str:
    if percent:
        return f"{value:.3g} %"
    return f"{value:.3g}" if exact else f"{round(value):,}"


class Histogram(BarChart):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("histogram")
        self._bars: list[Bar] = []
        self._exact = False
        self._percent = False
        self._y_max = 1.0

    def bars(self) -> list[tuple[str, float]]:
        """(outcome, value) of each bar shown, left to right ("rest (n)" for the folded bar)."""
        return [(b.outcome or b.label, b.value) for b in self._bars]

    def shown_bars(self) -> list[Bar]:
        return list(self._bars)

    def set_values(self, values: Mapping[str, float], value_title: str) -> None:
        """Plain values (the job detail's chart): the largest MAX_BARS, in bitstring order."""
        self.show_top(top_values(values), value_title)

    def show_top(self, values: TopValues, value_title: str) -> None:
        """What `top_values` found of plain values."""
        bars = [Bar(k, v, v, v / values.total) for k, v in values.largest]
        top = max((b.value for b in bars), default=1.0)
        self.show_bars(bars, value_title, top, exact=value_title != "Count")
        if values.outcomes > len(bars):
            self.title_lines = [f"{len(bars)} most frequent of {values.outcomes:,} outcomes"]

    def show_bars(
        self,
        bars: list[Bar],
        value_title: str,
        y_max: float,
        *,
        exact: bool = False,
        options: ChartOptions | None = None,
    ) -> None:
        """Draw `bars` on a value axis from 0 to about `y_max` (shared by the panes)."""
        self._bars, self._exact = list(bars), exact
        self._percent = options is not None and options.mode == PERCENT
        self._y_max = y_max
        self.series = [Series("", tuple(float(b.value) for b in self._bars))]
        self.x_axis.set_labels([b.label for b in self._bars])
        self.y_axis.configure(value_title, y_max, whole_numbers=self._whole_numbers())
        shown = self._bars if len(self._bars) <= VALUE_LABELS_UP_TO else []
        self.value_labels = tuple(value_text(b.value, self._percent, exact) for b in shown)
        self.title_lines = []
        self.update()

    def set_top(self, y_max: float) -> None:
        """Another pane's result moved the shared value axis: only the axis changes (the bars
        and their labels stay); repainted only when its top tick moves."""
        if y_max == self._y_max or not self._bars:
            return
        self._y_max = y_max
        if self.y_axis.configure(self.y_axis.title, y_max, whole_numbers=self._whole_numbers()):
            self.update()

    def _whole_numbers(self) -> bool:
        return not (self._percent or self._exact)

    def bar_tooltip(self, group: int, series: int) -> str:
        return self._bars[group].tooltip(self._exact) if 0 <= group < len(self._bars) else ""

    def bar_centre(self, index: int) -> QPointF:
        """The middle of bar `index`, in widget coordinates (tests, keyboard hints)."""
        return self.centre(index, 0)
