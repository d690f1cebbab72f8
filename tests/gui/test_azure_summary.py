"""The Azure half of the backend summary, offline: profiles -> runnable rows and the per-row
"Run with my own credentials" switch, price estimates (core.pricing, real qiskit), and the
confirmation asked before a run that may cost money. Live availability is tested against the
emulator in tests/integration/test_credentials_gui_azure.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.core.azure.profiles import Profile, ProfileStore
from desktop_app.core.catalog import builtin_backends
from desktop_app.core.ledger.models import new_azure_job_id
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.request import RunRequest
from desktop_app.ui import messages
from desktop_app.ui import tasks as background
from desktop_app.ui.backends.model import COLUMNS, BackendModel
from desktop_app.ui.backends.profile_selector import ProfileSelector
from desktop_app.ui.backends.summary import AzureSummary
from desktop_app.ui.messages import SpendAnswer, SpendQuestion
from tests.gui.offline_profiles import CLOSED, RESOURCE_ID, sp_profile

BELL = (Path(__file__).parents[2] / "resources" / "examples" / "bell.qasm").read_text("utf-8")
CREDENTIALS = next(i for i, c in enumerate(COLUMNS) if c.key == "credentials")


def lab_profile(name: str = "lab") -> Profile:
    return Profile(
        name, RESOURCE_ID, "eastus", "azure-sign-in", authority_host=CLOSED, arm_endpoint=CLOSED
    )


class Asked:
    """The app's questions, answered by the test: yes/no ones and the one before paying."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.questions: list[str] = []
        self.spend: list[SpendQuestion] = []
        self.errors: list[str] = []
        self.answer = True
        self.spend_answer = SpendAnswer("cancel")
        monkeypatch.setattr(messages, "ask", self._ask)
        monkeypatch.setattr(messages, "ask_to_spend", self._ask_to_spend)
        monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: self.errors.append(text))

    def _ask(self, _parent: object, _title: str, question: str) -> bool:
        self.questions.append(question)
        return self.answer

    def _ask_to_spend(self, _parent: object, question: SpendQuestion) -> SpendAnswer:
        self.spend.append(question)
        return self.spend_answer


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


