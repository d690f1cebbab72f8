"""Start-up reconciliation and the credentials dialog's Test connection run in the Azure worker
process too (issue 16): the window's process imports no azure.* module while they look jobs up,
follow them and test a profile, and the job ledger is still written here."""

from __future__ import annotations

import sys
import threading

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.azure import process
from desktop_app.core.azure.credentials import ConnectionReport
from desktop_app.core.azure.polling import FAST_POLLING
from desktop_app.core.cancel import CancelToken, Detached, no_progress
from desktop_app.core.jobs.reconcile import ReconcileReport
from desktop_app.core.jobs.recording import run_recorded
from desktop_app.core.ledger.models import new_azure_job_id
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus
from desktop_app.ui.credentials.tester import ConnectionTester
from desktop_app.ui.jobs.ledger_events import LedgerEvents
from desktop_app.ui.jobs.reconciler import Reconciler
from tests.integration.test_azure_process_gui import _AzureImports, no_azure_here  # noqa: F401
from tests.integration.test_azure_run_emulator import (  # noqa: F401
    BELL,
    PROFILE,
    _profile,
    _request,
    env,
)

pytestmark = pytest.mark.azure


def _left_queued(qtbot: QtBot, ledger: Ledger) -> str:
    """A job submitted through the worker, then no longer followed (the app closed): its row
    stays Waiting in the ledger. Returns the row's id."""
    outcome: list[object] = []
    session = CancelToken()

    def run() -> None:
        try:
            executor = process.AzureProcessExecutor(schedule=FAST_POLLING)
            outcome.append(
                run_recorded(
                    _request("ionq.simulator", 100), executor, ledger, session, no_progress
                )
            )
        except Detached as exc:
            outcome.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    qtbot.waitUntil(
        lambda: any(r.status == JobStatus.WAITING for r in ledger.page()), timeout=60_000
    )
    session.detach()
    qtbot.waitUntil(lambda: not runner.is_alive(), timeout=30_000)
    assert isinstance(outcome[0], Detached)
    (row,) = ledger.page()
    return row.id


def test_reconciliation_runs_in_the_worker_and_writes_the_ledger_here(
    env,  # noqa: F811
    qtbot: QtBot,
    no_azure_here: _AzureImports,  # noqa: F811
) -> None:
    _profile(env)
    hold = env.emulator.add_fault("stay_queued", target="ionq.simulator")
    with open_ledger() as ledger:
        queued = _left_queued(qtbot, ledger)
        lost = ledger.create_job(  # a crash between the write-ahead row and the submit
            backend="ionq.simulator",
            program=BELL,
            shots=100,
            profile=PROFILE,
            azure_job_id=new_azure_job_id(),
        )
        env.emulator.remove_fault(hold)
        events = LedgerEvents(ledger)
        changed: set[str] = set()
        events.changed.connect(lambda change: changed.update(change.job_ids))
        reconciler = Reconciler(ledger)
        reconciler.set_schedule(FAST_POLLING)
        with qtbot.waitSignal(reconciler.finished, timeout=120_000) as done:
            reconciler.start()
        report = done.args[0]
        assert isinstance(report, ReconcileReport)
        assert report.finished == [queued] and report.problems == []
        record = ledger.get(queued)
        assert record.status == JobStatus.SUCCEEDED and record.has_result
        assert sum(record.run_result().counts.values()) == 100  # type: ignore[union-attr]
        assert lost in report.deferred or lost in report.never_submitted
        qtbot.waitUntil(lambda: queued in changed, timeout=10_000)  # the window hears of it
        events.close()
    assert no_azure_here.names == []
    assert not {"azure.identity", "azure.quantum"} & set(sys.modules)


def test_connection_test_runs_in_the_worker_with_the_secret_from_here(
    env,  # noqa: F811
    qtbot: QtBot,
    no_azure_here: _AzureImports,  # noqa: F811
) -> None:
    profile = _profile(env)
    asked: list[str] = []

    def secret_of(secret: str):  # the tester's secret provider runs in this process
        def provide(p: object) -> str:
            asked.append(getattr(p, "name", ""))
            return secret

        return provide

    tester = ConnectionTester()
    with qtbot.waitSignal(tester.reportReady, timeout=60_000) as good:
        tester.start(profile, secret_of(env.client_secret))
    report = good.args[0]
    assert isinstance(report, ConnectionReport)
    assert report.ok, report.message
    assert {t.name for t in report.targets} >= {"ionq.simulator", "rigetti.sim.qvm"}

    with qtbot.waitSignal(tester.reportReady, timeout=60_000) as bad:
        tester.start(profile, secret_of("not-the-secret"))
    wrong = bad.args[0]
    assert not wrong.ok and "secret" in wrong.message.lower()
    assert "Error" not in wrong.message and "azure." not in wrong.message  # plain words
    assert asked and set(asked) == {profile.name}
    assert no_azure_here.names == []
