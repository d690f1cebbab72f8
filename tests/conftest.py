"""Test set-up shared by every suite: offscreen Qt, loopback-only network, isolated user dirs."""

from __future__ import annotations

import os
import re
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import netguard

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QDK_PYTHON_TELEMETRY"] = "none"
os.environ.pop("DISPLAY", None) if os.environ.get("QT_QPA_PLATFORM") == "offscreen" else None

# The Azure SDK fills workspace parameters from these; a developer's own settings must not leak in.
_SCRUBBED = re.compile(
    r"^(AZURE_.*|SUBSCRIPTION_ID|RESOURCE_GROUP|LOCATION|WORKSPACE_NAME|IDENTITY_ENDPOINT|"
    r"MSI_ENDPOINT|IMDS_ENDPOINT|HTTPS?_PROXY|https?_proxy|ALL_PROXY|all_proxy)$"
)
for _name in [n for n in os.environ if _SCRUBBED.match(n)]:
    del os.environ[_name]
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"

netguard.install()
_SITE = str(Path(__file__).parent / "netguard_site")
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (_SITE, str(Path(__file__).parent.parent), os.environ.get("PYTHONPATH")) if p
)


@pytest.fixture(autouse=True)
def isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Config, data, cache and state dirs of each test live in a fresh temporary folder."""
    home = tmp_path_factory.mktemp("userdirs")
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        (home / sub).mkdir()
        monkeypatch.setenv(var, str(home / sub))
    # the system-wide folders too: a lab profile installed on this machine stays out of tests
    (home / "system-config").mkdir()
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(home / "system-config"))
    # XDG_DATA_HOME also holds gnome-keyring's store, which the keyring session fixes for its
    # whole run: the app's data dir is redirected through QUANTUM_DESK_DATA_DIR instead.
    (home / "data").mkdir()
    monkeypatch.setenv("QUANTUM_DESK_DATA_DIR", str(home / "data"))
    return home


@pytest.fixture(autouse=True)
def fail_on_unhandled_exceptions() -> Iterator[None]:
    """PySide6 >= 6.5.2 swallows exceptions raised in slots: route them to a failure."""
    seen: list[BaseException] = []
    previous = sys.excepthook
    sys.excepthook = lambda typ, value, tb: seen.append(value)
    yield
    sys.excepthook = previous
    if seen:
        pytest.fail(f"unhandled exception in a slot or thread: {seen[0]!r}", pytrace=False)


_started_threads: weakref.WeakSet[object] = weakref.WeakSet()


def _track_qthreads() -> None:
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is None or getattr(qtcore.QThread, "_qd_tracked", False):
        return
    original_start = qtcore.QThread.start

    def start(self: object, *args: object) -> None:
        _started_threads.add(self)
        original_start(self, *args)

    qtcore.QThread.start = start
    qtcore.QThread._qd_tracked = True


@pytest.fixture(autouse=True)
def no_qthread_left_running() -> Iterator[None]:
    """A QThread still running after a test is a leak (and aborts the process when collected)."""
    _track_qthreads()
    yield
    running = [t for t in list(_started_threads) if t.isRunning()]  # type: ignore[attr-defined]
    if running:
        for thread in running:
            thread.quit()  # type: ignore[attr-defined]
            thread.wait(5000)  # type: ignore[attr-defined]
        pytest.fail(f"{len(running)} QThread(s) left running by the test", pytrace=False)
    tasks = sys.modules.get("desktop_app.ui.tasks")  # the app's pools: loaded by GUI tests only
    if tasks is not None and not tasks.wait_idle(10_000):
        pytest.fail("a background task (desktop_app.ui.tasks) was left running", pytrace=False)
