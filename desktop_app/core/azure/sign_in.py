"""Signing in with one's own Entra account, no secret: azure-identity's InteractiveBrowserCredential
(authorization code + PKCE, a loopback listener) or DeviceCodeCredential (a code typed on another
device), with the token cache the OS keeps encrypted.

The cache is azure-identity's `TokenCachePersistenceOptions` (msal-extensions: DPAPI on Windows,
the Keychain on macOS, libsecret on Linux, which needs PyGObject and the Secret typelib
`gir1.2-secret-1`, and a running Secret Service). `allow_unencrypted_storage` stays False: where
no encrypted store works the cache is kept in memory for this process only, and
`cache_store().message` says so. Who signed in is kept as an `AuthenticationRecord` (user name,
account and tenant ids; no token) in the config folder, so the next start finds the account in
the cache without asking again. Runs never start a sign-in on their own
(`disable_automatic_authentication`): `sign_in()` is the one place that asks the user.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from desktop_app.core import paths
from desktop_app.core.atomic_files import write_text_atomic
from desktop_app.core.azure.profiles import DEVICE_CODE, Profile

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

log = logging.getLogger(__name__)

CACHE_NAME: Final = "quantum-desk"
ARM_SCOPE: Final = "https://management.azure.com/.default"
SIGN_IN_TIMEOUT: Final = 300  # seconds a browser or device-code sign-in may take
NO_STORE_MESSAGE: Final = (
    "This computer has no encrypted store for your sign-in: you stay signed in until Quantum "
    "Desk closes, then sign in again."
)

# A device-code prompt: (verification URL, user code, expires on) -> show it to the user.
DevicePrompt = Callable[[str, str, datetime], None]
# Where a process that did not sign in gets a signed-in profile's tokens: (profile name, scopes,
# get_token's keywords) -> an AccessToken. The Azure worker asks the window's process, which
# holds the sign-in (its cache may live in that process's memory only).
TokenRelay = Callable[[str, tuple[str, ...], dict[str, Any]], Any]


@dataclass(frozen=True)
class CacheStore:
    persistent: bool
    message: str  # "" when the OS keeps the cache encrypted


_STORE: CacheStore | None = None
_LOCK = threading.Lock()
_LIVE: dict[str, Any] = {}  # profile key -> its credential (holds an in-memory cache)
_PROMPTS: dict[str, DevicePrompt] = {}
_RELAY: TokenRelay | None = None


def relay_tokens(relay: TokenRelay | None) -> None:
    """From now on, this process's sign-in credentials get their tokens from `relay`."""
    global _RELAY
    _RELAY = relay


def cache_store() -> CacheStore:
    """Whether the OS can keep the token cache encrypted (probed once: libsecret does a trial
    write over D-Bus)."""
    global _STORE
    with _LOCK:
        if _STORE is None:
            _STORE = _probe()
        return _STORE


def set_cache_store(store: CacheStore | None) -> None:
    """Tests: force (or, with None, re-probe) the answer."""
    global _STORE
    with _LOCK:
        _STORE = store


def _probe() -> CacheStore:
    try:
        import msal_extensions  # azure-identity's own dependency

        if sys.platform.startswith("linux"):
            probe = paths.cache_dir() / "sign-in-probe"
            msal_extensions.LibsecretPersistence(
                str(probe), "quantum-desk-probe", {"app": "quantum-desk"}
            )
    except Exception as exc:  # ImportError (no PyGObject), no Secret Service, a locked one
        log.info("no encrypted token cache: %s", type(exc).__name__)
        return CacheStore(False, NO_STORE_MESSAGE)
    return CacheStore(True, "")


def _key(profile: Profile) -> str:
    who = "|".join(
        (profile.authority_host or "", profile.tenant_id, profile.client_id, profile.sign_in or "")
    )
    return hashlib.sha256(who.encode()).hexdigest()[:24]


def _record_path(profile: Profile) -> Path:
    return paths.config_dir() / "sign-in" / f"{_key(profile)}.json"


