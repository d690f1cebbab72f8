"""AzureExecutor end to end: the real profile/secret/credential code, the unmodified azure-quantum
SDK, the loopback emulator and Azurite."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import qiskit  # noqa: F401  (first import on the main thread, before the emulator's warm-up thread)

from desktop_app.core.azure import executor as azure_executor
from desktop_app.core.azure import session as azure_session
from desktop_app.core.azure.executor import AzureExecutor
from desktop_app.core.azure.job_recorder import AzureJobInfo
from desktop_app.core.azure.polling import FAST_POLLING
from desktop_app.core.azure.profiles import Profile, ProfileStore
from desktop_app.core.azure.secrets import default_secret_store
from desktop_app.core.cancel import Cancelled, CancelToken
from desktop_app.core.request import RunRequest
from desktop_app.core.results import JobStatus, RunResult

pytestmark = pytest.mark.azure

BELL = (
    'OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[2]; h q[0]; cx q[0],q[1]; '
    "measure q -> c;"
)
PROFILE = "lab"


@dataclass
class Recorder:
    """A JobRecorder that also checks the job did not exist in the service when it was created."""

    emulator: object
    created: list[AzureJobInfo] = field(default_factory=list)
    existed_before_submit: list[bool] = field(default_factory=list)
    statuses: list[tuple[str, JobStatus, str]] = field(default_factory=list)
    finished: list[tuple[str, RunResult, dict]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def job_created(self, info: AzureJobInfo) -> None:
        with self.lock:
            self.created.append(info)
            self.existed_before_submit.append(self.emulator.job(info.job_id) is not None)

    def job_status(self, job_id: str, status: JobStatus, azure_status: str) -> None:
        with self.lock:
            self.statuses.append((job_id, status, azure_status))

    def job_finished(self, job_id: str, result: RunResult, details) -> None:
        with self.lock:
            self.finished.append((job_id, result, dict(details)))


def _profile(env, *, resource_id: str | None = None, secret: str | None = None) -> Profile:
    profile = Profile(
        name=PROFILE,
        resource_id=resource_id or env.resource_id,
        location=env.location,
        tenant_id=env.tenant_id,
        client_id=env.client_id,
        authority_host=env.authority,
        arm_endpoint=env.arm_endpoint,
    ).validated()
    ProfileStore().create(profile, allow_custom_endpoints=True)  # the loopback emulator
    default_secret_store().set(profile, secret or env.client_secret)
    return profile


@pytest.fixture
def env(azure_env):
    azure_session.forget_credentials()  # tokens of an earlier test are gone from the emulator
    azure_env.emulator.clear_faults()  # a fault an earlier test left on would answer for ours
    yield azure_env
    azure_env.emulator.clear_faults()
    azure_session.forget_credentials()
    default_secret_store().delete(PROFILE)


def _request(backend: str, shots: int = 1000, source: str = BELL) -> RunRequest:
    return RunRequest(source, "bell.qasm", backend, shots, profile=PROFILE)


def _run(request: RunRequest, recorder=None, cancel: CancelToken | None = None) -> RunResult:
    executor = AzureExecutor(recorder=recorder, schedule=FAST_POLLING)
    return executor.run(request, cancel or CancelToken(), lambda message, fraction: None)


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        threading.Event().wait(0.02)


def test_bell_on_three_targets_at_once(env):
    _profile(env)
    recorder = Recorder(env.emulator)
    targets = ("ionq.simulator", "quantinuum.sim.h2-1e", "rigetti.sim.qvm")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {t: pool.submit(_run, _request(t), recorder) for t in targets}
        results = {t: f.result(timeout=120) for t, f in futures.items()}

    ionq = results["ionq.simulator"]
    assert ionq.status is JobStatus.SUCCEEDED and ionq.exact
    assert ionq.probabilities == pytest.approx({"00": 0.5, "11": 0.5})
    assert ionq.counts == {"00": 500, "11": 500}
    rigetti = results["rigetti.sim.qvm"]  # ideal simulator, sampled
    assert rigetti.status is JobStatus.SUCCEEDED and not rigetti.exact
    assert set(rigetti.counts) <= {"00", "11"} and sum(rigetti.counts.values()) == 1000
    assert 350 < rigetti.counts["00"] < 650
    quantinuum = results["quantinuum.sim.h2-1e"]  # noisy emulator
    assert quantinuum.status is JobStatus.SUCCEEDED and sum(quantinuum.counts.values()) == 1000
    assert quantinuum.counts.get("00", 0) + quantinuum.counts.get("11", 0) > 900
    assert min(quantinuum.counts["00"], quantinuum.counts["11"]) > 350

    # Each job id was known (recorded) before the service had the job, and is the service's id.
    assert len(recorder.created) == 3 and recorder.existed_before_submit == [False] * 3
    for info in recorder.created:
        job = env.emulator.job(info.job_id)
        assert job is not None and job["target"] == info.backend
        assert job["status"] == "Succeeded"
        assert results[info.backend].job_id == info.job_id
        # named as a local run of the same file is, in the ledger and at Azure
        assert info.name == job["name"] == _request(info.backend).job_name == "bell.qasm"
    assert {s for _, s, _ in recorder.statuses} >= {JobStatus.WAITING, JobStatus.SUCCEEDED}
    paid = next(d for _, r, d in recorder.finished if r.backend == "quantinuum.sim.h2-1e")
    assert paid["cost_estimate"] is not None
    assert all(r.timings["total"] > 0 and "execution" in r.timings for r in results.values())


def test_cancel_a_queued_job(env):
    _profile(env)
    env.emulator.add_fault("stay_queued", target="ionq.simulator")
    recorder = Recorder(env.emulator)
    cancel = CancelToken()
    outcome: list[BaseException | RunResult] = []

    def work() -> None:
        try:
            outcome.append(_run(_request("ionq.simulator"), recorder, cancel))
        except BaseException as exc:  # the test inspects it
            outcome.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    _wait_for(lambda: any(s is JobStatus.WAITING for _, s, _ in recorder.statuses))
    job_id = recorder.created[0].job_id
    cancel.cancel()
    thread.join(60)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    assert env.emulator.job(job_id)["status"] == "Cancelled"
    assert env.emulator.requests_matching(role="dp", method="POST", path_contains="cancel")
    assert recorder.finished[-1][1].status is JobStatus.CANCELLED


def test_wrong_secret_is_a_plain_failure(env):
    _profile(env, secret="not-the-secret")
    result = _run(_request("ionq.simulator"))
    assert result.status is JobStatus.FAILED
    assert "client secret" in result.error_message and "not-the-secret" not in result.error_message
    assert result.error_code.startswith("AADSTS")
    assert result.job_id is None


def test_missing_workspace_is_a_plain_failure(env):
    missing = env.resource_id.rsplit("/", 1)[0] + "/no-such-workspace"
    _profile(env, resource_id=missing)
    result = _run(_request("rigetti.sim.qvm"))
    assert result.status is JobStatus.FAILED
    assert "no-such-workspace" in result.error_message and "not found" in result.error_message
    assert "Traceback" not in result.error_message


def test_unavailable_target_is_a_plain_failure(env):
    _profile(env)
    env.emulator.set_target("ionq.simulator", availability="Unavailable")
    result = _run(_request("ionq.simulator"))
    assert result.status is JobStatus.FAILED and result.error_code == "TargetUnavailable"
    assert "Unavailable" in result.error_message and "try again later" in result.error_message
    assert not env.emulator.requests_matching(role="dp", method="PUT", path_contains="/jobs/")


def test_transient_errors_while_polling_do_not_fail_the_job(env):
    _profile(env)
    emulator = env.emulator
    emulator.set_target("ionq.simulator", queue_seconds=1.5)
    jobs = r"/jobs/[0-9a-f-]+$"
    faults = [
        emulator.add_fault("status", role="dp", method="GET", path=jobs, status=503, count=2),
        emulator.add_fault(
            "status", role="dp", method="GET", path=jobs, status=429, retry_after=0.3, count=2
        ),
        emulator.add_fault("drop", role="dp", method="GET", path=jobs, count=1),
    ]
    result = _run(_request("ionq.simulator"))
    assert result.status is JobStatus.SUCCEEDED
    assert result.probabilities == pytest.approx({"00": 0.5, "11": 0.5})
    assert [f.hits for f in faults] == [2, 2, 1]


def test_expiring_tokens_are_renewed_while_polling(env):
    _profile(env)
    env.emulator.set_token_lifetime(1)  # azure-core renews any token this close to expiry
    env.emulator.set_target("rigetti.sim.qvm", queue_seconds=1.0, execution_seconds=1.0)
    result = _run(_request("rigetti.sim.qvm", shots=100))
    assert result.status is JobStatus.SUCCEEDED
    assert sum(result.counts.values()) == 100
    token_requests = env.emulator.requests_matching(role="aad", method="POST")
    assert len(token_requests) >= 3


def test_missing_output_blob_is_fetched_again(env):
    """BlobNotFound on the first download: the job is re-fetched and the result arrives."""
    from azure.storage.blob import BlobServiceClient

    _profile(env)
    env.emulator.add_fault("missing_output", target="ionq.simulator", count=1)
    emulator = env.emulator
    uploaded = threading.Event()

    class LateUpload(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "re-fetching the job" not in record.getMessage() or uploaded.is_set():
                return
            job_id = record.args[0]
            container = emulator.job(job_id)["containerUri"].split("?")[0].rsplit("/", 1)[1]
            blobs = BlobServiceClient.from_connection_string(emulator.azurite.connection_string)
            blobs.get_blob_client(container, "rawOutputData").upload_blob(
                b'{"histogram": {"0": 0.25, "3": 0.75}}', overwrite=True
            )
            uploaded.set()

    handler = LateUpload(level=logging.INFO)
    logger = logging.getLogger(azure_executor.__name__)
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        result = _run(_request("ionq.simulator"))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
    assert uploaded.is_set()
    assert result.status is JobStatus.SUCCEEDED
    assert result.probabilities == pytest.approx({"00": 0.25, "11": 0.75})


def test_failed_job_carries_the_service_error_and_a_hint(env):
    _profile(env)
    env.emulator.add_fault(
        "job_fail",
        target="rigetti.sim.qvm",
        code="QuotaExceeded",
        message="The provider quota for this workspace is exhausted",
    )
    result = _run(_request("rigetti.sim.qvm"))
    assert result.status is JobStatus.FAILED and result.error_code == "QuotaExceeded"
    assert result.error_message.startswith("The provider quota for this workspace is exhausted.")
    assert "What to do:" in result.error_message and "quota" in result.error_message.lower()
    assert result.job_id is not None


def test_cancel_a_running_job(env):
    _profile(env)
    env.emulator.set_target("rigetti.sim.qvm", execution_seconds=60)
    recorder = Recorder(env.emulator)
    cancel = CancelToken()
    outcome: list[BaseException | RunResult] = []

    def work() -> None:
        try:
            outcome.append(_run(_request("rigetti.sim.qvm"), recorder, cancel))
        except BaseException as exc:  # the test inspects it
            outcome.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    _wait_for(lambda: any(s is JobStatus.EXECUTING for _, s, _ in recorder.statuses))
    cancel.cancel()
    thread.join(60)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    assert env.emulator.job(recorder.created[0].job_id)["status"] == "Cancelled"


def test_resume_follows_a_job_submitted_earlier(env):
    """A job submitted in an earlier session (its readout in the job metadata) is picked up."""
    from azure.identity import ClientSecretCredential
    from azure.quantum import Job, Workspace
    from qiskit import qasm2

    from desktop_app.core.azure.translate import translate

    _profile(env)
    circuit = qasm2.loads(
        'OPENQASM 2.0; include "qelib1.inc"; qreg q[3]; creg c[2]; x q[2]; h q[0];'
        "measure q[2] -> c[0]; measure q[0] -> c[1];"
    )
    translation = translate(circuit, "ionq.simulator")
    credential = ClientSecretCredential(
        env.tenant_id,
        env.client_id,
        env.client_secret,
        authority=env.authority,
        disable_instance_discovery=True,
    )
    workspace = Workspace(
        resource_id=env.resource_id,
        location=env.location,
        credential=credential,
        arm_endpoint=env.arm_endpoint,
    )
    job_id = Job.create_job_id()
    workspace.get_targets("ionq.simulator").submit(
        input_data=translation.input_data,
        shots=100,
        job_id=job_id,
        metadata=translation.metadata(),
    )
    recorder = Recorder(env.emulator)
    result = AzureExecutor(recorder=recorder, schedule=FAST_POLLING).resume(
        job_id, _request("ionq.simulator", shots=100), CancelToken(), lambda m, f: None
    )
    assert result.status is JobStatus.SUCCEEDED and result.job_id == job_id
    assert result.probabilities == pytest.approx({"01": 0.5, "11": 0.5})
    assert recorder.finished[0][0] == job_id


def test_tokens_revoked_by_the_service_while_polling_are_replaced(env):
    """A token the service stops accepting (401) mid-job: a fresh one is fetched, the job goes on"""
    _profile(env)
    env.emulator.set_target("ionq.simulator", queue_seconds=1.0)
    recorder = Recorder(env.emulator)
    outcome: list[RunResult] = []
    thread = threading.Thread(
        target=lambda: outcome.append(_run(_request("ionq.simulator"), recorder))
    )
    thread.start()
    _wait_for(lambda: any(s is JobStatus.WAITING for _, s, _ in recorder.statuses))
    env.emulator.expire_tokens()
    thread.join(60)
    assert outcome and outcome[0].status is JobStatus.SUCCEEDED, outcome
    assert outcome[0].probabilities == pytest.approx({"00": 0.5, "11": 0.5})


def test_canary_secret_is_in_no_file_and_no_log_record(env, caplog, isolated_user_dirs):
    canary = "CANARY-s3cr3t-7f1d2e9a"
    env.emulator.add_principal("33333333-3333-3333-3333-333333333333", canary)
    profile = Profile(
        name=PROFILE,
        resource_id=env.resource_id,
        location=env.location,
        tenant_id=env.tenant_id,
        client_id="33333333-3333-3333-3333-333333333333",
        authority_host=env.authority,
        arm_endpoint=env.arm_endpoint,
    ).validated()
    ProfileStore().create(profile, allow_custom_endpoints=True)  # the loopback emulator
    default_secret_store().set(profile, canary)
    caplog.set_level(logging.DEBUG)
    good = _run(_request("ionq.simulator"))
    assert good.status is JobStatus.SUCCEEDED
    default_secret_store().set(profile, canary + "-wrong")
    azure_session.forget_credentials()
    bad = _run(_request("ionq.simulator"))
    assert bad.status is JobStatus.FAILED and canary not in (bad.error_message or "")
    assert caplog.records, "nothing was logged: the check below would prove nothing"
    for record in caplog.records:
        assert canary not in record.getMessage(), record.name
    for path in isolated_user_dirs.rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes(), path
