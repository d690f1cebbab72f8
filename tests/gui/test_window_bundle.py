"""The reproducibility bundle as the window makes it: a run started from the window has a simulator
seed in the ledger, its bundle is written off the GUI thread with translation.json and
reproduce.json, and re-running it from the bundle (through the CLI, as a user would a year later)
gives the same counts. Also: the translation view prices a row with its own switches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.jobs import bundle
from desktop_app.core.ledger import export
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.local import calls
from desktop_app.core.results import JobStatus, read_json
from desktop_app.ui import messages
from desktop_app.ui.backends.model import BackendModel
from desktop_app.ui.jobs.detail import ExportKind
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.runs import SEED_LIMIT

ROOT = Path(__file__).resolve().parents[2]
GHZ3 = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\nbit[3] c;\nh q[0];\ncx q[0], q[1];\n'
    "cx q[1], q[2];\nc = measure q;\n"
)
BELL = (ROOT / "resources" / "examples" / "bell.qasm").read_text("utf-8")
EMULATION = "local.emulator.quantinuum-h2-1"
SHOTS = 2000
WAIT_MS = 120_000  # a worker process that may first import qiskit, on a shared machine


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with open_ledger() as opened:  # data_dir() is per test (tests/conftest.py)
        yield opened


def _spy(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, seen: list[str]) -> None:
    """Wrap `owner.name` (the real function still runs) to note which thread called it."""
    real: Callable[..., Any] = getattr(owner, name)

    def noting(*args: object, **kwargs: object) -> object:
        seen.append(f"{name}@{threading.get_ident()}")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, noting)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        capture_output=True,
        text=True,
        timeout=WAIT_MS / 1000,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        check=False,
    )


def test_a_window_run_exports_a_bundle_that_reruns_to_the_same_counts(
    qtbot: QtBot,
    window: MainWindow,
    ledger: Ledger,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window.executor.set_ledger(ledger)
    view = window.attach_jobs_view(ledger)
    window.load_program_text(GHZ3, None)
    window.shots_input.setValue(SHOTS)
    window.backend_model.set_checked("local.simulator", False)
    window.backend_model.set_checked(EMULATION, True)
    with qtbot.waitSignal(window.executor.runFinished, timeout=WAIT_MS):
        window.run()
    assert window.executor.outcomes == {EMULATION: JobStatus.SUCCEEDED}

    (row,) = ledger.page()
    record = ledger.get(row.id)
    seed = record.options["seed"]  # chosen at random: the user gave none
    assert isinstance(seed, int) and 0 <= seed < SEED_LIMIT

    seen: list[str] = []
    _spy(monkeypatch, export, "export_job", seen)
    _spy(monkeypatch, bundle, "bundle_parts", seen)
    _spy(monkeypatch, calls, "call_in_worker", seen)
    target = tmp_path / "ghz3-bundle.zip"
    monkeypatch.setattr(messages, "ask_save_path", lambda *a: str(target))
    errors: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, title, text: errors.append(text))
    dialog = view.open_job(record.id)
    assert dialog is not None
    qtbot.addWidget(dialog)
    job = dialog.export(ExportKind.BUNDLE)
    assert job is not None and not job.done  # the dialog is back before the file is written
    assert dialog.export_line.isVisibleTo(dialog)
    assert dialog.export_line.text().startswith("Exporting job ")
    qtbot.waitUntil(lambda: job.done, timeout=WAIT_MS)
    assert errors == [] and job.written == target and job.note == ""
    assert dialog.export_line.text() == f"Saved to {target}."
    # every step of the export ran on a pool thread, none on the GUI thread
    gui_thread = threading.get_ident()
    assert {s.split("@")[0] for s in seen} == {"export_job", "bundle_parts", "call_in_worker"}
    assert all(not s.endswith(f"@{gui_thread}") for s in seen), seen
    assert not list(tmp_path.glob(".*"))  # written whole: no temporary file left

    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(target) as archive:
        archive.extractall(unpacked)
    translation = json.loads((unpacked / "translation.json").read_text("utf-8"))
    assert translation["backend"] == EMULATION and "rzz" in translation["payload"]
    assert translation["native_gates"]["measurements"] == 3
    reproduce = json.loads((unpacked / "reproduce.json").read_text("utf-8"))
    assert reproduce["seeds"]["simulator"] == seed and "note" not in reproduce
    settings = json.loads((unpacked / "settings.json").read_text("utf-8"))
    assert settings["options"]["seed"] == seed and settings["shots"] == SHOTS
    (recorded,) = read_json(unpacked / "counts.json")
    assert set(recorded.counts) - {"000", "111"}  # noisy: the emulation's errors are in them

    # A year later, from the bundle alone: its program, settings, seed and noise-model file
    program = unpacked / "program.qasm"
    again = _cli(
        "run",
        str(program),
        "--backend",
        settings["backend"],
        "--shots",
        str(settings["shots"]),
        "--seed",
        str(reproduce["seeds"]["simulator"]),
        "--json",
        env={"QUANTUM_DESK_EMULATIONS_FILE": str(unpacked / reproduce["noise_model"]["file"])},
    )
    assert again.returncode == 0, again.stderr
    (rerun,) = json.loads(again.stdout)
    assert rerun["counts"] == recorded.counts


def test_two_window_runs_get_different_seeds_and_a_given_seed_is_kept(
    qtbot: QtBot, window: MainWindow, ledger: Ledger
) -> None:
    from desktop_app.core.request import RunRequest
    from desktop_app.ui.runs import with_seed

    window.executor.set_ledger(ledger)
    window.load_program_text(BELL, None)
    window.shots_input.setValue(50)
    for _ in range(2):
        with qtbot.waitSignal(window.executor.runFinished, timeout=WAIT_MS):
            window.run()
    seeds = {ledger.get(r.id).options["seed"] for r in ledger.page()}
    assert len(seeds) == 2 and all(isinstance(s, int) for s in seeds)

    given = RunRequest(BELL, None, "local.simulator", 10, options={"seed": 7})
    assert with_seed(given).options == {"seed": 7}
    azure = RunRequest(BELL, None, "ionq.simulator", 10)
    assert with_seed(azure).options == {}  # the service draws its own


def _switch_mitigation(model: BackendModel, backend: str, on: bool) -> None:
    """As a click on the row's error-mitigation box does."""
    column = model.column_of("mitigation")
    index = model.index(
        next(i for i, r in enumerate(model.rows()) if r.backend.name == backend), column
    )
    state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
    assert model.setData(index, state, Qt.ItemDataRole.CheckStateRole)


