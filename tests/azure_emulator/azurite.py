"""Start and stop Azurite's blob service (npm ``azurite``) by PID."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
BINARY = HERE / "node_modules" / ".bin" / "azurite-blob"
ACCOUNT_NAME = "devstoreaccount1"
# The documented, public development-storage key every Azurite install uses.
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
INSTALL_HINT = (
    "Azurite is not installed: run the README's test command `./dev.sh test` (it installs "
    "nodejs/npm and runs `npm ci` in tests/azure_emulator)."
)


class AzuriteMissingError(RuntimeError):
    """node_modules/.bin/azurite-blob (or node) is not there."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: Linux sends it SIGTERM if the process that started it dies, so a
    killed test run leaves no Azurite behind (the normal path still stops it by PID)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Azurite:
    """One azurite-blob process on a free loopback port, data kept in ``location``."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def account_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{ACCOUNT_NAME}"

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT_NAME};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={self.account_url};"
        )

    def start(self, timeout: float = 30.0) -> None:
        if not BINARY.exists():
            raise AzuriteMissingError(f"{INSTALL_HINT} (missing {BINARY})")
        self.location.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):  # a port may be taken between choosing and binding
            self.port = free_port()
            try:
                self.process = subprocess.Popen(
                    [
                        str(BINARY),
                        "--blobHost",
                        "127.0.0.1",
                        "--blobPort",
                        str(self.port),
                        "--location",
                        str(self.location),
                        "--disableTelemetry",
                        "--skipApiVersionCheck",
                        "--silent",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,  # it dies with the thread that started it
                )
            except OSError as exc:  # node itself missing
                raise AzuriteMissingError(f"{INSTALL_HINT} ({exc})") from exc
            if self._wait_ready(timeout):
                log.info("Azurite blob service pid %s on port %s", self.process.pid, self.port)
                return
            self.stop()
        raise RuntimeError("Azurite did not start (three attempts)")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = (
                    self.process.stderr.read().decode(errors="replace")
                    if self.process.stderr
                    else ""
                )
                log.warning("Azurite exited with %s: %s", self.process.returncode, err[-2000:])
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(5)
        except ProcessLookupError:
            pass
        if process.stderr:
            process.stderr.close()
