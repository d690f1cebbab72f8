"""How the Azure worker process starts (core.azure.process): a command line's worker is forked
while the command's process has no other thread (issue 16: no second Python start-up before its
first job), and spawned otherwise: beside any other thread, and always for the window.

Each case runs in a fresh interpreter: this test process has threads of its own (pytest-xdist's).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork on Linux only")

ROOT = Path(__file__).resolve().parents[2]

# Prints, per worker started, whether it saw the parent's MARK (so was forked); writes to stdout
# unflushed first: a forked child holds a copy of that buffer, and must not print it again.
_CHILD = r"""
import sys, threading
from desktop_app.core.azure import process
from tests import worker_call_targets as targets

def started_as() -> str:
    forked = process.call_in_azure_worker(targets.parent_mark) == "parent"
    process.wait_ready(60)  # its imports done, the worker ends as asked (flushing its streams)
    process.shutdown_worker()
    return "fork" if forked else "spawn"

targets.MARK = "parent"
sys.stdout.write("unflushed;")
if sys.argv[1] == "command":
    process.serve_command_line(30, None)
alone = started_as()
other = threading.Event()
waiting = threading.Thread(target=other.wait)
waiting.start()
beside_a_thread = started_as()
other.set()
waiting.join()
print(alone, beside_a_thread, sep=";")
"""


def _started_as(kind: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered, as a user's
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, kind],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_command_line_forks_its_worker_while_alone_and_spawns_it_beside_a_thread() -> None:
    assert _started_as("command") == "unflushed;fork;spawn\n"


def test_the_window_always_spawns_its_worker() -> None:
    assert _started_as("window") == "unflushed;spawn;spawn\n"
