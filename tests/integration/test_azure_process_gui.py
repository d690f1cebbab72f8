"""The window's Azure runs happen in the Azure worker process (issue 16): the window's process
never imports azure.* while it runs an Azure job, and the results, the job ledger and Cancel work
as they did in-process (the ledger is written here, from the worker's recorder calls)."""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.azure import process
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.results import JobStatus, RunResult
from desktop_app.ui.jobs.ledger_events import LedgerEvents
from desktop_app.ui.runs import RunExecutor
from tests.integration.test_azure_run_emulator import _profile, _request, env  # noqa: F401

pytestmark = pytest.mark.azure


class _AzureImports(importlib.abc.MetaPathFinder):
    """Records (and refuses) every import of an azure.* module by the app's code; the loopback
    emulator's servers, which run in this process, may import azure-core for themselves."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        if fullname != "azure" and not fullname.startswith("azure."):
            return
        frame = sys._getframe(1)
        while frame is not None:
            if f"{os.sep}azure_emulator{os.sep}" in frame.f_code.co_filename:
                return  # the emulator: found by the usual finders
            frame = frame.f_back  # type: ignore[assignment]
        self.names.append(fullname)
        raise ModuleNotFoundError(f"no azure import in the window's process: {fullname}")


@pytest.fixture
def no_azure_here() -> Iterator[_AzureImports]:
    """This process as if it had never imported the Azure SDK (earlier tests did): azure.* taken
    out of sys.modules and any new import of it recorded; all put back afterwards."""
    saved = {n: m for n, m in sys.modules.items() if n == "azure" or n.startswith("azure.")}
    for name in saved:
        del sys.modules[name]
    finder = _AzureImports()
    sys.meta_path.insert(0, finder)
    try:
        yield finder
    finally:
        sys.meta_path.remove(finder)
        # what the emulator imported again meanwhile goes: one copy of each class for later tests
        for name in [n for n in sys.modules if n == "azure" or n.startswith("azure.")]:
            del sys.modules[name]
        sys.modules.update(saved)
        process.shutdown_worker()


def _run(qtbot: QtBot, runs: RunExecutor, requests: list, cancel_when=None) -> list[RunResult]:
    finished: list[RunResult] = []
    failed: list[tuple[str, str]] = []
    runs.jobFinished.connect(finished.append)
    runs.jobFailed.connect(lambda backend, message: failed.append((backend, message)))
    try:
        with qtbot.waitSignal(runs.runFinished, timeout=120_000):
            runs.start(requests)
            if cancel_when is not None:
                qtbot.waitUntil(cancel_when, timeout=60_000)
                runs.cancel()
    finally:
        runs.shutdown()
    assert failed == []
    return finished


def test_azure_jobs_run_in_the_worker_and_land_in_the_ledger(
    env,  # noqa: F811
    qtbot: QtBot,
    no_azure_here: _AzureImports,
) -> None:
    _profile(env)
    runs = RunExecutor()
    with open_ledger() as ledger:
        events = LedgerEvents(ledger)
        changed: set[str] = set()
        events.changed.connect(lambda change: changed.update(change.job_ids))
        runs.set_ledger(ledger)
        results = _run(qtbot, runs, [_request("ionq.simulator"), _request("rigetti.sim.qvm", 200)])
        assert no_azure_here.names == []
        assert not {"azure.identity", "azure.quantum"} & set(sys.modules)
        pid = process.worker_pid()
        assert pid is not None and pid != os.getpid()

        by_backend = {r.backend: r for r in results}
        ionq, rigetti = by_backend["ionq.simulator"], by_backend["rigetti.sim.qvm"]
        assert ionq.status is JobStatus.SUCCEEDED and ionq.counts == {"00": 500, "11": 500}
        assert rigetti.status is JobStatus.SUCCEEDED and sum(rigetti.counts.values()) == 200
        for result in results:  # the job id is the ledger's; the row has the Azure id and result
            assert result.job_id is not None
            record = ledger.get(result.job_id)
            assert record.status == JobStatus.SUCCEEDED and record.has_result
            assert record.azure_job_id and env.emulator.job(record.azure_job_id)
            assert record.run_result() is not None
            assert record.run_result().counts == result.counts  # type: ignore[union-attr]
            statuses = [change.status for change in record.history]
            assert statuses[0] == JobStatus.SUBMITTING and statuses[-1] == JobStatus.SUCCEEDED
        ids = {r.job_id for r in results}
        qtbot.waitUntil(lambda: ids <= changed, timeout=10_000)  # the window hears of the writes
        events.close()


def _waiting_row(ledger: Ledger) -> bool:
    return any(row.status == JobStatus.WAITING for row in ledger.page())


def test_cancel_reaches_the_job_at_azure(
    env,  # noqa: F811
    qtbot: QtBot,
    no_azure_here: _AzureImports,
) -> None:
    _profile(env)
    env.emulator.add_fault("stay_queued", target="ionq.simulator")
    runs = RunExecutor()
    with open_ledger() as ledger:
        runs.set_ledger(ledger)
        (result,) = _run(
            qtbot, runs, [_request("ionq.simulator")], cancel_when=lambda: _waiting_row(ledger)
        )
        assert result.status is JobStatus.CANCELLED
        (row,) = ledger.page()
        assert row.status == JobStatus.CANCELLED
        assert row.azure_job_id is not None
        assert env.emulator.job(row.azure_job_id)["status"] == "Cancelled"
    assert no_azure_here.names == []


def test_live_target_status_comes_from_the_worker(
    env,  # noqa: F811
    qtbot: QtBot,
    no_azure_here: _AzureImports,
) -> None:
    from desktop_app.core.azure.status import StatusSnapshot
    from desktop_app.ui.backends.status_refresher import StatusRefresher
    from tests.integration.test_azure_run_emulator import PROFILE

    _profile(env)
    env.emulator.set_target("rigetti.sim.qvm", availability="Unavailable")
    refresher = StatusRefresher()
    try:
        with qtbot.waitSignal(
            refresher.snapshotChanged,
            timeout=60_000,
            check_params_cb=lambda s: s is not None and not s.from_cache,
        ):
            refresher.set_profile(PROFILE)
        snapshot = refresher.snapshot
        assert isinstance(snapshot, StatusSnapshot)
        assert snapshot.find("rigetti.sim.qvm").availability == "Unavailable"  # type: ignore[union-attr]
        assert snapshot.find("ionq.simulator") is not None
    finally:
        refresher.stop()
        qtbot.waitUntil(lambda: not refresher.busy, timeout=60_000)
    assert no_azure_here.names == []
    assert process.worker_pid() is not None
