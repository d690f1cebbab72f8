"""A workspace opened ahead (core.azure.ahead): its run takes it and the target read with it."""

from __future__ import annotations

from typing import Any

from desktop_app.core.azure import ahead


class _Target:
    def __init__(self, workspace: Any, name: str) -> None:
        self.workspace, self.name = workspace, name


class _Workspace:
    def __init__(self) -> None:
        self.listed: list[str] = []

    def get_targets(self, name: str) -> _Target:
        self.listed.append(name)
        return _Target(self, name)


class _Context:
    def __init__(self, workspace: _Workspace) -> None:
        self.workspace = workspace

    def open_workspace(self, profile: str) -> tuple[_Workspace, str]:
        return self.workspace, f"profile {profile}"


def test_the_run_takes_the_workspace_and_its_target_once() -> None:
    workspace = _Workspace()
    ahead.open_ahead(_Context(workspace), "lab", ("ionq.simulator", "rigetti.sim.qvm"))
    assert workspace.listed == ["ionq.simulator"]
    assert ahead.take("lab") == (workspace, "profile lab")
    read = ahead.target(workspace, "ionq.simulator")
    assert read.workspace is workspace and workspace.listed == ["ionq.simulator"]  # not again
    ahead.target(workspace, "ionq.simulator")  # a second run of the same target lists it
    ahead.target(workspace, "rigetti.sim.qvm")  # so does another target
    assert workspace.listed == ["ionq.simulator"] * 2 + ["rigetti.sim.qvm"]
    assert ahead.take("lab") is None  # taken once


def test_another_workspace_lists_its_own_target() -> None:
    opened, other = _Workspace(), _Workspace()
    ahead.open_ahead(_Context(opened), "lab", ("ionq.simulator",))
    assert ahead.take("lab") is not None
    assert ahead.target(other, "ionq.simulator").workspace is other
    assert other.listed == ["ionq.simulator"]
    ahead.target(opened, "ionq.simulator")  # still kept for the workspace it was read with
    assert opened.listed == ["ionq.simulator"]
