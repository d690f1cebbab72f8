"""The window's backend pane: the profile selector, the backend table, Shots, the local
simulator's Method, Run and Cancel.

Only building and laying out lives here; the window wires the signals (ui/main_window.py).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.catalog import LOCAL_SIMULATOR, builtin_backends
from desktop_app.core.local.method_names import AUTOMATIC, LABELS, METHODS, OPTION
from desktop_app.core.request import MAX_SHOTS
from desktop_app.ui import settings as options
from desktop_app.ui.backends.model import BackendModel
from desktop_app.ui.backends.profile_selector import ProfileSelector

# live figures and prices arrive later: those columns follow their text
_FITTED_COLUMNS = ("availability", "queue", "price", "success", "mitigation")
_METHOD_TIP = (
    f"How {LOCAL_SIMULATOR} simulates (qiskit-aer): Automatic takes the stabilizer method for "
    "a Clifford circuit (any width) and the statevector otherwise (memory doubles with each "
    "qubit); Matrix product state suits wide circuits with little entanglement"
)


class BackendPane(QWidget):
    """The controls of a run, in reading order (the window's Tab order follows it)."""

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
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
        self.method_input = QComboBox(self)
        self.method_input.setObjectName("methodInput")
        self.method_input.setAccessibleName("Simulation method")
        self.method_input.setToolTip(_METHOD_TIP)
        for method in METHODS:
            self.method_input.addItem(LABELS[method], method)
        self.set_method(options.LOCAL_METHOD.read(settings) if settings is not None else AUTOMATIC)
        self.method_input.currentIndexChanged.connect(self._on_method_input_changed)
        self.model.checkedChanged.connect(self._on_model_checkedChanged)
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
        method_label = QLabel("&Method:", self)
        method_label.setBuddy(self.method_input)
        controls.addWidget(method_label)
        controls.addWidget(self.method_input)
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
        self._on_model_checkedChanged()

    def method(self) -> str:
        """The method the local simulator runs with (core.local.method_names)."""
        return str(self.method_input.currentData())

    def set_method(self, method: str) -> None:
        """Show `method`; Automatic for a name it does not know (an older or edited setting)."""
        self.method_input.setCurrentIndex(METHODS.index(method) if method in METHODS else 0)

    def options_for(self, backend: str) -> dict[str, object]:
        """The options a run on `backend` takes from this pane: the local simulator's method."""
        method = self.method()
        return {OPTION: method} if backend == LOCAL_SIMULATOR and method != AUTOMATIC else {}

    @Slot(int)
    def _on_method_input_changed(self, _index: int) -> None:
        if self._settings is not None:
            options.LOCAL_METHOD.write(self._settings, self.method())

    @Slot()
    def _on_model_checkedChanged(self) -> None:
        """The method means something only for a run on the local simulator."""
        self.method_input.setEnabled(LOCAL_SIMULATOR in self.model.checked_backends())
