"""The command line against a failing service (issue 14), in fresh processes: retries announced
on stderr while they happen, nothing from the SDKs' loggers unless --verbose, and `jobs
reconcile` leaving alone a job that another live process is still submitting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.cancel import CancelToken
from desktop_app.core.jobs.reconcile import LIVE_REASON, reconcile_unfinished
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.results import JobStatus
from tests.integration.test_azure_run_emulator import PROFILE, _profile, env  # noqa: F401
from tests.integration.test_crash_recovery import wait_for

pytestmark = pytest.mark.azure

ROOT = Path(__file__).resolve().parents[2]
BELL = ROOT / "resources" / "examples" / "bell.qasm"
RUN = ["run", str(BELL), "--backend", "ionq.simulator", "--profile", PROFILE, "--json"]
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def _start(env_, *args: str) -> subprocess.Popen[str]:
    """`python -m desktop_app ARGS` with the profile's secret on stdin (no keyring)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", *args, "--secret-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QDK_PYTHON_TELEMETRY": "none", **NO_KEYRING},
    )
    assert process.stdin is not None
    process.stdin.write(env_.client_secret + "\n")
    process.stdin.close()
    process.stdin = None  # sent and closed: communicate() only reads
    return process


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=180)
    return process.returncode, out, err


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
def test_retries_are_announced_and_bounded(env, verbose):  # noqa: F811
    _profile(env)
    env.emulator.add_fault(
        "status", role="dp", path="/storage/sasUri", status=503, retry_after=0.05
    )
    extra = ["--retry-deadline", "2", *(["--verbose"] if verbose else [])]
    code, out, err = _finish(_start(env, *RUN, *extra))
    assert code == 1
    (result,) = json.loads(out)
    assert result["status"] == "Failed" and "the service answered 503" in result["error"]["message"]
    said = "quantum-desk: ionq.simulator: Submitting: retrying in "
    retries = [line for line in err.splitlines() if line.startswith(said)]
    assert retries and all(line.endswith(" s: the service answered 503") for line in retries)
    assert "Traceback" not in err
    if verbose:
        assert "WARNING " in err  # the SDK's and our own log lines, on request
    else:
        assert "WARNING" not in err and "INFO" not in err
        assert set(err.splitlines()) == set(retries)


def test_reconcile_leaves_a_job_being_submitted_by_a_live_process_alone(env):  # noqa: F811
    _profile(env)
    slow = env.emulator.add_fault("latency", role="dp", method="PUT", path=r"/jobs/", delay=3.0)
    process = _start(env, *RUN)
    try:
        with open_ledger() as ledger:
            wait_for(lambda: ledger.unfinished_jobs(), what="the run's write-ahead row")
            wait_for(lambda: slow.hits > 0, what="the submit to reach the service")
            report = reconcile_unfinished(ledger, CancelToken(), lambda *_: None)
            (row,) = ledger.unfinished_jobs()
            assert report.never_submitted == [] and report.deferred == {row.id: LIVE_REASON}
            assert row.status == JobStatus.SUBMITTING
    finally:
        code, out, err = _finish(process)
    assert code == 0, err
    (result,) = json.loads(out)
    with open_ledger() as ledger:
        assert ledger.get(result["id"]).status == JobStatus.SUCCEEDED
