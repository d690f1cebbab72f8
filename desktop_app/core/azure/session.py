"""One way to talk to a profile's workspace: its credential (cached per profile version), the
workspace opened and closed, and the test for failures worth retrying."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desktop_app.core.azure.errors import AzureRunError, explain
from desktop_app.core.errors import QuantumDeskError, error_code, exception_chain

if TYPE_CHECKING:
    from desktop_app.core.azure.profiles import Profile

log = logging.getLogger(__name__)

# A profile -> its client secret, or None when there is none (`SecretStore.get` fits; it refuses a
# secret typed for another authority/tenant/client with SecretIdentityChangedError).
SecretProvider = Callable[["Profile"], str | None]


TRANSIENT_HTTP = frozenset({408, 429, 500, 502, 503, 504})


_CREDENTIALS: dict[tuple[object, ...], Any] = {}


_CREDENTIALS_LOCK = threading.Lock()


def forget_credentials(profile: Profile | None = None) -> None:
    """Drop cached credentials, of one profile or all (after a profile or its secret changes,
    or when the service rejects a token)."""
    with _CREDENTIALS_LOCK:
        for key in list(_CREDENTIALS):
            if profile is None or key[0] == profile:
                del _CREDENTIALS[key]


def credential_for(profile: Profile, secret_of: SecretProvider) -> Any:
    """One azure-identity credential per profile version (it caches and renews its tokens).

    `secret_of` (SecretStore.get) raises SecretIdentityChangedError for a secret typed for
    another authority/tenant/client: it is never sent.
    """
    from desktop_app.core.azure.credentials import build_credential

    if profile.sign_in and not profile.needs_secret:
        return build_credential(profile)  # core.azure.sign_in keeps one per signed-in identity
    secret = secret_of(profile) if profile.needs_secret else None
    digest = hashlib.sha256(secret.encode()).hexdigest() if secret else ""
    key = (profile, digest)
    with _CREDENTIALS_LOCK:
        credential = _CREDENTIALS.get(key)
        if credential is None:
            credential = build_credential(profile, secret)
            _CREDENTIALS[key] = credential
        return credential


def open_profile_workspace(
    profile_name: str, secret_of: SecretProvider | None = None
) -> tuple[Any, Profile]:
    """The workspace of a saved profile, opened with its credential; the secret comes from
    `secret_of` (profile name -> secret), by default the OS keyring's store.

    Raises ProfileError (a UserInputError) for an unknown profile, AzureRunError with a plain
    message for a missing secret or any Azure failure (wrong secret, no workspace, network).
    """
    from desktop_app.core.azure.credentials import CredentialError, open_workspace
    from desktop_app.core.azure.lab import resolve_profile
    from desktop_app.core.azure.secrets import default_secret_store

    profile = resolve_profile(profile_name)  # the user's own, else the lab's
    try:
        credential = credential_for(profile, secret_of or default_secret_store().get)
        return open_workspace(profile, credential), profile
    except CredentialError as exc:
        raise AzureRunError(str(exc), "no-secret") from exc
    except QuantumDeskError as exc:
        raise AzureRunError(str(exc), error_code(exc)) from exc
    except Exception as exc:  # azure-identity / azure-core failures: explained in plain words
        raise explain(exc, profile, profile_name) from exc


def is_transient(exc: BaseException) -> bool:
    """Network down, connection dropped, service busy or failing (408/429/5xx), anywhere in the
    exception's chain: worth trying again later."""
    import socket

    from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

    network = (ServiceRequestError, ServiceResponseError, ConnectionError, TimeoutError)
    for e in exception_chain(exc):
        if isinstance(e, (*network, socket.gaierror)):
            return True
        if isinstance(e, HttpResponseError) and e.status_code in TRANSIENT_HTTP:
            return True
    return False


def retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def is_rejected_token(exc: BaseException) -> bool:
    from azure.core.exceptions import ClientAuthenticationError

    return isinstance(exc, ClientAuthenticationError) and exc.status_code == 401


# azure-core's words when a client's connection was closed before the request was sent
# (RequestsTransport.open, azure/core/pipeline/transport/_requests_basic.py, azure-core 1.3x).
_CLOSED_CLIENT = "HTTP transport has already been closed"


def is_closed_client(exc: BaseException) -> bool:
    """The workspace's client was closed before this call could send anything: nothing reached
    the service, and the call can be made again on a workspace opened afresh. Seen about once in
    80 submits of 20 jobs at once in one process (tests/bench's batch), after earlier runs'
    workspaces were closed; which close reaches a live client was not found."""
    return any(
        isinstance(e, ValueError) and str(e).startswith(_CLOSED_CLIENT)
        for e in exception_chain(exc)
    )
