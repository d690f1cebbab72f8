"""The token gate's own rules, on a stand-in for the credential it wraps (which stands for one that
keeps no tokens, as azure-identity's AzureCliCredential documents of itself): the first request
alone, one request per scope at a time, tokens kept only with `keep_tokens`, only while good, and
never for a claims challenge. Asking Entra itself: tests/integration/test_azure_token_requests.py.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo

from desktop_app.core.azure.token_gate import OneRequestAtATime

ARM = "https://management.azure.com/.default"
DATA_PLANE = "https://quantum.microsoft.com/.default"


class _Tokens:
    """Hands out numbered tokens valid for `lifetime` seconds; `hold` keeps a request in flight
    until released; counts the requests and the most ever in flight at once."""

    def __init__(self, lifetime: float = 3600) -> None:
        self.lifetime = lifetime
        self.asked: list[tuple[str, ...]] = []
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        self.hold = threading.Event()
        self.hold.set()
        self.entered = threading.Event()
        self.fail_next = False

    def _ask(self, scopes: tuple[str, ...]) -> tuple[str, int]:
        with self.lock:
            self.asked.append(scopes)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            number, fail = len(self.asked), self.fail_next
            self.fail_next = False
        self.entered.set()
        try:
            assert self.hold.wait(30)
            if fail:
                raise RuntimeError("no token")
            return f"token-{number}", int(time.time() + self.lifetime)
        finally:
            with self.lock:
                self.in_flight -= 1

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(*self._ask(scopes))

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo(*self._ask(scopes))


def _waiting_in_the_gate(thread: threading.Thread) -> bool:
    """The thread is blocked on one of the gate's locks (its top frame is the gate's)."""
    frame = sys._current_frames().get(thread.ident or -1)
    return frame is not None and frame.f_code.co_name == "_one_at_a_time"


def _ask_while_one_is_held(
    gate: OneRequestAtATime,
    inner: _Tokens,
    first: str,
    later: tuple[str, ...],
    later_with: str = "get_token",
) -> list[str]:
    """`first` asked (get_token) and held in flight; `later` asked meanwhile (`later_with`), each
    waiting in the gate before the first is let go; the tokens all got."""
    got: list[str] = []
    before = len(inner.asked)
    inner.entered.clear()
    inner.hold.clear()
    threads = [threading.Thread(target=lambda: got.append(gate.get_token(first).token))]
    threads += [
        threading.Thread(target=lambda s=s: got.append(getattr(gate, later_with)(s).token))
        for s in later
    ]
    threads[0].start()
    assert inner.entered.wait(30)
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 30
    while not all(_waiting_in_the_gate(t) for t in threads[1:]):
        assert time.monotonic() < deadline, "a later request never reached the gate"
        threading.Event().wait(0.001)
    assert len(inner.asked) == before + 1  # none of them reached the credential meanwhile
    inner.hold.set()
    for thread in threads:
        thread.join(30)
    assert len(got) == len(threads)
    return got


def test_the_first_request_runs_alone() -> None:
    inner = _Tokens()
    gate = OneRequestAtATime(inner)
    _ask_while_one_is_held(gate, inner, ARM, (ARM, DATA_PLANE))
    # without keep_tokens each call then reaches the credential (which keeps its own tokens)
    assert sorted(inner.asked) == [(ARM,), (ARM,), (DATA_PLANE,)]


def test_requests_for_one_scope_wait_for_the_one_in_flight() -> None:
    inner = _Tokens()
    gate = OneRequestAtATime(inner)
    gate.get_token(DATA_PLANE)  # the first request is past: the gate is per scope from now on
    _ask_while_one_is_held(gate, inner, ARM, (ARM, ARM))
    assert inner.most_in_flight == 1  # the two later ones one after the other, too


def test_get_token_and_get_token_info_wait_for_each_other() -> None:
    # azure-core's pipelines ask with get_token_info; a caller of get_token asking for the same
    # scopes at the same moment would otherwise post for a token of its own (seen: a first job's
    # third token request at the emulator, the tokens fetched ahead racing the workspace's)
    inner = _Tokens()
    gate = OneRequestAtATime(inner)
    gate.get_token(DATA_PLANE)
    _ask_while_one_is_held(gate, inner, ARM, (ARM,), later_with="get_token_info")
    assert inner.most_in_flight == 1


def test_kept_tokens_are_asked_for_once_however_many_want_them() -> None:
    inner = _Tokens()
    gate = OneRequestAtATime(inner, keep_tokens=True)
    got = _ask_while_one_is_held(gate, inner, ARM, (ARM, ARM, DATA_PLANE))
    assert sorted(inner.asked) == [(ARM,), (DATA_PLANE,)]
    assert got.count("token-1") == 3  # the three ARM askers share the first token
    assert gate.get_token(ARM).token == "token-1"  # and later ones too, with no request
    assert gate.get_token_info(ARM).token == "token-3"  # get_token_info keeps its own
    assert gate.get_token_info(ARM).token == "token-3"
    assert len(inner.asked) == 3


def test_a_token_near_its_end_is_asked_for_again() -> None:
    inner = _Tokens(lifetime=240)  # azure-core itself would ask again with under 5 minutes left
    gate = OneRequestAtATime(inner, keep_tokens=True)
    assert gate.get_token(ARM).token == "token-1"
    assert gate.get_token(ARM).token == "token-2"


def test_a_token_past_its_refresh_time_is_asked_for_again() -> None:
    class _Refreshing(_Tokens):
        def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
            token, expires_on = self._ask(scopes)
            return AccessTokenInfo(token, expires_on, refresh_on=int(time.time()) - 1)

    gate = OneRequestAtATime(_Refreshing(), keep_tokens=True)
    assert gate.get_token_info(ARM).token == "token-1"
    assert gate.get_token_info(ARM).token == "token-2"


def test_a_claims_challenge_always_reaches_the_credential() -> None:
    inner = _Tokens()
    gate = OneRequestAtATime(inner, keep_tokens=True)
    assert gate.get_token(ARM, claims='{"access_token":{}}').token == "token-1"
    assert gate.get_token(ARM, claims='{"access_token":{}}').token == "token-2"
    assert gate.get_token(ARM).token == "token-3"  # not the challenge's token


def test_a_claims_challenge_drops_the_kept_token_of_its_scopes() -> None:
    inner = _Tokens()
    gate = OneRequestAtATime(inner, keep_tokens=True)
    assert gate.get_token_info(ARM).token == "token-1"
    assert gate.get_token_info(DATA_PLANE).token == "token-2"
    gate.get_token_info(ARM, options={"claims": '{"access_token":{}}'})  # token-3: refused one
    assert gate.get_token_info(ARM).token == "token-4"  # the refused token is not handed out
    assert gate.get_token_info(DATA_PLANE).token == "token-2"  # another scope's is kept


def test_a_failed_first_request_leaves_the_next_to_try() -> None:
    inner = _Tokens()
    gate = OneRequestAtATime(inner, keep_tokens=True)
    inner.fail_next = True
    with pytest.raises(RuntimeError, match="no token"):
        gate.get_token(ARM)
    assert gate.get_token(ARM).token == "token-2"
    assert gate.get_token(ARM).token == "token-2"
