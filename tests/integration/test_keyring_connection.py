"""Test connection, end to end: the unmodified azure-identity / azure-quantum SDKs against the
loopback emulator (real TLS), the secret in a real Secret Service, and the CLI on top."""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path

import keyring.backend
import pytest

from desktop_app.cli import main as cli_main
from desktop_app.core import paths
from desktop_app.core.azure import credentials
from desktop_app.core.azure.credentials import LEAST_PRIVILEGE_ROLE, Problem
from desktop_app.core.azure.profiles import Profile
from desktop_app.core.azure.secret_binding import decode
from desktop_app.core.azure.secrets import SERVICE_NAME, SecretStore
from desktop_app.core.cancel import Cancelled, CancelToken
from tests.azure_emulator.fixtures import profile_add_args
from tests.azure_emulator.server import Emulator, EmulatorInfo
from tests.integration import keyring_session as _keyring_session

# the real Secret Service fixtures (session-scoped daemons, per-test keyring default)
keyring_session = _keyring_session.keyring_session
secret_service = _keyring_session.secret_service

pytestmark = [pytest.mark.keyring, pytest.mark.azure]

CANARY = "canary-Qd!7x-0b9e44f1aa"
CANARY_CLIENT = "44444444-4444-4444-4444-444444444444"
DENIED_CLIENT = "55555555-5555-5555-5555-555555555555"
OTHER_TENANT = "99999999-9999-9999-9999-999999999999"
SIX = {
    "ionq.qpu.forte-1",
    "ionq.qpu.forte-enterprise-1",
    "ionq.simulator",
    "rigetti.sim.qvm",
    "quantinuum.sim.h2-1sc",
    "quantinuum.sim.h2-1e",
}


@pytest.fixture
def info(azure_emulator: Emulator) -> EmulatorInfo:
    """The shared emulator (tests/azure_emulator/fixtures.py: reset, CA trusted) plus two
    principals: one whose secret is the canary, one with no role on the workspace."""
    azure_emulator.add_principal(CANARY_CLIENT, CANARY)
    azure_emulator.add_principal(DENIED_CLIENT, "denied-secret", authorized=False)
    return azure_emulator.info


def profile_for(info: EmulatorInfo, **overrides: str) -> Profile:
    fields = {
        "name": "emu",
        "resource_id": info.resource_id,
        "location": info.location,
        "tenant_id": info.tenant_id,
        "client_id": CANARY_CLIENT,
        "authority_host": info.authority,
        "arm_endpoint": info.arm_endpoint,
    }
    fields.update(overrides)
    return Profile.from_fields(fields)


def _secret(value: str) -> credentials.SecretProvider:
    return lambda name: value


def _assert_canary_nowhere(caplog: pytest.LogCaptureFixture, *extra: Path) -> None:
    for record in caplog.records:
        assert CANARY not in record.getMessage(), record.name
        assert CANARY not in str(record.args)
        assert not record.exc_text or CANARY not in record.exc_text
    roots = [paths.config_dir(), paths.data_dir(), paths.cache_dir(), paths.log_dir(), *extra]
    for root in roots:
        for path in (p for p in root.rglob("*") if p.is_file()):
            assert CANARY.encode() not in path.read_bytes(), path


