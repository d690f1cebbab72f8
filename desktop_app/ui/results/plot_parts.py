"""What the results charts share besides their drawing (ui/results/bar_chart.py): colours from the
widget's QPalette (so they follow dark mode), the outcome axis' labels, and the value axis' ticks
(whole numbers for counts). Plain Python over Qt's colour types.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QColor, QPalette

from desktop_app.ui.results.chart_data import axis_top, integer_tick_step

ROTATE_OVER = 4  # outcome labels longer than this are drawn upright
# One colour per backend on the overlay chart (Okabe-Ito, readable with colour blindness:
# https://jfly.uni-koeln.de/color/, 2008); the first is the single histogram's bar colour.
LIGHT_SERIES = ("#3b6fb6", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#7f7f7f")
DARK_SERIES = ("#7aa7e6", "#f0b840", "#33c49a", "#e09ac4", "#f08040", "#8fd0f5", "#b0b0b0")


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def series_colour(palette: QPalette, index: int) -> QColor:
    colours = DARK_SERIES if is_dark(palette) else LIGHT_SERIES
    return QColor(colours[index % len(colours)])


def nice_step(top: float, ticks: int = 5) -> float:
    """A step of 1, 2 or 5 x 10^k giving about `ticks` ticks up to `top` (fractions allowed)."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


class OutcomeAxis:
    """The bottom axis: one label per bar group; wide labels are drawn upright, none dropped."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.rotated = False

    def set_labels(self, labels: list[str]) -> None:
        self.labels = list(labels)
        self.rotated = any(len(label) > ROTATE_OVER for label in labels)


class ValueAxis:
    """The left axis from 0 to `top` with ticks every `step`, labelled with `label_format`."""

    def __init__(self) -> None:
        self.title = ""
        self.top = 0.0  # not configured yet (a configured top is above 0)
        self.step = 1.0
        self.label_format = "%d"

    def configure(self, title: str, y_max: float, whole_numbers: bool) -> bool:
        """Set the axis for values up to `y_max`; False when it was set so already (a new
        maximum under the same top tick: nothing to relabel or repaint)."""
        if whole_numbers:  # counts: "0, 1, 2", never "0,0,1,1,1"
            step = float(integer_tick_step(y_max * 1.2))
            label_format = "%d"
        else:
            step = nice_step(y_max * 1.2 if y_max > 0 else 1.0)
            label_format = "%.0f" if step >= 1 else "%.2f"
        top = axis_top(y_max, step) if y_max > 0 else step
        if (title, top, step, label_format) == (self.title, self.top, self.step, self.label_format):
            return False
        self.step, self.label_format, self.top, self.title = step, label_format, top, title
        return True

    def ticks(self) -> list[tuple[float, str]]:
        """(value, label) of each tick, from 0 up to the top."""
        if self.top <= 0:
            return []
        count = round(self.top / self.step)
        return [(i * self.step, self.label_format % (i * self.step)) for i in range(count + 1)]
