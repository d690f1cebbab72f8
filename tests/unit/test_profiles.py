"""Profiles: field validation as typed, resource-ID parsing, the profiles file and its store."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from desktop_app.core import paths
from desktop_app.core.azure.profile_fields import (
    AZURE_REGIONS,
    ProfileError,
    parse_resource_id,
    validate_guid,
    validate_https_url,
    validate_location,
    validate_resource_id,
)
from desktop_app.core.azure.profiles import (
    SCHEMA_VERSION,
    Profile,
    ProfileFileError,
    ProfileStore,
    default_profiles_path,
    validate_fields,
)
from desktop_app.core.azure.secrets import SecretStore
from tests.memory_keyring import MemoryKeyring
from tests.profile_cli import profile_add_words

SUB = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "11111111-2222-3333-4444-555555555555"
RID = f"/subscriptions/{SUB}/resourceGroups/lab-rg/providers/Microsoft.Quantum/Workspaces/qws-1"


def make(name: str = "lab", **kw: str) -> Profile:
    fields = {
        "name": name,
        "resource_id": RID,
        "location": "eastus",
        "tenant_id": TENANT,
        "client_id": CLIENT,
    }
    fields.update(kw)
    return Profile.from_fields(fields)


# ---------------------------------------------------------------- validation


def test_guid_validation_messages():
    assert validate_guid(TENANT, "Tenant") is None
    assert validate_guid(TENANT.upper(), "Tenant") is None
    assert "required" in (validate_guid("", "Tenant") or "")
    message = validate_guid("72f988bf-86f1-41af-91ab-2d7cd011db4", "Tenant")
    assert message is not None and message.startswith("Tenant must be a GUID")
    assert validate_guid("not-a-guid") is not None


def test_regions_include_azure_quantum_regions_and_normalize_display_names():
    for region in (
        "eastus",
        "westus",
        "westus2",
        "westeurope",
        "northeurope",
        "japaneast",
        "japanwest",
        "uksouth",
        "ukwest",
        "canadacentral",
        "centralus",
        "southcentralus",
        "australiaeast",
        "swedencentral",
    ):
        assert region in AZURE_REGIONS
        assert validate_location(region) is None
    assert validate_location("East US") is None
    assert validate_location("West Europe") is None
    message = validate_location("eastus9")
    assert message is not None and "'eastus9' is not an Azure region" in message
    assert validate_location("") is not None


def test_regions_match_the_sdk_list():
    """The SDK refuses any other location; read its list without importing it (2 s)."""
    import ast
    import importlib.util

    spec = importlib.util.find_spec("azure.quantum")
    assert spec is not None and spec.origin is not None
    source = (Path(spec.origin).parent / "_constants.py").read_text()
    node = next(
        n
        for n in ast.parse(source).body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "VALID_AZURE_REGIONS"
    )
    assert ast.literal_eval(node.value) == AZURE_REGIONS


def test_https_urls_only():
    assert validate_https_url("") is None
    assert validate_https_url("https://login.microsoftonline.us") is None
    assert validate_https_url("https://127.0.0.1:8443/") is None
    assert "https://" in (validate_https_url("http://login.microsoftonline.us", "Authority") or "")
    assert validate_https_url("https://", "Authority") is not None
    assert validate_https_url("https://host:99999") is not None
    assert validate_https_url("https://user:pw@host") is not None


def test_resource_id_parsing_and_canonical_form():
    parts = parse_resource_id(RID.replace("Microsoft.Quantum", "microsoft.quantum"))
    assert (parts.subscription_id, parts.resource_group, parts.workspace_name) == (
        SUB,
        "lab-rg",
        "qws-1",
    )
    assert parts.resource_id == RID
    assert parse_resource_id(f"  {RID}\n").workspace_name == "qws-1"


def test_portal_url_is_split_into_parts():
    url = f"https://portal.azure.com/#@contoso.onmicrosoft.com/resource{RID}/overview"
    parts = parse_resource_id(url)
    assert parts.resource_id == RID
    encoded = f"https://portal.azure.com/#view/resource{RID.replace('/', '%2F')}"
    assert parse_resource_id(encoded).workspace_name == "qws-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/subscriptions/xyz/resourceGroups/rg/providers/Microsoft.Quantum/Workspaces/ws", "GUID"),
        (
            f"/subscriptions/{SUB}/resourceGroups/rg./providers/Microsoft.Quantum/Workspaces/ws",
            "period",
        ),
        (
            f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Quantum/Workspaces/-ws",
            "hyphen",
        ),
        (
            f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Quantum/Workspaces/w",
            "2 to 54",
        ),
        (
            f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s",
            "Expected a workspace resource ID",
        ),
        ("hello", "Expected a workspace resource ID"),
    ],
)
def test_bad_resource_ids_say_why(text: str, expected: str):
    with pytest.raises(ProfileError) as info:
        parse_resource_id(text)
    assert info.value.field == "resource_id"
    assert expected in info.value.message
    assert expected in (validate_resource_id(text) or "")


def test_validate_fields_reports_every_bad_field_for_the_dialog():
    problems = validate_fields(
        {
            "name": "",
            "resource_id": "x",
            "location": "mars",
            "tenant_id": "t",
            "client_id": "",
            "arm_endpoint": "http://a",
        }
    )
    assert set(problems) == {
        "name",
        "resource_id",
        "location",
        "tenant_id",
        "client_id",
        "arm_endpoint",
    }
    # azure sign-in: tenant and client are optional
    assert (
        validate_fields(
            {"name": "n", "resource_id": RID, "location": "westus", "auth_kind": "azure-sign-in"}
        )
        == {}
    )


def test_profile_derived_fields_and_normalization():
    profile = make(
        "  Lab A ",
        location="East US",
        tenant_id=TENANT.upper(),
        authority_host="https://login.microsoftonline.us/",
    )
    assert profile.name == "Lab A"
    assert profile.location == "eastus"
    assert profile.tenant_id == TENANT
    assert profile.authority_host == "https://login.microsoftonline.us"
    assert profile.subscription_id == SUB
    assert profile.resource_group == "lab-rg"
    assert profile.workspace_name == "qws-1"
    assert profile.needs_secret


def test_from_fields_names_the_bad_field():
    with pytest.raises(ProfileError) as info:
        make(client_id="nope")
    assert info.value.field == "client_id"
    with pytest.raises(ProfileError) as info:
        Profile.from_fields(
            {"name": "a", "resource_id": RID, "location": "eastus", "password": "x"}
        )
    assert info.value.field == "password"


# ---------------------------------------------------------------- the store


def test_default_path_is_in_the_config_dir():
    assert default_profiles_path().parent == paths.config_dir()


def test_create_update_rename_duplicate_delete(tmp_path: Path):
    store = ProfileStore(tmp_path / "profiles.json")
    assert store.profiles() == []
    store.create(make("a"))
    store.create(make("b", location="westeurope"))
    with pytest.raises(ProfileError, match="already exists"):
        store.create(make("A"))
    assert store.names() == ["a", "b"]
    store.update("b", make("b", location="japaneast"))
    assert store.get("B").location == "japaneast"
    store.rename("a", "c")
    assert store.names() == ["c", "b"]
    with pytest.raises(ProfileError, match="already exists"):
        store.rename("c", "b")
    store.duplicate("c", "c copy")
    assert store.get("c copy").resource_id == RID
    store.delete("c")
    assert store.names() == ["b", "c copy"]
    with pytest.raises(ProfileError, match="No profile named 'zzz'"):
        store.get("zzz")
    document = json.loads((tmp_path / "profiles.json").read_text())
    assert document["schema_version"] == SCHEMA_VERSION
    assert [p["name"] for p in document["profiles"]] == ["b", "c copy"]
    # atomic writes leave no temp files behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profiles.json"]


def test_rename_moves_the_secret_and_delete_deletes_it(tmp_path: Path):
    backend = MemoryKeyring()
    secrets = SecretStore(backend)
    store = ProfileStore(tmp_path / "p.json", secrets=secrets)
    a = store.create(make("a"))
    secrets.set(a, "s3cret-value")
    b = store.rename("a", "b")
    assert secrets.get(a) is None
    assert secrets.get(b) == "s3cret-value"
    c = store.duplicate("b", "c")
    assert secrets.get(c) is None  # the user types the secret again for a copy
    store.delete("b")
    assert backend.items == {}
    assert "s3cret-value" not in (tmp_path / "p.json").read_text()


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        ("{not json", None, "not valid JSON at line 1, column 2"),
        ("[]", None, "expected a JSON object"),
        ('{"profiles": []}', "schema_version", "missing"),
        ('{"schema_version": 1, "profiles": {}}', "profiles", "not a list"),
        (
            '{"schema_version": 1, "profiles": [{"name": "x", "resource_id": "'
            + RID
            + '", "location": "mars", "tenant_id": "'
            + TENANT
            + '", "client_id": "'
            + CLIENT
            + '"}]}',
            "profiles[0].location",
            "not an Azure region",
        ),
        (
            '{"schema_version": 1, "profiles": [{"name": "x"}]}',
            "profiles[0].resource_id",
            "missing",
        ),
    ],
)
def test_malformed_file_is_named_and_moved_aside(
    tmp_path: Path, content: str, field: str | None, words: str
):
    path = tmp_path / "profiles.json"
    path.write_text(content)
    store = ProfileStore(path)
    with pytest.raises(ProfileFileError) as info:
        store.profiles()
    error = info.value
    assert error.file == path and error.field == field
    assert words in str(error) and str(path) in str(error)
    assert error.moved_to is not None and error.moved_to.read_text() == content
    assert not path.exists()
    # the next read starts afresh, and saving never touches the kept file
    assert store.profiles() == []
    store.create(make("fresh"))
    assert error.moved_to.read_text() == content


def test_export_and_import_carry_no_secret(tmp_path: Path):
    secrets = SecretStore(MemoryKeyring())
    store = ProfileStore(tmp_path / "p.json", secrets=secrets)
    a = store.create(make("a"))
    store.create(make("b", auth_kind="azure-sign-in", tenant_id="", client_id=""))
    secrets.set(a, "canary-secret-123")
    out = tmp_path / "export.json"
    assert store.export(out) == 2
    assert "canary-secret-123" not in out.read_text()

    other = ProfileStore(tmp_path / "other.json")
    imported = other.import_file(out)
    assert [p.name for p in imported] == ["a", "b"]
    assert other.get("b").auth_kind == "azure-sign-in"
    with pytest.raises(ProfileError, match="already exists"):
        other.import_file(out)
    assert len(other.import_file(out, replace=True)) == 2
    assert other.names() == ["a", "b"]


def test_bad_import_file_is_not_moved_and_changes_nothing(tmp_path: Path):
    store = ProfileStore(tmp_path / "p.json")
    store.create(make("a"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "profiles": [{"name": "x", "resource_id": "r"}]}')
    with pytest.raises(ProfileFileError) as info:
        store.import_file(bad)
    assert info.value.field == "profiles[0].location"
    assert "is missing" in str(info.value)
    assert bad.exists() and store.names() == ["a"]


def test_unreadable_file_is_reported_not_moved(tmp_path: Path):
    if os.geteuid() == 0:
        path = tmp_path / "profiles.json"
        path.mkdir()  # root reads any file: a directory in its place is unreadable instead
    else:
        path = tmp_path / "profiles.json"
        path.write_text("{}")
        path.chmod(0)
    with pytest.raises(ProfileFileError, match="cannot be read"):
        ProfileStore(path).profiles()
    assert path.exists()


# ---------------------------------------------------------------- the CLI (no network, no keyring)


@pytest.fixture
def memory_secrets():
    from desktop_app.core.azure import secrets as secrets_module

    store = SecretStore(MemoryKeyring())
    secrets_module.set_default_secret_store(store)
    yield store
    secrets_module.set_default_secret_store(None)


def _add(name: str, *extra: str) -> list[str]:
    return profile_add_words(name, RID, TENANT, CLIENT, *extra)


def test_cli_profile_commands(
    memory_secrets: SecretStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    import io
    import sys

    from desktop_app.cli import main

    assert main(["profile", "list"]) == 0
    assert "No profiles yet" in capsys.readouterr().out

    monkeypatch.setattr(sys, "stdin", io.StringIO("top-secret\n"))
    assert main(_add("lab", "--secret-stdin")) == 0
    lab = ProfileStore().get("lab")
    assert memory_secrets.get(lab) == "top-secret"
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal, nothing piped
    assert main(_add("other")) == 2
    assert "--secret-stdin" in capsys.readouterr().err
    assert (
        main(
            [
                "profile",
                "add",
                "signin",
                "--resource-id",
                RID,
                "--location",
                "West US 2",
                "--auth",
                "azure-sign-in",
            ]
        )
        == 0
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO("x\n"))
    assert main(_add("lab", "--secret-stdin")) == 2
    assert "already exists (use --replace" in capsys.readouterr().err

    assert main(["profile", "list", "--secrets"]) == 0
    out = capsys.readouterr().out
    assert "lab  [service-principal]  qws-1 (lab-rg, eastus)  secret: stored" in out
    assert "signin  [azure-sign-in]  qws-1 (lab-rg, westus2)" in out
    assert "top-secret" not in out

    assert main(["profile", "remove", "LAB"]) == 0
    assert memory_secrets.get(lab) is None
    assert main(["profile", "remove", "lab"]) == 2
    assert "No profile named 'lab' (profiles: signin)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--client-id", "abc"], "--client-id: The client (application) ID must be a GUID"),
        (["--location", "moon"], "--location: 'moon' is not an Azure region"),
        (["--authority", "http://login.example"], "--authority: The authority host must start"),
        (["--resource-id", "/subscriptions/x"], "--resource-id: Expected a workspace resource ID"),
    ],
)
def test_cli_add_names_the_bad_option(
    memory_secrets: SecretStore, capsys: pytest.CaptureFixture[str], args: list[str], words: str
):
    from desktop_app.cli import main

    assert main([*_add("lab", "--secret-stdin"), *args]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not default_profiles_path().exists()


def test_cli_reports_a_malformed_profiles_file(
    memory_secrets: SecretStore, capsys: pytest.CaptureFixture[str]
):
    from desktop_app.cli import main

    default_profiles_path().write_text('{"schema_version": 1, "profiles": [{"name": 3}]}')
    assert main(["profile", "list"]) == 2
    err = capsys.readouterr().err
    assert "field 'profiles[0].name': must be text in double quotes, not a number" in err
    assert "was kept as" in err
    assert main(["profile", "list"]) == 0
