"""Pytest plugin: session-scoped Azurite + emulator, function-scoped reset and client settings.

Load it with ``pytest_plugins = ["tests.azure_emulator.fixtures"]`` (tests/integration/conftest.py).
"""

from __future__ import annotations

import atexit
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.azure_emulator.azurite import Azurite, AzuriteMissingError
from tests.azure_emulator.server import Emulator, EmulatorInfo, start_all, stop_all

# Same set the root conftest scrubs: the SDK would fill workspace parameters from them.
_SCRUBBED = re.compile(
    r"^(AZURE_.*|SUBSCRIPTION_ID|RESOURCE_GROUP|LOCATION|WORKSPACE_NAME|IDENTITY_ENDPOINT|"
    r"MSI_ENDPOINT|IMDS_ENDPOINT|HTTPS?_PROXY|https?_proxy|ALL_PROXY|all_proxy)$"
)


@dataclass(frozen=True)
class AzureEnv(EmulatorInfo):
    """Where the emulated workspace is (the standalone command's fields), and the emulator to
    steer it."""

    emulator: Emulator


@pytest.fixture(scope="session")
def azure_emulator_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """Azurite and the emulator for the whole session, stopped by PID at the end (and atexit)."""
    root: Path = tmp_path_factory.mktemp("azure-emulator")
    try:
        emulator, azurite, _ = start_all(root)
    except AzuriteMissingError as exc:
        pytest.fail(str(exc), pytrace=False)
    stopped = False

    def stop(az: Azurite = azurite) -> None:
        nonlocal stopped
        if not stopped:
            stopped = True
            stop_all(emulator, az)

    atexit.register(stop)
    try:
        yield emulator
    finally:
        stop()
        atexit.unregister(stop)


@pytest.fixture
def azure_emulator(
    azure_emulator_session: Emulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Emulator]:
    """The emulator in its initial state; this test's clients trust its CA."""
    azure_emulator_session.reset()
    for name in [n for n in os.environ if _SCRUBBED.match(n)]:
        monkeypatch.delenv(name)
    # requests (azure-core's transport and MSAL's) reads REQUESTS_CA_BUNDLE, not SSL_CERT_FILE.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", azure_emulator_session.info.ca_bundle)
    yield azure_emulator_session
    azure_emulator_session.reset()


@pytest.fixture
def azure_env(azure_emulator: Emulator) -> AzureEnv:
    info = azure_emulator.info
    return AzureEnv(**info.to_json(), emulator=azure_emulator)


def profile_add_args(info: EmulatorInfo, name: str, client_id: str | None = None) -> list[str]:
    """`quantum-desk profile add` of a service-principal profile for the emulated workspace, its
    secret on stdin (the loopback emulator is not an Azure cloud: custom endpoints allowed)."""
    return [
        *("profile", "add", name),
        *("--resource-id", info.resource_id, "--location", info.location),
        *("--tenant-id", info.tenant_id, "--client-id", client_id or info.client_id),
        *("--authority", info.authority, "--arm-endpoint", info.arm_endpoint),
        *("--allow-custom-endpoints", "--secret-stdin"),
    ]
