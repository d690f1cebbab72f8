"""The sign-in survives the process where the OS keeps the token cache encrypted: a student signs
in once (browser), and a second process (the CLI) runs a job from the persisted cache with no
second sign-in. The store is a real Secret Service (gnome-keyring on a private D-Bus) reached by
msal-extensions through libsecret; without one the second process is told to sign in again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
def home(lab_env) -> Path:
    """lab_env's HOME for this test (msal-extensions keeps its cache's change marker there)."""
    return Path(os.environ["HOME"])


# The system's PyGObject, lent to the app's processes by dev.sh (PyPI has no wheel of it); kept
# off the pytest process's own path (see dev.sh: GLib would end it when the test bus stops).
SYSTEM_GI = Path(__file__).parents[2] / ".venv" / "system-gi"


def _cli(*args: str, browser: str = "/bin/false") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BROWSER=browser)  # a second sign-in would have no browser to use
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SYSTEM_GI), env.get("PYTHONPATH")) if p)
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
    assert (SYSTEM_GI / "gi").is_dir(), (
        "the encrypted sign-in cache needs PyGObject and libsecret's typelib: run ./dev.sh test "
        "(it installs python3-gi and gir1.2-secret-1 and lends them to .venv/system-gi)"
    )
    le.write_lab(tmp_path / "xdg-system", lab_env)
    # one process signs in (the scripted browser follows the redirect) ...
    signed = _cli("lab", "sign-in", browser=os.environ["BROWSER"])
    assert signed.returncode == 0, signed.stderr
    assert signed.stdout == f"Signed in to 'Lab' as {le.STUDENT}.\n"
    assert signed.stderr == ""  # the cache is kept encrypted: no "this session only" note
    assert _sign_ins(lab_env) == 1
    stored = [p for p in keyring_session.stored_files() if p.suffix == ".keyring"]
    assert stored and all(b"refresh_token" not in p.read_bytes() for p in stored)  # encrypted
    # ... the next ones find the account and its tokens without asking again
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
    # no Secret Service on this "machine": the child's probe fails (lab_env keeps this process's
    # cache in memory, as such a machine would)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
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
