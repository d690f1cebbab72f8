"""Reading a target while another thread reads one of another workspace: the SDK's
`Workspace.get_targets` can hand back a Target bound to the other thread's workspace (its
TargetFactory is one object per process, whose workspace each call sets before it lists the
targets); `read_target` binds each to its own. Forced here with a slow first target list on the
loopback emulator. Emulator + Azurite."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from desktop_app.core.azure.session import open_profile_workspace
from desktop_app.core.azure.workspace import close_workspace, read_target
from tests.integration.test_azure_run_emulator import PROFILE, _profile, env  # noqa: F401

pytestmark = pytest.mark.azure

TARGET = "ionq.simulator"


def _read_beside_another(env: Any, read: Callable[[Any, str], Any]) -> tuple[Any, Any, Any]:  # noqa: F811
    """Workspace A's target read with its target list held back 1 s by the emulator, while
    workspace B reads its own in the meantime; returns (A, B, A's target)."""
    (a, _), (b, _) = open_profile_workspace(PROFILE), open_profile_workspace(PROFILE)
    slow = env.emulator.add_fault(
        "latency", role="dp", method="GET", path="providerStatus", count=1, delay=1.0
    )
    found: list[Any] = []
    reader = threading.Thread(target=lambda: found.append(read(a, TARGET)))
    reader.start()
    deadline = time.monotonic() + 30
    while slow.hits < 1:  # A's list request has reached the emulator and waits there
        assert time.monotonic() < deadline, "workspace A never asked for its targets"
        threading.Event().wait(0.01)
    assert read(b, TARGET).workspace is b
    reader.join(30)
    assert found, "workspace A's read did not end"
    return a, b, found[0]


def test_each_target_is_bound_to_the_workspace_that_read_it(env):  # noqa: F811
    _profile(env)
    a, b, target = _read_beside_another(env, read_target)
    try:
        assert target.name == TARGET
        assert target.workspace is a
    finally:
        close_workspace(a)
        close_workspace(b)


def test_the_sdk_alone_binds_the_target_to_the_other_workspace(env):  # noqa: F811
    """Why read_target exists: the same interleaving through the public call. Should a later SDK
    make its factory per call, this fails, and read_target's lock can go."""
    _profile(env)
    a, b, target = _read_beside_another(env, lambda ws, name: ws.get_targets(name))
    try:
        assert target.workspace is b
    finally:
        close_workspace(a)
        close_workspace(b)
