"""The sign-in survives the process where the OS keeps the token cache encrypted: a student signs
in once (browser), and a second process (the CLI) runs a job from the persisted cache with no
second sign-in. The store is a real Secret Service (gnome-keyring on a private D-Bus) reached by
msal-extensions through libsecret; without one the second process is told to sign in again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import qiskit  # noqa: F401  (first import on the main thread, before the emulator's warm-up thread)

from desktop_app.core.azure import lab, sign_in
from tests.integration import keyring_session as _keyring_fixtures
from tests.integration import lab_env as le

keyring_session = _keyring_fixtures.keyring_session
lab_env = le.lab_env
pytestmark = [pytest.mark.keyring, pytest.mark.azure]

BELL = Path(__file__).parents[2] / "resources" / "examples" / "bell.qasm"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A HOME of the test's own: msal-extensions keeps its cache's change marker there."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    sign_in.set_cache_store(None)  # probe again, with (or without) this test's Secret Service
    yield folder
    sign_in.set_cache_store(None)


def _cli(*args: str, browser: str = "/bin/false") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BROWSER=browser)  # a second sign-in would have no browser to use
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _sign_ins(env) -> int:
    users = env.emulator
    return len(users.requests_matching("aad", path_contains="/authorize")) + len(
        users.requests_matching("aad", path_contains="/devicecode")
    )


def test_a_second_process_reuses_the_encrypted_cache(lab_env, keyring_session, home, tmp_path):
    le.write_lab(tmp_path / "xdg-system", lab_env)
    found = lab.load_lab()
    assert found is not None
    assert sign_in.cache_store().persistent, "libsecret over the test's Secret Service"
    assert sign_in.sign_in(found.profile) == le.STUDENT
    assert _sign_ins(lab_env) == 1
    stored = [p for p in keyring_session.stored_files() if p.suffix == ".keyring"]
    assert stored and all(b"refresh_token" not in p.read_bytes() for p in stored)  # encrypted

    shown = _cli("lab", "show")
    assert f"signed in: {le.STUDENT}" in shown.stdout, shown.stderr
    run = _cli("run", str(BELL), "--backend", "ionq.simulator", "--profile", "Lab", "--json")
    assert run.returncode == 0, run.stdout
    [result] = json.loads(run.stdout)
    assert result["status"] == "Succeeded" and sum(result["counts"].values()) == 1000
    assert _sign_ins(lab_env) == 1  # no second sign-in

    out = _cli("lab", "sign-out")
    assert out.returncode == 0, out.stderr
    again = _cli("run", str(BELL), "--backend", "ionq.simulator", "--profile", "Lab", "--json")
    assert again.returncode == 1
    [failed] = json.loads(again.stdout)
    assert "not signed in" in failed["error"]["message"]
    assert le.CONTACT in failed["error"]["message"]


def test_without_an_os_store_the_next_process_must_sign_in_again(
    lab_env, home, tmp_path, monkeypatch
):
    # no Secret Service on this "machine": the child's probe fails; this process (whose libsecret
    # may have connected to the session's bus already) is told the same
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    sign_in.set_cache_store(sign_in.CacheStore(False, sign_in.NO_STORE_MESSAGE))
    le.write_lab(tmp_path / "xdg-system", lab_env)
    found = lab.load_lab()
    assert found is not None
    sign_in.sign_in(found.profile)  # this process is signed in ...
    run = _cli("run", str(BELL), "--backend", "ionq.simulator", "--profile", "Lab", "--json")
    assert run.returncode == 1  # ... the next one is not: nothing was written unencrypted
    [failed] = json.loads(run.stdout)
    assert "not signed in" in failed["error"]["message"]
    assert "Traceback" not in run.stderr and "azure.identity" not in run.stderr
    written = [p for p in (home, tmp_path) for p in p.rglob("*") if p.is_file()]
    assert all(b"refresh_token" not in p.read_bytes() for p in written)  # no plain-text cache
