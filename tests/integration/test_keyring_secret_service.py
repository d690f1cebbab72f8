"""Secrets in a REAL Secret Service (gnome-keyring on a private D-Bus), and the no-keyring path."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import keyring.backend
import pytest

from desktop_app.cli import main as cli_main
from desktop_app.core import paths
from desktop_app.core.azure.profiles import Profile, ProfileStore
from desktop_app.core.azure.secret_binding import SecretIdentity, decode
from desktop_app.core.azure.secrets import (
    LOCKED_KEYRING_MESSAGE,
    SERVICE_NAME,
    SecretStore,
    StoredIn,
)
from tests.integration import keyring_session as _keyring_session
from tests.integration.keyring_session import KeyringSession
from tests.profile_cli import profile_add_words

# the real Secret Service fixtures (session-scoped daemons, per-test keyring default)
keyring_session = _keyring_session.keyring_session
secret_service = _keyring_session.secret_service

pytestmark = pytest.mark.keyring

CANARY = "canary-kR7#v2-e5d1a9c4"
SUB = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "11111111-2222-3333-4444-555555555555"
RID = f"/subscriptions/{SUB}/resourceGroups/lab-rg/providers/Microsoft.Quantum/Workspaces/qws-1"
REPO = Path(__file__).resolve().parents[2]


def _profile(name: str) -> Profile:
    return Profile(name, RID, "eastus", tenant_id=TENANT, client_id=CLIENT).validated()


def _secret_in(backend: keyring.backend.KeyringBackend, name: str) -> str | None:
    """The secret of the entry of profile `name`, which must be bound to its identity."""
    value = backend.get_password(SERVICE_NAME, name)
    if value is None:
        return None
    identity, secret = decode(value)
    assert identity == SecretIdentity.of(_profile(name)), value
    return secret


def _user_files() -> list[Path]:
    roots = [paths.config_dir(), paths.data_dir(), paths.cache_dir(), paths.log_dir()]
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


def _assert_no_canary(files: list[Path], caplog: pytest.LogCaptureFixture | None = None) -> None:
    for path in files:
        assert CANARY.encode() not in path.read_bytes(), path
    if caplog is not None:
        for record in caplog.records:
            assert CANARY not in record.getMessage()


def _add_args(name: str) -> list[str]:
    return profile_add_words(name, RID, TENANT, CLIENT, "--secret-stdin")


def test_secret_round_trip_in_gnome_keyring(
    secret_service: keyring.backend.KeyringBackend,
    keyring_session: KeyringSession,
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.DEBUG)
    store = SecretStore()  # keyring's own choice: the Secret Service of the fixture
    assert "SecretService" in store.status.backend
    assert store.status.usable and store.persistent
    assert store.set(_profile("lab"), CANARY) is StoredIn.KEYRING
    # visible to any other client of the Secret Service: it really is in the keyring
    assert _secret_in(keyring_session.backend(), "lab") == CANARY
    assert SecretStore().get(_profile("lab")) == CANARY
    assert store.move("lab", "lab-2")
    assert keyring_session.backend().get_password(SERVICE_NAME, "lab") is None
    assert _secret_in(keyring_session.backend(), "lab-2") == CANARY
    # the keyring's own files hold it encrypted, never in clear
    assert keyring_session.stored_files()
    _assert_no_canary(keyring_session.stored_files())
    assert store.delete("lab-2")
    assert keyring_session.backend().get_password(SERVICE_NAME, "lab-2") is None
    _assert_no_canary(_user_files(), caplog)


def test_cli_add_list_remove_keeps_the_secret_in_the_keyring(
    secret_service: keyring.backend.KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(sys, "stdin", io.StringIO(CANARY + "\n"))
    assert cli_main(_add_args("Lab Desk")) == 0
    out = capsys.readouterr()
    assert "secret in the system keyring" in out.out and out.err == ""
    assert _secret_in(secret_service, "Lab Desk") == CANARY

    assert cli_main(["profile", "list", "--json", "--secrets"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "name": "Lab Desk",
            "resource_id": RID,
            "location": "eastus",
            "auth_kind": "service-principal",
            "tenant_id": TENANT,
            "client_id": CLIENT,
            "subscription_id": SUB,
            "resource_group": "lab-rg",
            "workspace_name": "qws-1",
            "custom_endpoints": [],
            "secret": "stored",
        }
    ]
    profiles_file = paths.config_dir() / "profiles.json"
    assert profiles_file.exists()
    _assert_no_canary(_user_files(), caplog)
    assert CANARY not in capsys.readouterr().out

    store = ProfileStore(secrets=SecretStore())
    store.rename("Lab Desk", "Lab B")
    assert secret_service.get_password(SERVICE_NAME, "Lab Desk") is None
    assert _secret_in(secret_service, "Lab B") == CANARY

    assert cli_main(["profile", "remove", "lab b"]) == 0
    assert "removed" in capsys.readouterr().out
    assert secret_service.get_password(SERVICE_NAME, "Lab B") is None
    assert ProfileStore().names() == []


def test_cli_refuses_a_secret_on_the_command_line(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as info:
        cli_main([*_add_args("x")[:-1], "--secret", CANARY])
    assert info.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_no_keyring_cli_says_session_only_and_writes_no_secret(tmp_path: Path):
    """A real headless process with no Secret Service on its bus: keyring falls back to its fail
    backend; the secret is kept for the session only and lands in no file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "PYTHON_KEYRING"))}
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'no-bus'}"
    dirs = {}
    for var in (
        "QUANTUM_DESK_CONFIG_DIR",
        "QUANTUM_DESK_DATA_DIR",
        "QUANTUM_DESK_CACHE_DIR",
        "QUANTUM_DESK_LOG_DIR",
        "XDG_DATA_HOME",
        "XDG_CONFIG_HOME",
        "HOME",
    ):
        dirs[var] = tmp_path / var.lower()
        dirs[var].mkdir()
        env[var] = str(dirs[var])
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", *_add_args("lab")],
        input=CANARY + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No system keyring found: the secret is kept for this session only." in result.stderr
    assert CANARY not in result.stdout + result.stderr
    assert (dirs["QUANTUM_DESK_CONFIG_DIR"] / "profiles.json").exists()
    files = [p for d in dirs.values() for p in d.rglob("*") if p.is_file()]
    _assert_no_canary(files)


def test_missing_programs_fail_with_the_readme_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from tests.integration import keyring_session as ks

    monkeypatch.setenv("PATH", str(tmp_path))  # no dbus-daemon, no gnome-keyring-daemon
    with pytest.raises(RuntimeError) as info:
        ks.start_keyring_session()
    message = str(info.value)
    assert "gnome-keyring" in message and "dbus-daemon" in message
    assert ks.README_COMMAND in message


def test_locked_keyring_falls_back_to_the_session(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    """A bus with no unlocked keyring: D-Bus auto-starts gnome-keyring, whose unlock prompt is
    dismissed (what a locked keychain does). The store says so and keeps the secret in memory."""
    from keyring.backends import SecretService

    from tests.integration.keyring_session import start_keyring_session, stop_keyring_session

    caplog.set_level(logging.DEBUG)
    session = start_keyring_session(unlock=False)
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.bus_address)
        store = SecretStore(SecretService.Keyring())
        status = store.status
        assert not status.usable
        assert status.message == LOCKED_KEYRING_MESSAGE
        assert store.set(_profile("lab"), CANARY) is StoredIn.SESSION
        assert store.get(_profile("lab")) == CANARY
        _assert_no_canary(session.stored_files() + _user_files(), caplog)
    finally:
        stop_keyring_session(session)