def test_success_lists_the_targets(info: EmulatorInfo, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    report = credentials.test_connection(profile_for(info), _secret(CANARY))
    assert report.ok, report.message
    assert report.problem is Problem.NONE
    assert {t.name for t in report.targets} == SIX
    simulator = next(t for t in report.targets if t.name == "ionq.simulator")
    assert simulator.provider_id == "ionq" and simulator.availability == "Available"
    assert simulator.average_queue_time == 2
    assert report.steps == ("token", "workspace", "targets")
    assert report.workspace_location == "eastus"
    _assert_canary_nowhere(caplog)


@pytest.mark.parametrize(
    ("overrides", "secret", "problem", "code", "words"),
    [
        ({}, "not-the-secret", Problem.WRONG_SECRET, "AADSTS7000215", "client secret is wrong"),
        (
            {"tenant_id": OTHER_TENANT},
            CANARY,
            Problem.UNKNOWN_TENANT,
            "AADSTS90002",
            f"Tenant {OTHER_TENANT} was not found",
        ),
        (
            {"client_id": "66666666-6666-6666-6666-666666666666"},
            CANARY,
            Problem.UNKNOWN_CLIENT,
            "AADSTS700016",
            "No application with client ID 66666666",
        ),
        (
            {
                "resource_id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/"
                "rg-emu/providers/Microsoft.Quantum/Workspaces/ws-gone"
            },
            CANARY,
            Problem.WORKSPACE_NOT_FOUND,
            "HTTP 404 ResourceNotFound",
            "Workspace 'ws-gone'",
        ),
        (
            {"client_id": DENIED_CLIENT},
            "denied-secret",
            Problem.NO_ACCESS,
            "HTTP 403 AuthorizationFailed",
            LEAST_PRIVILEGE_ROLE,
        ),
        (
            {"location": "westeurope"},
            CANARY,
            Problem.WRONG_REGION,
            "LocationMismatch",
            "The workspace is in region 'eastus'",
        ),
    ],
)
def test_failures_in_plain_words(
    info: EmulatorInfo,
    caplog: pytest.LogCaptureFixture,
    overrides: dict[str, str],
    secret: str,
    problem: Problem,
    code: str,
    words: str,
):
    caplog.set_level(logging.DEBUG)
    report = credentials.test_connection(profile_for(info, **overrides), _secret(secret))
    assert not report.ok
    assert report.problem is problem, report.message
    assert report.code == code
    assert words in report.message
    assert "Traceback" not in report.message
    _assert_canary_nowhere(caplog)


def test_network_unreachable(info: EmulatorInfo):
    import socket

    # Bound but never listening: connections are refused, and no server of a test running beside
    # this one can take the port meanwhile (a port merely found free once could be: then a retry
    # reached that server and was answered 401).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        dead = f"https://127.0.0.1:{holder.getsockname()[1]}"
        report = credentials.test_connection(
            profile_for(info, authority_host=dead), _secret(CANARY)
        )
    assert report.problem is Problem.NETWORK, (report.message, report.code)
    assert "could not be reached" in report.message


def test_untrusted_certificate_is_a_tls_problem(
    info: EmulatorInfo, monkeypatch: pytest.MonkeyPatch
):
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())  # the public CAs only
    report = credentials.test_connection(profile_for(info), _secret(CANARY))
    assert report.problem is Problem.TLS, (report.message, report.code)


def test_missing_secret_and_cancel(info: EmulatorInfo):
    report = credentials.test_connection(profile_for(info), _secret(""))
    assert report.problem is Problem.NO_SECRET
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        credentials.test_connection(profile_for(info), _secret(CANARY), token)


def test_cli_profile_test_with_the_secret_in_gnome_keyring(
    info: EmulatorInfo,
    secret_service: keyring.backend.KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(sys, "stdin", io.StringIO(CANARY + "\n"))
    assert cli_main(profile_add_args(info, "Lab", client_id=CANARY_CLIENT)) == 0
    stored = secret_service.get_password(SERVICE_NAME, "Lab")
    assert stored is not None and decode(stored)[1] == CANARY
    capsys.readouterr()

    assert cli_main(["profile", "test", "Lab", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True and {t["name"] for t in result["targets"]} == SIX

    # wrong secret typed on stdin for this run only: exit 1 and one plain line
    monkeypatch.setattr(sys, "stdin", io.StringIO("wrong-secret\n"))
    assert cli_main(["profile", "test", "Lab", "--secret-stdin"]) == 1
    err = capsys.readouterr().err
    assert "client secret is wrong" in err and "AADSTS7000215" in err
    assert "Traceback" not in err

    # the keyring still holds the right one
    assert SecretStore().get(profile_for(info, name="Lab")) == CANARY
    assert cli_main(["profile", "remove", "Lab"]) == 0
    assert secret_service.get_password(SERVICE_NAME, "Lab") is None
    _assert_canary_nowhere(caplog)
    assert CANARY not in capsys.readouterr().out


def test_azure_sign_in_uses_the_environment_credential(
    info: EmulatorInfo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    """azure-sign-in: no stored secret; a lab admin's AZURE_* variables sign in (AzureCli is
    tried first and is simply unavailable here: `az` is not on PATH)."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no `az`
    profile = profile_for(info, auth_kind="azure-sign-in", client_id="")
    asked: list[str] = []

    def provider(asked_for: Profile) -> str | None:
        asked.append(asked_for.name)
        return None

    report = credentials.test_connection(profile, provider, interactive=False)
    assert report.problem is Problem.SIGN_IN_REQUIRED, report.message
    assert "az login" in report.message

    monkeypatch.setenv("AZURE_TENANT_ID", info.tenant_id)
    monkeypatch.setenv("AZURE_CLIENT_ID", CANARY_CLIENT)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", CANARY)
    report = credentials.test_connection(profile, provider, interactive=False)
    assert report.ok, report.message
    assert {t.name for t in report.targets} == SIX
    assert asked == []  # a sign-in profile never asks the secret store
