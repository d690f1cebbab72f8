"""Raw HTTPS helpers for the conformance tests: talk to the emulator the way the SDK does, but
keep every status code, header and JSON field in view."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from tests.azure_emulator.fixtures import AzureEnv

SDK_API_VERSION = "2026-01-15-preview"  # what azure-quantum 3.13 sends
RECORDED_API_VERSION = "2025-12-01-preview"  # the recordings at 36e339b6e8d8
GUID = re.compile(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}")
# .NET's round-trip format: seven fractional digits and an offset.
SERVICE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$")
SESSION_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")
EXECUTION_TIME = {
    "ionq": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"),
    "rigetti": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$"),
    "quantinuum": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$"),
}

BELL_IONQ = {
    "qubits": 2,
    "circuit": [{"gate": "h", "targets": [0]}, {"gate": "cnot", "control": 0, "target": 1}],
}
BELL_QASM = (
    'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n'
    "measure q[0] -> c[0];\nmeasure q[1] -> c[1];\n"
)
BELL_QUIL = "DECLARE ro BIT[2]\nH 0\nCNOT 0 1\nMEASURE 0 ro[0]\nMEASURE 1 ro[1]\n"
# (provider id as the SDK's target classes send it, input format, output format, content type,
# program) per family.
FAMILIES: dict[str, tuple[str, str, str, str, bytes]] = {
    "ionq.simulator": (
        "IonQ",
        "ionq.circuit.v1",
        "ionq.quantum-results.v1",
        "application/json",
        json.dumps(BELL_IONQ).encode(),
    ),
    "quantinuum.sim.h2-1e": (
        "quantinuum",
        "honeywell.openqasm.v1",
        "honeywell.quantum-results.v1",
        "application/qasm",
        BELL_QASM.encode(),
    ),
    "quantinuum.sim.h2-1sc": (
        "quantinuum",
        "honeywell.openqasm.v1",
        "honeywell.quantum-results.v1",
        "application/qasm",
        BELL_QASM.encode(),
    ),
    "rigetti.sim.qvm": (
        "rigetti",
        "rigetti.quil.v1",
        "rigetti.quil-results.v1",
        "text/plain",
        BELL_QUIL.encode(),
    ),
}


def token(env: AzureEnv, scope: str = "https://quantum.microsoft.com/.default") -> str:
    from azure.identity import ClientSecretCredential

    cred = ClientSecretCredential(
        env.tenant_id,
        env.client_id,
        env.client_secret,
        authority=env.authority,
        disable_instance_discovery=True,
    )
    return cred.get_token(scope).token


class DataPlane:
    """Bearer-authenticated calls on the emulated workspace's data plane."""

    def __init__(self, env: AzureEnv, bearer: str | None = None) -> None:
        self.env = env
        self.base = env.emulator.data_plane_url.rstrip("/") + env.resource_id
        self.bearer = bearer if bearer is not None else token(env)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        api_version: str | None = SDK_API_VERSION,
        headers: dict[str, str] | None = None,
        **params: str,
    ) -> Any:
        import requests

        query = dict(params)
        if api_version is not None:
            query["api-version"] = api_version
        all_headers = {"Authorization": f"Bearer {self.bearer}", **(headers or {})}
        return requests.request(
            method,
            self.base + path,
            params=query,
            json=body,
            headers=all_headers,
            timeout=20,
        )

    def container(self, job_id: str, api_version: str = SDK_API_VERSION) -> str:
        answer = self.call(
            "POST", "/storage/sasUri", {"containerName": f"job-{job_id}"}, api_version=api_version
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["sasUri"])

    def job_body(
        self,
        family: str,
        job_id: str,
        program: bytes | None = None,
        content_type: str | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        """Upload the family's program (or ``program``) and return the job body the SDK would
        PUT for it; ``overrides`` replace body fields (None removes one)."""
        from azure.storage.blob import ContainerClient, ContentSettings

        provider, in_fmt, out_fmt, default_type, default_program = FAMILIES[family]
        program = default_program if program is None else program
        content_type = content_type or default_type
        container_uri = self.container(job_id)
        client = ContainerClient.from_container_url(container_uri)
        client.get_blob_client("inputData").upload_blob(
            program, content_settings=ContentSettings(content_type=content_type)
        )
        body = {
            "itemType": "Job",
            "name": f"conformance-{family}",
            "containerUri": container_uri,
            "inputDataFormat": in_fmt,
            "outputDataFormat": out_fmt,
            "inputDataUri": container_uri.split("?")[0] + "/inputData",
            "providerId": provider,
            "target": family,
            "inputParams": {"shots": 20},
        }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    def submit(self, family: str, **overrides: Any) -> tuple[str, Any]:
        """PUT a job of ``family`` (see job_body); the job id and the raw answer."""
        job_id = str(uuid.uuid1())
        answer = self.call("PUT", f"/jobs/{job_id}", self.job_body(family, job_id, **overrides))
        return job_id, answer

    def job(self, job_id: str) -> dict[str, Any]:
        answer = self.call("GET", f"/jobs/{job_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def wait_job(
        self, job_id: str, until: Callable[[dict[str, Any]], bool], timeout: float = 30
    ) -> dict[str, Any]:
        seen: dict[str, dict[str, Any]] = {}

        def reached() -> bool:
            seen["job"] = self.job(job_id)
            return until(seen["job"])

        wait_until(reached, timeout)
        return seen["job"]


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    """Poll ``condition`` (a service state) until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "the emulator never reached the expected state"
        pause.wait(0.02)


def blob_content_type(signed_uri: str) -> str:
    from azure.storage.blob import BlobClient

    props = BlobClient.from_blob_url(signed_uri).get_blob_properties()
    return str(props.content_settings.content_type)


def sas_fields(uri: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(uri).query))


def blob_name(uri: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(uri).path.rsplit("/", 1)[-1]
