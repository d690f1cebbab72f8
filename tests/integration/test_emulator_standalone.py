"""``python -m tests.azure_emulator``: one JSON line, usable by the SDK; SIGTERM stops Azurite."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.azure
ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "authority",
    "arm_endpoint",
    "ca_bundle",
    "tenant_id",
    "client_id",
    "client_secret",
    "subscription_id",
    "resource_group",
    "workspace",
    "resource_id",
    "location",
    "admin_endpoint",
}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes; /proc tells them apart.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_standalone_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.identity import ClientSecretCredential
    from azure.quantum import Workspace

    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.azure_emulator"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        info = json.loads(line)
        assert set(info) == KEYS
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", info["ca_bundle"])
        cred = ClientSecretCredential(
            info["tenant_id"],
            info["client_id"],
            info["client_secret"],
            authority=info["authority"],
            disable_instance_discovery=True,
        )
        ws = Workspace(
            resource_id=info["resource_id"],
            location=info["location"],
            credential=cred,
            arm_endpoint=info["arm_endpoint"],
        )
        job = ws.get_targets("ionq.simulator").submit(
            {"qubits": 1, "circuit": [{"gate": "x", "targets": [0]}]}, shots=10
        )
        assert job.get_results()["histogram"] == {"1": 1.0}
        children = subprocess.run(
            ["ps", "-o", "pid=,args=", "--ppid", str(proc.pid)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        azurite_pids = [int(row.split()[0]) for row in children.splitlines() if "azurite" in row]
        assert len(azurite_pids) == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        assert proc.stdout.read() == ""  # exactly one line on stdout
        assert _wait(lambda: not _pid_alive(azurite_pids[0]), 10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
