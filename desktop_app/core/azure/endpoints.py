"""The sign-in (authority) and ARM hosts of the known Azure clouds; any other host is "custom".

A custom authority host would receive the client secret, a custom ARM endpoint the bearer
tokens: both need an explicit confirmation where they are entered (CLI flag, dialog checkbox,
import question) and are shown as custom wherever a profile is listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from desktop_app.core.azure.profiles import Profile

# Entra ID authority hosts: azure-identity 1.27.0, azure/identity/_constants.py
# AzureAuthorityHosts (AZURE_PUBLIC_CLOUD, AZURE_GOVERNMENT, AZURE_CHINA; AZURE_GERMANY is closed).
PUBLIC_AUTHORITY: Final = "login.microsoftonline.com"
KNOWN_AUTHORITY_HOSTS: Final[frozenset[str]] = frozenset(
    {PUBLIC_AUTHORITY, "login.microsoftonline.us", "login.chinacloudapi.cn"}
)
# ARM endpoints: public from azure-quantum 3.13.0, azure/quantum/_constants.py
# (ARM_PRODUCTION_ENDPOINT); US Gov and China from Microsoft's cloud comparison pages
# (https://learn.microsoft.com/azure/azure-government/compare-azure-government-global-azure,
# https://learn.microsoft.com/azure/china/resources-developer-guide, read 2026-12-01).
KNOWN_ARM_HOSTS: Final[frozenset[str]] = frozenset(
    {"management.azure.com", "management.usgovcloudapi.net", "management.chinacloudapi.cn"}
)
DEFAULT_AUTHORITY: Final = f"https://{PUBLIC_AUTHORITY}"

# field -> (known hosts, what the host would receive), for the messages
_FIELDS: Final = {
    "authority_host": (KNOWN_AUTHORITY_HOSTS, "sign-in host", "the client secret"),
    "arm_endpoint": (KNOWN_ARM_HOSTS, "ARM endpoint", "your access tokens"),
}


def _host_and_port(url: str) -> tuple[str, int | None]:
    try:
        parts = urlsplit(url.strip())
        return (parts.hostname or "").rstrip(".").lower(), parts.port
    except ValueError:
        return "", None


def is_known(field: str, url: str | None) -> bool:
    """True for an empty value (the public cloud's default) or a known cloud's host on 443."""
    if not url or not url.strip():
        return True
    known = _FIELDS[field][0]
    host, port = _host_and_port(url)
    return host in known and port in (None, 443)


@dataclass(frozen=True)
class CustomEndpoint:
    field: str  # "authority_host" | "arm_endpoint"
    url: str

    @property
    def label(self) -> str:
        return _FIELDS[self.field][1]

    @property
    def receives(self) -> str:
        return _FIELDS[self.field][2]


def custom_endpoints(profile: Profile) -> list[CustomEndpoint]:
    """The profile's endpoints outside the known Azure clouds (empty for a normal profile)."""
    found = []
    for field in _FIELDS:
        url = getattr(profile, field)
        if not is_known(field, url):
            found.append(CustomEndpoint(field, str(url)))
    return found


def unconfirmed_endpoints(
    profile: Profile, previous: Profile | None = None
) -> list[CustomEndpoint]:
    """Custom endpoints that need confirming: all of them, except those `previous` (the saved
    version of the same profile) already had, which were confirmed when they were entered."""
    return [
        c
        for c in custom_endpoints(profile)
        if previous is None or getattr(previous, c.field) != c.url
    ]


def describe(custom: list[CustomEndpoint]) -> str:
    """One sentence naming the custom endpoints and what they would receive."""
    parts = [f"{c.label} {c.url} (would receive {c.receives})" for c in custom]
    return (
        "Not a host of a known Azure cloud (public, US Government, China): "
        + "; ".join(parts)
        + "."
    )
