"""What every worker process the app starts does first: end with the app, leave Ctrl+C to it."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)


def exit_with_parent() -> None:
    """End this process when the app dies (no orphan left behind), and ignore Ctrl+C.

    Linux: the kernel sends SIGKILL when the thread that started us ends (PR_SET_PDEATHSIG), which
    also works while native code holds the interpreter lock. Elsewhere a daemon thread polls the
    parent's id.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C belongs to the app, which ends us
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        started_by = multiprocessing.parent_process()
        if started_by is not None and started_by.pid != parent:
            os._exit(0)  # the app died before prctl took effect

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
