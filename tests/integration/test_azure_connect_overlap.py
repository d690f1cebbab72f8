"""AzureExecutor signs in, opens the workspace and reads the target while the program is being
translated (the first job of a process waits for the service during qiskit's imports, issue 16):
the overlap is real, a failed translation does not wait for the connection and never submits,
and a failed connection is reported once the translation is done. Emulator + Azurite."""

from __future__ import annotations

import threading
import time

import pytest

from desktop_app.core.azure.executor import AzureExecutor
from desktop_app.core.azure.polling import FAST_POLLING
from desktop_app.core.azure.translate import Translation, translate
from desktop_app.core.cancel import CancelToken
from desktop_app.core.errors import UserInputError
from desktop_app.core.request import RunRequest
from desktop_app.core.results import JobStatus
from tests.integration.test_azure_run_emulator import _profile, _request, env  # noqa: F401

pytestmark = pytest.mark.azure


def _wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not in time"
        threading.Event().wait(0.02)


def _executor(translator) -> AzureExecutor:
    executor = AzureExecutor(schedule=FAST_POLLING)
    executor.translator = translator
    return executor


def _no_progress(message: str, fraction: float | None) -> None:
    pass


def test_the_target_is_read_while_the_program_is_translated(env):  # noqa: F811
    _profile(env)
    emulator = env.emulator

    def translator(request: RunRequest, cancel: CancelToken) -> Translation:
        # Done only once the service was asked for the workspace's targets: were the connection
        # made after the translation, this would wait in vain.
        _wait_for(
            lambda: emulator.requests_matching("dp", "GET", "providerStatus"),
            "the target list read during the translation",
        )
        return translate(request.parsed().circuit, request.backend)

    result = _executor(translator).run(_request("ionq.simulator"), CancelToken(), _no_progress)
    assert result.status is JobStatus.SUCCEEDED
    assert result.counts == {"00": 500, "11": 500}
    assert len(emulator.requests_matching("dp", "PUT", "/jobs/")) == 1


def test_a_failed_translation_neither_waits_for_the_connection_nor_submits(env):  # noqa: F811
    _profile(env)
    emulator = env.emulator
    slow = emulator.add_fault("latency", role="aad", method="POST", delay=3.0, count=1)

    def translator(request: RunRequest, cancel: CancelToken) -> Translation:
        _wait_for(lambda: slow.hits == 1, "the sign-in to reach the service")
        raise UserInputError("this program cannot run on ionq.simulator")

    with pytest.raises(UserInputError, match=r"cannot run on ionq\.simulator"):
        _executor(translator).run(_request("ionq.simulator"), CancelToken(), _no_progress)
    # the error came while the sign-in was still held up at the service (answered after 3 s)
    assert emulator.requests_matching("aad", "POST") == []
    # the abandoned connection goes on to read the target, then closes: nothing is submitted
    _wait_for(
        lambda: emulator.requests_matching("dp", "GET", "providerStatus"),
        "the abandoned connection to end",
    )
    assert emulator.requests_matching("dp", "PUT") == []


def test_a_failed_connection_is_said_after_the_translation(env):  # noqa: F811
    _profile(env, secret="not-the-secret")
    translated = threading.Event()

    def translator(request: RunRequest, cancel: CancelToken) -> Translation:
        translation = translate(request.parsed().circuit, request.backend)
        translated.set()
        return translation

    result = _executor(translator).run(_request("ionq.simulator"), CancelToken(), _no_progress)
    assert translated.is_set()
    assert result.status is JobStatus.FAILED
    assert "secret" in (result.error_message or "").lower()
    assert env.emulator.requests_matching("dp", "PUT") == []
