"""Submit-to-result wall time of one ionq.simulator Bell job: AzureExecutor vs a plain SDK script.

Both talk to the same loopback emulator + Azurite and reuse one credential (tokens cached). The app
side is `AzureExecutor.run` with its production poll schedule, from OpenQASM text to a normalized
RunResult (translation, workspace, target, upload, PUT, polls, download); the SDK side is what a
user would type: `Workspace(...)`, `get_targets("ionq.simulator").submit(ionq_json)`,
`wait_until_completed()`, `get_results()`. Goal: median ratio <= 1.1.

Run: `.venv/bin/python tests/bench/bench_azure_submit.py [ROUNDS]` or
`.venv/bin/pytest tests/bench/bench_azure_submit.py -m bench -s`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QDK_PYTHON_TELEMETRY", "none")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

BELL = (
    'OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[2]; h q[0]; cx q[0],q[1]; '
    "measure q -> c;"
)
BELL_IONQ = {
    "gateset": "qis",
    "qubits": 2,
    "circuit": [{"gate": "h", "targets": [0]}, {"gate": "x", "targets": [1], "controls": [0]}],
}
SHOTS = 1000
GOAL = 1.1


def _setup(root: Path) -> tuple[Any, Any, Any]:
    for var, sub in (
        ("QUANTUM_DESK_CONFIG_DIR", "config"),
        ("QUANTUM_DESK_DATA_DIR", "data"),
        ("QUANTUM_DESK_CACHE_DIR", "cache"),
    ):
        os.environ[var] = str(root / sub)
    from tests.azure_emulator.server import start_all

    emulator, azurite, _ = start_all(root / "emulator")
    info = emulator.info
    os.environ["REQUESTS_CA_BUNDLE"] = info.ca_bundle
    from desktop_app.core.azure.profiles import Profile, ProfileStore
    from desktop_app.core.azure.secrets import default_secret_store

    profile = Profile(
        name="bench",
        resource_id=info.resource_id,
        location=info.location,
        tenant_id=info.tenant_id,
        client_id=info.client_id,
        authority_host=info.authority,
        arm_endpoint=info.arm_endpoint,
    ).validated()
    ProfileStore().create(profile, allow_custom_endpoints=True)  # the loopback emulator
    default_secret_store().set(profile, info.client_secret)
    return emulator, azurite, info


def _app_run() -> float:
    from desktop_app.core.azure.executor import AzureExecutor
    from desktop_app.core.cancel import CancelToken
    from desktop_app.core.request import RunRequest
    from desktop_app.core.results import JobStatus

    start = time.perf_counter()
    result = AzureExecutor().run(
        RunRequest(BELL, "bell.qasm", "ionq.simulator", SHOTS, profile="bench"),
        CancelToken(),
        lambda message, fraction: None,
    )
    elapsed = time.perf_counter() - start
    assert result.status is JobStatus.SUCCEEDED and result.counts == {"00": 500, "11": 500}
    return elapsed


def _sdk_run(info: Any, credential: Any) -> float:
    from azure.quantum import Workspace

    start = time.perf_counter()
    workspace = Workspace(
        resource_id=info.resource_id,
        location=info.location,
        credential=credential,
        arm_endpoint=info.arm_endpoint,
    )
    target = workspace.get_targets("ionq.simulator")
    job = target.submit(BELL_IONQ, name="bench", shots=SHOTS)
    job.wait_until_completed(print_progress=False)
    results = job.get_results()
    elapsed = time.perf_counter() - start
    assert set(results["histogram"]) == {"0", "3"}, results
    return elapsed


def measure(rounds: int = 10) -> dict[str, float]:
    from azure.identity import ClientSecretCredential

    from tests.azure_emulator.server import stop_all

    with tempfile.TemporaryDirectory(prefix="bench-azure-") as tmp:
        emulator, azurite, info = _setup(Path(tmp))
        try:
            credential = ClientSecretCredential(
                info.tenant_id,
                info.client_id,
                info.client_secret,
                authority=info.authority,
                disable_instance_discovery=True,
            )
            _app_run(), _sdk_run(info, credential)  # warm-up: imports, first token, TLS
            app, sdk = [], []
            for _ in range(rounds):  # interleaved, so drift on a shared machine hits both
                app.append(_app_run())
                sdk.append(_sdk_run(info, credential))
        finally:
            stop_all(emulator, azurite)
    figures = {
        "app_median_s": statistics.median(app),
        "sdk_median_s": statistics.median(sdk),
        "app_min_s": min(app),
        "sdk_min_s": min(sdk),
    }
    figures["ratio"] = figures["app_median_s"] / figures["sdk_median_s"]
    return figures


def report(figures: dict[str, float]) -> str:
    return (
        f"ionq.simulator Bell, {SHOTS} shots, submit-to-result: "
        f"app {figures['app_median_s']:.3f} s (min {figures['app_min_s']:.3f}), "
        f"plain SDK {figures['sdk_median_s']:.3f} s (min {figures['sdk_min_s']:.3f}), "
        f"ratio {figures['ratio']:.2f}x (goal <= {GOAL}x)"
    )


@pytest.mark.bench
def test_azure_submit_to_result_ratio() -> None:
    figures = measure()
    print(report(figures))
    assert figures["ratio"] <= GOAL, report(figures)


if __name__ == "__main__":
    print(report(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10)))
