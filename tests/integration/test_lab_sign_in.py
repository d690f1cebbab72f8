"""Lab mode end to end: the unmodified azure-identity browser and device-code credentials signing
a student in against the emulator's Entra endpoints, then a job on the lab's workspace; each way
a sign-in fails ends in a plain message naming the role and the lab's contact line."""

from __future__ import annotations

import os
import threading

import pytest
import qiskit  # noqa: F401  (first import on the main thread, before the emulator's warm-up thread)

from desktop_app.core.azure import credentials, lab, sign_in
from desktop_app.core.azure.credentials import LEAST_PRIVILEGE_ROLE
from desktop_app.core.azure.executor import AzureExecutor
from desktop_app.core.azure.polling import FAST_POLLING
from desktop_app.core.azure.profiles import DEVICE_CODE
from desktop_app.core.cancel import CancelToken
from desktop_app.core.request import RunRequest
from desktop_app.core.results import JobStatus
from tests.integration import lab_env as le

lab_env = le.lab_env
pytestmark = pytest.mark.azure

BELL = (
    'OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[2]; h q[0]; cx q[0],q[1]; '
    "measure q -> c;"
)


def _run(name: str):
    request = RunRequest(BELL, None, "ionq.simulator", 100, profile=name)
    executor = AzureExecutor(schedule=FAST_POLLING)
    return executor.run(request, CancelToken(), lambda *_: None)


def _approve_when_pending(emulator, approve: bool):
    """The student on their phone: approves (or denies) the code once it is shown."""
    shown = threading.Event()

    def prompt(url: str, code: str, _expires) -> None:
        assert url.startswith("https://127.0.0.1")
        shown.set()
        emulator.users.decide(code, approve, le.STUDENT)

    return prompt, shown


def _lab(env, tmp_path, **extra) -> lab.LabProfile:
    le.write_lab(tmp_path / "xdg-system", env, **extra)
    found = lab.load_lab()
    assert found is not None
    return found


def test_browser_sign_in_then_a_job_runs_as_the_student(lab_env, tmp_path):
    found = _lab(lab_env, tmp_path)
    assert found.profile.sign_in == "browser"
    assert sign_in.signed_in_as(found.profile) is None
    user = sign_in.sign_in(found.profile)  # the scripted browser follows the redirect
    assert user == le.STUDENT
    assert sign_in.signed_in_as(found.profile) == le.STUDENT
    result = _run(found.name)
    assert result.status is JobStatus.SUCCEEDED, result.error_message
    assert sum(result.counts.values()) == 100
    # the job went with the student's token, issued to azure-identity's public client
    (job_id,) = list(lab_env.emulator.world.job_clients)
    assert lab_env.emulator.job_client(job_id) == "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
    authorize = lab_env.emulator.requests_matching("aad", path_contains="authorize")
    assert authorize, "the browser flow went through /authorize"


def test_device_code_sign_in_then_a_job(lab_env, tmp_path):
    found = _lab(lab_env, tmp_path, sign_in=DEVICE_CODE)
    prompt, shown = _approve_when_pending(lab_env.emulator, True)
    assert sign_in.sign_in(found.profile, prompt) == le.STUDENT
    assert shown.is_set()
    result = _run(found.name)
    assert result.status is JobStatus.SUCCEEDED, result.error_message


def _explained(exc: BaseException, found: lab.LabProfile) -> str:
    return credentials.explain_error(exc, found.profile).message


def test_device_code_denied_is_said_plainly_with_role_and_contact(lab_env, tmp_path):
    found = _lab(lab_env, tmp_path, sign_in=DEVICE_CODE)
    prompt, _ = _approve_when_pending(lab_env.emulator, False)
    with pytest.raises(Exception) as caught:
        sign_in.sign_in(found.profile, prompt)
    message = _explained(caught.value, found)
    assert message.startswith("The sign-in was declined")
    assert LEAST_PRIVILEGE_ROLE in message and le.CONTACT in message
    assert sign_in.signed_in_as(found.profile) is None


