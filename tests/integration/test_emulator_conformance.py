"""The emulator against what the real Azure Quantum service answered, endpoint by endpoint.

Each case states, in our own words, the shape that sessions recorded against the live service show
(github.com/microsoft/azure-quantum-python, azure-quantum/tests/unit/recordings/*.yaml; "@ <commit>"
names the version read; the files are not copied here), and checks the emulator over real HTTPS.
Recordings are sanitized (ids zeroed, SAS signatures and tokens replaced), so ids, signatures
and token values are not compared; field names, types, status codes, headers and value
conventions are.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.azure_emulator.fixtures import AzureEnv
from tests.integration.emulator_wire import (
    EXECUTION_TIME,
    GUID,
    RECORDED_API_VERSION,
    SERVICE_TIME,
    SESSION_TIME,
    DataPlane,
    blob_content_type,
    blob_name,
    sas_fields,
    wait_until,
)

pytestmark = pytest.mark.azure

# Every job the service returns carries exactly these fields (PUT and GET jobs/{id}, list items)
# @ 36e339b6e8d8 test_job_submit_ionq.yaml, test_list_jobs_filtered_by_created_before.yaml.
JOB_FIELDS = {
    "containerUri": str,
    "inputDataUri": str,
    "inputDataFormat": str,
    "inputParams": dict,
    "metadata": (dict, type(None)),
    "sessionId": (str, type(None)),
    "jobPriority": str,
    "status": str,
    "jobType": str,
    "outputDataFormat": str,
    "outputDataUri": str,
    "beginExecutionTime": (str, type(None)),
    "cancellationTime": (str, type(None)),
    "lastModifiedTime": str,
    "quantumComputingData": (dict, type(None)),
    "errorData": (dict, type(None)),
    "isCancelling": bool,
    "tags": list,
    "name": str,
    "id": str,
    "providerId": str,
    "target": str,
    "creationTime": str,
    "endExecutionTime": (str, type(None)),
    "costEstimate": (dict, type(None)),
    "itemType": str,
}
# A session: no beginExecutionTime (@ 36e339b6e8d8 test_session_get_session.yaml).
SESSION_FIELDS = {
    "status": str,
    "jobFailurePolicy": str,
    "jobPriority": str,
    "name": str,
    "id": str,
    "providerId": str,
    "target": str,
    "creationTime": str,
    "endExecutionTime": (str, type(None)),
    "costEstimate": (dict, type(None)),
    "itemType": str,
}
COST_EVENT_FIELDS = {
    "dimensionId": str,
    "dimensionName": str,
    "measureUnit": str,
    "amountBilled": float,
    "amountConsumed": float,
    "unitPrice": float,
}


def assert_shape(obj: dict[str, Any], fields: dict[str, Any]) -> None:
    assert set(obj) == set(fields), f"fields differ: {set(obj) ^ set(fields)}"
    for name, kind in fields.items():
        assert isinstance(obj[name], kind), f"{name}: {obj[name]!r} is not {kind}"


def assert_cost(cost: dict[str, Any], dimensions: list[str], total: float | None = 0.0) -> None:
    assert set(cost) == {"currencyCode", "events", "estimatedTotal"}
    assert cost["currencyCode"] == "USD"
    assert [e["dimensionId"] for e in cost["events"]] == dimensions
    for event in cost["events"]:
        assert_shape(event, COST_EVENT_FIELDS)
    if total is not None:
        assert cost["estimatedTotal"] == total


# ---------------------------------------------------------------- Entra ID token endpoint
def test_token_answer_has_refresh_in(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_job_submit_ionq.yaml: 200 with token_type "Bearer", integer
    expires_in, ext_expires_in and refresh_in, and access_token."""
    import requests

    answer = requests.post(
        f"{azure_env.authority}/{azure_env.tenant_id}/oauth2/v2.0/token",
        data={
            "client_id": azure_env.client_id,
            "client_secret": azure_env.client_secret,
            "grant_type": "client_credentials",
            "scope": "https://quantum.microsoft.com/.default",
        },
        timeout=10,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"token_type", "expires_in", "ext_expires_in", "refresh_in", "access_token"}
    assert body["token_type"] == "Bearer"
    assert all(isinstance(body[k], int) for k in ("expires_in", "ext_expires_in", "refresh_in"))
    assert 0 < body["refresh_in"] < body["expires_in"]


