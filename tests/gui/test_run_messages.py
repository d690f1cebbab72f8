"""Messages that fit the situation: memory before a large local run, no run without a secret,
local advice for local refusals, local job names, the live state in plain words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.azure import secrets as secrets_module
from desktop_app.core.azure.profiles import ProfileStore
from desktop_app.core.azure.secrets import SecretStore
from desktop_app.core.catalog import LOCAL_SIMULATOR
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.local import memory
from desktop_app.ui import messages
from desktop_app.ui.jobs.detail import _error_hint
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.results.live import LiveState, plain_state
from desktop_app.ui.run_checks import confirm_leaving_jobs
from tests.gui.offline_profiles import sp_profile
from tests.memory_keyring import MemoryKeyring

RUN_TIMEOUT_MS = 60_000


def wide(num_qubits: int) -> str:
    return (
        f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{num_qubits}];\ncreg c[{num_qubits}];\n'
        "h q[0];\nt q[0];\nmeasure q -> c;\n"  # not Clifford: a statevector run
    )


class Asked:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: bool) -> None:
        self.questions: list[str] = []
        self.answer = answer
        monkeypatch.setattr(messages, "ask", self)

    def __call__(self, _parent: object, _title: str, question: str) -> bool:
        self.questions.append(question)
        return self.answer


def test_qubits_are_read_from_the_declarations() -> None:
    assert memory.declared_qubits(wide(29)) == 29
    assert memory.declared_qubits("OPENQASM 3.0;\nqubit[3] a;\nqubit b; // qubit[9] c;\n") == 4
    assert memory.declared_qubits("/* qreg x[40]; */ qreg q[2]; qreg r[3];") == 5
    assert memory.statevector_bytes(29) == 16 * 2**29
    assert memory.memory_note(29, 4 << 30) == (
        "29 qubits: the simulation needs about 8.0 GiB of memory; 4.0 GiB is available now."
    )
    assert memory.needs_confirmation(27, None) and not memory.needs_confirmation(20, 8 << 30)
    assert memory.needs_confirmation(24, 300 << 20)  # 256 MiB of 300 MiB free: ask
    found = memory.available_bytes()
    assert found is None or found > 0


def test_a_large_local_run_says_the_memory_and_asks_first(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = Asked(monkeypatch, False)
    window.checks.available = lambda: 12 << 30
    window.load_program_text(wide(29), None)
    window.run()
    assert len(asked.questions) == 1
    assert "8.0 GiB" in asked.questions[0] and "12.0 GiB is available" in asked.questions[0]
    assert "Matrix product state method (Method, next to Shots)" in asked.questions[0]
    assert not window.executor.running  # declined: nothing started
    assert "8.0 GiB" in window.status_label.text()


def test_a_moderate_local_run_only_notes_the_memory(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = Asked(monkeypatch, False)
    window.checks.available = lambda: 8 << 30
    window.load_program_text(wide(20), None)
    notes: list[str] = []
    window.checks.note.connect(notes.append)
    with qtbot.waitSignal(window.executor.runFinished, timeout=RUN_TIMEOUT_MS):
        window.run()
    assert asked.questions == []
    assert notes == [
        "Local simulator: 20 qubits: the simulation needs about 16.0 MiB of memory; "
        "8.0 GiB is available now."
    ]


@pytest.fixture
def memory_secrets() -> Iterator[SecretStore]:
    store = SecretStore(backend=MemoryKeyring())
    secrets_module.set_default_secret_store(store)
    yield store
    secrets_module.set_default_secret_store(None)


def add_sp_profile() -> None:
    ProfileStore().create(
        sp_profile(),
        allow_custom_endpoints=True,  # a closed loopback port: nothing is ever sent there
    )


def test_no_run_starts_for_a_profile_without_its_secret(
    qtbot: QtBot, make_window, memory_secrets: SecretStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_sp_profile()
    asked = Asked(monkeypatch, True)
    window: MainWindow = make_window()
    window.show()
    qtbot.waitUntil(lambda: window.profile_selector.current() == "mine")
    window.load_program_text(wide(2), "/tmp/two.qasm")
    window.backend_model.set_checked(LOCAL_SIMULATOR, False)
    window.backend_model.set_checked("ionq.simulator", True)
    started: list[object] = []
    window.executor.jobStarted.connect(started.append)

    window.run()
    qtbot.waitUntil(lambda: window.credentials_dialog is not None, timeout=10_000)
    dialog = window.credentials_dialog
    assert dialog is not None and dialog.isVisible() and dialog.editing == "mine"
    assert "has no client secret" in window.status_label.text()
    assert started == [] and not window.executor.running and asked.questions == []
    dialog.reject()


def test_local_jobs_are_named_after_their_program_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    window.executor.set_ledger(ledger)
    program = tmp_path / "coin.qasm"
    program.write_text(wide(1), encoding="utf-8")
    assert window.open_file(str(program))
    with qtbot.waitSignal(window.executor.runFinished, timeout=RUN_TIMEOUT_MS):
        window.run()
    window.load_program_text(wide(1), None)
    with qtbot.waitSignal(window.executor.runFinished, timeout=RUN_TIMEOUT_MS):
        window.run()
    names = sorted(row.name for row in ledger.page())
    assert names == ["coin.qasm", "untitled"]
    window.executor.set_ledger(None)
    ledger.close()


def test_a_local_refusal_gets_local_advice() -> None:
    message = "the program uses 31 qubits; local.simulator simulates at most 30 on this computer"
    local = _error_hint("UserInputError", message, LOCAL_SIMULATOR)
    assert "portal" not in local.lower() and "fewer qubits" in local
    assert "portal" not in _error_hint("QuantumDeskError", "simulator failed", LOCAL_SIMULATOR)


def test_the_live_state_is_in_plain_words_with_elapsed_time() -> None:
    assert [
        plain_state(m) for m in ("Waiting", "Executing", "Simulating", "Downloading results")
    ] == [
        "Queued",
        "Running",
        "Running",
        "Finishing",
    ]
    live = LiveState(now=100.0)
    live.update("Waiting")
    assert live.text(now=172.0) == "Queued · 1:12"


def test_the_job_id_is_shown_and_copyable(window: MainWindow) -> None:
    panel = window.results_view.panel("ionq.simulator")
    panel.start_live()
    panel.set_progress("Job id: 7a1c0d2e-0000-4000-8000-000000000001")
    panel.set_progress("Waiting")
    assert panel.status.text().startswith("Queued · 0:0")
    assert panel.job_id_label.isVisibleTo(panel)
    assert "7a1c0d2e-0000-4000-8000-000000000001" in panel.job_id_label.text()
    panel.copy_id_button.click()
    assert QApplication.clipboard().text() == "7a1c0d2e-0000-4000-8000-000000000001"
    # narrower than the id: drawn with both ends, so jobs that share a start stay apart
    panel.job_id_label.resize(
        panel.job_id_label.fontMetrics().horizontalAdvance("Job id: 7a1c0d2e-0000"), 20
    )
    shown = panel.job_id_label.shown()
    assert "…" in shown and shown.startswith("Job id: ") and shown.endswith("01")
    assert panel.job_id_label.text() == "Job id: 7a1c0d2e-0000-4000-8000-000000000001"


def test_closing_says_open_azure_jobs_keep_running(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = Asked(monkeypatch, False)
    assert not confirm_leaving_jobs(window, ["ionq.simulator"])
    assert "keep running there" in asked.questions[0] and "next time" in asked.questions[0]
    assert confirm_leaving_jobs(window, [])  # nothing open: no question
    assert window.executor.open_remote_jobs() == []  # idle window
    window.close()
    assert len(asked.questions) == 1 and not window.isVisible()


def test_the_status_line_is_refreshed_once_the_credentials_change(
    qtbot: QtBot, make_window, memory_secrets: SecretStore
) -> None:
    add_sp_profile()
    window: MainWindow = make_window()
    window.show()
    qtbot.waitUntil(lambda: window.profile_selector.current() == "mine")
    refreshed: list[bool] = []
    window.azure.refresher.refresh = lambda: refreshed.append(True)  # type: ignore[method-assign]
    window.open_credentials()
    dialog = window.credentials_dialog
    assert dialog is not None
    memory_secrets.set(ProfileStore().get("mine"), "typed-now")
    dialog.profilesChanged.emit()  # what Save emits after storing the secret
    assert refreshed == [True]  # no F5 needed for the banner to follow
    dialog.reject()
