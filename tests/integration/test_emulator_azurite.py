"""Azurite process handling: a missing install is a clear failure, a stop leaves no process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.azure_emulator import azurite
from tests.azure_emulator.fixtures import AzureEnv
from tests.integration.test_emulator_sdk import workspace

pytestmark = pytest.mark.azure


def test_missing_azurite_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(azurite, "BINARY", tmp_path / "node_modules" / ".bin" / "azurite-blob")
    with pytest.raises(azurite.AzuriteMissingError, match="README") as missing:
        azurite.Azurite(tmp_path / "data").start()
    assert "npm ci" in str(missing.value)


def test_start_and_stop_by_pid(tmp_path: Path) -> None:
    process = azurite.Azurite(tmp_path / "data")
    process.start()
    pid = process.pid
    assert pid is not None and Path(f"/proc/{pid}").exists()
    process.stop()
    assert process.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_sas_container_is_real(azure_env: AzureEnv) -> None:
    """The SAS URL the data plane hands out is accepted by Azurite for upload and listing."""
    from azure.storage.blob import ContainerClient

    url = workspace(azure_env).get_container_uri(container_name="job-sas-check")
    container = ContainerClient.from_container_url(url)
    container.upload_blob("inputData", b"{}")
    assert [b.name for b in container.list_blobs()] == ["inputData"]