def test_device_code_expired_is_said_plainly(lab_env, tmp_path):
    found = _lab(lab_env, tmp_path, sign_in=DEVICE_CODE)

    def prompt(_url, _code, _expires) -> None:
        lab_env.emulator.users.expire_device_codes()  # nobody entered it in time

    with pytest.raises(Exception) as caught:
        sign_in.sign_in(found.profile, prompt)
    message = _explained(caught.value, found)
    assert message.startswith("The sign-in code expired")
    assert LEAST_PRIVILEGE_ROLE in message and le.CONTACT in message


def test_revoked_refresh_token_asks_to_sign_in_again(lab_env, tmp_path):
    found = _lab(lab_env, tmp_path)
    # tokens that MSAL renews at once (under its 5-minute margin): every call uses the refresh token
    lab_env.emulator.set_token_lifetime(120)
    sign_in.sign_in(found.profile)
    lab_env.emulator.users.revoke(le.STUDENT)
    result = _run(found.name)
    assert result.status is JobStatus.FAILED
    message = result.error_message or ""
    assert "sign in" in message.lower()
    assert LEAST_PRIVILEGE_ROLE in message and le.CONTACT in message


def test_a_student_without_the_role_gets_the_role_and_the_contact(lab_env, tmp_path):
    found = _lab(lab_env, tmp_path)
    lab_env.emulator.users.accounts[le.STUDENT].authorized = False
    sign_in.sign_in(found.profile)
    result = _run(found.name)
    assert result.status is JobStatus.FAILED
    assert LEAST_PRIVILEGE_ROLE in (result.error_message or "")
    assert le.CONTACT in (result.error_message or "")
    assert "Traceback" not in (result.error_message or "")


def _run_in_worker(name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, list[str]]:
    """The window's way: the run in the Azure worker process, whose sign-in tokens come from
    this process (which signed in, its cache in memory only). Returns the result and the
    profiles this process handed a token for."""
    from desktop_app.core.azure import process

    asked: list[str] = []
    real = sign_in.relayed_token

    def spy(profile: str, scopes: tuple[str, ...], kwargs: dict) -> object:
        asked.append(profile)
        return real(profile, scopes, kwargs)

    monkeypatch.setattr(sign_in, "relayed_token", spy)
    request = RunRequest(BELL, None, "ionq.simulator", 100, profile=name)
    try:
        executor = process.AzureProcessExecutor(schedule=FAST_POLLING)
        result = executor.run(request, CancelToken(), lambda *_: None)
        assert process.worker_pid() not in (None, os.getpid())
    finally:
        process.shutdown_worker()
    return result, asked


def test_a_signed_in_run_from_the_window_runs_in_the_azure_worker(lab_env, tmp_path, monkeypatch):
    found = _lab(lab_env, tmp_path)
    sign_in.sign_in(found.profile)
    result, asked = _run_in_worker(found.name, monkeypatch)
    assert result.status is JobStatus.SUCCEEDED, result.error_message
    assert asked and set(asked) == {found.name}  # the worker asked this process for the token
    (job_id,) = list(lab_env.emulator.world.job_clients)
    assert lab_env.emulator.job_client(job_id) == "04b07795-8ddb-461a-bbee-02f9e1bf7b46"


def test_a_revoked_sign_in_fails_the_worker_run_in_plain_words(lab_env, tmp_path, monkeypatch):
    found = _lab(lab_env, tmp_path)
    lab_env.emulator.set_token_lifetime(120)  # every token call uses the refresh token
    sign_in.sign_in(found.profile)
    lab_env.emulator.users.revoke(le.STUDENT)
    result, asked = _run_in_worker(found.name, monkeypatch)
    assert result.status is JobStatus.FAILED and asked
    message = result.error_message or ""
    assert "sign in" in message.lower() and "Traceback" not in message
    assert LEAST_PRIVILEGE_ROLE in message and le.CONTACT in message
