"""The Azure executor's pure helpers: poll back-off, status mapping, failure hints, status cache."""

from __future__ import annotations

import itertools
import json

from azure.quantum._client.models import JobStatus as AzureJobStatus

from desktop_app.core import paths
from desktop_app.core.azure import status as azure_status
from desktop_app.core.azure.errors import hint_for
from desktop_app.core.azure.executor import _input_params
from desktop_app.core.azure.polling import PollSchedule
from desktop_app.core.azure.status import job_status_of
from desktop_app.core.azure.workspace import enum_text
from desktop_app.core.results import JobStatus


def test_poll_schedule_grows_to_the_cap_and_stays_there():
    delays = list(itertools.islice(PollSchedule().delays(), 30))
    assert delays[0] == 0.2
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert delays[-1] == 60.0 and max(delays) == 60.0
    assert sum(delays[:10]) < 30  # the first ten polls come within half a minute


def test_azure_statuses_map_to_app_statuses_including_sdk_enums():
    assert enum_text(AzureJobStatus.SUCCEEDED) == "Succeeded"
    assert job_status_of(AzureJobStatus.SUCCEEDED) is JobStatus.SUCCEEDED
    assert job_status_of("Waiting") is JobStatus.WAITING
    assert job_status_of("Queued") is JobStatus.WAITING
    assert job_status_of(AzureJobStatus.FINISHING) is JobStatus.EXECUTING
    assert job_status_of("Completed") is JobStatus.SUCCEEDED
    assert job_status_of(AzureJobStatus.CANCELLED) is JobStatus.CANCELLED
    assert job_status_of("Failed") is JobStatus.FAILED
    assert job_status_of(None) is JobStatus.WAITING


def test_failure_hints_are_specific_when_the_code_says_something():
    assert "supports" in hint_for("InvalidInputData", "Quil line 3: unsupported instruction")
    assert "credits" in hint_for("QuotaExceeded", "")
    assert "later" in hint_for("TargetUnavailable", "")
    assert "support" in hint_for("InternalError", "boom")


def test_ionq_error_mitigation_option_becomes_an_input_param():
    # the input parameter's name as Azure's IonQ page spells it (a hyphen, not an underscore)
    assert _input_params("ionq.qpu.forte-1", {"error_mitigation": "off"}) == {
        "error-mitigation": {"debias": False}
    }
    assert _input_params("ionq.qpu.forte-1", {}) == {}
    assert _input_params("rigetti.sim.qvm", {"error_mitigation": True}) == {}


def test_status_cache_survives_a_bad_file_and_reads_back_offline():
    assert azure_status.cached_status("lab") is None
    snapshot = azure_status.StatusSnapshot(
        "lab",
        1_700_000_000.0,
        (azure_status.TargetStatus("ionq.simulator", "ionq", "Available", 2.0),),
    )
    azure_status._write_cache(snapshot)
    again = azure_status.cached_status("lab")
    assert again is not None and again.from_cache and again.targets == snapshot.targets
    path = next((paths.cache_dir() / "azure-status").glob("*.json"))
    path.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    assert azure_status.cached_status("lab") is None
    path.write_text("{not json", encoding="utf-8")
    assert azure_status.cached_status("lab") is None
