"""The secret store: keyring use, refusal of plaintext backends, and the session-only fallback."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import chainer, fail

from desktop_app.core import paths
from desktop_app.core.azure.profiles import Profile
from desktop_app.core.azure.secret_binding import (
    SecretIdentity,
    SecretIdentityChangedError,
    SecretState,
    decode,
)
from desktop_app.core.azure.secrets import (
    LOCKED_KEYRING_MESSAGE,
    NO_KEYRING_MESSAGE,
    PLAINTEXT_KEYRING_MESSAGE,
    SERVICE_NAME,
    SecretStore,
    SecretStoreError,
    StoredIn,
)
from tests.memory_keyring import MemoryKeyring

CANARY = "canary-Sx9!q-7f3c1e0b"
RID = (
    "/subscriptions/0f6c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5/resourceGroups/rg/providers/"
    "Microsoft.Quantum/Workspaces/ws"
)
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "11111111-2222-3333-4444-555555555555"


def profile(name: str = "lab", **fields: str) -> Profile:
    values = {
        "name": name,
        "resource_id": RID,
        "location": "eastus",
        "tenant_id": TENANT,
        "client_id": CLIENT,
        **fields,
    }
    return Profile.from_fields(values)


def stored(value: str) -> tuple[SecretIdentity | None, str]:
    return decode(value)


LAB = profile("lab")


class LockedKeyring(MemoryKeyring):
    """Behaves like a Secret Service whose collection is locked / whose D-Bus is gone."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"cannot store {password}")  # echoes it: a trap


class BrokenAfterProbe(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"D-Bus error while storing {password}")


class PlaintextKeyring(MemoryKeyring):
    """Stands for keyrings.alt.file.PlaintextKeyring (not installed: it must never be)."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


def _walk_user_dirs() -> list[Path]:
    roots = [paths.config_dir(), paths.data_dir(), paths.cache_dir(), paths.log_dir()]
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


def _assert_canary_nowhere(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert CANARY not in record.getMessage()
        assert CANARY not in repr(record.args)
    for path in _walk_user_dirs():
        assert CANARY.encode() not in path.read_bytes(), path


def test_keyring_round_trip(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    backend = MemoryKeyring()
    store = SecretStore(backend)
    assert store.status.usable and store.status.message == ""
    assert store.persistent
    assert store.set(LAB, CANARY) is StoredIn.KEYRING
    assert list(backend.items) == [(SERVICE_NAME, "lab")]
    assert stored(backend.items[(SERVICE_NAME, "lab")]) == (SecretIdentity.of(LAB), CANARY)
    assert store.get(LAB) == CANARY and store.has(LAB)
    assert store.move("lab", "lab2")
    assert list(backend.items) == [(SERVICE_NAME, "lab2")]
    assert store.delete("lab2") is True
    assert store.delete("lab2") is False
    assert store.get(profile("lab2")) is None
    _assert_canary_nowhere(caplog)


def test_empty_secret_is_refused():
    with pytest.raises(SecretStoreError, match="empty"):
        SecretStore(MemoryKeyring()).set(LAB, "")


def test_fail_backend_keeps_the_secret_for_this_session_only(caplog: pytest.LogCaptureFixture):
    """keyring's own fail backend (what headless Linux gets): memory only, said plainly."""
    caplog.set_level(logging.DEBUG)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store = SecretStore()  # keyring's choice, as the app does
        status = store.status
        assert not status.usable
        assert status.message == NO_KEYRING_MESSAGE
        assert "keyring.backends.fail.Keyring" in status.backend
        assert store.set(LAB, CANARY) is StoredIn.SESSION
        assert store.get(LAB) == CANARY
        assert store.move("lab", "lab-renamed")
        assert store.get(LAB) is None and store.get(profile("lab-renamed")) == CANARY
        assert store.delete("lab-renamed") is True
        assert store.get(profile("lab-renamed")) is None
        store.set(profile("again"), CANARY)
        # a new session (a new store) does not have it: nothing went to disk
        assert SecretStore().get(profile("again")) is None
    finally:
        keyring.set_keyring(previous)
    _assert_canary_nowhere(caplog)


def test_empty_chainer_counts_as_no_keyring(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    store = SecretStore(chainer.ChainerBackend())
    assert store.status.message == NO_KEYRING_MESSAGE
    assert store.set(LAB, CANARY) is StoredIn.SESSION


def test_plaintext_backend_is_refused(caplog: pytest.LogCaptureFixture):
    backend = PlaintextKeyring()
    store = SecretStore(backend)
    assert not store.status.usable
    assert store.status.message == PLAINTEXT_KEYRING_MESSAGE
    assert store.set(LAB, CANARY) is StoredIn.SESSION
    assert backend.items == {}


def test_chainer_skips_plaintext_members(monkeypatch: pytest.MonkeyPatch):
    good, plain = MemoryKeyring(), PlaintextKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plain, good])
    store = SecretStore(chainer.ChainerBackend())
    assert store.set(LAB, CANARY) is StoredIn.KEYRING
    assert plain.items == {} and list(good.items) == [(SERVICE_NAME, "lab")]
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plain])
    assert SecretStore(chainer.ChainerBackend()).status.message == PLAINTEXT_KEYRING_MESSAGE


