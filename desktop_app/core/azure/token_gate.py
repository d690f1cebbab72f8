"""A service principal's credential that asks Entra for a token once, however many threads want it.

azure-identity neither coalesces concurrent requests nor guards the making of its MSAL client:
threads that ask one ClientSecretCredential for tokens at once each build a client (each reads the
tenant's openid-configuration) and each post for a token nobody has yet (azure-identity 1.25,
`MsalCredential._get_app` and `GetTokenMixin._get_token_base`, read 2026-12-02). A run asks from
several threads at once: the tokens fetched ahead (`ahead.fetch_tokens`), the workspace opened
ahead, the workspace's own lookups. Seen at the loopback emulator, one `quantum-desk run` sent up
to three openid-configuration reads and three token requests where the SDK alone sends one and
two. Here the first request of a credential runs alone (it makes the client); after it, requests
for the same scopes wait for the one in flight and then find its token in the credential's cache.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from types import TracebackType

    from azure.core.credentials import (
        AccessToken,
        AccessTokenInfo,
        TokenCredential,
        TokenRequestOptions,
    )

_Token = TypeVar("_Token")


class OneRequestAtATime:
    """`inner`'s get_token and get_token_info, one request per scope (and claims, tenant, CAE)
    at a time, and the very first alone."""

    def __init__(self, inner: TokenCredential) -> None:
        self._inner: Any = inner
        self._first = threading.Lock()
        self._made_client = False  # set once a request has succeeded
        self._locks: dict[tuple[object, ...], threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        key = (scopes, claims, tenant_id, enable_cae)
        token: AccessToken = self._one_at_a_time(
            key,
            lambda: self._inner.get_token(
                *scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs
            ),
        )
        return token

    def get_token_info(
        self, *scopes: str, options: TokenRequestOptions | None = None
    ) -> AccessTokenInfo:
        given = options or {}
        key = (scopes, given.get("claims"), given.get("tenant_id"), given.get("enable_cae", False))
        token: AccessTokenInfo = self._one_at_a_time(
            key, lambda: self._inner.get_token_info(*scopes, options=options)
        )
        return token

    def _one_at_a_time(self, key: tuple[object, ...], ask: Callable[[], _Token]) -> _Token:
        if not self._made_client:
            with self._first:
                if not self._made_client:  # a failed first leaves the next waiting one to try
                    token = ask()
                    self._made_client = True
                    return token
        with self._locks_guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # a request in flight for these scopes: its token, from the cache, after it
            return ask()

    def close(self) -> None:
        self._inner.close()

    def __enter__(self) -> OneRequestAtATime:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._inner.__exit__(kind, value, traceback)
