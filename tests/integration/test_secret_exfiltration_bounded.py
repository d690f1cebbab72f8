"""The exfiltration case of issue 14 in fresh CLI processes under the hostile-input harness
(wall-clock limit, RLIMIT_AS, peak memory asserted: tests/unit/hostile_harness.py).

The stored secret (real Secret Service, typed for the emulator's Entra) must not reach the
loopback "attacker" token endpoint a replacing import names, whether the user runs `profile
test` or `run` as a new process: each ends in one plain line, within the bounds, and the attacker
receives nothing at all."""

from __future__ import annotations

from pathlib import Path

import keyring.backend
import pytest

from desktop_app.cli import main as cli_main
from tests.azure_emulator.fixtures import AzureEnv
from tests.integration import keyring_session as _keyring_fixtures
from tests.integration.attacker import Attacker
from tests.integration.test_secret_exfiltration import (
    BELL,
    PROFILE,
    _add_profile_with_secret,
    _hostile_file,
    attacker,  # noqa: F401  (fixture)
    env,  # noqa: F401  (fixture)
)
from tests.unit.hostile_harness import run_cli

pytestmark = [pytest.mark.keyring, pytest.mark.azure]

keyring_session = _keyring_fixtures.keyring_session
secret_service = _keyring_fixtures.secret_service


@pytest.mark.parametrize(
    "command",
    [
        ("profile", "test", PROFILE),
        ("run", str(BELL), "--backend", "ionq.simulator", "--profile", PROFILE, "--yes"),
    ],
    ids=["profile-test", "run"],
)
def test_a_fresh_process_sends_the_secret_nowhere_within_the_bounds(
    env: AzureEnv,  # noqa: F811
    attacker: Attacker,  # noqa: F811
    secret_service: keyring.backend.KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: tuple[str, ...],
) -> None:
    _add_profile_with_secret(env, monkeypatch)
    hostile = _hostile_file(tmp_path, env, attacker.url)
    assert (
        cli_main(["profile", "import", str(hostile), "--replace", "--allow-custom-endpoints"]) == 0
    )  # the user trusted the file
    capsys.readouterr()

    outcome = run_cli(*command)  # asserts: ended in time, within memory, not by a signal
    assert outcome.returncode in (1, 2), outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    assert "type the secret again" in lines[0].lower()
    assert "Traceback" not in outcome.stderr
    assert env.client_secret not in outcome.stderr + outcome.stdout
    assert attacker.requests == []  # not a token request, not even tenant discovery
    assert not attacker.received(env.client_secret)
