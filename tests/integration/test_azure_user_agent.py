"""What a job's requests say about the app, and how many connections they take: every request to
ARM and the data plane names Quantum Desk (the SDK's app id, first in the User-Agent), the submit
and the polls included, and one job's data-plane requests share one connection (one TLS handshake,
as a plain SDK script's do). Until 2026-12-02 the app passed its name as the SDK's `user_agent`,
which `Target.submit` resets for every non-QIR job: the name was gone from the submit on, and the
workspace's client was rebuilt, so each job opened a second connection. Emulator + Azurite."""

from __future__ import annotations

import time

import pytest

from desktop_app import __version__
from desktop_app.core.azure.executor import AzureExecutor
from desktop_app.core.azure.polling import FAST_POLLING
from desktop_app.core.cancel import CancelToken
from desktop_app.core.results import JobStatus
from tests.integration.test_azure_run_emulator import _profile, _request, env  # noqa: F401

pytestmark = pytest.mark.azure


def test_a_jobs_requests_name_the_app_and_share_one_connection(env):  # noqa: F811
    _profile(env)
    started = time.time()
    executor = AzureExecutor(schedule=FAST_POLLING)
    result = executor.run(_request("ionq.simulator"), CancelToken(), lambda message, f: None)
    assert result.status is JobStatus.SUCCEEDED
    sent = [r for r in env.emulator.requests if r.time >= started]
    data_plane = [r for r in sent if r.role == "dp"]
    methods = {(r.method, "/jobs/" in r.path) for r in data_plane}
    assert {("PUT", True), ("GET", True)} <= methods  # the submit and its polls are among them
    for record in [r for r in sent if r.role in ("dp", "arm")]:
        assert record.user_agent.startswith(f"quantum-desk/{__version__} "), record
    assert len({r.connection for r in data_plane}) == 1, data_plane
