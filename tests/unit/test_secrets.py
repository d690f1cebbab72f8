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
    assert store.set("lab", CANARY) is StoredIn.KEYRING
    assert backend.items == {(SERVICE_NAME, "lab"): CANARY}
    assert store.get("lab") == CANARY and store.has("lab")
    assert store.move("lab", "lab2")
    assert backend.items == {(SERVICE_NAME, "lab2"): CANARY}
    assert store.delete("lab2") is True
    assert store.delete("lab2") is False
    assert store.get("lab2") is None
    _assert_canary_nowhere(caplog)


def test_empty_secret_is_refused():
    with pytest.raises(SecretStoreError, match="empty"):
        SecretStore(MemoryKeyring()).set("lab", "")


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
        assert store.set("lab", CANARY) is StoredIn.SESSION
        assert store.get("lab") == CANARY
        assert store.move("lab", "lab-renamed")
        assert store.get("lab") is None and store.get("lab-renamed") == CANARY
        assert store.delete("lab-renamed") is True
        assert store.get("lab-renamed") is None
        store.set("again", CANARY)
        # a new session (a new store) does not have it: nothing went to disk
        assert SecretStore().get("again") is None
    finally:
        keyring.set_keyring(previous)
    _assert_canary_nowhere(caplog)


def test_empty_chainer_counts_as_no_keyring(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    store = SecretStore(chainer.ChainerBackend())
    assert store.status.message == NO_KEYRING_MESSAGE
    assert store.set("lab", CANARY) is StoredIn.SESSION


def test_plaintext_backend_is_refused(caplog: pytest.LogCaptureFixture):
    backend = PlaintextKeyring()
    store = SecretStore(backend)
    assert not store.status.usable
    assert store.status.message == PLAINTEXT_KEYRING_MESSAGE
    assert store.set("lab", CANARY) is StoredIn.SESSION
    assert backend.items == {}


def test_chainer_skips_plaintext_members(monkeypatch: pytest.MonkeyPatch):
    good, plain = MemoryKeyring(), PlaintextKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plain, good])
    store = SecretStore(chainer.ChainerBackend())
    assert store.set("lab", CANARY) is StoredIn.KEYRING
    assert plain.items == {} and good.items == {(SERVICE_NAME, "lab"): CANARY}
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plain])
    assert SecretStore(chainer.ChainerBackend()).status.message == PLAINTEXT_KEYRING_MESSAGE


def test_locked_keyring_falls_back_and_never_leaks(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    store = SecretStore(LockedKeyring())
    assert store.status.message == LOCKED_KEYRING_MESSAGE
    assert store.set("lab", CANARY) is StoredIn.SESSION
    assert store.get("lab") == CANARY
    _assert_canary_nowhere(caplog)


def test_a_failing_write_falls_back_without_the_secret_in_any_log(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    store = SecretStore(BrokenAfterProbe())
    assert store.status.usable  # the probe read worked
    assert store.set("lab", CANARY) is StoredIn.SESSION
    assert store.status.message == LOCKED_KEYRING_MESSAGE
    assert store.get("lab") == CANARY
    _assert_canary_nowhere(caplog)


def test_delete_failure_message_has_no_secret():
    class NoDelete(MemoryKeyring):
        def delete_password(self, service: str, username: str) -> None:
            raise RuntimeError(f"dbus said no to {self.items[(service, username)]}")

    store = SecretStore(NoDelete())
    store.set("lab", CANARY)
    with pytest.raises(SecretStoreError) as info:
        store.delete("lab")
    assert CANARY not in str(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert "quantum-desk" in str(info.value) and "lab" in str(info.value)


def test_nothing_written_to_disk_without_keyring(tmp_path: Path):
    before = {p: p.stat().st_mtime_ns for p in _walk_user_dirs()}
    store = SecretStore(fail.Keyring())
    store.set("lab", CANARY)
    after = {p: p.stat().st_mtime_ns for p in _walk_user_dirs()}
    assert before == after
    assert not any(CANARY in str(v) for v in os.environ.values())
