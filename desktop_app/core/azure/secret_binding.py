"""A client secret is bound to the identity it was typed for: authority host, tenant, client.

The keyring entry holds the secret together with that identity (a small JSON document); a
secret is handed out only for a profile whose identity is still the same. After an import,
edit or rename that changes any of the three, the old secret would go to a host or principal
the user never typed it for: it stays unused until the user types it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from desktop_app.core.azure.endpoints import DEFAULT_AUTHORITY
from desktop_app.core.errors import QuantumDeskError

if TYPE_CHECKING:
    from desktop_app.core.azure.profiles import Profile

FORMAT: Final = "quantum-desk-secret/1"


@dataclass(frozen=True)
class SecretIdentity:
    """Where a secret may go: the authority (canonical URL), the tenant and the client."""

    authority: str
    tenant_id: str
    client_id: str

    @classmethod
    def of(cls, profile: Profile) -> SecretIdentity:
        return cls(
            canonical_authority(profile.authority_host),
            profile.tenant_id.strip().lower(),
            profile.client_id.strip().lower(),
        )

    def describe(self) -> str:
        return f"sign-in host {self.authority}, tenant {self.tenant_id}, client {self.client_id}"


def canonical_authority(url: str | None) -> str:
    """https://HOST[:PORT][/path] in lower case, no trailing slash; empty = the public cloud."""
    text = (url or "").strip() or DEFAULT_AUTHORITY
    if "://" not in text:
        text = f"https://{text}"  # azure-identity accepts a bare host too
    parts = urlsplit(text)
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, 443) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{netloc}{path}"


class SecretState(StrEnum):
    STORED = "stored"  # a secret for exactly this identity
    MISSING = "missing"  # no secret for this profile
    OTHER_IDENTITY = "other-identity"  # a secret typed for another host/tenant/client


class SecretIdentityChangedError(QuantumDeskError):
    """The stored secret was typed for another identity; the user must type it again."""

    def __init__(self, profile: Profile) -> None:
        self.profile_name = profile.name
        super().__init__(identity_changed_message(profile))


def identity_changed_message(profile: Profile) -> str:
    return (
        f"Profile '{profile.name}': the stored client secret was typed for another sign-in "
        "(authority host, tenant or client ID changed since), so it is not used. Type the "
        f"secret again for {SecretIdentity.of(profile).describe()}."
    )


def encode(secret: str, identity: SecretIdentity) -> str:
    """The keyring value: the secret with its identity."""
    return json.dumps(
        {
            "format": FORMAT,
            "authority": identity.authority,
            "tenant_id": identity.tenant_id,
            "client_id": identity.client_id,
            "secret": secret,
        },
        separators=(",", ":"),
    )


def decode(value: str) -> tuple[SecretIdentity | None, str]:
    """(identity, secret) from a keyring value; (None, "") for an entry without an identity
    (stored by an older Quantum Desk or another tool): its secret is never handed out."""
    try:
        document = json.loads(value)
    except (ValueError, RecursionError):  # not ours (another tool's entry, or damaged)
        return None, ""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None, ""
    fields = [document.get(k) for k in ("authority", "tenant_id", "client_id", "secret")]
    if not all(isinstance(f, str) and f for f in fields):
        return None, ""
    authority, tenant, client, secret = (str(f) for f in fields)
    return SecretIdentity(authority, tenant, client), secret
