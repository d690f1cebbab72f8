"""How the data plane writes jobs and sessions on the wire, as the service's recordings show them.

Source: github.com/microsoft/azure-quantum-python at 36e339b6e8d8,
azure-quantum/tests/unit/recordings/ (test_job_submit_ionq.yaml,
test_job_submit_rigetti_with_count.yaml, test_qiskit_qir_submit_quantinuum.yaml,
test_session_get_session.yaml), read 2026-12-01:
- the answer to PUT jobs/{id} echoes containerUri and inputDataUri without a SAS and names an
  unsigned outputDataUri ending in ``outputData``;
- every GET signs them: the container with ``sr=c&sp=rl``, the blobs with ``sr=b&sp=r`` and a
  ``rscd=attachment; filename=<name>-<id>.input.json`` / ``.output.json``;
- once the job is finishing or finished, outputDataUri names ``rawOutputData`` for provider
  formats and stays ``outputData`` for QIR (qir.v1) jobs;
- field names ``jobPriority`` ("Basic"), ``lastModifiedTime``, ``quantumComputingData``, and no
  ``priority`` / ``lastUpdatedTime`` / ``usage``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tests.azure_emulator.azurite import ACCOUNT_KEY, ACCOUNT_NAME

SAS_LIFETIME = timedelta(hours=2)
# Key order of a job as the service writes it (test_job_submit_ionq.yaml).
JOB_FIELDS = (
    "containerUri",
    "inputDataUri",
    "inputDataFormat",
    "inputParams",
    "metadata",
    "sessionId",
    "jobPriority",
    "status",
    "jobType",
    "outputDataFormat",
    "outputDataUri",
    "beginExecutionTime",
    "cancellationTime",
    "lastModifiedTime",
    "quantumComputingData",
    "errorData",
    "isCancelling",
    "tags",
    "name",
    "id",
    "providerId",
    "target",
    "creationTime",
    "endExecutionTime",
    "costEstimate",
    "itemType",
)
# A session (test_session_get_session.yaml): no beginExecutionTime.
SESSION_FIELDS = (
    "status",
    "jobFailurePolicy",
    "jobPriority",
    "name",
    "id",
    "providerId",
    "target",
    "creationTime",
    "endExecutionTime",
    "costEstimate",
    "itemType",
)


def output_blob(job: dict[str, Any], finished: bool) -> str:
    """The blob outputDataUri names: ``outputData`` until the job finishes, then
    ``rawOutputData`` for provider formats (QIR jobs keep ``outputData``)."""
    if not finished or job.get("inputDataFormat") == "qir.v1":
        return "outputData"
    return "rawOutputData"


def unsigned(uri: str | None) -> str | None:
    return uri.split("?", 1)[0] if uri else uri


def _parts(uri: str) -> tuple[str, str]:
    path = urlsplit(uri).path.strip("/").split("/", 2)  # devstoreaccount1/container[/blob]
    return path[1] if len(path) > 1 else "", path[2] if len(path) > 2 else ""


def sign_container(uri: str) -> str:
    from azure.storage.blob import generate_container_sas

    container, _ = _parts(uri)
    sas = generate_container_sas(
        ACCOUNT_NAME,
        container,
        account_key=ACCOUNT_KEY,
        permission="rl",
        expiry=datetime.now(UTC) + SAS_LIFETIME,
    )
    return f"{unsigned(uri)}?{sas}"


def sign_blob(uri: str, filename: str | None = None) -> str:
    from azure.storage.blob import generate_blob_sas

    container, blob = _parts(uri)
    sas = generate_blob_sas(
        ACCOUNT_NAME,
        container,
        blob,
        account_key=ACCOUNT_KEY,
        permission="r",
        expiry=datetime.now(UTC) + SAS_LIFETIME,
        content_disposition=f"attachment; filename={filename}" if filename else None,
    )
    return f"{unsigned(uri)}?{sas}"


def job_wire(job: dict[str, Any], signed: bool) -> dict[str, Any]:
    """The job as the service answers it: the create answer unsigned, every later read signed."""
    out = {k: job.get(k) for k in JOB_FIELDS}
    if signed:
        stem = f"{job.get('name') or 'job'}-{job['id']}"
        out["containerUri"] = sign_container(job["containerUri"])
        if job.get("inputDataUri"):
            out["inputDataUri"] = sign_blob(job["inputDataUri"], f"{stem}.input.json")
        if job.get("outputDataUri"):
            out["outputDataUri"] = sign_blob(job["outputDataUri"], f"{stem}.output.json")
    return out


def session_wire(session: dict[str, Any]) -> dict[str, Any]:
    return {k: session.get(k) for k in SESSION_FIELDS}
