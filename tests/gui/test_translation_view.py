"""The translation view: for each ticked target, the program as it will run there, computed in a
worker process (never in the GUI's), shown in a copyable tab."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.ui import tasks as background
from desktop_app.ui.backends.translation_view import TranslationView
from desktop_app.ui.main_window import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
BELL = (EXAMPLES / "bell.qasm").read_text("utf-8")
WAIT_MS = 60_000


def _payload(text: str) -> object:
    return json.loads(text.split("Payload:\n", 1)[1])


def test_bell_on_ionq_simulator_shows_the_payload_made_in_another_process(
    qtbot: QtBot, window: MainWindow
):
    window.load_program_text(BELL, None)
    window.backend_model.set_checked("local.simulator", False)
    # Nothing ticked: every target it can translate for (Azure rows need no profile to be read)
    everything = window.translation.backends()
    assert {"ionq.simulator", "ionq.qpu.forte-1", "local.emulator.ionq-forte-1"} <= set(everything)
    assert "local.simulator" not in everything
    window.backend_model.set_checked("local.emulator.ionq-forte-1", True)
    assert window.translation.backends() == ["local.emulator.ionq-forte-1"]
    window.backend_model.set_checked("local.emulator.ionq-forte-1", False)
    window.translation.backends = lambda: ["local.emulator.ionq-forte-1", "ionq.simulator"]
    view = window.translation.open()
    assert view.isVisible() and view.status.text().startswith("Translating")
    with qtbot.waitSignal(view.translated, timeout=WAIT_MS):
        pass
    assert view.worker_pid is not None and view.worker_pid != os.getpid()
    assert [view.tabs.tabText(i) for i in range(view.tabs.count())] == [
        "local.emulator.ionq-forte-1",
        "ionq.simulator",
    ]
    text = view.text_of(1)
    assert "ionq.circuit.v1" in text
    assert "Qubits used: 2" in text
    # hand-counted: Bell is h + cx + two measurements, all native in IonQ's QIS gate set
    assert "one-qubit 1, two-qubit 1, measurements 2" in text
    assert "Price: Free" in text
    payload = _payload(text)
    assert payload == {
        "gateset": "qis",
        "qubits": 2,
        "circuit": [{"gate": "h", "targets": [0]}, {"gate": "x", "targets": [1], "controls": [0]}],
    }
    emulated = view.text_of(0)
    assert "offline emulation of ionq.qpu.forte-1" in emulated
    assert "Estimated success probability: 0.9" in emulated and "approximation" in emulated
    assert "introduced" in emulated and "rxx" in emulated  # cx became the native MS gate

    view.tabs.setCurrentIndex(1)
    view.copy_button.click()
    assert QGuiApplication.clipboard().text() == text


def test_a_bad_program_says_where_and_nothing_freezes(qtbot: QtBot, window: MainWindow):
    window.load_program_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nfoo q[0];\n', None)
    view = window.translation.open()  # every target: each would say the same
    with qtbot.waitSignal(view.translated, timeout=WAIT_MS):
        pass
    text = view.status.text()
    assert text.startswith("The program could not be translated: ") and ":4:1: 'foo'" in text
    assert "Traceback" not in text and view.tabs.count() == 0


def test_closing_drops_the_answer(qtbot: QtBot):
    view = TranslationView()
    qtbot.addWidget(view)
    view.show_for(BELL, None, ["ionq.simulator"], 100)
    view.close()  # cancels: the worker call ends, its answer is dropped
    assert background.wait_idle(WAIT_MS)
    QCoreApplication.processEvents()  # deliver any queued answer: it must change nothing
    assert view.tabs.count() == 0 and view.worker_pid is None
