"""The backend summary: one checkable row per backend of the catalog.

Columns are data-driven (`COLUMNS`): each reads the row's `Backend` and a dict of live values
(`BackendRow.info`) that later work fills (availability, queue time, price, credentials) through
`set_info`, so adding Azure status is an addition, not a rewrite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop_app.core.catalog import Backend
from desktop_app.ui.plain_text import tooltip

PLACEHOLDER = "—"
NEEDS_PROFILE = "Needs an Azure profile"

_Index = QModelIndex | QPersistentModelIndex


@dataclass
class BackendRow:
    backend: Backend
    checked: bool = False
    runnable: bool = True
    reason: str = ""  # why not runnable, shown as tooltip
    info: dict[str, str] = field(default_factory=dict)  # live column values by column key
    tips: dict[str, str] = field(default_factory=dict)  # tooltips of live cells by column key
    # "Run with my own credentials": None = no choice (no check box), else the box's state
    use_own: bool | None = None
    # IonQ error mitigation: None = not offered (no check box), else the box's state
    mitigation: bool | None = None
    mitigation_enabled: bool = True  # False: shown, not switchable (too few shots)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    value: Callable[[BackendRow], str | int]
    tooltip: str = ""


def _info(key: str) -> Callable[[BackendRow], str]:
    return lambda row: row.info.get(key, PLACEHOLDER)


COLUMNS: list[Column] = [
    Column("backend", "Backend", lambda r: r.backend.name, "Target name; tick to run on it"),
    Column("provider", "Provider", lambda r: r.backend.provider),
    Column("kind", "Type", lambda r: r.backend.kind.capitalize()),
    Column("qubits", "Qubits", lambda r: r.backend.num_qubits),
    Column("availability", "Availability", _info("availability")),
    Column("queue", "Queue", _info("queue"), "Average queue time"),
    Column("price", "Price", _info("price"), "Estimated price of this run"),
    Column(
        "success",
        "Est. success",
        _info("success"),
        "Estimated success probability (gate and readout fidelities over the program on the "
        "target's native gates), from the offline emulation's figures: an approximation",
    ),
    Column(
        "mitigation",
        "Mitigation",
        _info("mitigation"),
        "IonQ error mitigation (debiasing): on by default from 500 shots; its minimum price is "
        "higher",
    ),
    Column("credentials", "Credentials", _info("credentials"), "What this run signs in with"),
]

_CREDENTIALS = next(i for i, c in enumerate(COLUMNS) if c.key == "credentials")
_MITIGATION = next(i for i, c in enumerate(COLUMNS) if c.key == "mitigation")
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_CHECK_STATE = int(Qt.ItemDataRole.CheckStateRole.value)
_TOOL_TIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


def default_row(backend: Backend) -> BackendRow:
    if backend.is_local:
        return BackendRow(
            backend,
            info={
                "availability": "Available",
                "queue": "No queue",
                "price": "Free",
                "credentials": "None needed (local)",
            },
        )
    return BackendRow(
        backend,
        runnable=False,
        reason=f"{backend.name}: {NEEDS_PROFILE.lower()} (not runnable yet)",
        info={"credentials": NEEDS_PROFILE},
    )


class BackendModel(QAbstractTableModel):
    """Emits `checkedChanged()` whenever the set of ticked backends changes."""

    checkedChanged = Signal()
    credentialsToggled = Signal(str, bool)  # backend, use own credentials (the user ticked it)
    mitigationToggled = Signal(str, bool)  # backend, error mitigation on (the user ticked it)

    def __init__(self, backends: Iterable[Backend], parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._rows = [default_row(b) for b in backends]

    # ---- API for the window and later work
    def rows(self) -> list[BackendRow]:
        return list(self._rows)

    def checked_backends(self) -> list[str]:
        return [r.backend.name for r in self._rows if r.checked and r.runnable]

    def set_checked(self, name: str, checked: bool) -> None:
        row = self._row_of(name)
        self.setData(self.index(row, 0), _state(checked), Qt.ItemDataRole.CheckStateRole)

    def set_runnable(self, name: str, runnable: bool, reason: str = "") -> None:
        row = self._row_of(name)
        state = self._rows[row]
        if (state.runnable, state.reason) == (runnable, reason):
            return  # a refresh that changed nothing repaints nothing (~2 ms a row)
        state.runnable, state.reason = runnable, reason
        if not runnable:
            state.checked = False
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        self.checkedChanged.emit()

    def set_info(self, name: str, key: str, value: str, tip: str | None = None) -> None:
        """Set a live column value (e.g. key "availability") of one backend's row, and the
        cell's tooltip (None: the row's)."""
        self.set_infos(key, {name: (value, tip)})

    def set_infos(self, key: str, values: Mapping[str, tuple[str, str | None]]) -> None:
        """`set_info` for several backends (name -> (value, tip)), told to the views at once: a
        price list's signal per row held the GUI thread ~20 ms (bench_azure_gui_stall.py)."""
        rows = []
        for name, (value, tip) in values.items():
            row = self._row_of(name)
            state = self._rows[row]
            if state.info.get(key) == value and state.tips.get(key) == tip:
                continue
            state.info[key] = value
            if tip is None:
                state.tips.pop(key, None)
            else:
                state.tips[key] = tip
            rows.append(row)
        if rows:
            column = self.column_of(key)
            self.dataChanged.emit(self.index(min(rows), column), self.index(max(rows), column))

    @staticmethod
    def column_of(key: str) -> int:
        """The column index of a column key ("price", "availability", ...)."""
        return next(i for i, c in enumerate(COLUMNS) if c.key == key)

    def set_credentials(self, name: str, text: str, use_own: bool | None) -> None:
        """The credentials column's text, and its "own credentials" check box (None: no box)."""
        row = self._row_of(name)
        state = self._rows[row]
        if (state.info.get("credentials"), state.use_own) == (text, use_own):
            return
        state.info["credentials"] = text
        state.use_own = use_own
        index = self.index(row, _CREDENTIALS)
        self.dataChanged.emit(index, index)

    def set_mitigation(self, name: str, on: bool | None, enabled: bool = True) -> None:
        """The error-mitigation column's check box (None: none) and whether it can be switched."""
        self.set_mitigations({name: (on, enabled)})

    def set_mitigations(self, values: Mapping[str, tuple[bool | None, bool]]) -> None:
        """`set_mitigation` for several backends (name -> (on, enabled)), in one signal."""
        rows = []
        for name, (on, enabled) in values.items():
            row = self._row_of(name)
            state = self._rows[row]
            if (state.mitigation, state.mitigation_enabled) == (on, enabled):
                continue
            state.mitigation, state.mitigation_enabled = on, enabled
            text = "" if on is None else ("On" if on else "Off")
            if on is False and not enabled:
                text = "Off (too few shots)"
            state.info["mitigation"] = text
            rows.append(row)
        if rows:
            first, last = self.index(min(rows), _MITIGATION), self.index(max(rows), _MITIGATION)
            self.dataChanged.emit(first, last)

    def row_options(self, name: str) -> dict[str, object]:
        """The provider options the row's switches set, for what prices a run on it (only "off"
        is said: IonQ turns error mitigation on by itself where it is available)."""
        from desktop_app.core.azure.pricing import ERROR_MITIGATION  # not before the first paint

        row = self._rows[self._row_of(name)]
        return {ERROR_MITIGATION: False} if row.mitigation is False else {}

    def has_backend(self, name: str) -> bool:
        return any(r.backend.name == name for r in self._rows)

    def backend_names(self) -> set[str]:
        return {r.backend.name for r in self._rows}

    def add_backend(self, backend: Backend) -> None:
        """Append a row (e.g. a target the Azure workspace lists beyond the catalog)."""
        if self.has_backend(backend.name):
            raise ValueError(f"{backend.name} is already in the backend summary")
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(default_row(backend))
        self.endInsertRows()

    def remove_backend(self, name: str) -> None:
        """Drop a row (a target the workspace no longer lists)."""
        row = self._row_of(name)
        self.beginRemoveRows(QModelIndex(), row, row)
        was_checked = self._rows.pop(row).checked
        self.endRemoveRows()
        if was_checked:
            self.checkedChanged.emit()

    def _row_of(self, name: str) -> int:
        for i, row in enumerate(self._rows):
            if row.backend.name == name:
                return i
        raise KeyError(name)

    # ---- QAbstractTableModel
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                return COLUMNS[section].tooltip or None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # asked for every cell and role as the view sizes its columns: the roles are compared
        # as plain ints (an enum member's lookup costs more than the rest of the call)
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], COLUMNS[index.column()]
        if role == _DISPLAY:
            return column.value(row)
        if role == _CHECK_STATE:
            if index.column() == 0:
                return _state(row.checked)
            if index.column() == _CREDENTIALS:
                return None if row.use_own is None else _state(row.use_own)
            if index.column() == _MITIGATION:
                return None if row.mitigation is None else _state(row.mitigation)
            return None
        if role == _TOOL_TIP:  # the reason may name a profile
            return tooltip(
                row.tips.get(column.key) or row.reason or row.backend.description or None
            )
        if role == _ALIGNMENT and column.key == "qubits":
            return _RIGHT
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if not self._rows[index.row()].runnable:
            return Qt.ItemFlag.ItemIsSelectable  # shown greyed out
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        row = self._rows[index.row()]
        if (
            index.column() == 0
            or (index.column() == _CREDENTIALS and row.use_own is not None)
            or (
                index.column() == _MITIGATION
                and row.mitigation is not None
                and row.mitigation_enabled
            )
        ):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        row = self._rows[index.row()]
        checked = _is_checked(value)
        if index.column() == _CREDENTIALS and row.use_own is not None:
            if row.use_own != checked:
                row.use_own = checked
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
                self.credentialsToggled.emit(row.backend.name, checked)
            return True
        if index.column() == _MITIGATION and row.mitigation is not None:
            if not row.mitigation_enabled:
                return False
            if row.mitigation != checked:
                self.set_mitigation(row.backend.name, checked)
                self.mitigationToggled.emit(row.backend.name, checked)
            return True
        if index.column() != 0:
            return False
        if checked and not row.runnable:
            return False
        if row.checked != checked:
            row.checked = checked
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
            self.checkedChanged.emit()
        return True


def _state(checked: bool) -> Qt.CheckState:
    return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked


def _is_checked(value: object) -> bool:
    if isinstance(value, Qt.CheckState):
        return value == Qt.CheckState.Checked
    return value == Qt.CheckState.Checked.value or value == 2
