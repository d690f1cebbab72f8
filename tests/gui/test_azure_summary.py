"""The Azure half of the backend summary, offline: profiles -> runnable rows and the per-row
"Run with my own credentials" switch, price estimates (core.pricing, real qiskit), and the
confirmation asked before a run that may cost money. Live availability is tested against the
emulator in tests/integration/test_credentials_gui_azure.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.azure.profiles import Profile, ProfileStore
from desktop_app.core.catalog import builtin_backends
from desktop_app.core.request import RunRequest
from desktop_app.ui import messages
from desktop_app.ui import tasks as background
from desktop_app.ui.backends.model import COLUMNS, BackendModel
from desktop_app.ui.backends.profile_selector import ProfileSelector
from desktop_app.ui.backends.summary import AzureSummary

BELL = (Path(__file__).parents[2] / "resources" / "examples" / "bell.qasm").read_text("utf-8")
RESOURCE_ID = (
    "/subscriptions/0f6c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5/resourceGroups/rg/providers/"
    "Microsoft.Quantum/Workspaces/ws-lab"
)
# endpoints on a loopback port nobody listens on: a refresh fails fast, offline
CLOSED = "https://127.0.0.1:9"
CREDENTIALS = next(i for i, c in enumerate(COLUMNS) if c.key == "credentials")


def sp_profile(name: str = "mine") -> Profile:
    return Profile(
        name,
        RESOURCE_ID,
        "eastus",
        "service-principal",
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "11111111-2222-3333-4444-555555555555",
        CLOSED,
        CLOSED,
    )


def lab_profile(name: str = "lab") -> Profile:
    return Profile(
        name, RESOURCE_ID, "eastus", "azure-sign-in", authority_host=CLOSED, arm_endpoint=CLOSED
    )


class Asked:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.questions: list[str] = []
        self.answer = True
        monkeypatch.setattr(messages, "ask", self._ask)

    def _ask(self, _parent: object, _title: str, question: str) -> bool:
        self.questions.append(question)
        return self.answer


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Asked:
    return Asked(monkeypatch)


@pytest.fixture
def store() -> ProfileStore:
    return ProfileStore()


@pytest.fixture
def summary(qtbot: QtBot, store: ProfileStore) -> Iterator[AzureSummary]:
    selector = ProfileSelector()
    qtbot.addWidget(selector)
    model = BackendModel(builtin_backends())
    azure = AzureSummary(model, selector, store=store)
    yield azure
    azure.shutdown()
    assert background.wait_idle(30_000)


def row(summary: AzureSummary, name: str):
    return next(r for r in summary.model.rows() if r.backend.name == name)


def test_without_profiles_azure_rows_say_what_they_need(summary: AzureSummary):
    summary.reload_profiles()
    forte = row(summary, "ionq.qpu.forte-1")
    assert not forte.runnable and "Credentials…" in forte.reason
    assert forte.info["credentials"] == "Needs an Azure profile"
    assert summary.profile_for("ionq.simulator") is None
    assert row(summary, "local.simulator").runnable


def test_one_profile_makes_azure_rows_runnable(summary: AzureSummary, store: ProfileStore):
    store.create(sp_profile(), allow_custom_endpoints=True)
    summary.reload_profiles()
    assert summary.selector.current() == "mine"
    sim = row(summary, "ionq.simulator")
    assert sim.runnable and sim.info["credentials"] == "Own: mine"
    index = summary.model.index(summary.model.rows().index(sim), CREDENTIALS)
    assert not summary.model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable  # nothing to switch
    assert summary.profile_for("ionq.simulator") == "mine"


def test_refresh_without_a_secret_says_so(qtbot: QtBot, summary: AzureSummary,
                                          store: ProfileStore):
    store.create(sp_profile(), allow_custom_endpoints=True)
    with qtbot.waitSignal(summary.refresher.refreshFailed, timeout=30_000):
        summary.reload_profiles()
    text = summary.selector.status.text()
    assert text.startswith("Target status unavailable: ") and "has no client secret" in text


def test_switch_chooses_own_or_lab_credentials(summary: AzureSummary, store: ProfileStore):
    store.create(sp_profile(), allow_custom_endpoints=True)
    store.create(lab_profile(), allow_custom_endpoints=True)
    summary.reload_profiles()
    model = summary.model
    position = model.rows().index(row(summary, "rigetti.sim.qvm"))
    index = model.index(position, CREDENTIALS)
    assert model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    assert model.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert summary.profile_for("rigetti.sim.qvm") == "mine"
    assert model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert model.data(index, Qt.ItemDataRole.DisplayRole) == "Lab sign-in: lab"
    assert summary.profile_for("rigetti.sim.qvm") == "lab"
    assert summary.profile_for("ionq.simulator") == "mine"  # per row


def test_local_run_proceeds_without_questions(summary: AzureSummary, asked: Asked):
    started: list[list[RunRequest]] = []
    summary.prepare_run([RunRequest(BELL, None, "local.simulator", 100)], None, started.append)
    assert len(started) == 1 and started[0][0].profile is None and asked.questions == []


def test_prices_and_confirmation_of_a_paid_run(qtbot: QtBot, summary: AzureSummary,
                                               store: ProfileStore, asked: Asked):
    store.create(sp_profile(), allow_custom_endpoints=True)
    summary.reload_profiles()
    with qtbot.waitSignal(
        summary.model.dataChanged,
        timeout=60_000,
        check_params_cb=lambda *_a: row(summary, "ionq.simulator").info.get("price") == "Free",
    ):
        summary.set_program(BELL, None, 1000)
    assert row(summary, "rigetti.sim.qvm").info["price"] == "Free"
    forte_price = row(summary, "ionq.qpu.forte-1").info["price"]
    assert forte_price.startswith("≈ $") and "(estimate)" in forte_price
    assert row(summary, "quantinuum.sim.h2-1e").info["price"].endswith("eHQC (estimate)")

    started: list[list[RunRequest]] = []
    requests = [
        RunRequest(BELL, None, "ionq.simulator", 1000),
        RunRequest(BELL, None, "ionq.qpu.forte-1", 1000),
    ]
    asked.answer = False
    summary.prepare_run(requests, None, started.append)  # estimates are current: asks at once
    assert started == [] and len(asked.questions) == 1
    assert f"ionq.qpu.forte-1: {forte_price}" in asked.questions[0]
    assert "ionq.simulator" not in asked.questions[0]  # free: not asked about
    asked.answer = True
    summary.prepare_run(requests, None, started.append)
    assert [r.profile for r in started[0]] == ["mine", "mine"]


def test_changed_shots_are_estimated_before_asking(qtbot: QtBot, summary: AzureSummary,
                                                   store: ProfileStore, asked: Asked):
    store.create(sp_profile(), allow_custom_endpoints=True)
    summary.reload_profiles()
    started: list[list[RunRequest]] = []
    summary.prepare_run([RunRequest(BELL, None, "quantinuum.sim.h2-1e", 200)], None, started.append)
    assert asked.questions == []  # waits for the estimate (pool thread), GUI not blocked
    qtbot.waitUntil(lambda: bool(started), timeout=60_000)
    # 5 + 200 x (1 1q + 10 x 1 2q + 5 x (2 qubits + 2 measurements)) / 5000 = 6.24 eHQC
    assert asked.questions and "quantinuum.sim.h2-1e: ≈ 6.24 eHQC (estimate)" in asked.questions[0]
