"""The strip above the result panes: Show (counts or percent), Sort, Top N, the layout (side by
side or overlay), and the bit-order note."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from desktop_app.ui.results import chart_data
from desktop_app.ui.results.chart_data import ChartOptions

SIDE_BY_SIDE = "side"
OVERLAY = "overlay"


class ChartControls(QWidget):
    """The options strip: Show counts / percent, Sort, Top N; and the bit-order note."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartControls")
        self.mode = QComboBox(self)
        self.mode.setObjectName("chartMode")
        self.mode.setAccessibleName("Show")
        self.mode.addItem("Counts", chart_data.COUNT)
        self.mode.addItem("Percent of shots", chart_data.PERCENT)
        self.sort = QComboBox(self)
        self.sort.setObjectName("chartSort")
        self.sort.setAccessibleName("Sort outcomes")
        self.sort.addItem("By bitstring", chart_data.BY_BITSTRING)
        self.sort.addItem("By count", chart_data.BY_COUNT)
        self.top = QSpinBox(self)
        self.top.setObjectName("chartTop")
        self.top.setAccessibleName("Outcomes shown before the rest")
        self.top.setRange(1, 64)
        self.top.setToolTip("The most frequent outcomes shown; the others are summed into 'rest'")
        self.layout_choice = QComboBox(self)
        self.layout_choice.setObjectName("chartLayout")
        self.layout_choice.setAccessibleName("Chart layout")
        self.layout_choice.addItem("Side by side", SIDE_BY_SIDE)
        self.layout_choice.addItem("Overlay (with distances)", OVERLAY)
        self.layout_choice.setToolTip(
            "Overlay puts every backend on one axis as grouped bars, with the total variation "
            "distance and Hellinger fidelity between each two results"
        )
        self.note = QLabel(chart_data.BIT_ORDER_NOTE, self)
        self.note.setObjectName("bitOrderNote")
        self.note.setWordWrap(True)  # on a 1024-pixel screen it wraps rather than widen the pane
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for text, widget in (
            ("&Show:", self.mode),
            ("S&ort:", self.sort),
            ("&Top:", self.top),
            ("&View:", self.layout_choice),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
        row.addSpacing(12)
        row.addWidget(self.note, 1)
        self.set_options(ChartOptions())

    def options(self) -> ChartOptions:
        return ChartOptions(
            str(self.mode.currentData()), str(self.sort.currentData()), self.top.value()
        )

    def set_options(self, options: ChartOptions) -> None:
        self.mode.setCurrentIndex(max(0, self.mode.findData(options.mode)))
        self.sort.setCurrentIndex(max(0, self.sort.findData(options.sort)))
        self.top.setValue(options.top)

    def set_layout(self, layout: str) -> None:
        """SIDE_BY_SIDE or OVERLAY (anything else, e.g. a hand-edited file: side by side)."""
        self.layout_choice.setCurrentIndex(max(0, self.layout_choice.findData(layout)))
