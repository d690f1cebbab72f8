"""The loopback Azure emulator and its Azurite as a process of their own, for the benchmarks.

They stand in for Azure's servers, which share neither the app's CPU nor its interpreter lock: in
a session (so a scheduling group) of their own at nice +10, started with `python -m
tests.azure_emulator`, stopped with SIGTERM (which also ends Azurite), and ended with the
benchmark that started them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def stand_aside(pid: int | str = "self") -> None:
    """Put process `pid`'s scheduling group (Linux: its session's autogroup) at nice +10."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text("10")


def _die_with_parent() -> None:
    """In the child: SIGTERM when this benchmark dies (even by a crash), so the emulator still
    stops its Azurite by PID. Linux only; elsewhere the finally block has to do.

    It also runs at nice +10, in a session of its own whose scheduling group (Linux's autogroup)
    is at nice +10 too: the emulator and its Azurite stand in for Azure's servers, which do not
    share the user's CPU. At nice 0 they took a core from the window's thread while they served
    20 jobs (the run-queue waits `Heartbeat` reports). In the window's own group they would draw
    that group's CPU share away from the GUI thread's core, as the app's workers did (see
    core/child_process); and Azurite, started in a session of its own, competed with
    the window's whole group as an equal despite its nice +10 (the kernel scheduler trace of
    stall_sched.py: the GUI thread runnable behind it for 10+ ms)."""
    with contextlib.suppress(OSError):
        os.nice(10)
    stand_aside()
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


class EmulatorProcess:
    """`python -m tests.azure_emulator` in a child process; SIGTERM stops it and its Azurite."""

    def __init__(self, workdir: Path) -> None:
        self.log_path = workdir / "emulator.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.azure_emulator", "--workdir", str(workdir / "emu")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            start_new_session=True,  # its own scheduling group (see _die_with_parent)
            preexec_fn=_die_with_parent,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise SystemExit(
                f"the emulator did not start; see {self.log_path}:\n"
                f"{self.log_path.read_text()[-2000:]}"
            )
        self.info: dict[str, Any] = json.loads(line)
        found = None
        deadline = time.monotonic() + 10.0  # logged just after that line: a loaded machine lags
        while found is None and time.monotonic() < deadline and self.proc.poll() is None:
            found = re.search(r"Azurite pid (\d+)", self.log_path.read_text())
            if found is None:
                time.sleep(0.05)
        self.azurite_pid = int(found.group(1)) if found else None
        if self.azurite_pid is not None:  # started in a session (scheduling group) of its own
            stand_aside(self.azurite_pid)

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            self.info["admin_endpoint"].rstrip("/") + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # loopback, plain HTTP
            return json.loads(response.read() or b"null")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.azurite_pid is not None:  # the child stops Azurite by PID; make sure it did
            try:
                os.kill(self.azurite_pid, signal.SIGTERM)
                print(f"warning: Azurite (pid {self.azurite_pid}) outlived the emulator; stopped")
            except ProcessLookupError:
                pass
        self._log.close()
