"""Faults and auth failures, as the unmodified SDK observes them."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from tests.azure_emulator.fixtures import AzureEnv
from tests.integration.emulator_wire import wait_until
from tests.integration.test_emulator_sdk import BELL_IONQ, credential, workspace

pytestmark = pytest.mark.azure
OTHER_CLIENT = "44444444-4444-4444-4444-444444444444"


def test_wrong_secret_is_invalid_client(azure_env: AzureEnv) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        credential(azure_env, secret="wrong").get_token("https://quantum.microsoft.com/.default")
    token_calls = azure_env.emulator.requests_matching("aad", "POST", "/token")
    assert [r.status for r in token_calls] == [401]


def test_unknown_tenant_and_unknown_client(azure_env: AzureEnv) -> None:
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import ClientSecretCredential

    stranger = ClientSecretCredential(
        "99999999-9999-9999-9999-999999999999",
        azure_env.client_id,
        azure_env.client_secret,
        authority=azure_env.authority,
        disable_instance_discovery=True,
    )
    with pytest.raises(ClientAuthenticationError):
        stranger.get_token("https://quantum.microsoft.com/.default")
    assert [r.status for r in azure_env.emulator.requests_matching("aad")] == [400]
    with pytest.raises(ClientAuthenticationError, match="AADSTS700016"):
        credential(azure_env, client_id=OTHER_CLIENT).get_token(
            "https://quantum.microsoft.com/.default"
        )


def test_second_principal_and_missing_role(azure_env: AzureEnv) -> None:
    from azure.core.exceptions import HttpResponseError

    azure_env.emulator.add_principal(OTHER_CLIENT, "other-secret", authorized=False)
    other = credential(azure_env, client_id=OTHER_CLIENT, secret="other-secret")
    with pytest.raises(HttpResponseError) as denied:
        workspace(azure_env, credential=other)
    assert denied.value.status_code == 403 and denied.value.error.code == "AuthorizationFailed"
    azure_env.emulator.set_authorized(OTHER_CLIENT, True)
    assert len(workspace(azure_env, credential=other).get_targets()) == 6


def test_expired_token_is_401(azure_env: AzureEnv) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    ws = workspace(azure_env)
    ws.get_targets()
    azure_env.emulator.expire_tokens()
    with pytest.raises(ClientAuthenticationError) as expired:
        ws.get_targets()
    assert expired.value.status_code == 401
    # The data plane's 401 has no body, only the challenge (as the service's recordings show).
    assert expired.value.error is None
    assert expired.value.response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_unknown_workspace_and_other_region(azure_env: AzureEnv) -> None:
    with pytest.raises(ValueError, match="not found"):
        workspace(azure_env, resource_id=azure_env.resource_id.replace("ws-emu", "ws-nope"))
    arm = azure_env.emulator.requests_matching("arm", "GET")
    assert arm[-1].status == 404
    # The SDK takes the region from ARM: a different location= is overridden, not an error.
    assert workspace(azure_env, location="westeurope").location == azure_env.location


def test_transient_500_and_503_are_retried(azure_env: AzureEnv) -> None:
    emulator = azure_env.emulator
    ws = workspace(azure_env)
    fault = emulator.add_fault("status", status=500, role="dp", path="/providerStatus$", count=1)
    assert len(ws.get_targets()) == 6
    assert fault.hits == 1
    statuses = [r.status for r in emulator.requests_matching("dp", "GET", "/providerStatus")]
    assert statuses == [500, 200]


def test_persistent_503_surfaces_as_http_error(azure_env: AzureEnv) -> None:
    from azure.core.exceptions import HttpResponseError

    azure_env.emulator.add_fault(
        "status", status=503, role="dp", method="GET", path="/providerStatus$", retry_after=0.05
    )
    ws = workspace(azure_env)
    with pytest.raises(HttpResponseError) as failure:
        ws.get_targets()
    assert failure.value.status_code == 503
    attempts = azure_env.emulator.requests_matching("dp", "GET", "/providerStatus")
    assert len(attempts) == 4  # azure-core retries a 503 three times (retry_status=3)


def test_429_honours_retry_after(azure_env: AzureEnv) -> None:
    ws = workspace(azure_env)
    azure_env.emulator.add_fault(
        "status", status=429, role="dp", path="/quotas$", count=1, retry_after=0.4
    )
    started = time.monotonic()
    assert ws.get_quotas()
    assert time.monotonic() - started >= 0.4
    assert [
        r.status for r in azure_env.emulator.requests_matching("dp", path_contains="/quotas")
    ] == [429, 200]


def test_latency_and_dropped_connection(azure_env: AzureEnv) -> None:
    ws = workspace(azure_env)
    azure_env.emulator.add_fault("latency", delay=0.3, role="dp", count=1)
    started = time.monotonic()
    ws.get_targets()
    assert time.monotonic() - started >= 0.3
    azure_env.emulator.add_fault("drop", role="dp", path="/quotas$", count=1)
    assert ws.get_quotas()  # azure-core retries a dropped connection
    statuses = [
        r.status for r in azure_env.emulator.requests_matching("dp", path_contains="/quotas")
    ]
    assert statuses == [0, 200]


def test_job_fault_failed(azure_env: AzureEnv) -> None:
    azure_env.emulator.add_fault(
        "job_fail",
        target="ionq.simulator",
        count=1,
        code="QPUHardwareError",
        message="Ion trap lost.",
    )
    target = workspace(azure_env).get_targets("ionq.simulator")
    job = target.submit(BELL_IONQ, name="doomed")
    job.wait_until_completed(timeout_secs=30)
    assert job.details.status == "Failed"
    assert (job.details.error_data.code, job.details.error_data.message) == (
        "QPUHardwareError",
        "Ion trap lost.",
    )
    second = target.submit(BELL_IONQ, name="fine")  # count=1: only the first job
    assert second.get_results()["histogram"] == pytest.approx({"0": 0.5, "3": 0.5})


def test_missing_result_blob(azure_env: AzureEnv) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    azure_env.emulator.add_fault("missing_output", target="ionq.*")
    job = workspace(azure_env).get_targets("ionq.simulator").submit(BELL_IONQ)
    job.wait_until_completed(timeout_secs=30)
    assert job.details.status == "Succeeded"
    with pytest.raises(ResourceNotFoundError) as missing:
        job.get_results()
    assert missing.value.error_code == "BlobNotFound"


def test_job_stays_queued_until_fault_removed(azure_env: AzureEnv) -> None:
    fault = azure_env.emulator.add_fault("stay_queued", target="ionq.simulator")
    job = workspace(azure_env).get_targets("ionq.simulator").submit(BELL_IONQ)
    with pytest.raises(TimeoutError):
        job.wait_until_completed(timeout_secs=0.6)
    assert job.details.status == "Waiting"
    azure_env.emulator.remove_fault(fault)
    job.wait_until_completed(timeout_secs=30)
    assert job.details.status == "Succeeded"


def test_unavailable_target_refuses_jobs(azure_env: AzureEnv) -> None:
    """As the service: 409 TargetUnavailable at submit (not a job held in Waiting)."""
    from azure.core.exceptions import ResourceExistsError

    emulator = azure_env.emulator
    emulator.set_target("ionq.simulator", availability="Unavailable")
    ws = workspace(azure_env)
    status = {t.name: t._current_availability for t in ws.get_targets()}
    assert status["ionq.simulator"] == "Unavailable"
    with pytest.raises(ResourceExistsError) as refused:
        ws.get_targets("ionq.simulator").submit(BELL_IONQ)
    assert refused.value.status_code == 409 and refused.value.error.code == "TargetUnavailable"
    assert emulator.world.jobs == {}
    emulator.set_target("ionq.simulator", availability="Available")
    job = ws.get_targets("ionq.simulator").submit(BELL_IONQ)
    job.wait_until_completed(timeout_secs=30)
    assert job.details.status == "Succeeded"


def test_extra_target_at_run_time(azure_env: AzureEnv) -> None:
    azure_env.emulator.add_target(
        "ionq", "ionq.qpu.aria-1", 25, availability="Degraded", average_queue_time=99
    )
    names = {t.name: t for t in workspace(azure_env).get_targets()}
    assert names["ionq.qpu.aria-1"]._current_availability == "Degraded"


def _admin(env: AzureEnv, method: str, path: str, body: object = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        env.admin_endpoint + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def test_admin_endpoint(azure_env: AzureEnv) -> None:
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    fault = _admin(
        azure_env,
        "POST",
        "/faults",
        {"kind": "status", "status": 404, "role": "dp", "path": "/quotas$"},
    )
    assert fault["id"] in [f["id"] for f in _admin(azure_env, "GET", "/faults")]
    ws = workspace(azure_env)
    with pytest.raises(HttpResponseError):
        ws.get_quotas()
    _admin(azure_env, "DELETE", f"/faults/{fault['id']}")
    assert ws.get_quotas()
    _admin(azure_env, "PATCH", "/targets/rigetti.sim.qvm", {"availability": "Degraded"})
    assert {t.name: t._current_availability for t in ws.get_targets()}[
        "rigetti.sim.qvm"
    ] == "Degraded"
    assert any(r["path"].endswith("/quotas") for r in _admin(azure_env, "GET", "/requests"))
    assert _admin(azure_env, "GET", "/jobs") == []
    _admin(azure_env, "POST", "/tokens/expire")
    with pytest.raises(ClientAuthenticationError):
        ws.get_quotas()
    principal = {"client_id": OTHER_CLIENT, "client_secret": "s", "authorized": False}
    assert _admin(azure_env, "POST", "/principals", principal)["authorized"] is False
    _admin(azure_env, "PATCH", f"/principals/{OTHER_CLIENT}", {"authorized": True})
    other = credential(azure_env, client_id=OTHER_CLIENT, secret="s")
    assert workspace(azure_env, credential=other).get_quotas()
    info = _admin(azure_env, "GET", "/info")
    assert info["resource_id"] == azure_env.resource_id
    _admin(azure_env, "POST", "/reset")
    assert _admin(azure_env, "GET", "/faults") == []


def test_tokens_expire_after_their_lifetime(azure_env: AzureEnv) -> None:
    import requests

    azure_env.emulator.set_token_lifetime(1)
    token = credential(azure_env).get_token("https://quantum.microsoft.com/.default")
    assert token.expires_on - time.time() <= 1.5
    url = (
        f"{azure_env.emulator.data_plane_url.rstrip('/')}{azure_env.resource_id}/providerStatus"
        "?api-version=2026-01-15-preview"
    )
    headers = {"Authorization": f"Bearer {token.token}"}
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    deadline = time.monotonic() + 5
    status = 200
    while status == 200 and time.monotonic() < deadline:  # poll until the token has expired
        time.sleep(0.05)
        status = requests.get(url, headers=headers, timeout=10).status_code
    assert status == 401
    # The SDK asks for a fresh token when its own is (nearly) expired.
    ws = workspace(azure_env)
    ws.get_targets()
    before = len(azure_env.emulator.requests_matching("aad", "POST", "/token"))
    # Until the workspace's token has expired azure-identity may reuse it (it waits 30 s between
    # refreshes of a token still valid): wait for the expiry, not for a fixed time.
    with azure_env.emulator.world.lock:
        latest = max(t.expires_at for t in azure_env.emulator.world.tokens.values())
    wait_until(lambda: time.time() > latest + 0.05, timeout=5)
    ws.get_targets()
    assert len(azure_env.emulator.requests_matching("aad", "POST", "/token")) > before
