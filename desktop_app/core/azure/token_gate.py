"""A credential that asks for a token once, however many threads want it.

azure-identity neither coalesces concurrent requests nor guards the making of its MSAL client:
threads that ask one ClientSecretCredential for tokens at once each build a client (each reads the
tenant's openid-configuration) and each post for a token nobody has yet (azure-identity 1.27.0,
`MsalCredential._get_app` and `GetTokenMixin._get_token_base`, read 2026-12-02). A run asks from
several threads at once: the tokens fetched ahead (`ahead.fetch_tokens`), the workspace opened
ahead, the workspace's own lookups. Seen at the loopback emulator, one `quantum-desk run` sent up
to three openid-configuration reads and three token requests where the SDK alone sends one and
two. Here the first request of a credential runs alone (it makes the client); after it, requests
for the same scopes wait for the one in flight and then find its token in the credential's cache.

AzureCliCredential keeps no tokens at all ("this credential doesn't cache the tokens it
acquires", its docstring in azure-identity 1.27.0): every workspace a job opens would start
`az account get-access-token` twice (ARM's token, the data plane's), 40 `az` processes for 20
jobs on a lab machine signed in with `az login`. With `keep_tokens` the gate keeps each token
until azure-core would ask again (5 minutes before it expires, or its `refresh_on`); a request
with claims (a service's challenge) always goes through.
"""

from __future__ import annotations

import threading
import time
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

_Token = TypeVar("_Token", "AccessToken", "AccessTokenInfo")
_Key = tuple[tuple[str, ...], str | None, str | None, bool]  # scopes, claims, tenant, CAE

# azure-core's BearerTokenCredentialPolicy asks for a new token when one has less than this left
# (less a jitter of up to a minute; `DEFAULT_REFRESH_WINDOW_SECONDS`, azure/core/pipeline/
# policies/_authentication.py, azure-core 1.41.0): a kept token it is handed is not asked again
_REFRESH_MARGIN_S = 300


class OneRequestAtATime:
    """`inner`'s get_token and get_token_info, one request per scope (and claims, tenant, CAE)
    at a time, and the very first alone; with `keep_tokens`, each token kept while it is good."""

    def __init__(self, inner: TokenCredential, *, keep_tokens: bool = False) -> None:
        self._inner: Any = inner
        self._keep_tokens = keep_tokens
        self._first = threading.Lock()
        self._made_client = False  # set once a request has succeeded
        self._locks: dict[_Key, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._kept: dict[tuple[str, _Key], Any] = {}  # (method, key) -> its last token

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        def ask() -> AccessToken:
            token: AccessToken = self._inner.get_token(
                *scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs
            )
            return token

        if claims:
            self._forget(scopes)
        key: _Key = (scopes, claims, tenant_id, enable_cae)
        keep = self._keep_tokens and not claims and not kwargs
        return self._one_at_a_time(key, "get_token", ask, keep=keep)

    def get_token_info(
        self, *scopes: str, options: TokenRequestOptions | None = None
    ) -> AccessTokenInfo:
        given = options or {}
        claims = given.get("claims")

        def ask() -> AccessTokenInfo:
            token: AccessTokenInfo = self._inner.get_token_info(*scopes, options=options)
            return token

        if claims:
            self._forget(scopes)
        key: _Key = (scopes, claims, given.get("tenant_id"), given.get("enable_cae") or False)
        return self._one_at_a_time(
            key, "get_token_info", ask, keep=self._keep_tokens and not claims
        )

    def _forget(self, scopes: tuple[str, ...]) -> None:
        """A claims challenge: the service refused these scopes' token (revoked, CAE), so the
        kept one is not handed to the next workspace."""
        for kept_as in list(self._kept):  # list(): one step, while other threads may add tokens
            _method, (kept_scopes, *_rest) = kept_as
            if kept_scopes == scopes:
                self._kept.pop(kept_as, None)

    def _one_at_a_time(
        self, key: _Key, method: str, ask: Callable[[], _Token], *, keep: bool
    ) -> _Token:
        """`key`: what the token is for. get_token and get_token_info share its lock (azure-core
        asks with the second, `ahead` may with the first: both read the one MSAL cache), and
        each keeps its own tokens (they differ in type)."""
        kept_as = (method, key)
        if not self._made_client:
            with self._first:
                if not self._made_client:  # a failed first leaves the next waiting one to try
                    token = self._asked(kept_as, ask, keep)
                    self._made_client = True
                    return token
        with self._locks_guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # a request in flight for these scopes: its token, from the cache, after it
            return self._asked(kept_as, ask, keep)

    def _asked(self, kept_as: tuple[str, _Key], ask: Callable[[], _Token], keep: bool) -> _Token:
        kept: _Token | None = self._kept.get(kept_as) if keep else None
        if kept is not None and _still_good(kept):
            return kept
        token = ask()
        if keep:
            self._kept[kept_as] = token
        return token

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


def _still_good(token: AccessToken | AccessTokenInfo) -> bool:
    now = time.time()
    refresh_on = getattr(token, "refresh_on", None)
    if refresh_on is not None and now >= refresh_on:
        return False
    return token.expires_on - now > _REFRESH_MARGIN_S
