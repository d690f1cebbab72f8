"""Run the CLI on a hostile input in a child process bounded in wall-clock time and address space.

The child gets RLIMIT_AS (set by a launcher that then execs the command, so an input that makes
it allocate without bound ends in a failed allocation instead of swapping the machine) and is
killed at the wall-clock limit. The harness then asserts both bounds held: it finished before
the deadline, its peak resident memory (from wait4, this child only) stayed under the limit, and
no signal ended it (exit 139 = the segfault of a native analyzer). `assert_refused` adds the
CLI's contract for bad input: exit code 2, nothing on stdout, exactly one plain
`quantum-desk: error: ...` line on stderr.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]

# Hang detector, not a timing target: a refused input ends in about a second (the interpreter's
# start and imports); the machine running the tests may be shared and slow.
WALL_SECONDS = 60.0
# Address space of the child: a run of the Bell example works within 1.5 GB of it (qiskit, aer and
# their thread pools reserve more than they touch).
ADDRESS_SPACE_BYTES = 2 * 1024**3
# Peak resident memory: measured, a refusal peaks at about 30 MB and a Bell run at about 100 MB.
MAX_RESIDENT_BYTES = 400 * 1024**2


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_resident_bytes: int


# A small launcher forks the command, sets the limit in its child and reports that child's peak
# memory: Linux keeps a process's peak resident memory across exec, so a command forked straight
# from this test process (425 MB late in the suite) would "peak" at this process's size.
_LAUNCH = """
import os, resource, signal, sys
limit, report = int(sys.argv[1]), int(sys.argv[2])
pid = os.fork()
if pid == 0:
    os.close(report)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.execvp(sys.argv[3], sys.argv[3:])
_, status, usage = os.wait4(pid, 0)
os.write(report, str(usage.ru_maxrss).encode())
code = os.waitstatus_to_exitcode(status)
if code < 0:  # end the same way, so that the harness sees the signal
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
os._exit(code)
"""


def _drain(stream: IO[bytes], into: list[bytes]) -> None:
    into.append(stream.read())


def run_cli(*args: str, cwd: Path = ROOT) -> Outcome:
    """`python -m desktop_app ARGS` under the bounds; asserts they held."""
    return run_limited([sys.executable, "-m", "desktop_app", *args], cwd=cwd)


def run_limited(argv: list[str], cwd: Path = ROOT, wall_seconds: float = WALL_SECONDS) -> Outcome:
    """Any command under the bounds (the harness's own tests use it); asserts they held."""
    env = {**os.environ, "QDK_PYTHON_TELEMETRY": "none"}
    started = time.monotonic()
    report_read, report_write = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-c", _LAUNCH, str(ADDRESS_SPACE_BYTES), str(report_write), *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        pass_fds=(report_write,),
        start_new_session=True,  # the launcher and the command: killed together
    )
    os.close(report_write)
    out: list[bytes] = []
    err: list[bytes] = []
    assert process.stdout is not None and process.stderr is not None
    readers = [
        threading.Thread(target=_drain, args=(process.stdout, out), daemon=True),
        threading.Thread(target=_drain, args=(process.stderr, err), daemon=True),
    ]
    for reader in readers:
        reader.start()
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(wall_seconds, kill)
    timer.start()
    try:
        _, status, _usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    with os.fdopen(report_read, "rb") as report:
        peak_kb = int(report.read() or b"0")  # the command's own peak (kilobytes on Linux)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    process.stdout.close()
    process.stderr.close()
    outcome = Outcome(
        process.returncode,
        b"".join(out).decode("utf-8", "replace"),
        b"".join(err).decode("utf-8", "replace"),
        seconds,
        peak_kb * 1024,
    )
    assert not killed.is_set(), f"still running after {wall_seconds:.0f} s: {argv}"
    assert outcome.returncode >= 0, f"ended by signal {-outcome.returncode}: {outcome.stderr}"
    assert outcome.max_resident_bytes < MAX_RESIDENT_BYTES, (
        f"peak memory {outcome.max_resident_bytes / 1024**2:.0f} MB: {argv}"
    )
    return outcome


def assert_refused(outcome: Outcome, location: str, *words: str) -> str:
    """Exit 2, one stderr line `quantum-desk: error: LOCATION: ...` holding every one of `words`."""
    assert outcome.returncode == 2, (outcome.returncode, outcome.stderr[-2000:])
    assert outcome.stdout == ""
    assert outcome.stderr.count("\n") == 1 and outcome.stderr.endswith("\n"), outcome.stderr[-2000:]
    line = outcome.stderr.rstrip("\n")
    prefix = f"quantum-desk: error: {location}: "
    assert line.startswith(prefix), line
    for word in words:
        assert word in line, (word, line)
    for leak in ("Traceback", "Error:", "Exception", "RecursionError", "MemoryError", "<class"):
        assert leak not in line, line
    return line[len(prefix) :]
