"""The estimated success probability beside each offline emulation's price, before the run:
the product of gate and readout fidelities over the program on the target's native gates, made in
a worker process."""

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


def test_each_emulation_shows_its_estimate_next_to_the_price(qtbot: QtBot, window: MainWindow):
    window.load_program_text(BELL, None)
    names = [e.name for e in emulations()]
    qtbot.waitUntil(
        lambda: all("success" in _row(window, n).info.get("price", "") for n in names),
        timeout=WAIT_MS,
    )
    assert window.success.worker_pid is not None and window.success.worker_pid != os.getpid()
    forte = _row(window, "local.emulator.ionq-forte-1")
    # Bell on the Forte emulation: one rxx (the MS gate) and two measurements, with a handful of
    # one-qubit rotations around them; the product is dominated by the 2q and readout figures
    low, high = _analytic(forte.backend.name, 8, 1, 2), _analytic(forte.backend.name, 0, 1, 2)
    shown = float(forte.tips["price"].split("probability ")[1].split(":")[0])
    assert low - 1e-3 <= shown <= high + 1e-3
    assert forte.info["price"] == f"Free; success ≈ {shown:.0%}"
    assert "An approximation" in forte.tips["price"] and "provider-ionq" in forte.tips["price"]
    rigetti = _row(window, "local.emulator.rigetti-cepheus-1-108q")
    # only the 2q error is modelled for Cepheus: one CZ after routing Bell on the lattice
    assert "(approximate)" in rigetti.tips["price"]
    assert (
        rigetti.info["price"] == f"Free; success ≈ {_analytic(rigetti.backend.name, 0, 1, 2):.0%}"
    )

    # A program that does not read leaves the plain price and no stale estimate.
    window.load_program_text("OPENQASM 2.0;\nqreg q[1];\nfoo q[0];\n", None)
    qtbot.waitUntil(lambda: forte.info.get("price") == "Free", timeout=WAIT_MS)
    assert window.backend_model.rows()[0].info["price"] == "Free"  # the ideal simulator
