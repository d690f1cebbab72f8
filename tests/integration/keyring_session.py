"""A real Secret Service for tests: a private D-Bus session bus and an unlocked gnome-keyring.

Use the fixtures by importing them into a test module (or a conftest):

    from tests.integration.keyring_session import keyring_session, secret_service  # noqa: F401

`keyring_session` (session scope) starts `dbus-daemon --session --fork` and
`gnome-keyring-daemon --unlock --components=secrets --daemonize` (password on stdin: without
`--unlock` D-Bus auto-starts a locked daemon whose prompt is dismissed) with a temporary HOME,
XDG_DATA_HOME (the keyring files), XDG_CONFIG_HOME and XDG_RUNTIME_DIR; it points
DBUS_SESSION_BUS_ADDRESS of the test process at that bus, and kills both daemons by PID at the end.
`secret_service` (function scope) makes keyring's default backend that Secret Service for one test
and resets the app's process-wide SecretStore; it yields the backend.

Missing programs FAIL the tests (never skip): the keyring tests are part of the suite.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import pytest

README_COMMAND = ".venv/bin/pytest -m keyring tests/integration"
REQUIRED_PROGRAMS = {"dbus-daemon": "dbus-daemon", "gnome-keyring-daemon": "gnome-keyring"}
SECRETS_NAME = "org.freedesktop.secrets"
START_DEADLINE = 15.0  # seconds, for the daemon to own its bus name


@dataclass
class KeyringSession:
    bus_address: str
    dbus_pid: int
    keyring_pid: int
    root: Path  # HOME, XDG_* of the daemons live below it

    @property
    def data_home(self) -> Path:
        return self.root / "data"

    def backend(self) -> keyring.backend.KeyringBackend:
        """A fresh Secret Service backend talking to this session's daemon."""
        from keyring.backends import SecretService

        return SecretService.Keyring()

    def stored_files(self) -> list[Path]:
        return [p for p in self.root.rglob("*") if p.is_file()]


def _missing_programs() -> list[str]:
    return [pkg for prog, pkg in REQUIRED_PROGRAMS.items() if shutil.which(prog) is None]


def _name_owner_pid(address: str, name: str) -> int | None:
    """PID owning `name` on the bus, None while nobody owns it (asking never auto-starts it)."""
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import DBusErrorResponse, new_method_call

    with open_dbus_connection(bus=address) as conn:
        has_owner = conn.send_and_get_reply(
            new_method_call(message_bus, "NameHasOwner", "s", (name,))
        ).body[0]
        if not has_owner:
            return None
        try:
            reply = conn.send_and_get_reply(
                new_method_call(message_bus, "GetConnectionUnixProcessID", "s", (name,))
            )
        except DBusErrorResponse:
            return None
        return int(reply.body[0])


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def start_keyring_session(
    password: str = "quantum-desk-test", unlock: bool = True
) -> KeyringSession:
    """Start dbus-daemon + gnome-keyring-daemon; raises RuntimeError with a plain reason.

    With `unlock=False` only the bus starts: the first Secret Service call then makes D-Bus
    auto-start a LOCKED gnome-keyring whose unlock prompt is dismissed (a locked keychain).
    """
    missing = _missing_programs()
    if missing:
        raise RuntimeError(
            f"the keyring tests need a real Secret Service but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not installed: "
            "`apt-get install -y --no-install-recommends gnome-keyring dbus-daemon dbus-bin`, "
            f"then run `{README_COMMAND}` (see README, Tests)"
        )
    root = Path(tempfile.mkdtemp(prefix="qd-keyring-"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    for var, sub in (
        ("HOME", "home"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_RUNTIME_DIR", "run"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (root / sub).mkdir(mode=0o700)
        env[var] = str(root / sub)
    started = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    lines = started.stdout.split()
    if started.returncode != 0 or len(lines) < 2:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"dbus-daemon did not start: {started.stderr.strip() or lines}")
    address, dbus_pid = lines[0], int(lines[1])
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    if not unlock:
        return KeyringSession(address, dbus_pid, 0, root)
    try:
        unlocked = subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize"],
            input=password,
            env=env,
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if unlocked.returncode != 0:
            raise RuntimeError(
                f"gnome-keyring-daemon failed ({unlocked.returncode}): {unlocked.stderr.strip()}"
            )
        deadline = time.monotonic() + START_DEADLINE
        keyring_pid = _name_owner_pid(address, SECRETS_NAME)
        while keyring_pid is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gnome-keyring-daemon never took {SECRETS_NAME} on the bus")
            time.sleep(0.02)  # polling a condition with a deadline (start-up, not a test)
            keyring_pid = _name_owner_pid(address, SECRETS_NAME)
    except BaseException:
        _kill(dbus_pid)
        shutil.rmtree(root, ignore_errors=True)
        raise
    return KeyringSession(address, dbus_pid, keyring_pid, root)


def stop_keyring_session(session: KeyringSession) -> None:
    pids = {session.keyring_pid}
    with contextlib.suppress(Exception):  # a daemon D-Bus auto-started has a PID of its own
        pids.add(_name_owner_pid(session.bus_address, SECRETS_NAME) or 0)
    for pid in pids - {0}:
        _kill(pid)
    _kill(session.dbus_pid)
    shutil.rmtree(session.root, ignore_errors=True)


@pytest.fixture(scope="session")
def keyring_session() -> Iterator[KeyringSession]:
    try:
        session = start_keyring_session()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    previous = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = session.bus_address
    try:
        yield session
    finally:
        if previous is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = previous
        stop_keyring_session(session)


@pytest.fixture
def secret_service(keyring_session: KeyringSession) -> Iterator[keyring.backend.KeyringBackend]:
    """keyring's default backend is the session's Secret Service for the duration of one test."""
    from desktop_app.core import secrets

    previous = keyring.get_keyring()
    backend = keyring_session.backend()
    keyring.set_keyring(backend)
    secrets.set_default_secret_store(None)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
        secrets.set_default_secret_store(None)
