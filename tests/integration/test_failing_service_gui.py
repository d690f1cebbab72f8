"""The window's run against a busy service (issue 14): each retry reaches the window as that
job's progress (`RunExecutor.jobProgress`, shown in the backend's result panel), as it happens."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.results import JobStatus, RunResult
from desktop_app.ui.runs import RunExecutor
from tests.integration.test_azure_run_emulator import _profile, _request, env  # noqa: F401

pytestmark = pytest.mark.azure


def test_retries_show_per_job_in_the_window(env, qtbot: QtBot) -> None:  # noqa: F811
    _profile(env)
    # two of the executor's attempts fail (azure-core tries each one 4 times), the third works
    sas = env.emulator.add_fault(
        "status", role="dp", path="/storage/sasUri", status=503, retry_after=0.05, count=8
    )
    runs = RunExecutor()
    progress: list[tuple[str, str]] = []
    finished: list[RunResult] = []
    runs.jobProgress.connect(lambda backend, message: progress.append((backend, message)))
    runs.jobFinished.connect(finished.append)
    with open_ledger() as ledger:
        runs.set_ledger(ledger)
        try:
            with qtbot.waitSignal(runs.runFinished, timeout=120_000):
                runs.start([_request("ionq.simulator")])
        finally:
            runs.shutdown()
    retries = [m for b, m in progress if b == "ionq.simulator" and "retrying in" in m]
    assert len(retries) == 2 and all("the service answered 503" in m for m in retries)
    assert sas.hits == 8
    (result,) = finished
    assert result.status is JobStatus.SUCCEEDED