def test_locked_keyring_falls_back_and_never_leaks(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    store = SecretStore(LockedKeyring())
    assert store.status.message == LOCKED_KEYRING_MESSAGE
    assert store.set(LAB, CANARY) is StoredIn.SESSION
    assert store.get(LAB) == CANARY
    _assert_canary_nowhere(caplog)


def test_a_failing_write_falls_back_without_the_secret_in_any_log(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    store = SecretStore(BrokenAfterProbe())
    assert store.status.usable  # the probe read worked
    assert store.set(LAB, CANARY) is StoredIn.SESSION
    assert store.status.message == LOCKED_KEYRING_MESSAGE
    assert store.get(LAB) == CANARY
    _assert_canary_nowhere(caplog)


def test_delete_failure_message_has_no_secret():
    class NoDelete(MemoryKeyring):
        def delete_password(self, service: str, username: str) -> None:
            raise RuntimeError(f"dbus said no to {self.items[(service, username)]}")

    store = SecretStore(NoDelete())
    store.set(LAB, CANARY)
    with pytest.raises(SecretStoreError) as info:
        store.delete("lab")
    assert CANARY not in str(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert "quantum-desk" in str(info.value) and "lab" in str(info.value)


def test_nothing_written_to_disk_without_keyring(tmp_path: Path):
    before = {p: p.stat().st_mtime_ns for p in _walk_user_dirs()}
    store = SecretStore(fail.Keyring())
    store.set(LAB, CANARY)
    after = {p: p.stat().st_mtime_ns for p in _walk_user_dirs()}
    assert before == after
    assert not any(CANARY in str(v) for v in os.environ.values())


# ---------------------------------------------------------------- a secret is bound to its identity


@pytest.mark.parametrize(
    "change",
    [
        {"authority_host": "https://127.0.0.1:4443"},
        {"authority_host": "https://login.microsoftonline.us"},
        {"tenant_id": "99999999-9999-9999-9999-999999999999"},
        {"client_id": "66666666-6666-6666-6666-666666666666"},
    ],
    ids=["authority-custom", "authority-other-cloud", "tenant", "client"],
)
def test_a_secret_is_never_handed_out_for_another_identity(change: dict[str, str]):
    store = SecretStore(MemoryKeyring())
    store.set(LAB, CANARY)
    moved = profile("lab", **change)
    assert store.lookup(moved) == (SecretState.OTHER_IDENTITY, None)
    assert not store.has(moved)
    with pytest.raises(SecretIdentityChangedError) as info:
        store.get(moved)
    message = str(info.value)
    assert "type the secret again" in message.lower() and CANARY not in message
    assert "\n" not in message
    # typed again for the new identity: used for it, and no longer for the old one
    store.set(moved, "new-" + CANARY)
    assert store.get(moved) == "new-" + CANARY
    assert store.state(LAB) is SecretState.OTHER_IDENTITY


def test_the_same_identity_spelled_differently_keeps_the_secret():
    store = SecretStore(MemoryKeyring())
    store.set(LAB, CANARY)  # no authority: the public cloud
    for same in (
        profile("lab", authority_host="https://login.microsoftonline.com"),
        profile("lab", authority_host="https://LOGIN.microsoftonline.com:443/"),
        profile("lab", tenant_id=TENANT.upper(), client_id=CLIENT.upper()),
        profile("lab", location="westeurope", arm_endpoint="https://management.azure.com"),
    ):
        assert store.get(same) == CANARY, same


@pytest.mark.parametrize(
    "value",
    [CANARY, '{"secret": "x"}', '{"format": "quantum-desk-secret/1", "secret": 5}', "[1]"],
    ids=["plain-legacy", "no-format", "bad-field", "not-an-object"],
)
def test_an_entry_without_an_identity_is_never_used(value: str):
    backend = MemoryKeyring()
    backend.set_password(SERVICE_NAME, "lab", value)  # an older app, or another tool
    store = SecretStore(backend)
    assert store.state(LAB) is SecretState.OTHER_IDENTITY
    with pytest.raises(SecretIdentityChangedError):
        store.get(LAB)


def test_session_only_secrets_are_bound_too():
    store = SecretStore(fail.Keyring())
    assert store.set(LAB, CANARY) is StoredIn.SESSION
    assert store.get(LAB) == CANARY
    assert store.state(profile("lab", tenant_id="99999999-9999-9999-9999-999999999999")) is (
        SecretState.OTHER_IDENTITY
    )