def _token_error(env: AzureEnv, client_id: str, secret: str) -> tuple[int, dict[str, Any]]:
    import requests

    answer = requests.post(
        f"{env.authority}/{env.tenant_id}/oauth2/v2.0/token",
        data={
            "client_id": client_id,
            "client_secret": secret,
            "grant_type": "client_credentials",
            "scope": "https://quantum.microsoft.com/.default",
        },
        timeout=10,
    )
    return answer.status_code, answer.json()


def test_token_errors_aadsts700038_and_53003(azure_env: AzureEnv) -> None:
    """AAD's error body (error, error_description "AADSTSnnnn: ...", error_codes, trace and
    correlation ids). Not in the SDK's recordings: codes and wording as Entra's error-code
    reference and third-party quotes give them."""
    status, body = _token_error(azure_env, "not-a-guid", "x")
    assert status == 400 and body["error_codes"] == [700038]
    assert body["error_description"].startswith("AADSTS700038: not-a-guid is not a valid")
    azure_env.emulator.set_blocked(azure_env.client_id, True)
    status, body = _token_error(azure_env, azure_env.client_id, azure_env.client_secret)
    assert status == 400 and body["error_codes"] == [53003]
    assert body["error"] == "interaction_required" and body["suberror"] == "message_only"
    assert "Conditional Access" in body["error_description"]
    assert {"trace_id", "correlation_id", "timestamp"} <= set(body)


# ---------------------------------------------------------------- authentication on the data plane
def test_data_plane_401_is_empty_with_a_challenge(azure_env: AzureEnv) -> None:
    """@ 29f7b5f034af test_workspace_auth_connection_string_api_key.yaml: GET jobs with a
    rejected credential -> 401, content-length 0, WWW-Authenticate: Bearer error="invalid_token"."""
    for bearer in ("not-a-token", ""):
        answer = DataPlane(azure_env, bearer=bearer).call("GET", "/jobs")
        assert answer.status_code == 401
        assert answer.content == b""
        assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    dp = DataPlane(azure_env)
    azure_env.emulator.expire_tokens()
    expired = dp.call("GET", "/providerStatus")
    assert (expired.status_code, expired.content) == (401, b"")


