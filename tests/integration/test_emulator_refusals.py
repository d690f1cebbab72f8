"""The emulator's switches for the service's refusals and rarer states, driven through the
unmodified azure-quantum SDK (and its admin endpoint), plus a plain SDK script that uses the
SDK's own IonQ, Quantinuum and Rigetti target classes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from tests.azure_emulator.fixtures import AzureEnv
from tests.integration.emulator_wire import wait_until
from tests.integration.test_emulator_sdk import BELL_IONQ, BELL_QASM, BELL_QUIL, workspace

pytestmark = pytest.mark.azure


def _admin(env: AzureEnv, method: str, path: str, body: object = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(env.admin_endpoint + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
    return json.loads(raw) if raw else None


def test_target_unavailable_switch(azure_env: AzureEnv) -> None:
    """Admin endpoint: a submit to the target gets 409 TargetUnavailable; the SDK raises
    ResourceExistsError (azure-core's class for 409) and no job exists."""
    from azure.core.exceptions import ResourceExistsError

    fault = _admin(azure_env, "POST", "/faults", {"kind": "target_unavailable", "target": "ionq.*"})
    target = workspace(azure_env).get_targets("ionq.simulator")
    with pytest.raises(ResourceExistsError) as refused:
        target.submit(BELL_IONQ)
    assert refused.value.status_code == 409 and refused.value.error.code == "TargetUnavailable"
    assert azure_env.emulator.world.jobs == {}
    assert isinstance(fault, dict)
    _admin(azure_env, "DELETE", f"/faults/{fault['id']}")
    assert target.submit(BELL_IONQ).get_results()["histogram"]


def test_target_unavailable_by_availability(azure_env: AzureEnv) -> None:
    """PATCH /targets/{id} {"availability": "Unavailable"}: get_targets shows it, submits 409."""
    from azure.core.exceptions import ResourceExistsError

    _admin(azure_env, "PATCH", "/targets/rigetti.sim.qvm", {"availability": "Unavailable"})
    target = workspace(azure_env).get_targets("rigetti.sim.qvm")
    assert target._current_availability == "Unavailable"
    with pytest.raises(ResourceExistsError):
        target.submit(BELL_QUIL)


def test_provider_not_enabled_switch(azure_env: AzureEnv) -> None:
    """The fault keeps the target listed (the app can pick it) but the submit gets 403
    InvalidJobDefinition; disabling the provider removes it from providerStatus too."""
    from azure.core.exceptions import HttpResponseError

    azure_env.emulator.add_fault("provider_not_enabled", target="quantinuum.sim.h2-1sc", count=1)
    target = workspace(azure_env).get_targets("quantinuum.sim.h2-1sc")
    with pytest.raises(HttpResponseError) as refused:
        target.submit(BELL_QASM)
    assert refused.value.status_code == 403
    assert refused.value.error.code == "InvalidJobDefinition"
    assert "not enabled for the workspace" in refused.value.error.message
    assert target.submit(BELL_QASM, shots=5).get_results() == {"c": ["00"] * 5}  # count=1 used

    _admin(azure_env, "PATCH", "/providers/quantinuum", {"enabled": False})
    names = {t.name for t in workspace(azure_env).get_targets()}
    assert names and not any(n.startswith("quantinuum.") for n in names)


def test_session_terminal_switch_and_timed_out_session(azure_env: AzureEnv) -> None:
    """A job into a session the service considers finished: 400 InvalidJobDefinition, from the
    session_terminal fault or from a session forced TimedOut through the admin endpoint."""
    from azure.core.exceptions import HttpResponseError

    ws = workspace(azure_env)
    target = ws.get_targets("ionq.simulator")
    azure_env.emulator.add_fault("session_terminal", target="ionq.simulator", count=1)
    with target.open_session(name="refused") as session:
        with pytest.raises(HttpResponseError) as refused:
            target.submit(BELL_IONQ)
        assert refused.value.status_code == 400
        assert "terminal state" in refused.value.error.message
        assert target.submit(BELL_IONQ).get_results()["histogram"]  # the fault was used up
        _admin(azure_env, "PATCH", f"/sessions/{session.id}", {"status": "TimedOut"})
        session.refresh()
        assert session.details.status == "TimedOut"
        with pytest.raises(HttpResponseError) as timed_out:
            target.submit(BELL_IONQ)
        assert timed_out.value.status_code == 400


def test_job_stuck_in_finishing(azure_env: AzureEnv) -> None:
    """stay_finishing: the SDK sees Finishing (not completed) until the switch is removed."""
    emulator = azure_env.emulator
    fault = emulator.add_fault("stay_finishing", target="ionq.simulator")
    job = workspace(azure_env).get_targets("ionq.simulator").submit(BELL_IONQ)

    def finishing() -> bool:
        job.refresh()
        return job.details.status == "Finishing"

    wait_until(finishing)
    assert not job.has_completed()
    with pytest.raises(TimeoutError):
        job.wait_until_completed(timeout_secs=0.5)
    emulator.remove_fault(fault)
    assert job.get_results()["histogram"]
    assert job.details.status == "Succeeded"


def test_cancellation_in_progress(azure_env: AzureEnv) -> None:
    """slow_cancel: Workspace.cancel_job returns the job CancellationRequested with
    isCancelling true; it moves to Cancelling, and to Cancelled once the switch is removed."""
    emulator = azure_env.emulator
    emulator.add_fault("stay_queued", target="ionq.simulator")
    slow = emulator.add_fault("slow_cancel", target="ionq.simulator")
    ws = workspace(azure_env)
    job = ws.get_targets("ionq.simulator").submit(BELL_IONQ)
    cancelled = ws.cancel_job(job)
    assert cancelled.details.status == "CancellationRequested"
    assert cancelled.details["isCancelling"] is True

    def cancelling() -> bool:
        job.refresh()
        return job.details.status == "Cancelling"

    wait_until(cancelling)
    assert not job.has_completed()
    emulator.remove_fault(slow)
    job.wait_until_completed(timeout_secs=30)
    assert job.details.status == "Cancelled"


def test_small_pages_switch_through_the_sdk(azure_env: AzureEnv) -> None:
    """small_pages: list_jobs follows nextLink over several pages and still sees every job."""
    emulator = azure_env.emulator
    emulator.add_fault("stay_queued")
    _admin(azure_env, "POST", "/faults", {"kind": "small_pages", "page_size": 2})
    ws = workspace(azure_env)
    target = ws.get_targets("ionq.simulator")
    submitted = {target.submit(BELL_IONQ, name=f"page-{i}").id for i in range(5)}
    assert {job.id for job in ws.list_jobs()} == submitted
    assert len(emulator.requests_matching("dp", "GET", "/jobs")) >= 3


SDK_SCRIPT = """
import json, sys
from azure.identity import ClientSecretCredential
from azure.quantum import Workspace
from azure.quantum.target import IonQ, Quantinuum, Rigetti
from azure.quantum.target.rigetti import InputParams

env = json.loads(sys.argv[1])
credential = ClientSecretCredential(
    env["tenant_id"], env["client_id"], env["client_secret"],
    authority=env["authority"], disable_instance_discovery=True,
)
ws = Workspace(resource_id=env["resource_id"], location=env["location"],
               credential=credential, arm_endpoint=env["arm_endpoint"])
ionq = IonQ(ws, name="ionq.simulator").submit(env["ionq"], name="script-ionq", shots=100)
quantinuum = Quantinuum(ws, name="quantinuum.sim.h2-1sc").submit(
    env["qasm"], name="script-quantinuum", shots=10)
params = InputParams(count=10)
rigetti = Rigetti(ws, name="rigetti.sim.qvm").submit(
    env["quil"], name="script-rigetti", input_params=params)
print(json.dumps({
    "ionq": ionq.get_results(), "quantinuum": quantinuum.get_results(),
    "rigetti": rigetti.get_results(),
    "providers": [ionq.details.provider_id, quantinuum.details.provider_id,
                  rigetti.details.provider_id],
}))
"""


def test_plain_sdk_script_with_the_sdk_target_classes(azure_env: AzureEnv, tmp_path: Path) -> None:
    """A user's script: azure.quantum.target.IonQ (which sends providerId "IonQ"), Quantinuum and
    Rigetti, each submitting its own format, in a fresh Python process."""
    script = tmp_path / "sdk_script.py"
    script.write_text(textwrap.dedent(SDK_SCRIPT))
    env = {
        **azure_env.emulator.info.to_json(),
        "ionq": BELL_IONQ,
        "qasm": BELL_QASM,
        "quil": BELL_QUIL,
    }
    done = subprocess.run(
        [sys.executable, str(script), json.dumps(env)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "QDK_PYTHON_TELEMETRY": "none"},
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]  # get_results() prints progress dots first
    result = json.loads(last[last.index("{") :])
    assert result["ionq"]["histogram"] == pytest.approx({"0": 0.5, "3": 0.5})
    assert result["quantinuum"] == {"c": ["00"] * 10}
    assert len(result["rigetti"]["ro"]) == 10
    assert all(shot in ([0, 0], [1, 1]) for shot in result["rigetti"]["ro"])
    assert result["providers"] == ["ionq", "quantinuum", "rigetti"]
