"""A workspace opened ahead (core.azure.ahead): its run takes it and the target read with it."""

from __future__ import annotations

import threading
from types import SimpleNamespace
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


class _Credential:
    def __init__(self, expected: int) -> None:
        self.scopes: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.all_asked = threading.Event()
        self.expected = expected

    def get_token(self, scope: str) -> object:
        with self.lock:
            self.scopes.append((scope, threading.current_thread().name))
            if len(self.scopes) == self.expected:
                self.all_asked.set()
        return object()


def test_a_service_principals_tokens_are_asked_arm_first(monkeypatch) -> None:
    """ARM's first: the workspace's lookup needs it first, and the credential's first request
    runs alone (token_gate), so the data plane's asked first would hold it back."""
    from desktop_app.core.azure import lab, session

    credential = _Credential(expected=2)
    secrets: list[str] = []
    monkeypatch.setattr(lab, "resolve_profile", lambda name: SimpleNamespace(needs_secret=True))

    def credential_for(profile: object, secret_of: Any) -> _Credential:
        secrets.append(secret_of(profile))
        return credential

    monkeypatch.setattr(session, "credential_for", credential_for)
    ahead.fetch_tokens("lab", lambda profile: "s3cret")
    assert credential.all_asked.wait(10)
    assert secrets == ["s3cret"]
    assert [scope for scope, _ in credential.scopes] == [
        "https://management.azure.com/.default",
        "https://quantum.microsoft.com/.default",
    ]
    assert {thread for _, thread in credential.scopes} != {threading.current_thread().name}


def test_a_signed_in_users_tokens_are_left_to_the_workspace(monkeypatch) -> None:
    from desktop_app.core.azure import lab, session

    resolved = threading.Event()

    def resolve(name: str) -> SimpleNamespace:
        resolved.set()
        return SimpleNamespace(needs_secret=False)

    def credential_for(profile: object, secret_of: Any) -> None:
        raise AssertionError("no credential is built for a signed-in user")

    monkeypatch.setattr(lab, "resolve_profile", resolve)
    monkeypatch.setattr(session, "credential_for", credential_for)
    threads = set(threading.enumerate())
    ahead.fetch_tokens("lab", lambda profile: None)
    assert resolved.wait(10)
    for thread in set(threading.enumerate()) - threads:
        thread.join(10)  # the fetch ended without asking for anything
        assert not thread.is_alive()
