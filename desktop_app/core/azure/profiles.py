"""Azure Quantum connection profiles: the non-secret fields, their validation, and their file.

A profile's client secret never lives here: it is kept by
`desktop_app.core.azure.secrets.SecretStore` (the OS keyring). The file is JSON in
`paths.config_dir()`, with a schema version, always written atomically (temp file +
os.replace), and a malformed file is moved aside, never overwritten.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import unquote, urlsplit

from desktop_app.core import paths
from desktop_app.core.atomic_files import write_text_atomic
from desktop_app.core.errors import QuantumDeskError, UserInputError
from desktop_app.core.jobs.budget import parse_budget, validate_budget

if TYPE_CHECKING:
    from desktop_app.core.azure.secrets import SecretStore

log = logging.getLogger(__name__)

AuthKind = Literal["service-principal", "azure-sign-in"]
SERVICE_PRINCIPAL: Final = "service-principal"
AZURE_SIGN_IN: Final = "azure-sign-in"
AUTH_KINDS: Final[tuple[str, ...]] = (SERVICE_PRINCIPAL, AZURE_SIGN_IN)

SCHEMA_VERSION: Final = 1
PROFILES_FILE_NAME: Final = "profiles.json"

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

FIELDS: Final[tuple[str, ...]] = (
    "name",
    "resource_id",
    "location",
    "auth_kind",
    "tenant_id",
    "client_id",
    "authority_host",
    "arm_endpoint",
    "budget",
)


class ProfileError(UserInputError):
    """A profile field is invalid, or a profile is missing or a duplicate.

    `field` names the field (one of FIELDS) when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ProfileFileError(QuantumDeskError):
    """The profiles file (or an import file) cannot be read: names the file and the field."""

    def __init__(
        self, message: str, file: Path, field: str | None = None, moved_to: Path | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.field = field
        self.moved_to = moved_to
        where = f"{file}" + (f": field '{field}'" if field else "")
        text = f"{where}: {message}"
        if moved_to is not None:
            text += f" (the file was kept as {moved_to}; a new empty profile list was started)"
        super().__init__(text)


# ---------------------------------------------------------------- field validation (as you type)
# Each validator returns None when the value is fine, else one plain sentence for the field.


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
            f"'{value.strip()}' is not an Azure region name: use the programmatic name shown "
            "on the workspace's Overview page, such as eastus, westus2 or westeurope."
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


def validate_auth_kind(value: str) -> str | None:
    if value not in AUTH_KINDS:
        return f"The sign-in kind must be one of: {', '.join(AUTH_KINDS)}."
    return None


# ---------------------------------------------------------------- the profile


@dataclass(frozen=True)
class Profile:
    """The non-secret description of one Azure Quantum connection."""

    name: str
    resource_id: str
    location: str
    auth_kind: AuthKind = SERVICE_PRINCIPAL
    tenant_id: str = ""
    client_id: str = ""
    authority_host: str | None = None
    arm_endpoint: str | None = None
    budget: str | None = None  # monthly budget, "200 USD" (core.jobs.budget); None: no budget

    @property
    def _parts(self) -> ResourceIdParts:
        return parse_resource_id(self.resource_id)

    @property
    def subscription_id(self) -> str:
        return self._parts.subscription_id

    @property
    def resource_group(self) -> str:
        return self._parts.resource_group

    @property
    def workspace_name(self) -> str:
        return self._parts.workspace_name

    @property
    def needs_secret(self) -> bool:
        return self.auth_kind == SERVICE_PRINCIPAL

    def errors(self) -> dict[str, str]:
        """Field name -> plain message, for every invalid field (empty when valid)."""
        return validate_fields(dataclasses.asdict(self))

    def validated(self) -> Profile:
        """A normalized copy (trimmed, canonical resource ID, region name) or ProfileError."""
        problems = self.errors()
        if problems:
            field, message = next(iter(problems.items()))
            raise ProfileError(f"Profile '{self.name}': {message}", field=field)
        return dataclasses.replace(
            self,
            name=self.name.strip(),
            resource_id=parse_resource_id(self.resource_id).resource_id,
            location=normalize_location(self.location),
            tenant_id=self.tenant_id.strip().lower(),
            client_id=self.client_id.strip().lower(),
            authority_host=(self.authority_host or "").strip().rstrip("/") or None,
            arm_endpoint=(self.arm_endpoint or "").strip() or None,
            budget=parse_budget(self.budget).text()
            if self.budget and self.budget.strip()
            else None,
        )

    def to_json_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Profile:
        """Build from a mapping (file, import, dialog); raises ProfileError naming the field."""
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise ProfileError(f"unknown field '{sorted(unknown)[0]}'", field=sorted(unknown)[0])
        for key, value in fields.items():
            if value is not None and not isinstance(value, str):
                raise ProfileError(f"must be text, not {type(value).__name__}", field=key)
        for required in ("name", "resource_id", "location"):
            if not fields.get(required):
                raise ProfileError("is missing", field=required)
        problems = validate_fields(fields)
        if problems:
            field, message = next(iter(problems.items()))
            raise ProfileError(message, field=field)
        return cls(**fields).validated()


def validate_fields(fields: dict[str, Any]) -> dict[str, str]:
    """Validate a mapping of field -> text as typed in the dialog: field -> message."""
    problems: dict[str, str] = {}

    def check(field: str, message: str | None) -> None:
        if message:
            problems[field] = message

    auth = str(fields.get("auth_kind") or SERVICE_PRINCIPAL)
    check("name", validate_name(str(fields.get("name") or "")))
    check("resource_id", validate_resource_id(str(fields.get("resource_id") or "")))
    check("location", validate_location(str(fields.get("location") or "")))
    check("auth_kind", validate_auth_kind(auth))
    tenant = str(fields.get("tenant_id") or "")
    client = str(fields.get("client_id") or "")
    if auth == SERVICE_PRINCIPAL or tenant:
        check("tenant_id", validate_guid(tenant, "The tenant (directory) ID"))
    if auth == SERVICE_PRINCIPAL or client:
        check("client_id", validate_guid(client, "The client (application) ID"))
    check(
        "authority_host",
        validate_https_url(str(fields.get("authority_host") or ""), "The authority host"),
    )
    check(
        "arm_endpoint",
        validate_https_url(str(fields.get("arm_endpoint") or ""), "The ARM endpoint"),
    )
    check("budget", validate_budget(str(fields.get("budget") or "")))
    return problems


# ---------------------------------------------------------------- the file


def default_profiles_path() -> Path:
    return paths.config_dir() / PROFILES_FILE_NAME


def _atomic_write_json(path: Path, document: object) -> None:
    write_text_atomic(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _parse_document(path: Path, text: str) -> list[Profile]:
    """Profiles from a file's text, or ProfileFileError naming the file and field."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileFileError(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", path
        ) from None
    if not isinstance(document, dict):
        raise ProfileFileError("expected a JSON object with 'schema_version' and 'profiles'", path)
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ProfileFileError("missing or not a number", path, "schema_version")
    if version > SCHEMA_VERSION:
        raise ProfileFileError(
            f"written by a newer Quantum Desk (schema {version}; this one reads up to "
            f"{SCHEMA_VERSION})",
            path,
            "schema_version",
        )
    entries = document.get("profiles")
    if not isinstance(entries, list):
        raise ProfileFileError("missing or not a list", path, "profiles")
    profiles: list[Profile] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ProfileFileError("not an object", path, f"profiles[{index}]")
        try:
            profile = Profile.from_fields(entry)
        except ProfileError as exc:
            raise ProfileFileError(
                exc.message, path, f"profiles[{index}].{exc.field}" if exc.field else None
            ) from None
        if profile.name.casefold() in seen:
            raise ProfileFileError(
                f"a second profile named '{profile.name}'", path, f"profiles[{index}].name"
            )
        seen.add(profile.name.casefold())
        profiles.append(profile)
    return profiles


def _document(profiles: Iterable[Profile]) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "profiles": [p.to_json_dict() for p in profiles]}


class ProfileStore:
    """The profiles file. Every call re-reads the file, so several windows/CLIs stay in step.

    With a `secrets` store, rename moves a profile's secret and delete deletes it.
    """

    def __init__(self, path: Path | None = None, secrets: SecretStore | None = None) -> None:
        self.path = path if path is not None else default_profiles_path()
        self.secrets = secrets

    # reading
    def profiles(self) -> list[Profile]:
        """All profiles, in file order.

        A malformed file is moved aside (never lost, never overwritten) and ProfileFileError is
        raised once, naming the file, the field and where the file was kept; the next call
        starts from an empty list.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            reason = f"cannot be read ({exc.__class__.__name__})"
            raise ProfileFileError(reason, self.path) from None
        try:
            return _parse_document(self.path, text)
        except ProfileFileError as exc:
            moved = self._move_aside()
            log.warning("profiles file %s is malformed (%s); kept as %s", self.path, exc, moved)
            raise ProfileFileError(exc.message, self.path, exc.field, moved) from None

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.bad-{stamp}")
        counter = 1
        while target.exists():
            counter += 1
            target = self.path.with_name(f"{self.path.name}.bad-{stamp}-{counter}")
        os.replace(self.path, target)
        return target

    def names(self) -> list[str]:
        return [p.name for p in self.profiles()]

    def get(self, name: str) -> Profile:
        for profile in self.profiles():
            if profile.name.casefold() == name.strip().casefold():
                return profile
        known = ", ".join(self.names()) or "none yet"
        raise ProfileError(f"No profile named '{name}' (profiles: {known}).", field="name")

    def __iter__(self) -> Iterator[Profile]:
        return iter(self.profiles())

    # writing
    def _save(self, profiles: list[Profile]) -> None:
        _atomic_write_json(self.path, _document(profiles))

    @staticmethod
    def _index(profiles: list[Profile], name: str) -> int | None:
        key = name.strip().casefold()
        return next((i for i, p in enumerate(profiles) if p.name.casefold() == key), None)

    def create(self, profile: Profile) -> Profile:
        profile = profile.validated()
        profiles = self.profiles()
        if self._index(profiles, profile.name) is not None:
            raise ProfileError(f"A profile named '{profile.name}' already exists.", field="name")
        profiles.append(profile)
        self._save(profiles)
        return profile

    def update(self, name: str, profile: Profile) -> Profile:
        """Replace profile `name` by `profile` (which may carry a new name: then a rename)."""
        profile = profile.validated()
        profiles = self.profiles()
        index = self._index(profiles, name)
        if index is None:
            raise ProfileError(f"No profile named '{name}'.", field="name")
        old_name = profiles[index].name
        clash = self._index(profiles, profile.name)
        if clash is not None and clash != index:
            raise ProfileError(f"A profile named '{profile.name}' already exists.", field="name")
        profiles[index] = profile
        self._save(profiles)
        if old_name != profile.name and self.secrets is not None:
            self.secrets.move(old_name, profile.name)  # after the save: a failed save moves nothing
        return profile

    def rename(self, old: str, new: str) -> Profile:
        return self.update(old, dataclasses.replace(self.get(old), name=new))

    def duplicate(self, name: str, new_name: str) -> Profile:
        """A copy under a new name; the secret is not copied (the user types it again)."""
        return self.create(dataclasses.replace(self.get(name), name=new_name))

    def delete(self, name: str) -> None:
        profiles = self.profiles()
        index = self._index(profiles, name)
        if index is None:
            raise ProfileError(f"No profile named '{name}'.", field="name")
        removed = profiles.pop(index)
        self._save(profiles)
        if self.secrets is not None:
            self.secrets.delete(removed.name)

    # import / export: never any secret (profiles hold none)
    def export(self, path: Path, names: Iterable[str] | None = None) -> int:
        profiles = self.profiles()
        if names is not None:
            profiles = [self.get(n) for n in names]
        _atomic_write_json(Path(path), _document(profiles))
        return len(profiles)

    def import_file(self, path: Path, replace: bool = False) -> list[Profile]:
        """Add the profiles of an exported file; existing names are an error unless `replace`.

        Nothing is written unless every profile in the file is valid.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileFileError(f"cannot be read ({exc.__class__.__name__})", path) from None
        incoming = _parse_document(path, text)
        profiles = self.profiles()
        for profile in incoming:
            index = self._index(profiles, profile.name)
            if index is None:
                profiles.append(profile)
            elif replace:
                profiles[index] = profile
            else:
                raise ProfileError(
                    f"A profile named '{profile.name}' already exists (import with replace to "
                    "overwrite it).",
                    field="name",
                )
        self._save(profiles)
        return incoming
