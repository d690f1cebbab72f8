"""The workspace of the status refresh, or of a run that read its job's end, kept for the next
run (`ahead.keep`): that run sends no ARM lookup of its own; a workspace kept for a profile that
has since changed, or whose secret has, is closed instead and never submitted through. Emulator +
Azurite."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from desktop_app.core.azure import ahead, process
from desktop_app.core.azure.polling import FAST_POLLING
from desktop_app.core.azure.profiles import ProfileStore
from desktop_app.core.azure.secrets import default_secret_store
from desktop_app.core.azure.status import refresh_status
from desktop_app.core.azure.workspace import close_workspace
from desktop_app.core.cancel import CancelToken
from desktop_app.core.results import JobStatus
from tests.integration.test_azure_run_emulator import (  # noqa: F401
    PROFILE,
    _profile,
    _request,
    _run,
    env,
)

pytestmark = pytest.mark.azure


def _arm_lookups(env: Any) -> int:  # noqa: F811
    return len(env.emulator.requests_matching(role="arm", method="GET"))


def _drop_kept() -> None:
    opened = ahead.take(PROFILE)
    if opened is not None:
        close_workspace(opened[0])


@pytest.fixture
def nothing_kept():
    _drop_kept()  # from an earlier test of this process: gone
    yield
    _drop_kept()


@pytest.fixture
def closed(monkeypatch) -> list[Any]:
    """The workspaces `ahead` closes."""
    seen: list[Any] = []
    close = ahead.close_workspace

    def recording(workspace: Any) -> None:
        seen.append(workspace)
        close(workspace)

    monkeypatch.setattr(ahead, "close_workspace", recording)
    return seen


def _refresh_keeping() -> list[Any]:
    """The status refreshed, its workspace kept by `ahead.keep`; the workspaces kept."""
    kept: list[Any] = []

    def keep(name: str, workspace: Any, found: Any) -> None:
        kept.append(workspace)
        ahead.keep(name, workspace, found)

    refresh_status(PROFILE, keep=keep)
    return kept


def test_a_run_after_the_status_refresh_takes_its_workspace(env, nothing_kept):  # noqa: F811
    _profile(env)
    assert refresh_status(PROFILE, keep=ahead.keep).error is None
    before = _arm_lookups(env)
    result = _run(_request("ionq.simulator"))
    assert result.status is JobStatus.SUCCEEDED, result.error_message
    assert result.counts == {"00": 500, "11": 500}
    assert _arm_lookups(env) == before  # the refresh's lookup served the run
    assert _run(_request("ionq.simulator")).status is JobStatus.SUCCEEDED
    assert _arm_lookups(env) == before  # the first run left it for the next


def test_a_run_leaves_its_workspace_for_the_next_run_of_its_profile(env, nothing_kept):  # noqa: F811
    _profile(env)
    before = _arm_lookups(env)
    assert _run(_request("ionq.simulator")).status is JobStatus.SUCCEEDED
    assert _arm_lookups(env) == before + 1  # nothing kept: it opened its own
    for backend in ("ionq.simulator", "rigetti.sim.qvm"):  # any target of the workspace
        result = _run(_request(backend))
        assert result.status is JobStatus.SUCCEEDED, result.error_message
    assert _arm_lookups(env) == before + 1


def test_a_run_that_ends_before_its_job_does_closes_its_workspace(env, nothing_kept):  # noqa: F811
    _profile(env)
    env.emulator.set_target("ionq.simulator", availability="Unavailable")
    try:
        result = _run(_request("ionq.simulator"))
    finally:
        env.emulator.set_target("ionq.simulator", availability="Available")
    assert result.status is JobStatus.FAILED and result.error_code == "TargetUnavailable"
    assert ahead.take(PROFILE) is None  # nothing kept: the next run opens its own


def test_kept_for_a_changed_profile_it_is_closed(env, nothing_kept, closed):  # noqa: F811
    profile = _profile(env)
    kept = _refresh_keeping()
    moved = dataclasses.replace(profile, location="westus")  # another region: another workspace
    ProfileStore().update(PROFILE, moved, allow_custom_endpoints=True)
    assert ahead.take(PROFILE) is None
    assert closed == kept


def test_kept_for_a_changed_secret_it_is_closed(env, nothing_kept, closed):  # noqa: F811
    profile = _profile(env)
    kept = _refresh_keeping()
    default_secret_store().set(profile, "a-secret-typed-since")
    assert ahead.take(PROFILE) is None
    assert closed == kept


def test_the_windows_refresh_and_run_in_the_azure_worker(env):  # noqa: F811
    """The window's path: both in the Azure worker process, the run taking the refresh's."""
    _profile(env)
    try:
        assert process.refresh_status_in_worker(PROFILE).error is None
        before = _arm_lookups(env)
        executor = process.AzureProcessExecutor(schedule=FAST_POLLING)
        result = executor.run(_request("ionq.simulator"), CancelToken(), lambda *_: None)
        assert result.status is JobStatus.SUCCEEDED, result.error_message
        assert _arm_lookups(env) == before
    finally:
        process.shutdown_worker()