def test_arm_401_keeps_its_json_error(azure_env: AzureEnv) -> None:
    """@ 3839357c0f (blob) test_workspace_auth_default_credential.yaml: ARM without a token ->
    401 {"error": {"code": "AuthenticationFailed", "message": "Authentication failed. The
    'Authorization' header is missing."}}."""
    import requests

    answer = requests.get(
        f"{azure_env.arm_endpoint.rstrip('/')}{azure_env.resource_id}",
        params={"api-version": "2025-12-15-preview"},
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "AuthenticationFailed"


# ---------------------------------------------------------------- api-version
def test_api_version_is_checked(azure_env: AzureEnv) -> None:
    """Every recorded data-plane call names an api-version (2022-09-12-preview,
    2024-10-01-preview, 2025-12-01-preview). The answer to a wrong one is not recorded: the
    emulator refuses it with 400."""
    dp = DataPlane(azure_env)
    assert dp.call("GET", "/providerStatus", api_version=RECORDED_API_VERSION).status_code == 200
    for version in (None, "2019-01-01"):
        answer = dp.call("GET", "/providerStatus", api_version=version)
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "UnsupportedApiVersion"


# ---------------------------------------------------------------- providerStatus and quotas
def test_provider_status_shape(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_workspace_get_targets_ionq.yaml: {"value": [...], "nextLink": null};
    a provider {id, currentAvailability, targets}; a target {id, currentAvailability,
    averageQueueTime (int), statusPage}; no numQubits. The provider's availability is its own:
    ionq was Available with aria-1 and forte-1 Unavailable."""
    azure_env.emulator.set_target("ionq.qpu.forte-1", availability="Unavailable")
    answer = DataPlane(azure_env).call("GET", "/providerStatus")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"value", "nextLink"} and body["nextLink"] is None
    providers = {p["id"]: p for p in body["value"]}
    assert set(providers) == {"ionq", "quantinuum", "rigetti"}
    for provider in providers.values():
        assert set(provider) == {"id", "currentAvailability", "targets"}
        for target in provider["targets"]:
            assert_shape(
                target,
                {"id": str, "currentAvailability": str, "averageQueueTime": int, "statusPage": str},
            )
    assert providers["ionq"]["currentAvailability"] == "Available"
    forte = next(t for t in providers["ionq"]["targets"] if t["id"] == "ionq.qpu.forte-1")
    assert forte["currentAvailability"] == "Unavailable"
    azure_env.emulator.set_provider("rigetti", availability="Degraded")
    rigetti = next(
        p
        for p in DataPlane(azure_env).call("GET", "/providerStatus").json()["value"]
        if p["id"] == "rigetti"
    )
    assert rigetti["currentAvailability"] == "Degraded"
    assert rigetti["targets"][0]["currentAvailability"] == "Available"


def test_quotas_shape(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_workspace_by_name.yaml: {"value": [{dimension, scope, providerId,
    utilization, holds, limit (floats), period}], "nextLink": null}."""
    body = DataPlane(azure_env).call("GET", "/quotas").json()
    assert body["nextLink"] is None and body["value"]
    for quota in body["value"]:
        assert_shape(
            quota,
            {
                "dimension": str,
                "scope": str,
                "providerId": str,
                "utilization": float,
                "holds": float,
                "limit": float,
                "period": str,
            },
        )


# ---------------------------------------------------------------- storage
def test_sas_uri_and_container_creation(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_job_submit_ionq.yaml: POST storage/sasUri {"containerName"} -> 200
    {"sasUri": container URL with a SAS}; at api-version 2025-12-01-preview the container did not
    exist yet (the SDK's GET container got 404 and it created it). azure-quantum 3.13 (api-version
    2026-01-15-preview) no longer creates it (commit 00b95835): the service does."""
    from azure.storage.blob import BlobServiceClient

    blobs = BlobServiceClient.from_connection_string(azure_env.emulator.azurite.connection_string)
    dp = DataPlane(azure_env)
    old_id, new_id = str(uuid.uuid4()), str(uuid.uuid4())
    old = dp.container(old_id, api_version=RECORDED_API_VERSION)
    assert set(sas_fields(old)) >= {"sp", "sig", "se"}
    assert not blobs.get_container_client(f"job-{old_id}").exists()
    dp.container(new_id)
    assert blobs.get_container_client(f"job-{new_id}").exists()


# ---------------------------------------------------------------- jobs: create and read
def test_job_create_answer(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_job_submit_ionq.yaml: PUT jobs/{id} -> 200 (not 201) with the job:
    providerId lower-cased ("IonQ" sent, "ionq" answered), jobPriority "Basic", status Waiting,
    containerUri and inputDataUri without a SAS, outputDataUri unsigned and ending in
    /outputData, quantumComputingData null, costEstimate null, creationTime and
    lastModifiedTime with seven fractional digits and +00:00."""
    job_id, answer = DataPlane(azure_env).submit("ionq.simulator")
    assert answer.status_code == 200
    job = answer.json()
    assert_shape(job, JOB_FIELDS)
    assert (job["id"], job["providerId"], job["jobPriority"]) == (job_id, "ionq", "Basic")
    assert (job["status"], job["itemType"], job["jobType"]) == (
        "Waiting",
        "Job",
        "QuantumComputing",
    )
    assert "?" not in job["containerUri"] and "?" not in job["inputDataUri"]
    assert "?" not in job["outputDataUri"] and blob_name(job["outputDataUri"]) == "outputData"
    assert job["quantumComputingData"] is None and job["costEstimate"] is None
    assert job["isCancelling"] is False and job["tags"] == []
    assert SERVICE_TIME.match(job["creationTime"]) and SERVICE_TIME.match(job["lastModifiedTime"])
    assert "priority" not in job and "lastUpdatedTime" not in job


def test_job_read_signs_its_links(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_job_submit_ionq.yaml, GETs while Waiting: containerUri signed
    sr=c sp=rl; inputDataUri and outputDataUri signed sr=b sp=r with rscd
    "attachment; filename=<name>-<id>.input.json" / ".output.json"; outputDataUri still names
    outputData; quantumComputingData {"count": 1}."""
    azure_env.emulator.add_fault("stay_queued", target="ionq.simulator")
    dp = DataPlane(azure_env)
    job_id, _ = dp.submit("ionq.simulator")
    job = dp.job(job_id)
    assert_shape(job, JOB_FIELDS)
    assert job["status"] == "Waiting" and job["quantumComputingData"] == {"count": 1}
    container = sas_fields(job["containerUri"])
    assert (container["sr"], container["sp"]) == ("c", "rl")
    stem = f"conformance-ionq.simulator-{job_id}"
    for key, suffix in (("inputDataUri", "input.json"), ("outputDataUri", "output.json")):
        fields = sas_fields(job[key])
        assert (fields["sr"], fields["sp"]) == ("b", "r")
        assert fields["rscd"] == f"attachment; filename={stem}.{suffix}"
    assert blob_name(job["outputDataUri"]) == "outputData"


@pytest.mark.parametrize(
    ("target", "provider", "dimensions", "content_type"),
    [
        # @ 36e339b6e8d8 test_job_submit_ionq.yaml
        ("ionq.simulator", "ionq", ["gs1q", "gs2q"], "application/json"),
        # @ 36e339b6e8d8 test_job_submit_rigetti_with_count.yaml
        ("rigetti.sim.qvm", "rigetti", ["qpu_time_centiseconds"], "application/json"),
        # @ 36e339b6e8d8 test_plugins_submit_qiskit_to_quantinuum_h2_1sc_passthrough.yaml
        ("quantinuum.sim.h2-1sc", "quantinuum", ["hqc"], "application/octet-stream"),
    ],
)
def test_finished_job_of_a_free_target(
    azure_env: AzureEnv, target: str, provider: str, dimensions: list[str], content_type: str
) -> None:
    """A free target's Succeeded job: outputDataUri signed and naming rawOutputData (provider
    formats), costEstimate with the provider's dimensions all zero, execution times in the
    provider's style, result blob with the recorded content type."""
    dp = DataPlane(azure_env)
    job_id, _ = dp.submit(target)
    job = dp.wait_job(job_id, lambda j: j["status"] == "Succeeded")
    assert_shape(job, JOB_FIELDS)
    assert job["providerId"] == provider
    assert blob_name(job["outputDataUri"]) == "rawOutputData"
    assert sas_fields(job["outputDataUri"])["sp"] == "r"
    assert_cost(job["costEstimate"], dimensions)
    assert all(
        e["amountBilled"] == 0 and e["unitPrice"] == 0 for e in job["costEstimate"]["events"]
    )
    assert EXECUTION_TIME[provider].match(job["beginExecutionTime"])
    assert EXECUTION_TIME[provider].match(job["endExecutionTime"])
    assert SERVICE_TIME.match(job["lastModifiedTime"])
    assert blob_content_type(job["outputDataUri"]) == content_type


def test_finished_job_on_the_h2_emulator(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_job_submit_quantinuum_h2_1e.yaml: costEstimate one ehqc / "EHQC" /
    "hqc" event with the HQCs used and unit price 0, estimatedTotal 0; times with six digits and
    +00:00; rawOutputData stored as application/octet-stream."""
    dp = DataPlane(azure_env)
    job_id, _ = dp.submit("quantinuum.sim.h2-1e")
    job = dp.wait_job(job_id, lambda j: j["status"] == "Succeeded")
    assert_cost(job["costEstimate"], ["ehqc"])
    event = job["costEstimate"]["events"][0]
    assert (event["dimensionName"], event["measureUnit"], event["unitPrice"]) == ("EHQC", "hqc", 0)
    assert event["amountBilled"] >= 5
    assert EXECUTION_TIME["quantinuum"].match(job["endExecutionTime"])
    assert blob_name(job["outputDataUri"]) == "rawOutputData"
    assert blob_content_type(job["outputDataUri"]) == "application/octet-stream"


def test_qir_job_results_stay_in_output_data(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_qiskit_qir_submit_quantinuum.yaml, test_qsharp_qir_file_rigetti.yaml:
    a QIR (qir.v1) job's outputDataUri names outputData before and after it finishes; the result
    blob is application/octet-stream."""
    from qdk import qsharp

    qsharp.init(target_profile=qsharp.TargetProfile.Base)
    qsharp.eval(
        "operation Bell() : (Result, Result) { use (a, b) = (Qubit(), Qubit()); H(a); "
        "CNOT(a, b); let r = (M(a), M(b)); ResetAll([a, b]); r }"
    )
    dp = DataPlane(azure_env)
    job_id = str(uuid.uuid1())
    body = dp.job_body(
        "rigetti.sim.qvm",
        job_id,
        program=str(qsharp.compile("Bell()")).encode(),
        content_type="qir.v1",
        inputDataFormat="qir.v1",
        outputDataFormat="microsoft.quantum-results.v2",
        inputParams={"entryPoint": "ENTRYPOINT__main", "arguments": [], "shots": 10},
    )
    assert dp.call("PUT", f"/jobs/{job_id}", body).status_code == 200
    job = dp.wait_job(job_id, lambda j: j["status"] == "Succeeded")
    assert blob_name(job["outputDataUri"]) == "outputData"
    assert blob_content_type(job["outputDataUri"]) == "application/octet-stream"


def test_failed_job(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_quil_syntax_error.yaml: Failed, errorData {code "InvalidInputData",
    message}, costEstimate null, outputDataUri signed and naming rawOutputData."""
    dp = DataPlane(azure_env)
    job_id = str(uuid.uuid1())
    body = dp.job_body("rigetti.sim.qvm", job_id, program=b"DECLARE ro BIT[1]\na\n")
    assert dp.call("PUT", f"/jobs/{job_id}", body).status_code == 200
    job = dp.wait_job(job_id, lambda j: j["status"] == "Failed")
    assert set(job["errorData"]) == {"code", "message"}
    assert job["errorData"]["code"] == "InvalidInputData"
    assert job["costEstimate"] is None
    assert blob_name(job["outputDataUri"]) == "rawOutputData" and "sig" in sas_fields(
        job["outputDataUri"]
    )


def test_finishing_state(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_job_submit_ionq_with_conflicting_shots_from_input_params.yaml:
    between Executing and Succeeded a job can be Finishing: endExecutionTime set, outputDataUri
    already naming rawOutputData, costEstimate still null, isCancelling false."""
    fault = azure_env.emulator.add_fault("stay_finishing", target="ionq.simulator")
    dp = DataPlane(azure_env)
    job_id, _ = dp.submit("ionq.simulator")
    job = dp.wait_job(job_id, lambda j: j["status"] == "Finishing")
    assert job["endExecutionTime"] and job["costEstimate"] is None and not job["isCancelling"]
    assert blob_name(job["outputDataUri"]) == "rawOutputData"
    azure_env.emulator.remove_fault(fault)
    assert dp.wait_job(job_id, lambda j: j["status"] == "Succeeded")["costEstimate"]


def test_cancellation_in_progress(azure_env: AzureEnv) -> None:
    """The SDK's JobStatus has CancellationRequested and Cancelling; the recordings have no
    cancel. With the slow_cancel switch a cancel leaves the job CancellationRequested then
    Cancelling, isCancelling true, until the switch is removed; then Cancelled."""
    emulator = azure_env.emulator
    emulator.add_fault("stay_queued", target="ionq.simulator")
    slow = emulator.add_fault("slow_cancel", target="ionq.simulator")
    dp = DataPlane(azure_env)
    job_id, _ = dp.submit("ionq.simulator")
    answer = dp.call("POST", f"/jobs/{job_id}:cancel")
    assert answer.status_code == 200
    assert answer.json()["status"] == "CancellationRequested" and answer.json()["isCancelling"]
    job = dp.wait_job(job_id, lambda j: j["status"] == "Cancelling")
    assert job["isCancelling"] is True
    emulator.remove_fault(slow)
    job = dp.wait_job(job_id, lambda j: j["status"] == "Cancelled")
    assert job["isCancelling"] is False and SERVICE_TIME.match(job["cancellationTime"])


# ---------------------------------------------------------------- submit refusals
def _error(answer: Any) -> tuple[int, str, str]:
    body = answer.json()
    return answer.status_code, body["error"]["code"], body["error"]["message"]


def test_submit_to_an_unavailable_target_is_409(azure_env: AzureEnv) -> None:
    """@ 0ad8d96cf609 test_job_submit_quantinuum.yaml and test_session_job_qiskit_circuit_
    quantinuum.yaml: PUT jobs/{id} and PUT sessions/{id} -> 409 {"error": {"code":
    "TargetUnavailable", "message": "The target specified is currently unavailable. Please try
    again later."}}."""
    azure_env.emulator.set_target("quantinuum.sim.h2-1e", availability="Unavailable")
    dp = DataPlane(azure_env)
    _, answer = dp.submit("quantinuum.sim.h2-1e")
    expected = (
        409,
        "TargetUnavailable",
        "The target specified is currently unavailable. Please try again later.",
    )
    assert _error(answer) == expected
    session = dp.call(
        "PUT",
        f"/sessions/{uuid.uuid4()}",
        {"name": "s", "providerId": "quantinuum", "target": "quantinuum.sim.h2-1e"},
    )
    assert _error(session) == expected
    assert azure_env.emulator.world.jobs == {} and azure_env.emulator.world.sessions == {}


def test_submit_to_a_provider_or_target_not_enabled_is_403(azure_env: AzureEnv) -> None:
    """@ a6c36cf25342 test_job_get_results_with_expired_sas_token.yaml: 403 InvalidJobDefinition
    "The provider specified does not exist or is not enabled for the workspace."; @ b91cffab469b
    test_job_submit_microsoft_substochastic_monte_carlo.yaml: 403 InvalidJobDefinition "The target
    specified does not exist or is not enabled for the workspace."."""
    dp = DataPlane(azure_env)
    _, unknown = dp.submit("ionq.simulator", target="ionq.qpu.nowhere-1")
    assert _error(unknown) == (
        403,
        "InvalidJobDefinition",
        "The target specified does not exist or is not enabled for the workspace.",
    )
    azure_env.emulator.set_provider("ionq", enabled=False)
    _, disabled = dp.submit("ionq.simulator")
    assert _error(disabled) == (
        403,
        "InvalidJobDefinition",
        "The provider specified does not exist or is not enabled for the workspace.",
    )
    ids = {p["id"] for p in dp.call("GET", "/providerStatus").json()["value"]}
    assert "ionq" not in ids


def test_submit_without_output_format_is_400(azure_env: AzureEnv) -> None:
    """@ 82d0699c940b test_session_job_qsharp_callable_quantinuum.yaml: a job body without
    outputDataFormat -> 400 InvalidJobDefinition "The OutputDataFormat field is required."."""
    _, answer = DataPlane(azure_env).submit("ionq.simulator", outputDataFormat=None)
    assert _error(answer) == (
        400,
        "InvalidJobDefinition",
        "The OutputDataFormat field is required.",
    )


def _session(dp: DataPlane, policy: str) -> str:
    session_id = str(uuid.uuid4())
    answer = dp.call(
        "PUT",
        f"/sessions/{session_id}",
        {
            "itemType": "Session",
            "name": f"session-{session_id}",
            "providerId": "Rigetti",
            "target": "rigetti.sim.qvm",
            "jobFailurePolicy": policy,
        },
    )
    assert answer.status_code == 200
    session = answer.json()
    assert_shape(session, SESSION_FIELDS)
    assert (session["status"], session["providerId"], session["jobPriority"]) == (
        "Waiting",
        "rigetti",
        "Basic",
    )
    assert SESSION_TIME.match(session["creationTime"]) and session["costEstimate"] is None
    return session_id


def _failing_job(dp: DataPlane, session_id: str) -> str:
    job_id = str(uuid.uuid1())
    program = b"DECLARE ro BIT[1]\nnot-quil\n"
    body = dp.job_body("rigetti.sim.qvm", job_id, program=program, sessionId=session_id)
    assert dp.call("PUT", f"/jobs/{job_id}", body).status_code == 200
    dp.wait_job(job_id, lambda j: j["status"] == "Failed")
    return job_id


def test_sessions_failure_policies_and_terminal_state(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_session_job_failure_policies_echo_quantinuum.yaml: with
    jobFailurePolicy Abort a failed job makes the session Failed and the next job PUT -> 400
    InvalidJobDefinition "Session is already in a terminal state. This may have been due to
    failures in prior jobs in the session."; with Continue the session shows "Failure(s)" and
    closing it (POST sessions/{id}:close -> 200 session) makes it Failed."""
    dp = DataPlane(azure_env)
    abort = _session(dp, "Abort")
    _failing_job(dp, abort)
    assert dp.call("GET", f"/sessions/{abort}").json()["status"] == "Failed"
    _, refused = dp.submit("rigetti.sim.qvm", sessionId=abort)
    assert _error(refused) == (
        400,
        "InvalidJobDefinition",
        "Session is already in a terminal state. This may have been due to failures in prior "
        "jobs in the session.",
    )
    keep_going = _session(dp, "Continue")
    _failing_job(dp, keep_going)
    session = dp.call("GET", f"/sessions/{keep_going}").json()
    assert session["status"] == "Failure(s)" and session["costEstimate"]["events"] == []
    closed = dp.call("POST", f"/sessions/{keep_going}:close")
    assert closed.status_code == 200 and closed.json()["status"] == "Failed"
    assert SESSION_TIME.match(closed.json()["endExecutionTime"])
    # @ 36e339b6e8d8 test_list_session_jobs.yaml, test_list_top_level_items_filtered_by_created_
    # after.yaml: GET sessions, sessions/{id}/jobs and topLevelItems are {"value", "nextLink"}
    # lists of sessions and jobs with the same fields as a single read.
    sessions = dp.call("GET", "/sessions", skip="0", top="100").json()
    assert set(sessions) == {"value", "nextLink"} and len(sessions["value"]) == 2
    for item in sessions["value"]:
        assert_shape(item, SESSION_FIELDS)
    jobs = dp.call("GET", f"/sessions/{keep_going}/jobs", skip="0", top="100").json()["value"]
    assert len(jobs) == 1 and jobs[0]["sessionId"] == keep_going
    assert_shape(jobs[0], JOB_FIELDS)
    dp.submit("ionq.simulator")  # a job outside any session
    top = dp.call("GET", "/topLevelItems", skip="0", top="100").json()["value"]
    # The sessions and the job outside them; jobs inside sessions are not top-level items.
    assert sorted(i["itemType"] for i in top) == ["Job", "Session", "Session"]
    for item in top:
        assert_shape(item, SESSION_FIELDS if item["itemType"] == "Session" else JOB_FIELDS)


def test_session_timed_out(azure_env: AzureEnv) -> None:
    """The SDK's SessionStatus has TimedOut (not in the recordings): a session forced TimedOut
    refuses jobs like any terminal session."""
    dp = DataPlane(azure_env)
    session_id = _session(dp, "Abort")
    azure_env.emulator.set_session_status(session_id, "TimedOut")
    assert dp.call("GET", f"/sessions/{session_id}").json()["status"] == "TimedOut"
    _, refused = dp.submit("rigetti.sim.qvm", sessionId=session_id)
    assert _error(refused)[:2] == (400, "InvalidJobDefinition")


# ---------------------------------------------------------------- listing
def test_list_pages_at_100_with_an_absolute_next_link(azure_env: AzureEnv) -> None:
    """@ 36e339b6e8d8 test_list_jobs_filtered_by_created_before.yaml: GET jobs?skip=0&top=100 ->
    {"value": [100 jobs], "nextLink": absolute URL of the same list with skip=100, top=100 and
    the api-version}; the last page has a null nextLink; items are signed like a GET."""
    azure_env.emulator.add_fault("stay_queued")  # nothing runs: only the listing matters
    dp = DataPlane(azure_env)
    for _ in range(101):
        assert dp.submit("ionq.simulator")[1].status_code == 200
    first = dp.call("GET", "/jobs", skip="0", top="100").json()
    assert len(first["value"]) == 100
    assert first["nextLink"].lower().startswith(dp.base.lower() + "/jobs?")
    link = sas_fields(first["nextLink"])
    assert (link["skip"], link["top"], link["api-version"]) == ("100", "100", "2026-01-15-preview")
    assert_shape(first["value"][0], JOB_FIELDS)
    assert "sig" in sas_fields(first["value"][0]["outputDataUri"])
    import requests

    second = requests.get(
        first["nextLink"], headers={"Authorization": f"Bearer {dp.bearer}"}, timeout=20
    ).json()
    assert len(second["value"]) == 1 and second["nextLink"] is None


def test_small_pages_switch(azure_env: AzureEnv) -> None:
    """The small_pages switch makes nextLink paging reachable with a handful of jobs."""
    azure_env.emulator.add_fault("stay_queued")
    azure_env.emulator.add_fault("small_pages", page_size=2)
    dp = DataPlane(azure_env)
    for _ in range(3):
        dp.submit("ionq.simulator")
    body = dp.call("GET", "/jobs", skip="0", top="100").json()
    assert len(body["value"]) == 2 and body["nextLink"]
    assert GUID.fullmatch(body["value"][0]["id"])


def test_wait_until_rejects_a_state_never_reached() -> None:
    """The tests' own poller fails instead of hanging."""
    with pytest.raises(AssertionError, match="never reached"):
        wait_until(lambda: False, timeout=0.1)