def _load_record(profile: Profile) -> Any:
    from azure.identity import AuthenticationRecord

    try:
        return AuthenticationRecord.deserialize(_record_path(profile).read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def signed_in_as(profile: Profile) -> str | None:
    """The user name signed in for this profile, None when nobody is (no network)."""
    with _LOCK:
        live = _key(profile) in _LIVE
    if not live and not cache_store().persistent:
        return None
    record = _load_record(profile)
    return str(record.username) if record is not None else None


def credential(profile: Profile) -> TokenCredential:
    """The profile's sign-in credential (one per sign-in identity, reused: it holds the cache),
    or, where tokens are relayed (`relay_tokens`), one that asks the relay."""
    if _RELAY is not None:
        return _RelayedCredential(profile.name, _RELAY)
    key = _key(profile)
    with _LOCK:
        existing = _LIVE.get(key)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    from azure.identity import (
        DeviceCodeCredential,
        InteractiveBrowserCredential,
        TokenCachePersistenceOptions,
    )

    options: dict[str, Any] = {"disable_automatic_authentication": True}
    if profile.authority_host:
        options.update(authority=profile.authority_host, disable_instance_discovery=True)
    if profile.tenant_id:
        options["tenant_id"] = profile.tenant_id
    if profile.client_id:
        options["client_id"] = profile.client_id
    if cache_store().persistent:
        options["cache_persistence_options"] = TokenCachePersistenceOptions(
            name=CACHE_NAME, allow_unencrypted_storage=False
        )
        record = _load_record(profile)
        if record is not None:  # it names the authority (and client) it was made with
            options["authentication_record"] = record
            options.pop("authority", None)
    made: Any
    if profile.sign_in == DEVICE_CODE:

        def relay(url: str, code: str, expires_on: datetime) -> None:
            prompt = _PROMPTS.get(key)
            if prompt is not None:
                prompt(url, code, expires_on)

        made = DeviceCodeCredential(prompt_callback=relay, timeout=SIGN_IN_TIMEOUT, **options)
    else:
        made = InteractiveBrowserCredential(timeout=SIGN_IN_TIMEOUT, **options)
    with _LOCK:
        return _LIVE.setdefault(key, made)  # type: ignore[no-any-return]


class _RelayedCredential:
    """A TokenCredential whose tokens come from the process that signed in."""

    def __init__(self, profile_name: str, relay: TokenRelay) -> None:
        self.profile_name, self.relay = profile_name, relay

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return self.relay(self.profile_name, scopes, kwargs)


def relayed_token(profile_name: str, scopes: tuple[str, ...], kwargs: dict[str, Any]) -> Any:
    """In the process that signed in: the token a relayed credential asked for, as a plain
    AccessToken (it pickles); azure-identity's errors pass through."""
    from azure.core.credentials import AccessToken

    from desktop_app.core.azure.lab import resolve_profile

    token = credential(resolve_profile(profile_name)).get_token(*scopes, **kwargs)
    return AccessToken(token.token, token.expires_on)


def sign_in(profile: Profile, prompt: DevicePrompt | None = None) -> str:
    """Ask the user to sign in (opens the browser, or hands the device code to `prompt`); the
    account is remembered. Blocking: call from a worker thread. Returns the user name; azure
    errors pass through (credentials.explain_error words them)."""
    key = _key(profile)
    made = credential(profile)
    if prompt is not None:
        _PROMPTS[key] = prompt
    try:
        record = made.authenticate(scopes=[ARM_SCOPE])  # type: ignore[attr-defined]
    finally:
        _PROMPTS.pop(key, None)
    path = _record_path(profile)
    try:
        write_text_atomic(path, record.serialize())
    except OSError as exc:  # still signed in for this process
        log.warning("sign-in record not kept: %s", exc)
    return str(record.username)


def sign_out(profile: Profile) -> None:
    """Forget the account: the record, this process's credential and its tokens in the cache."""
    key = _key(profile)
    record = _load_record(profile)
    with _LOCK:
        made = _LIVE.pop(key, None)
    _record_path(profile).unlink(missing_ok=True)
    if record is not None and cache_store().persistent:
        _remove_from_persistent_cache(made, record)


def _remove_from_persistent_cache(made: Any, record: Any) -> None:
    """Drop the account's tokens from the encrypted cache. azure-identity has no public call for
    this: MSAL's TokenCache of the credential's app is used when it was built in this process."""
    cache = getattr(getattr(made, "_client", None), "_cache", None) or getattr(made, "_cache", None)
    if cache is None:
        try:
            from azure.identity import TokenCachePersistenceOptions
            from azure.identity._persistent_cache import _load_persistent_cache

            cache = _load_persistent_cache(TokenCachePersistenceOptions(name=CACHE_NAME))
        except Exception as exc:  # the record is gone: the app no longer uses the account
            log.info("token cache not cleared: %s", type(exc).__name__)
            return
    try:
        for kind in ("RefreshToken", "AccessToken", "IdToken", "Account"):
            for entry in list(
                cache.search(kind, query={"home_account_id": record.home_account_id})
            ):
                cache.modify(kind, entry)  # no new value: removes the entry
    except Exception as exc:
        log.info("token cache not cleared: %s", type(exc).__name__)


def forget_all() -> None:
    """Tests: drop every live credential (a new process would start so)."""
    with _LOCK:
        _LIVE.clear()
