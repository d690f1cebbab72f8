"""The checks of a profile's fields, as the user types them: GUIDs, the workspace resource ID (a
pasted portal ID is split into its parts), regions, names and endpoint URLs. Each returns None
or the plain message shown beside the field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, urlsplit

from desktop_app.core.errors import UserInputError

# Programmatic names of the Azure public-cloud regions, from
# https://learn.microsoft.com/azure/reliability/regions-list (the same list azure-quantum 3.x
# validates `location` against: azure/quantum/_constants.py VALID_AZURE_REGIONS). Every region
# Azure Quantum is offered in (eastus, westus, westus2, westeurope, northeurope, japaneast,
# japanwest, uksouth, ukwest, canadacentral, centralus, southcentralus, ...) is a member.
_REGION_NAMES = """
    australiacentral australiacentral2 australiaeast australiasoutheast austriaeast belgiumcentral
    brazilsouth brazilsoutheast canadacentral canadaeast centralindia centralus centraluseuap
    chilecentral eastasia eastus eastus2 eastus2euap francecentral francesouth germanynorth
    germanywestcentral indonesiacentral israelcentral italynorth japaneast japanwest koreacentral
    koreasouth malaysiawest mexicocentral newzealandnorth northcentralus northeurope norwayeast
    norwaywest polandcentral qatarcentral southafricanorth southafricawest southcentralus
    southindia southeastasia spaincentral swedencentral switzerlandnorth switzerlandwest
    uaecentral uaenorth uksouth ukwest westcentralus westeurope westindia westus westus2 westus3
"""


AZURE_REGIONS: Final[frozenset[str]] = frozenset(_REGION_NAMES.split())


_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


_GUID_RE = re.compile(rf"^{_GUID}$")


# Found anywhere in a pasted text (a portal URL, a CLI output line): the workspace resource path.
_RESOURCE_ID_SEARCH = re.compile(
    r"/subscriptions/(?P<sub>[^/\s?#]+)/resourceGroups/(?P<rg>[^/\s?#]+)"
    r"/providers/Microsoft\.Quantum/Workspaces/(?P<ws>[^/\s?#]+)",
    re.IGNORECASE,
)


# Microsoft.Quantum workspace names: 2-54 alphanumerics and hyphens, no hyphen at either end
# (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
_WORKSPACE_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,52}[A-Za-z0-9])$")


_PROFILE_NAME_MAX = 64


def shorten(value: str, limit: int = 40) -> str:
    """A value quoted in a message, cut short (a hostile file may hold megabytes)."""
    return value if len(value) <= limit else value[:limit] + "…"


def validate_name(value: str) -> str | None:
    name = value.strip()
    if not name:
        return "Give the profile a name."
    if len(name) > _PROFILE_NAME_MAX:
        return f"The name is too long (at most {_PROFILE_NAME_MAX} characters)."
    if any(unicodedata.category(c).startswith("C") for c in name):
        return "The name cannot contain control characters."
    return None


def validate_guid(value: str, label: str = "This ID") -> str | None:
    text = value.strip()
    if not text:
        return f"{label} is required."
    if not _GUID_RE.match(text):
        return (
            f"{label} must be a GUID like 00000000-0000-0000-0000-000000000000 "
            "(32 hexadecimal digits in groups of 8-4-4-4-12)."
        )
    return None


def validate_resource_group(value: str) -> str | None:
    # https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
    if not 1 <= len(value) <= 90:
        return "The resource group name must be 1 to 90 characters long."
    if value.endswith("."):
        return "The resource group name cannot end with a period."
    for char in value:
        if char not in "_()-." and unicodedata.category(char) not in {
            "Lu",
            "Ll",
            "Lt",
            "Lm",
            "Lo",
            "Nd",
        }:
            return (
                f"The resource group name cannot contain {char!r}: use letters, digits, "
                "'_', '-', '.', '(' and ')'."
            )
    return None


def validate_workspace_name(value: str) -> str | None:
    if not 2 <= len(value) <= 54:
        return "The workspace name must be 2 to 54 characters long."
    if not _WORKSPACE_NAME_RE.match(value):
        return (
            "The workspace name may hold only letters, digits and hyphens, and cannot start or "
            "end with a hyphen."
        )
    return None


@dataclass(frozen=True)
class ResourceIdParts:
    subscription_id: str
    resource_group: str
    workspace_name: str

    @property
    def resource_id(self) -> str:
        """The canonical spelling of the workspace resource ID."""
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Quantum/Workspaces/{self.workspace_name}"
        )


def parse_resource_id(text: str) -> ResourceIdParts:
    """Split a workspace resource ID, or a portal URL containing one, into its parts.

    Raises ProfileError(field="resource_id") with a plain message when it is not one.
    """
    cleaned = unquote(text.strip())
    if cleaned.lower().startswith(("http://", "https://")):
        parts = urlsplit(cleaned)
        # The portal puts the resource path in the fragment: #@tenant/resource/subscriptions/...
        cleaned = f"{parts.path}#{parts.fragment}"
    match = _RESOURCE_ID_SEARCH.search(cleaned)
    if match is None:
        raise ProfileError(
            "Expected a workspace resource ID like /subscriptions/<subscription GUID>/"
            "resourceGroups/<group>/providers/Microsoft.Quantum/Workspaces/<name> "
            "(copy it from the workspace's Overview or Properties page in the Azure portal).",
            field="resource_id",
        )
    sub, rg, ws = match.group("sub"), match.group("rg"), match.group("ws")
    for problem in (
        validate_guid(sub, "The subscription ID in the resource ID"),
        validate_resource_group(rg),
        validate_workspace_name(ws),
    ):
        if problem:
            raise ProfileError(problem, field="resource_id")
    return ResourceIdParts(sub.lower(), rg, ws)


def validate_resource_id(value: str) -> str | None:
    if not value.strip():
        return "The workspace resource ID is required."
    try:
        parse_resource_id(value)
    except ProfileError as exc:
        return exc.message
    return None


def normalize_location(value: str) -> str:
    """'East US' -> 'eastus' (the SDK accepts both spellings the same way)."""
    return value.replace(" ", "").lower()


def validate_location(value: str) -> str | None:
    if not value.strip():
        return "The workspace location (Azure region) is required."
    if normalize_location(value) not in AZURE_REGIONS:
        return (
            f"'{shorten(value.strip())}' is not an Azure region name: use the programmatic name "
            "shown on the workspace's Overview page, such as eastus, westus2 or westeurope."
        )
    return None


def validate_https_url(value: str, label: str = "This endpoint") -> str | None:
    """Empty is fine (the advanced endpoints are optional); otherwise an https URL with a host."""
    text = value.strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        return f"{label} is not a valid URL."
    if parts.scheme.lower() != "https":
        return f"{label} must start with https:// (secrets and tokens never travel unencrypted)."
    if not parts.hostname:
        return f"{label} needs a host name, e.g. https://login.microsoftonline.us."
    if parts.username or parts.password:
        return f"{label} cannot contain a user name or password."
    return None


class ProfileError(UserInputError):
    """A profile field is invalid, or a profile is missing or a duplicate.

    `field` names the field (one of FIELDS) when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
