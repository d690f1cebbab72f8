"""Hosts outside the known Azure clouds need a confirmation where they are entered, are shown as
custom, and a secret is never handed out after an import, edit or rename changes its identity."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.azure import endpoints
from desktop_app.core.azure import secrets as secrets_module
from desktop_app.core.azure.profiles import CustomEndpointError, Profile, ProfileStore
from desktop_app.core.azure.secret_binding import SecretState
from desktop_app.core.azure.secrets import SecretStore
from tests.memory_keyring import MemoryKeyring
from tests.profile_cli import profile_add_words

SUB = "0f6c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5"
RID = f"/subscriptions/{SUB}/resourceGroups/lab-rg/providers/Microsoft.Quantum/Workspaces/qws-1"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "11111111-2222-3333-4444-555555555555"
EVIL = "https://login.example.net"


def make(name: str = "lab", **fields: str) -> Profile:
    return Profile.from_fields(
        {
            "name": name,
            "resource_id": RID,
            "location": "eastus",
            "tenant_id": TENANT,
            "client_id": CLIENT,
            **fields,
        }
    )


@pytest.mark.parametrize(
    ("field", "url", "known"),
    [
        ("authority_host", "", True),
        ("authority_host", "https://login.microsoftonline.com", True),
        ("authority_host", "https://LOGIN.microsoftonline.us/", True),
        ("authority_host", "https://login.chinacloudapi.cn:443", True),
        ("authority_host", "https://login.microsoftonline.com:8443", False),
        ("authority_host", "https://login.microsoftonline.com.evil.example", False),
        ("authority_host", "https://127.0.0.1:4443", False),
        ("arm_endpoint", "https://management.azure.com/", True),
        ("arm_endpoint", "https://management.usgovcloudapi.net", True),
        ("arm_endpoint", "https://management.chinacloudapi.cn", True),
        ("arm_endpoint", "https://login.microsoftonline.com", False),  # not an ARM host
        ("arm_endpoint", "https://management.example.net", False),
    ],
)
def test_known_cloud_hosts(field: str, url: str, known: bool):
    assert endpoints.is_known(field, url) is known


def test_the_known_authorities_are_azure_identitys():
    from azure.identity import AzureAuthorityHosts

    assert {
        AzureAuthorityHosts.AZURE_PUBLIC_CLOUD,
        AzureAuthorityHosts.AZURE_GOVERNMENT,
        AzureAuthorityHosts.AZURE_CHINA,
    } == endpoints.KNOWN_AUTHORITY_HOSTS


def test_create_update_import_need_the_confirmation(tmp_path: Path):
    store = ProfileStore(tmp_path / "profiles.json")
    custom = make(authority_host=EVIL)
    with pytest.raises(CustomEndpointError) as info:
        store.create(custom)
    assert info.value.field == "authority_host" and EVIL in info.value.message
    assert "client secret" in info.value.message and store.names() == []
    store.create(custom, allow_custom_endpoints=True)
    # an edit that keeps the confirmed host needs nothing; a new host needs confirming again
    store.update("lab", dataclasses.replace(custom, location="westus2"))
    with pytest.raises(CustomEndpointError, match=r"management\.example\.net"):
        store.update(
            "lab", dataclasses.replace(custom, arm_endpoint="https://management.example.net")
        )
    assert store.duplicate("lab", "copy").authority_host == EVIL  # confirmed with the original
    exported = tmp_path / "export.json"
    store.export(exported)
    other = ProfileStore(tmp_path / "other.json")
    with pytest.raises(CustomEndpointError):  # a file is not trusted with a host
        other.import_file(exported)
    assert other.names() == []
    assert [p.name for p in other.import_file(exported, allow_custom_endpoints=True)] == [
        "lab",
        "copy",
    ]


def test_import_with_replace_edit_and_rename_leave_the_secret_unused(tmp_path: Path):
    secrets = SecretStore(MemoryKeyring())
    store = ProfileStore(tmp_path / "profiles.json", secrets=secrets)
    lab = store.create(make())
    secrets.set(lab, "s3cret")
    hostile = tmp_path / "hostile.json"
    hostile.write_text(
        json.dumps(
            {"schema_version": 1, "profiles": [{**lab.to_json_dict(), "authority_host": EVIL}]}
        )
    )
    (imported,) = store.import_file(hostile, replace=True, allow_custom_endpoints=True)
    assert secrets.state(imported) is SecretState.OTHER_IDENTITY
    # an edit back to the original identity finds the secret again (it was never deleted)
    restored = store.update("lab", lab)
    assert secrets.get(restored) == "s3cret"
    # a rename with a new tenant: the secret moves with the name and stays unused
    renamed = store.update(
        "lab",
        dataclasses.replace(lab, name="lab2", tenant_id="99999999-9999-9999-9999-999999999999"),
    )
    assert secrets.state(renamed) is SecretState.OTHER_IDENTITY
    assert secrets.state(lab) is SecretState.MISSING  # nothing left under the old name
    # a plain rename keeps it usable
    back = store.update("lab2", dataclasses.replace(renamed, name="lab3", tenant_id=TENANT))
    assert secrets.get(back) == "s3cret"


@pytest.fixture
def memory_secrets() -> Iterator[SecretStore]:
    store = SecretStore(MemoryKeyring())
    secrets_module.set_default_secret_store(store)
    yield store
    secrets_module.set_default_secret_store(None)


def _add(name: str, *extra: str) -> list[str]:
    return profile_add_words(name, RID, TENANT, CLIENT, *extra)


def test_cli_add_needs_the_flag_and_list_shows_custom(
    memory_secrets: SecretStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
    assert main(_add("lab", "--authority", EVIL, "--secret-stdin")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("quantum-desk: error: --authority: ")
    assert EVIL in err and "--allow-custom-endpoints" in err and "s3cret" not in err
    assert not ProfileStore().names()

    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
    assert main(_add("lab", "--authority", EVIL, "--allow-custom-endpoints", "--secret-stdin")) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
    assert (
        main(
            _add(
                "gov",
                "--authority",
                "https://login.microsoftonline.us",
                "--arm-endpoint",
                "https://management.usgovcloudapi.net",
                "--secret-stdin",
            )
        )
        == 0
    )  # a known cloud needs no confirmation
    capsys.readouterr()

    assert main(["profile", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"lab  [service-principal]  qws-1 (lab-rg, eastus)  custom sign-in host: {EVIL}"
    )
    assert lines[1] == "gov  [service-principal]  qws-1 (lab-rg, eastus)"
    assert main(["profile", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["custom_endpoints"] for row in rows] == [["authority_host"], []]

    # the user changes the tenant: the stored secret is not used, the CLI says so in one line
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["profile", "list", "--secrets"]) == 0
    assert "secret: stored" in capsys.readouterr().out
    store = ProfileStore()
    store.update(
        "gov",
        dataclasses.replace(store.get("gov"), tenant_id="99999999-9999-9999-9999-999999999999"),
    )
    assert main(["profile", "test", "gov"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0].startswith("quantum-desk: error: Profile 'gov': the stored client")
    assert "Type the secret again" in err
    assert main(["profile", "list", "--secrets"]) == 0
    assert "gov  [service-principal]  qws-1 (lab-rg, eastus)  secret: TYPE AGAIN" in (
        capsys.readouterr().out
    )
