"""A hostile profile file must not get the stored client secret sent to its authority.

The attack of issue 14: a user imports a profile file with replace; it names the same profile
but an authority host of the attacker's. The secret in the keyring (the real Secret Service
here) was typed for the emulator's Entra; `profile test`, `run` and the dialog's Test
connection must send it nowhere else, and say in one line that it must be typed again. A loopback
"attacker" token endpoint with a certificate the clients trust records what arrives.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring.backend
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.cli import main as cli_main
from desktop_app.core.azure import executor as azure_executor
from desktop_app.core.azure.errors import AzureRunError
from desktop_app.core.azure.profiles import ProfileStore
from desktop_app.core.azure.secrets import SERVICE_NAME
from desktop_app.core.azure.session import open_profile_workspace
from desktop_app.ui import messages
from desktop_app.ui import tasks as background
from desktop_app.ui.credentials.dialog import CredentialsDialog
from desktop_app.ui.credentials.form import SECRET_OTHER_IDENTITY
from tests.azure_emulator.fixtures import AzureEnv, profile_add_args
from tests.integration import keyring_session as _keyring_fixtures
from tests.integration.attacker import Attacker, attacker_endpoint

pytestmark = [pytest.mark.keyring, pytest.mark.azure]

keyring_session = _keyring_fixtures.keyring_session
secret_service = _keyring_fixtures.secret_service

PROFILE = "lab"
BELL = Path(__file__).resolve().parents[2] / "resources" / "examples" / "bell.qasm"
WAIT_MS = 30_000


@pytest.fixture
def attacker(azure_env: AzureEnv) -> Iterator[Attacker]:
    # the emulator's CA signs the attacker's certificate too: a sent secret would arrive
    with attacker_endpoint(azure_env.emulator.ca.server_context()) as endpoint:
        yield endpoint


@pytest.fixture
def env(azure_env: AzureEnv) -> Iterator[AzureEnv]:
    azure_executor.forget_credentials()
    yield azure_env
    azure_executor.forget_credentials()


def _hostile_file(tmp_path: Path, env: AzureEnv, authority: str, **changes: str) -> Path:
    """What an attacker mails around: our profile, with their authority host."""
    entry = {
        "name": PROFILE,
        "resource_id": env.resource_id,
        "location": env.location,
        "auth_kind": "service-principal",
        "tenant_id": env.tenant_id,
        "client_id": env.client_id,
        "authority_host": authority,
        "arm_endpoint": env.arm_endpoint,
        **changes,
    }
    path = tmp_path / "shared-lab-profile.json"
    path.write_text(json.dumps({"schema_version": 1, "profiles": [entry]}), encoding="utf-8")
    return path


def _add_profile_with_secret(env: AzureEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(env.client_secret + "\n"))
    code = cli_main(profile_add_args(env, PROFILE))
    assert code == 0


def test_cli_profile_test_and_run_send_no_secret_to_an_imported_authority(
    env: AzureEnv,
    attacker: Attacker,
    secret_service: keyring.backend.KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
):
    _add_profile_with_secret(env, monkeypatch)
    assert cli_main(["profile", "test", PROFILE]) == 0  # the secret works where it was typed for
    capsys.readouterr()

    hostile = _hostile_file(tmp_path, env, attacker.url)
    # without the confirmation the import is refused, naming the host
    assert cli_main(["profile", "import", str(hostile), "--replace"]) == 2
    err = capsys.readouterr().err
    assert attacker.url in err and "--allow-custom-endpoints" in err
    # even confirmed (the user trusted the file), the stored secret stays where it was typed for
    assert (
        cli_main(["profile", "import", str(hostile), "--replace", "--allow-custom-endpoints"]) == 0
    )
    out = capsys.readouterr().out
    assert f"quantum-desk profile secret {PROFILE}" in out
    assert secret_service.get_password(SERVICE_NAME, PROFILE) is not None  # still stored

    assert cli_main(["profile", "test", PROFILE]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err  # the CLI says so in one line
    first = err.splitlines()[0]
    assert "type the secret again" in first.lower() and attacker.url in first
    assert env.client_secret not in err

    code = cli_main(
        ["run", str(BELL), "--backend", "ionq.simulator", "--profile", PROFILE, "--yes"]
    )
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "type the secret again" in err.lower() and "profile secret lab" in err

    # the executor refuses on its own too (a window, the reconciler, a script)
    with pytest.raises(AzureRunError, match=r"(?i)type the secret again"):
        open_profile_workspace(PROFILE)
    assert not attacker.received(env.client_secret), attacker.requests
    assert attacker.token_requests() == []

    # the control: typed again for the new identity, it does go there (the endpoint works)
    monkeypatch.setattr(sys, "stdin", io.StringIO(env.client_secret + "\n"))
    assert cli_main(["profile", "secret", PROFILE, "--secret-stdin"]) == 0
    assert cli_main(["profile", "test", PROFILE]) == 1
    assert "client secret is wrong" in capsys.readouterr().err  # the attacker's answer
    assert attacker.received(env.client_secret)


@pytest.mark.parametrize(
    "changes",
    [
        {"tenant_id": "99999999-9999-9999-9999-999999999999"},
        {"client_id": "66666666-6666-6666-6666-666666666666"},
    ],
    ids=["tenant", "client"],
)
def test_an_edit_of_tenant_or_client_leaves_the_secret_unused(
    env: AzureEnv,
    secret_service: keyring.backend.KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, str],
):
    _add_profile_with_secret(env, monkeypatch)
    store = ProfileStore()
    import dataclasses

    store.update(PROFILE, dataclasses.replace(store.get(PROFILE), **changes))
    requests_before = len(env.emulator.requests_matching("aad"))
    assert cli_main(["profile", "test", PROFILE]) == 1
    assert "type the secret again" in capsys.readouterr().err.lower()
    assert len(env.emulator.requests_matching("aad")) == requests_before  # nothing sent at all


def test_dialog_import_then_test_connection_sends_no_secret(
    qtbot: QtBot,
    env: AzureEnv,
    attacker: Attacker,
    secret_service: keyring.backend.KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
):
    _add_profile_with_secret(env, monkeypatch)
    hostile = _hostile_file(tmp_path, env, attacker.url)
    questions: list[str] = []

    def ask(_parent: object, _title: str, question: str) -> bool:
        questions.append(question)
        return True  # the user says yes to everything: replace, and trust the host

    monkeypatch.setattr(messages, "ask", ask)
    monkeypatch.setattr(messages, "ask_open_path", lambda *_a: str(hostile))
    monkeypatch.setattr(messages, "show_error", lambda *_a: pytest.fail(str(_a)))

    dialog = CredentialsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert any(attacker.url in q and "known Azure cloud" in q for q in questions), questions
        assert any("Replace existing profiles" in q for q in questions), questions
        assert dialog.editing == PROFILE
        form = dialog.form
        assert form.custom_label.isVisible() and attacker.url in form.custom_label.text()
        assert form.error_labels["secret"].text() == SECRET_OTHER_IDENTITY
        assert "type the secret again" in dialog.status_label.text()

        assert dialog.test_button.isEnabled()
        with qtbot.waitSignal(
            dialog.tester.busyChanged, timeout=WAIT_MS, check_params_cb=lambda busy: not busy
        ):
            qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        assert "type the secret again" in dialog.test_result.text().lower()
        assert attacker.requests == []  # not even the tenant discovery

        # the control: the user types the secret into the form; then it goes where they said
        form.secret_input.setFocus()
        qtbot.keyClicks(form.secret_input, env.client_secret)
        with qtbot.waitSignal(
            dialog.tester.busyChanged, timeout=WAIT_MS, check_params_cb=lambda busy: not busy
        ):
            qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        assert attacker.received(env.client_secret)
    finally:
        dialog.tester.cancel()
        assert background.wait_idle(WAIT_MS)
