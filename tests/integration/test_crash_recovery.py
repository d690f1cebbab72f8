"""Nothing is lost: the app is SIGKILLed while its Azure job is queued, and the next start picks the
job up again (headless `jobs reconcile`, and the GUI's background reconciler), polls it to the end
and records its result, with nothing duplicated. Also: write-ahead rows the service never got
become NeverSubmitted; an unreachable service leaves jobs for later; run_recorded against the
emulator.

Real parts: `python -m desktop_app` subprocesses, the unmodified azure-quantum SDK against the
loopback emulator and Azurite, and the profile's secret in a real gnome-keyring Secret Service
(the fixture's D-Bus session address is inherited by the subprocesses, which read the secret
from the keyring themselves: nothing is passed on the command line or in a file).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.core.azure import session as azure_session
from desktop_app.core.azure.executor import AzureExecutor
from desktop_app.core.azure.polling import FAST_POLLING
from desktop_app.core.azure.profiles import Profile, ProfileStore
from desktop_app.core.azure.secrets import StoredIn, default_secret_store
from desktop_app.core.cancel import Cancelled, CancelToken, Detached, no_progress
from desktop_app.core.jobs.reconcile import reconcile_unfinished
from desktop_app.core.jobs.recording import run_recorded
from desktop_app.core.ledger.models import JobRow, LedgerChange, new_azure_job_id
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.ledger.store import Ledger
from desktop_app.core.request import RunRequest
from desktop_app.core.results import JobStatus
from tests.integration import keyring_session as _keyring_session

keyring_session = _keyring_session.keyring_session
secret_service = _keyring_session.secret_service

pytestmark = [pytest.mark.azure, pytest.mark.keyring]

ROOT = Path(__file__).resolve().parents[2]
BELL_FILE = ROOT / "resources" / "examples" / "bell.qasm"
PROFILE = "crash-lab"
TARGET = "ionq.simulator"


def wait_for(condition: Callable[[], object], timeout: float = 60.0, what: str = "") -> None:
    """Poll a condition with a deadline (no fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        threading.Event().wait(0.05)


@pytest.fixture
def env(azure_env, secret_service):
    """The emulator plus a saved profile whose client secret is in the real Secret Service."""
    azure_session.forget_credentials()
    profile = Profile(
        name=PROFILE,
        resource_id=azure_env.resource_id,
        location=azure_env.location,
        tenant_id=azure_env.tenant_id,
        client_id=azure_env.client_id,
        authority_host=azure_env.authority,
        arm_endpoint=azure_env.arm_endpoint,
    ).validated()
    ProfileStore().create(profile, allow_custom_endpoints=True)  # the loopback emulator
    assert default_secret_store().set(profile, azure_env.client_secret) is StoredIn.KEYRING
    yield azure_env
    default_secret_store().delete(PROFILE)
    azure_session.forget_credentials()


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    with open_ledger() as opened:  # QUANTUM_DESK_DATA_DIR: this test's data dir
        yield opened


def _app(*args: str) -> list[str]:
    return [sys.executable, "-m", "desktop_app", *args]


def _submitted_row(ledger: Ledger) -> JobRow | None:
    rows = ledger.page()
    if len(rows) == 1 and rows[0].azure_job_id and rows[0].status == JobStatus.WAITING:
        return rows[0]
    return None


def crash_while_queued(env, ledger: Ledger) -> JobRow:
    """`quantum-desk run` submits Bell to a queue that holds it, and is SIGKILLed once the
    ledger shows the job submitted; then the queue is released. Returns the ledger row."""
    hold = env.emulator.add_fault("stay_queued", target=TARGET)
    proc = subprocess.Popen(
        _app("run", str(BELL_FILE), "--backend", TARGET, "--profile", PROFILE, "--json", "--yes"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(
            lambda: _submitted_row(ledger) is not None or proc.poll() is not None,
            timeout=90,
            what="the ledger to show the job submitted",
        )
        row = _submitted_row(ledger)
        assert row is not None, f"run ended early: {proc.poll()} {proc.communicate()[1][-2000:]}"
        assert env.emulator.job(row.azure_job_id)["status"] == "Waiting"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert ledger.get(row.id).status == JobStatus.WAITING  # the crash left it open
    env.emulator.remove_fault(hold)
    return row


def assert_recovered(env, ledger: Ledger, row: JobRow) -> None:
    (only,) = ledger.page()  # one ledger row
    assert only.id == row.id and only.azure_job_id == row.azure_job_id
    record = ledger.get(row.id)
    assert record.status == JobStatus.SUCCEEDED
    assert record.counts == {"00": 500, "11": 500}  # ionq.simulator: exact distribution
    assert record.result is not None and record.result["exact"] is True
    assert record.raw_result and json.loads(record.raw_result)  # as downloaded
    statuses = [h.status for h in record.history]
    assert statuses[0] == "Submitting" and statuses[-1] == "Succeeded"
    assert statuses.count("Succeeded") == 1
    assert list(env.emulator.world.jobs) == [row.azure_job_id]  # one job at the service
    data_files = [f for f in Path(os.environ["QUANTUM_DESK_DATA_DIR"]).rglob("*") if f.is_file()]
    assert data_files and not any(env.client_secret.encode() in f.read_bytes() for f in data_files)


def test_sigkill_while_queued_then_headless_reconcile(env, ledger: Ledger) -> None:
    row = crash_while_queued(env, ledger)

    done = subprocess.run(
        _app("jobs", "reconcile", "--json"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["finished"] == [row.id] and summary["deferred"] == {}
    assert_recovered(env, ledger, row)

    # A second start finds nothing left to do and adds nothing.
    again = subprocess.run(
        _app("jobs", "reconcile"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0 and again.stdout.strip() == "No unfinished jobs."
    assert_recovered(env, ledger, row)


def test_write_ahead_row_never_submitted(env, ledger: Ledger) -> None:
    # The crash came between the write-ahead commit and the PUT: the service never heard of it.
    lost = ledger.create_job(
        backend=TARGET,
        program=BELL_FILE.read_text(),
        shots=100,
        profile=PROFILE,
        azure_job_id=new_azure_job_id(),
    )
    report = reconcile_unfinished(ledger, CancelToken(), no_progress, schedule=FAST_POLLING)

    assert report.never_submitted == [lost]
    record = ledger.get(lost)
    assert record.status == JobStatus.NEVER_SUBMITTED and record.completed_at is not None
    assert env.emulator.world.jobs == {}  # nothing was submitted by reconciliation


def test_unreachable_service_leaves_jobs_for_later(env, ledger: Ledger) -> None:
    ids = [
        ledger.create_job(
            backend=TARGET,
            program=BELL_FILE.read_text(),
            shots=100,
            profile=PROFILE,
            azure_job_id=new_azure_job_id(),
        )
        for _ in range(3)
    ]
    # Sign-in and the workspace answer; the job service keeps failing with 503.
    env.emulator.add_fault("status", status=503, role="dp", path="/jobs/", retry_after=0.05)
    report = reconcile_unfinished(ledger, CancelToken(), no_progress, schedule=FAST_POLLING)

    assert set(report.deferred) == set(ids)
    assert len(report.problems) == 1  # one line for the profile, not one per job
    assert "could not be reached" in report.problems[0]
    assert all(ledger.get(i).status == JobStatus.SUBMITTING for i in ids)
    assert ledger.unfinished_jobs() and env.emulator.world.jobs == {}


def test_stopping_reconciliation_never_cancels_the_job(env, ledger: Ledger) -> None:
    # A job submitted by a session that then stopped following it (the app closed) ...
    hold = env.emulator.add_fault("stay_queued", target=TARGET)
    request = RunRequest(BELL_FILE.read_text(), str(BELL_FILE), TARGET, 1000, profile=PROFILE)
    outcome: list[object] = []
    session = CancelToken()

    def run() -> None:
        try:
            executor = AzureExecutor(schedule=FAST_POLLING)
            outcome.append(run_recorded(request, executor, ledger, session, no_progress))
        except Detached as exc:
            outcome.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    wait_for(lambda: _submitted_row(ledger) is not None, what="the job to be submitted")
    row = _submitted_row(ledger)
    assert row is not None and row.azure_job_id is not None
    session.detach()  # a session running it still would be left alone (live_runs)
    runner.join(30)
    assert not runner.is_alive() and isinstance(outcome[0], Detached)

    # ... is picked up by reconciliation, which is then stopped (the app closes again).
    cancel = CancelToken()
    reports: list[object] = []
    reconciling = threading.Thread(
        target=lambda: reports.append(
            reconcile_unfinished(ledger, cancel, no_progress, schedule=FAST_POLLING)
        )
    )
    reconciling.start()
    polls_before = len(env.emulator.requests_matching("dp", "GET", row.azure_job_id))
    wait_for(
        lambda: (
            len(env.emulator.requests_matching("dp", "GET", row.azure_job_id)) > polls_before + 3
        ),
        what="reconciliation to poll the job",
    )
    cancel.cancel()
    reconciling.join(10)
    assert not reconciling.is_alive()
    (report,) = reports
    assert report.still_open == [row.id]  # type: ignore[attr-defined]
    assert env.emulator.job(row.azure_job_id)["status"] == "Waiting"  # not cancelled at Azure
    assert ledger.get(row.id).status == JobStatus.WAITING

    env.emulator.remove_fault(hold)
    again = reconcile_unfinished(ledger, CancelToken(), no_progress, schedule=FAST_POLLING)
    assert again.finished == [row.id]
    assert ledger.get(row.id).status == JobStatus.SUCCEEDED and len(ledger.page()) == 1
    assert list(env.emulator.world.jobs) == [row.azure_job_id]


def test_run_recorded_writes_ahead_and_records_the_result(env, ledger: Ledger) -> None:
    seen_at_create: list[object] = []

    def on_change(change: LedgerChange) -> None:
        if change.kind == "created":
            azure_id = ledger.get(change.job_ids[0]).azure_job_id
            seen_at_create.append(env.emulator.job(azure_id) if azure_id else "no azure id")

    unsubscribe = ledger.subscribe(on_change)
    request = RunRequest(BELL_FILE.read_text(), str(BELL_FILE), TARGET, 1000, profile=PROFILE)
    executor = AzureExecutor(schedule=FAST_POLLING)
    result = run_recorded(request, executor, ledger, CancelToken(), no_progress)
    unsubscribe()

    assert seen_at_create == [None]  # the row was committed before the service had the job
    assert result.job_id is not None
    record = ledger.get(result.job_id)
    assert record.status == JobStatus.SUCCEEDED and record.counts == {"00": 500, "11": 500}
    assert record.submitted_at is not None and record.profile == PROFILE
    assert record.raw_result is not None and record.raw_result_type == "application/json"
    assert env.emulator.job(record.azure_job_id)["status"] == "Succeeded"
    assert executor.recorder is not None and executor.recorder.__class__.__name__ == "NullRecorder"


def test_run_recorded_cancel_of_a_queued_job(env, ledger: Ledger) -> None:
    env.emulator.add_fault("stay_queued", target=TARGET)
    request = RunRequest(BELL_FILE.read_text(), str(BELL_FILE), TARGET, 100, profile=PROFILE)
    cancel = CancelToken()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            run_recorded(request, AzureExecutor(schedule=FAST_POLLING), ledger, cancel, no_progress)
        except BaseException as exc:  # inspected below
            failures.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    wait_for(lambda: ledger.page() and ledger.page()[0].status == JobStatus.WAITING, 60)
    cancel.cancel()
    thread.join(60)
    assert not thread.is_alive() and len(failures) == 1 and isinstance(failures[0], Cancelled)
    (row,) = ledger.page()
    assert row.status == JobStatus.CANCELLED
    assert env.emulator.job(row.azure_job_id)["status"] == "Cancelled"


def test_definitive_submit_error_is_recorded_never_submitted(env, ledger: Ledger) -> None:
    env.emulator.add_fault(
        "status",
        status=400,
        role="dp",
        method="PUT",
        path="/jobs/",
        code="InvalidJobDefinition",
        message="bad job",
    )
    request = RunRequest(BELL_FILE.read_text(), str(BELL_FILE), TARGET, 100, profile=PROFILE)
    result = run_recorded(
        request, AzureExecutor(schedule=FAST_POLLING), ledger, CancelToken(), no_progress
    )
    assert result.status.value == "Failed"
    (row,) = ledger.page()
    assert row.id == result.job_id and row.azure_job_id is not None
    # refused outright (a 4xx): no job exists at Azure, so it was never submitted (issue 10)
    assert row.status == JobStatus.NEVER_SUBMITTED and row.error_message
    assert ledger.unfinished_jobs() == []


def test_sigkill_while_queued_then_gui_start_up(
    env, ledger: Ledger, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QSettings

    from desktop_app.ui.main_window import MainWindow

    row = crash_while_queued(env, ledger)

    settings = QSettings(str(tmp_path / "quantum-desk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.attach_ledger(ledger)  # as app.main does after the first paint
    assert window.reconciler is not None and window.jobs_view is not None
    window.reconciler.set_schedule(FAST_POLLING)
    # start-up work also warms a simulator process: not needed here, and costly on 2 cores
    monkeypatch.setattr(window.executor, "prewarm", lambda: None)
    model = window.jobs_view.model
    try:
        window.show()
        with qtbot.waitSignal(window.reconciler.finished, timeout=120_000) as done:
            window.start_background_work()  # what app.main does after the first paint
        assert done.args[0].finished == [row.id]

        def shows_succeeded() -> bool:
            job = model.job_row(0) if model.rowCount() == 1 else None
            return job is not None and job.id == row.id and job.status == "Succeeded"

        qtbot.waitUntil(shows_succeeded, timeout=30_000)
    finally:
        window.close()
    assert_recovered(env, ledger, row)


def test_gui_azure_run_is_written_ahead_and_recorded(
    env, ledger: Ledger, qtbot, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from desktop_app.ui.main_window import MainWindow

    seen_at_create: list[object] = []

    def on_change(change: LedgerChange) -> None:
        if change.kind == "created":
            azure_id = ledger.get(change.job_ids[0]).azure_job_id
            seen_at_create.append(env.emulator.job(azure_id) if azure_id else "no azure id")

    unsubscribe = ledger.subscribe(on_change)
    settings = QSettings(str(tmp_path / "quantum-desk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.attach_ledger(ledger)
    try:
        window.show()
        qtbot.waitUntil(lambda: window.profile_selector.current() == PROFILE, timeout=30_000)
        window.load_program_text(BELL_FILE.read_text(), str(BELL_FILE))
        window.shots_input.setValue(100)
        window.backend_model.set_checked("local.simulator", False)
        window.backend_model.set_checked(TARGET, True)
        with qtbot.waitSignal(window.executor.runFinished, timeout=120_000):
            window.run()
        (result,) = window.results_view.results()
    finally:
        window.close()
        unsubscribe()
    assert result.status.value == "Succeeded", result.error_message
    record = ledger.get(result.job_id)  # the result names its ledger row
    assert seen_at_create == [None]  # written before the service had the job
    assert record.status == JobStatus.SUCCEEDED and record.profile == PROFILE
    assert record.counts == result.counts == {"00": 50, "11": 50}
    assert env.emulator.job(record.azure_job_id)["status"] == "Succeeded"


def test_closing_the_window_leaves_a_queued_azure_job_open(
    env, ledger: Ledger, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing the app is not Cancel: the job keeps its place in the Azure queue, the ledger keeps
    it open, and the next start picks it up (nothing lost, nothing paid for twice)."""
    from PySide6.QtCore import QSettings

    from desktop_app.ui.main_window import MainWindow

    hold = env.emulator.add_fault("stay_queued", target=TARGET)
    settings = QSettings(str(tmp_path / "quantum-desk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.attach_ledger(ledger)
    window.show()
    qtbot.waitUntil(lambda: window.profile_selector.current() == PROFILE, timeout=30_000)
    window.load_program_text(BELL_FILE.read_text(), str(BELL_FILE))
    window.backend_model.set_checked("local.simulator", False)
    window.backend_model.set_checked(TARGET, True)
    window.run()
    qtbot.waitUntil(lambda: _submitted_row(ledger) is not None, timeout=60_000)
    row = _submitted_row(ledger)
    assert row is not None and row.azure_job_id is not None

    from desktop_app.ui import messages

    asked: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda _p, _t, text: asked.append(text) or True)
    window.close()  # shuts the executor down: quit() + wait(), within the test's time limit

    # the user is told the job keeps running at Azure and comes back next time
    assert len(asked) == 1 and TARGET in asked[0]
    assert "keep running" in asked[0] and "next time" in asked[0]
    assert env.emulator.job(row.azure_job_id)["status"] == "Waiting"  # not cancelled at Azure
    assert ledger.get(row.id).status == JobStatus.WAITING  # open: reconciled at next start
    assert ledger.unfinished_jobs()[0].id == row.id
    env.emulator.remove_fault(hold)
