"""What an Azure run tells the job ledger: the job before it is submitted, its states, its end.

`AzureExecutor` (core/azure/executor.py) calls a `JobRecorder`; core/jobs/recording.py is the
ledger's, `NullRecorder` records nothing (a run without a ledger).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from desktop_app.core.results import JobStatus, RunResult


@dataclass(frozen=True)
class AzureJobInfo:
    """What the ledger records about a job before it is submitted."""

    job_id: str
    backend: str
    profile: str | None
    shots: int
    name: str
    input_data_format: str
    output_data_format: str
    metadata: Mapping[str, str]
    program_source: str
    program_path: str | None


class JobRecorder(Protocol):
    """Hooks for the job ledger; every call comes from the executor's (worker) thread."""

    def job_created(self, info: AzureJobInfo) -> None:
        """Called BEFORE the job is submitted: a crash after Azure accepts it loses nothing."""

    def job_status(self, job_id: str, status: JobStatus, azure_status: str) -> None:
        """Called on every status change seen while polling; NEVER_SUBMITTED (with the
        service's error code) when the service refused the submit outright."""

    def job_finished(self, job_id: str, result: RunResult, details: Mapping[str, Any]) -> None:
        """Called once with the final result. `details`: "cost_estimate" (dict or None),
        "azure_status", and for succeeded jobs "raw_result" (bytes) and "raw_content_type"."""


class NullRecorder:
    def job_created(self, info: AzureJobInfo) -> None:
        pass

    def job_status(self, job_id: str, status: JobStatus, azure_status: str) -> None:
        pass

    def job_finished(self, job_id: str, result: RunResult, details: Mapping[str, Any]) -> None:
        pass