def test_the_translation_view_prices_a_row_with_its_switches(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    target = "ionq.qpu.forte-1"
    window.load_program_text(BELL, None)
    window.shots_input.setValue(1000)
    model = window.backend_model
    model.set_mitigation(target, True)  # the summary offers the box once it priced the row
    assert model.row_options(target) == {}  # on: IonQ's own default, nothing to say
    _switch_mitigation(model, target, False)
    assert model.row_options(target) == {"error_mitigation": False}
    window.translation.backends = lambda: [target]

    view = window.translation.open()
    with qtbot.waitSignal(view.translated, timeout=WAIT_MS):
        pass
    off_text = view.text_of(0)
    _switch_mitigation(model, target, True)
    view = window.translation.open()
    with qtbot.waitSignal(view.translated, timeout=WAIT_MS):
        pass
    on_text = view.text_of(0)

    # the same figures as the CLI's estimate with the same switch
    program = tmp_path / "bell.qasm"
    program.write_text(BELL, "utf-8")
    for text, switch in ((off_text, "off"), (on_text, "on")):
        estimate = _cli(
            "estimate",
            str(program),
            "--backend",
            target,
            "--shots",
            "1000",
            "--option",
            f"error_mitigation={switch}",
            "--json",
        )
        assert estimate.returncode == 0, estimate.stderr
        (expected,) = json.loads(estimate.stdout)
        assert f"({expected['formula']})" in text
        assert f"error_mitigation {expected['breakdown']['error_mitigation']}" in text
    assert "error mitigation off" in off_text and "error mitigation off" not in on_text
