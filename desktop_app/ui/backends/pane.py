"""The window's backend pane: the profile selector, the backend table, Shots, Run and Cancel.

Only building and laying out lives here; the window wires the signals (ui/main_window.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.catalog import builtin_backends
from desktop_app.core.request import MAX_SHOTS
from desktop_app.ui.backends.model import BackendModel
from desktop_app.ui.backends.profile_selector import ProfileSelector

# live figures and prices arrive later: those columns follow their text
_FITTED_COLUMNS = ("availability", "queue", "price", "success", "mitigation")


class BackendPane(QWidget):
    """The controls of a run, in reading order (the window's Tab order follows it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = BackendModel(builtin_backends(), self)
        self.view = QTableView(self)
        self.view.setObjectName("backendSummary")
        self.view.setAccessibleName("Backend summary")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setTabKeyNavigation(False)  # Tab moves on to Shots; arrows move rows
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for key in _FITTED_COLUMNS:
            header.setSectionResizeMode(
                self.model.column_of(key), QHeaderView.ResizeMode.ResizeToContents
            )
        self.shots_input = QSpinBox(self)
        self.shots_input.setObjectName("shotsInput")
        self.shots_input.setAccessibleName("Shots")
        self.shots_input.setRange(1, MAX_SHOTS)
        self.shots_input.setValue(1000)
        self.shots_input.setGroupSeparatorShown(True)
        # the text set apart: QPushButton(text, parent) would load QIcon for its (icon, text)
        # overload (its Python type and enums, ~4 ms before the first paint)
        self.run_button = QPushButton(self)
        self.run_button.setText("Run")
        self.run_button.setObjectName("runButton")
        self.run_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.run_button.setToolTip("Run the program on the ticked backends (Ctrl+Return)")
        self.cancel_button = QPushButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_button.setToolTip("Stop the run (Esc)")
        self.budget_label = QLabel(self)
        self.budget_label.setObjectName("budgetLeft")
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Shots:", self))
        controls.addWidget(self.shots_input)
        controls.addWidget(self.budget_label, 1)
        controls.addWidget(self.run_button)
        controls.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Backends</b> (tick one or more)", self))
        self.profile_selector = ProfileSelector(self)
        layout.addWidget(self.profile_selector)
        layout.addWidget(self.view, 1)
        layout.addLayout(controls)