def test_refresh_without_a_secret_says_so(qtbot: QtBot, summary: AzureSummary, store: ProfileStore):
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


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with open_ledger(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def priced(qtbot: QtBot, summary: AzureSummary, shots: int = 1000) -> None:
    """Estimate the Bell program's prices (a pool thread) and wait for the Forte row."""
    with qtbot.waitSignal(
        summary.model.dataChanged,
        timeout=60_000,
        check_params_cb=lambda *_a: (
            row(summary, "ionq.qpu.forte-1").info.get("price", "").startswith(("≈", "Paid"))
        ),
    ):
        summary.set_program(BELL, None, shots)


def run(qtbot: QtBot, summary: AzureSummary, asked: Asked, *backends: str, shots: int = 1000):
    """prepare_run for `backends`; returns what was started (None: nothing) once it is decided."""
    started: list[list[RunRequest]] = []
    before = (len(asked.spend), len(asked.errors))
    summary.prepare_run([RunRequest(BELL, None, b, shots) for b in backends], None, started.append)
    qtbot.waitUntil(
        lambda: bool(started) or (len(asked.spend), len(asked.errors)) != before, timeout=60_000
    )
    return started[0] if started else None


def test_prices_show_both_mitigation_figures_and_the_switch(
    qtbot: QtBot, summary: AzureSummary, store: ProfileStore
):
    store.create(sp_profile(), allow_custom_endpoints=True)
    summary.reload_profiles()
    priced(qtbot, summary)
    # Bell on Forte 1: 168.195 + 0.0001645 x 1 x 1000 + 0.001121 x 1 x 1000 = 169.48;
    # mitigation off: 25.7899 + the same gate-shots = 27.08
    forte = row(summary, "ionq.qpu.forte-1")
    assert forte.info["price"] == "≈ $169.48 (estimate); mitigation off ≈ $27.08"
    price = summary.model.index(summary.model.rows().index(forte), summary.model.column_of("price"))
    tip = summary.model.data(price, Qt.ItemDataRole.ToolTipRole)
    assert "Price table entry ionq-forte, checked 2026-12-01" in tip
    assert row(summary, "ionq.simulator").info["price"] == "Free"
    assert row(summary, "quantinuum.sim.h2-1e").info["price"] == "≈ 11.20 eHQC (estimate)"
    model = summary.model
    column = model.column_of("mitigation")
    index = model.index(model.rows().index(forte), column)
    assert model.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    simulator = model.index(model.rows().index(row(summary, "ionq.simulator")), column)
    assert model.data(simulator, Qt.ItemDataRole.CheckStateRole) is None

    with qtbot.waitSignal(
        model.dataChanged,
        timeout=60_000,
        check_params_cb=lambda *_a: forte.info.get("price", "").startswith("≈ $27.08"),
    ):
        assert model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert forte.info["price"] == "≈ $27.08 (estimate); mitigation on ≈ $169.48"

    priced(qtbot, summary, shots=100)  # below 500 shots IonQ does not debias: no switch to use
    assert forte.info["price"] == "≈ $25.92 (estimate)"  # 25.7899 + 0.01645 + 0.1121
    assert not model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    assert forte.info["mitigation"] == "Off (too few shots)"


def test_a_paid_run_asks_once_with_each_estimate_and_the_totals(
    qtbot: QtBot, summary: AzureSummary, store: ProfileStore, asked: Asked
):
    store.create(sp_profile(), allow_custom_endpoints=True)
    summary.reload_profiles()
    backends = ("ionq.simulator", "ionq.qpu.forte-1", "quantinuum.sim.h2-1e")
    assert run(qtbot, summary, asked, *backends) is None  # Cancel: nothing runs
    (question,) = asked.spend
    assert "ionq.qpu.forte-1: ≈ $169.48 (estimate); mitigation off ≈ $27.08" in question.text
    assert "quantinuum.sim.h2-1e: ≈ 11.20 eHQC (estimate)" in question.text
    assert "Total (estimate): $169.48; 11.20 eHQC" in question.text
    assert "ionq.simulator" not in question.text  # free: not listed
    assert "Price table entry ionq-forte, checked 2026-12-01" in question.details
    assert question.remember is None  # two units: no single threshold to offer
    asked.spend_answer = SpendAnswer("run")
    started = run(qtbot, summary, asked, *backends)
    assert started is not None and [r.profile for r in started] == ["mine"] * 3


def test_free_targets_run_without_a_question(
    qtbot: QtBot, summary: AzureSummary, store: ProfileStore, asked: Asked
):
    store.create(sp_profile(), allow_custom_endpoints=True)
    summary.reload_profiles()
    started = run(qtbot, summary, asked, "ionq.simulator", "rigetti.sim.qvm", "local.simulator")
    assert started is not None and len(started) == 3, asked.errors
    assert asked.spend == [] and asked.questions == []


def test_the_mitigation_switch_reaches_the_run_and_its_price(
    qtbot: QtBot, summary: AzureSummary, store: ProfileStore, asked: Asked
):
    store.create(sp_profile(), allow_custom_endpoints=True)
    summary.reload_profiles()
    priced(qtbot, summary)
    summary.model.mitigationToggled.emit("ionq.qpu.forte-1", False)
    asked.spend_answer = SpendAnswer("run")
    (request,) = run(qtbot, summary, asked, "ionq.qpu.forte-1")
    assert request.options == {"error_mitigation": False}
    assert "ionq.qpu.forte-1: ≈ $27.08 (estimate); mitigation on ≈ $169.48" in asked.spend[0].text


def test_dont_ask_again_under_x_is_per_profile_and_off_by_default(
    qtbot: QtBot, summary: AzureSummary, store: ProfileStore, asked: Asked
):
    store.create(sp_profile(), allow_custom_endpoints=True)
    store.create(sp_profile("other"), allow_custom_endpoints=True)
    summary.reload_profiles(select="mine")
    asked.spend_answer = SpendAnswer("run")  # without ticking the box
    assert run(qtbot, summary, asked, "ionq.qpu.forte-1") is not None
    assert asked.spend[-1].remember == "Don't ask again for runs under $200.00 with profile 'mine'"
    assert run(qtbot, summary, asked, "ionq.qpu.forte-1") is not None
    assert len(asked.spend) == 2  # asked again: nothing was remembered
    asked.spend_answer = SpendAnswer("run", remember=True)
    run(qtbot, summary, asked, "ionq.qpu.forte-1")
    assert len(asked.spend) == 3
    assert run(qtbot, summary, asked, "ionq.qpu.forte-1") is not None
    assert len(asked.spend) == 3  # $169.48 < $200: not asked under this profile
    asked.spend_answer = SpendAnswer("cancel")
    assert run(qtbot, summary, asked, "ionq.qpu.forte-1", shots=100_000) is None
    assert len(asked.spend) == 4  # over $200: asked
    summary.reload_profiles(select="other")
    assert run(qtbot, summary, asked, "ionq.qpu.forte-1") is None
    assert len(asked.spend) == 5  # another profile: asked


def test_a_run_past_the_monthly_budget_is_blocked_with_the_figures(
    qtbot: QtBot, summary: AzureSummary, store: ProfileStore, asked: Asked, ledger: Ledger
):
    store.create(dataclasses.replace(sp_profile(), budget="200 USD"), allow_custom_endpoints=True)
    summary.reload_profiles()
    summary.set_ledger(ledger)
    ledger.create_job(
        backend="ionq.qpu.forte-1", program=BELL, shots=1000, profile="mine",
        azure_job_id=new_azure_job_id(), status="Succeeded",
        estimated_cost={"amount": 50.0, "currency": "USD"},
    )  # fmt: skip
    with qtbot.waitSignal(summary.budgetChanged, timeout=60_000) as shown:
        summary.set_program(BELL, None, 1000)
    assert shown.args == ["Budget of 'mine': $150.00 left of $200.00 this month"]
    assert run(qtbot, summary, asked, "ionq.qpu.forte-1") is None
    assert asked.spend == []  # refused before any question about paying
    (error,) = asked.errors
    assert "spent $50.00" in error and "this run $169.48" in error and "budget $200.00" in error
    # a free run is not held back by the budget
    assert run(qtbot, summary, asked, "ionq.simulator") is not None


def test_a_first_paid_run_offers_the_free_twin_first(
    qtbot: QtBot, summary: AzureSummary, store: ProfileStore, asked: Asked, ledger: Ledger
):
    store.create(sp_profile(), allow_custom_endpoints=True)
    summary.reload_profiles()
    summary.set_ledger(ledger)
    asked.spend_answer = SpendAnswer("free_first")
    started = run(qtbot, summary, asked, "ionq.qpu.forte-1", "quantinuum.sim.h2-1e")
    assert asked.spend[-1].free_first == (
        "Try it on ionq.simulator, quantinuum.sim.h2-1sc first (free)"
    )
    assert started is not None
    assert [r.backend for r in started] == ["ionq.simulator", "quantinuum.sim.h2-1sc"]
    # once the program has run on the provider, it is not offered again
    ledger.create_job(
        backend="ionq.simulator", program=BELL, shots=1000, profile="mine",
        azure_job_id=new_azure_job_id(), status="Succeeded",
    )  # fmt: skip
    asked.spend_answer = SpendAnswer("cancel")
    run(qtbot, summary, asked, "ionq.qpu.forte-1")
    assert asked.spend[-1].free_first is None


def test_the_spend_box_defaults_to_cancel_and_enter_does_not_pay(qtbot: QtBot):
    question = SpendQuestion(
        "This run may cost money", "ionq.qpu.forte-1: ≈ $169.48", "details", "Don't ask …",
        "Try it on ionq.simulator first (free)",
    )  # fmt: skip
    box = messages.spend_box(None, question)
    qtbot.addWidget(box)
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    assert box.defaultButton() is cancel and box.escapeButton() is cancel
    check = box.checkBox()
    assert check is not None and not check.isChecked()  # "don't ask again": off by default
    box.open()
    qtbot.waitExposed(box)
    with qtbot.waitSignal(box.finished, timeout=10_000):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert messages.spend_answer(box) == SpendAnswer("cancel")
    box2 = messages.spend_box(None, question)
    qtbot.addWidget(box2)
    box2.open()
    qtbot.waitExposed(box2)
    with qtbot.waitSignal(box2.finished, timeout=10_000):
        qtbot.mouseClick(box2.findChild(QPushButton, "spendRun"), Qt.MouseButton.LeftButton)
    assert messages.spend_answer(box2) == SpendAnswer("run")
