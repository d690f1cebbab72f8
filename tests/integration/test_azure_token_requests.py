"""Threads asking one service principal's credential for tokens at once: Entra is asked once per
token (`core.azure.token_gate`), where azure-identity alone makes a client, and reads the tenant's
openid-configuration, per thread. Forced with the first openid-configuration read held back 1 s
by the loopback emulator while two more threads ask. Emulator + Azurite."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from desktop_app.core.azure.credentials import build_credential
from tests.integration.test_azure_run_emulator import _profile, env  # noqa: F401
from tests.integration.test_emulator_sdk import credential as emulator_credential

pytestmark = pytest.mark.azure

ARM = "https://management.azure.com/.default"
DATA_PLANE = "https://quantum.microsoft.com/.default"


def _ask_three_at_once(env: Any, credential: Any) -> tuple[int, int]:  # noqa: F811
    """ARM's token asked while its tenant's discovery is held back, then ARM's again and the
    data plane's meanwhile; returns (openid-configuration reads, token requests) seen."""
    before = len(env.emulator.requests_matching(role="aad"))
    slow = env.emulator.add_fault(
        "latency", role="aad", method="GET", path="openid-configuration", count=1, delay=1.0
    )
    first_done: list[float] = []
    asked: list[float] = []
    errors: list[BaseException] = []

    def ask_first() -> None:
        try:
            credential.get_token(ARM)
            first_done.append(time.monotonic())
        except BaseException as exc:  # reported by the test's thread below
            errors.append(exc)

    def ask_later(scope: str) -> None:
        asked.append(time.monotonic())
        try:
            credential.get_token(scope)
        except BaseException as exc:
            errors.append(exc)

    first = threading.Thread(target=ask_first)
    first.start()
    deadline = time.monotonic() + 30
    while slow.hits < 1:  # the first discovery has reached the emulator and is held there
        assert time.monotonic() < deadline, "the first token request never started"
        threading.Event().wait(0.01)
    others = [threading.Thread(target=ask_later, args=(s,)) for s in (ARM, DATA_PLANE)]
    for thread in others:
        thread.start()
    for thread in (first, *others):
        thread.join(30)
    assert not errors, errors
    assert len(asked) == 2 and first_done, "a token request did not end"
    assert max(asked) < first_done[0], "the later two were not asked while the first was"
    seen = env.emulator.requests_matching(role="aad")[before:]
    reads = sum("openid-configuration" in r.path for r in seen)
    posts = sum(r.method == "POST" and r.path.endswith("/token") for r in seen)
    return reads, posts


def test_each_token_is_asked_for_once(env):  # noqa: F811
    profile = _profile(env)
    credential = build_credential(profile, env.client_secret)
    assert _ask_three_at_once(env, credential) == (1, 2)  # one discovery; ARM's, the data plane's
    before = len(env.emulator.requests_matching(role="aad"))
    assert credential.get_token(ARM).token and credential.get_token(DATA_PLANE).token
    assert len(env.emulator.requests_matching(role="aad")) == before  # both from the cache


def test_azure_identity_alone_reads_the_discovery_per_thread(env):  # noqa: F811
    """Why the gate exists: the same interleaving on a bare ClientSecretCredential reads the
    discovery again while the first read is held back (the later two may share a client). Should
    a later azure-identity make its client once, under a lock, this fails, and the gate's first
    request need not run alone."""
    _profile(env)
    credential = emulator_credential(env)  # the emulator's service principal, nothing around it
    reads, _ = _ask_three_at_once(env, credential)
    assert reads >= 2
