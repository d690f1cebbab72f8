"""The estimated success probability in the backend summary, before the run, beside the price: for
each offline emulation and each Azure target one emulates; the product of gate and readout
fidelities over the program on the target's native gates, made in a worker process."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.core.emulation_table import emulations
from desktop_app.ui.main_window import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
BELL = (EXAMPLES / "bell.qasm").read_text("utf-8")
WAIT_MS = 60_000


def _row(window: MainWindow, name: str):
    return next(r for r in window.backend_model.rows() if r.backend.name == name)


def _analytic(name: str, one: int, two: int, measured: int) -> float:
    emulation = next(e for e in emulations() if e.name == name)
    return (
        (1 - emulation.error_1q) ** one
        * (1 - emulation.error_2q) ** two
        * (1 - emulation.readout_error) ** measured
    )


def _shown(row) -> float:
    return float(row.tips["success"].split("probability ")[1].split(":")[0])


def test_emulations_and_the_targets_they_emulate_show_an_estimate(qtbot: QtBot, window: MainWindow):
    window.load_program_text(BELL, None)
    names = window.success.names()
    assert {"local.emulator.ionq-forte-1", "ionq.qpu.forte-1"} <= set(names)
    assert "ionq.simulator" not in names and "local.simulator" not in names
    qtbot.waitUntil(
        lambda: all(_row(window, n).info.get("success", "—") != "—" for n in names),
        timeout=WAIT_MS,
    )
    assert window.success.worker_pid is not None and window.success.worker_pid != os.getpid()
    emulated = _row(window, "local.emulator.ionq-forte-1")
    # Bell on the Forte emulation: one rxx (the MS gate) and two measurements, with a handful of
    # one-qubit rotations around them
    low, high = _analytic(emulated.backend.name, 8, 1, 2), _analytic(emulated.backend.name, 0, 1, 2)
    assert low - 1e-3 <= _shown(emulated) <= high + 1e-3
    assert emulated.info["success"] == f"≈ {_shown(emulated):.0%}"
    assert emulated.info["price"] == "Free"  # the price cell is the price's alone
    hardware = _row(window, "ionq.qpu.forte-1")  # the target the emulation stands for
    assert hardware.info["success"] == emulated.info["success"]
    assert "An approximation" in hardware.tips["success"]
    assert "provider-ionq" in hardware.tips["success"]
    rigetti = _row(window, "local.emulator.rigetti-cepheus-1-108q")
    # only the 2q error is modelled for Cepheus: one CZ after routing Bell on the lattice
    assert "(approximate)" in rigetti.tips["success"]
    assert _shown(rigetti) == round(_analytic(rigetti.backend.name, 0, 1, 2), 3)
    assert _row(window, "ionq.simulator").info.get("success", "—") == "—"

    # A program that does not read leaves no stale estimate.
    window.load_program_text("OPENQASM 2.0;\nqreg q[1];\nfoo q[0];\n", None)
    qtbot.waitUntil(lambda: emulated.info.get("success") == "—", timeout=WAIT_MS)
    assert hardware.info["success"] == "—"
