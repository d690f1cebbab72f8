"""The table of offline emulations of Azure hardware targets (`resources/targets/emulations.toml`):
each target's native gates, connectivity and error figures, every figure with its source and the
date it was read. Plain data (TOML, kept parsed by `core.toml_cache`), read by the catalog before
anything heavy loads; the noise model and transpilation are `core.local.emulation`'s.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from desktop_app.core import toml_cache
from desktop_app.core.errors import QuantumDeskError, why_not_readable

TYPE_CHECKING = False  # `typing` costs a CLI start as much as Python's own start (issue 16)
if TYPE_CHECKING:
    from typing import Any

DATA_FORMAT = "quantum-desk.emulations.v1"
# The transpiler's seed for every emulation: a fixed layout and routing, so the same program
# emulates the same way each run (recorded in reproducibility bundles).
TRANSPILE_SEED = 7


def data_file() -> Path:
    """The emulation table (a bundle or a test may point elsewhere with the env var)."""
    override = os.environ.get("QUANTUM_DESK_EMULATIONS_FILE")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources" / "targets" / "emulations.toml"


@dataclass(frozen=True)
class Emulation:
    name: str  # the local backend's name, e.g. "local.emulator.ionq-forte-1"
    emulates: str  # the Azure target, e.g. "ionq.qpu.forte-1"
    label: str
    num_qubits: int  # what this machine simulates (a noisy statevector), not the device's size
    native_gates: str
    basis: tuple[str, ...]
    connectivity: str  # "all-to-all" | "square-lattice"
    error_1q: float
    error_2q: float
    readout_error: float
    approximate: bool
    source: str
    checked: str
    note: str = ""

    @property
    def summary(self) -> str:
        """One line for the backend table and result panes."""
        kind = "approximate figures" if self.approximate else "published figures"
        return (
            f"Offline emulation of {self.emulates} ({kind}, read {self.checked}): "
            f"{self.native_gates}; error per gate 1q {self.error_1q:g}, 2q {self.error_2q:g}, "
            f"readout {self.readout_error:g}. An approximation of the device."
        )


class EmulationDataError(QuantumDeskError):
    """The emulation table cannot be read (says which file and field)."""


_FLOAT_FIELDS = ("error_1q", "error_2q", "readout_error")
_TEXT_FIELDS = ("name", "emulates", "label", "native_gates", "connectivity", "source", "checked")


def _entry(raw: dict[str, Any], where: str) -> Emulation:
    for key in _TEXT_FIELDS:
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise EmulationDataError(f"{where}: field '{key}' must be a non-empty text")
    for key in _FLOAT_FIELDS:
        value = raw.get(key)
        if not isinstance(value, int | float) or not 0 <= value < 1:
            raise EmulationDataError(f"{where}: field '{key}' must be a number in [0, 1)")
    qubits = raw.get("num_qubits")
    if not isinstance(qubits, int) or not 1 <= qubits <= 30:
        raise EmulationDataError(f"{where}: field 'num_qubits' must be a whole number 1..30")
    basis = raw.get("basis")
    if not isinstance(basis, list) or not all(isinstance(g, str) for g in basis) or not basis:
        raise EmulationDataError(f"{where}: field 'basis' must be a list of gate names")
    if raw["connectivity"] not in ("all-to-all", "square-lattice"):
        raise EmulationDataError(f"{where}: field 'connectivity' is not all-to-all/square-lattice")
    return Emulation(
        name=raw["name"],
        emulates=raw["emulates"],
        label=raw["label"],
        num_qubits=qubits,
        native_gates=raw["native_gates"],
        basis=tuple(basis),
        connectivity=raw["connectivity"],
        error_1q=float(raw["error_1q"]),
        error_2q=float(raw["error_2q"]),
        readout_error=float(raw["readout_error"]),
        approximate=bool(raw.get("approximate", True)),
        source=raw["source"],
        checked=raw["checked"],
        note=str(raw.get("note", "")),
    )


@cache
def emulations() -> tuple[Emulation, ...]:
    """Every emulation of the table (EmulationDataError names the file and field at fault)."""
    path = data_file()
    try:
        document = toml_cache.load(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise EmulationDataError(f"{path}: cannot be read: {why_not_readable(exc)}") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError
        raise EmulationDataError(f"{path}: not valid TOML ({exc})") from None
    if document.get("format") != DATA_FORMAT:
        raise EmulationDataError(f"{path}: field 'format' must be {DATA_FORMAT!r}")
    entries = document.get("emulation")
    if not isinstance(entries, list):
        raise EmulationDataError(f"{path}: no [[emulation]] entries")
    return tuple(_entry(raw, f"{path}: emulation {i + 1}") for i, raw in enumerate(entries))


def find_emulation(name: str) -> Emulation | None:
    return next((e for e in emulations() if e.name == name), None)
