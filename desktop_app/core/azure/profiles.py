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
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from desktop_app.core import paths
from desktop_app.core.atomic_files import write_text_atomic
from desktop_app.core.azure import endpoints, profile_file
from desktop_app.core.azure.budget_field import parse_budget, validate_budget
from desktop_app.core.azure.profile_fields import (
    ProfileError,
    ResourceIdParts,
    normalize_location,
    parse_resource_id,
    shorten,
    validate_guid,
    validate_https_url,
    validate_location,
    validate_name,
    validate_resource_id,
)
from desktop_app.core.errors import QuantumDeskError, why_not_readable

if TYPE_CHECKING:
    from desktop_app.core.azure.secrets import SecretStore

log = logging.getLogger(__name__)

AuthKind = Literal["service-principal", "azure-sign-in"]
SERVICE_PRINCIPAL: Final = "service-principal"
AZURE_SIGN_IN: Final = "azure-sign-in"
AUTH_KINDS: Final[tuple[str, ...]] = (SERVICE_PRINCIPAL, AZURE_SIGN_IN)
# How an azure-sign-in profile signs in without a secret (None: the chain of Azure CLI,
# environment, managed identity, then a browser): core.azure.sign_in.
BROWSER: Final = "browser"
DEVICE_CODE: Final = "device-code"
SIGN_IN_METHODS: Final[tuple[str, ...]] = (BROWSER, DEVICE_CODE)

SCHEMA_VERSION: Final = 1
PROFILES_FILE_NAME: Final = "profiles.json"

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
    "sign_in",
)


class CustomEndpointError(ProfileError):
    """A host outside the known Azure clouds was entered without being confirmed."""

    def __init__(self, custom: list[endpoints.CustomEndpoint], profile_name: str) -> None:
        self.custom = custom
        super().__init__(
            f"Profile '{profile_name}': {endpoints.describe(custom)} Confirm the custom "
            "endpoint to use it.",
            field=custom[0].field,
        )


def check_endpoints_confirmed(
    profile: Profile, previous: Profile | None, allow_custom_endpoints: bool
) -> None:
    """CustomEndpointError unless every new custom endpoint of `profile` is confirmed."""
    unconfirmed = endpoints.unconfirmed_endpoints(profile, previous)
    if unconfirmed and not allow_custom_endpoints:
        raise CustomEndpointError(unconfirmed, profile.name)


_MESSAGE_MAX: Final = 300


class ProfileFileError(QuantumDeskError):
    """The profiles file (or an import file) cannot be read: names the file and the field."""

    def __init__(
        self, message: str, file: Path, field: str | None = None, moved_to: Path | None = None
    ) -> None:
        if len(message) > _MESSAGE_MAX:  # a hostile file's value quoted back: keep one line
            message = message[:_MESSAGE_MAX] + "…"
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


def validate_auth_kind(value: str) -> str | None:
    if value not in AUTH_KINDS:
        return f"The sign-in kind must be one of: {', '.join(AUTH_KINDS)}."
    return None


def validate_sign_in(value: str) -> str | None:
    if value and value not in SIGN_IN_METHODS:
        return f"The sign-in method must be one of: {', '.join(SIGN_IN_METHODS)}."
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
    sign_in: str | None = None  # azure-sign-in only: BROWSER, DEVICE_CODE or None (the chain)

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

    def _fields(self) -> dict[str, Any]:
        # not dataclasses.asdict: it deep-copies, which dominated reading 20,000 profiles
        return {f: getattr(self, f) for f in FIELDS}

    def errors(self) -> dict[str, str]:
        """Field name -> plain message, for every invalid field (empty when valid)."""
        return validate_fields(self._fields())

    def validated(self) -> Profile:
        """A normalized copy (trimmed, canonical resource ID, region name) or ProfileError."""
        problems = self.errors()
        if problems:
            field, message = next(iter(problems.items()))
            raise ProfileError(f"Profile '{self.name}': {message}", field=field)
        return self._normalized()

    def _normalized(self) -> Profile:
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
        return {k: v for k, v in self._fields().items() if v is not None}

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Profile:
        """Build from a mapping (file, import, dialog); raises ProfileError naming the field."""
        unknown = set(fields) - set(FIELDS)
        if unknown:
            first = sorted(unknown)[0]
            raise ProfileError(f"unknown field '{shorten(first)}'", field=shorten(first))
        for key, value in fields.items():
            if value is not None and not isinstance(value, str):
                kind = profile_file.json_kind(value)
                raise ProfileError(f"must be text in double quotes, not {kind}", field=key)
        for required in ("name", "resource_id", "location"):
            if not fields.get(required):
                raise ProfileError("is missing", field=required)
        problems = validate_fields(fields)
        if problems:
            field, message = next(iter(problems.items()))
            raise ProfileError(message, field=field)
        return cls(**fields)._normalized()  # validated just above


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
    check("sign_in", validate_sign_in(str(fields.get("sign_in") or "")))
    return problems


# ---------------------------------------------------------------- the file


def default_profiles_path() -> Path:
    return paths.config_dir() / PROFILES_FILE_NAME


def _atomic_write_json(path: Path, document: object) -> None:
    write_text_atomic(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _read_document(path: Path) -> dict[str, Any]:
    """The file's JSON object (a BOM accepted), or ProfileFileError; OSError passes through."""
    try:
        document = profile_file.load_json(profile_file.read_text(path))
    except profile_file.DamagedFile as exc:
        raise ProfileFileError(exc.reason, path) from None
    if not isinstance(document, dict):
        raise ProfileFileError("expected a JSON object with 'schema_version' and 'profiles'", path)
    return document


def _schema_version(path: Path, document: dict[str, Any]) -> int:
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ProfileFileError("missing or not a number", path, "schema_version")
    return version


def _newer_message(version: int) -> str:
    return (
        f"written by a newer Quantum Desk (schema {version}; this one reads up to {SCHEMA_VERSION})"
    )


def _parse_profiles(path: Path, document: dict[str, Any], lenient: bool = False) -> list[Profile]:
    """The profiles of a document, or ProfileFileError naming the file and field.

    `lenient` (a newer schema, read-only): entries this version cannot read are skipped.
    """
    entries = document.get("profiles")
    if not isinstance(entries, list):
        raise ProfileFileError("missing or not a list", path, "profiles")
    profiles: list[Profile] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        try:
            if not isinstance(entry, dict):
                raise ProfileFileError("not an object", path, f"profiles[{index}]")
            if lenient:  # fields added by the newer version are not ours to judge
                entry = {k: v for k, v in entry.items() if k in FIELDS}
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
        except ProfileFileError:
            if lenient:
                continue
            raise
        seen.add(profile.name.casefold())
        profiles.append(profile)
    return profiles


def _parse_document(path: Path, document: dict[str, Any]) -> list[Profile]:
    """Profiles of an import file (this schema or older), or ProfileFileError."""
    version = _schema_version(path, document)
    if version > SCHEMA_VERSION:
        raise ProfileFileError(_newer_message(version), path, "schema_version")
    return _parse_profiles(path, document)


def _document(profiles: Iterable[Profile]) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "profiles": [p.to_json_dict() for p in profiles]}


class ProfileStore:
    """The profiles file. Every call re-reads the file, so several windows/CLIs stay in step.

    With a `secrets` store, rename moves a profile's secret and delete deletes it.
    """

    def __init__(self, path: Path | None = None, secrets: SecretStore | None = None) -> None:
        self.path = path if path is not None else default_profiles_path()
        self.secrets = secrets
        # why the file may not be written (a newer schema), as of the last read; None: writable
        self.read_only: str | None = None

    # reading
    def profiles(self) -> list[Profile]:
        """All profiles, in file order.

        A file that cannot be read as profiles (not JSON, not UTF-8 or a BOM-marked Unicode
        text, nested too deeply, too large, a bad field) is moved aside (never lost, never
        overwritten) and ProfileFileError is raised once, naming the file, the field and where
        the file was kept; the next call starts from an empty list. A file of a newer schema is
        left alone: what this version can read of it is returned, `read_only` says why nothing
        can be saved, and every write raises ProfileFileError.
        """
        self.read_only = None
        try:
            document = _read_document(self.path)
            version = _schema_version(self.path, document)
            if version > SCHEMA_VERSION:
                self.read_only = (
                    f"{self.path}: {_newer_message(version)}; it is left unchanged, so "
                    "profiles can be used but not added or changed with this version."
                )
                log.info("%s", self.read_only)  # the caller shows it (CLI, dialog)
                return _parse_profiles(self.path, document, lenient=True)
            return _parse_profiles(self.path, document)
        except FileNotFoundError:
            return []
        except OSError as exc:  # unreadable (permissions, a directory): nothing to move
            reason = f"cannot be read: it is {why_not_readable(exc)}"
            raise ProfileFileError(reason, self.path) from None
        except ProfileFileError as exc:
            moved = self._move_aside()
            # INFO: the error raised below says it to the user, once
            log.info("profiles file %s is malformed (%s); kept as %s", self.path, exc, moved)
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

    # writing (each writer reads first, which sets `read_only`)
    def _save(self, profiles: list[Profile]) -> None:
        if self.read_only is not None:
            raise ProfileFileError(
                "is left unchanged: it was written by a newer Quantum Desk; add or change "
                "profiles with that version",
                self.path,
            )
        _atomic_write_json(self.path, _document(profiles))

    @staticmethod
    def _index(profiles: list[Profile], name: str) -> int | None:
        key = name.strip().casefold()
        return next((i for i, p in enumerate(profiles) if p.name.casefold() == key), None)

    def create(self, profile: Profile, *, allow_custom_endpoints: bool = False) -> Profile:
        """Add a profile; hosts outside the known clouds need `allow_custom_endpoints`."""
        profile = profile.validated()
        check_endpoints_confirmed(profile, None, allow_custom_endpoints)
        profiles = self.profiles()
        if self._index(profiles, profile.name) is not None:
            raise ProfileError(f"A profile named '{profile.name}' already exists.", field="name")
        profiles.append(profile)
        self._save(profiles)
        return profile

    def update(
        self, name: str, profile: Profile, *, allow_custom_endpoints: bool = False
    ) -> Profile:
        """Replace profile `name` by `profile` (which may carry a new name: then a rename).

        A custom endpoint the saved profile did not have needs `allow_custom_endpoints`. The
        secret follows a rename; a changed authority, tenant or client leaves it unused
        (core.secret_binding) until it is typed again.
        """
        profile = profile.validated()
        profiles = self.profiles()
        index = self._index(profiles, name)
        if index is None:
            raise ProfileError(f"No profile named '{name}'.", field="name")
        check_endpoints_confirmed(profile, profiles[index], allow_custom_endpoints)
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
        """A copy under a new name; the secret is not copied (the user types it again). Its
        endpoints were confirmed when the original was saved."""
        copy = dataclasses.replace(self.get(name), name=new_name)
        return self.create(copy, allow_custom_endpoints=True)

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

    def import_file(
        self, path: Path, replace: bool = False, *, allow_custom_endpoints: bool = False
    ) -> list[Profile]:
        """Add the profiles of an exported file; existing names are an error unless `replace`.

        Nothing is written unless every profile in the file is valid, and every custom endpoint
        in it is confirmed (`allow_custom_endpoints`): a file is not trusted with a host that
        would receive secrets or tokens. A replaced profile keeps its stored secret only for
        the identity it was typed for (core.secret_binding).
        """
        path = Path(path)
        try:
            document = _read_document(path)
        except OSError as exc:
            reason = f"cannot be read: it is {why_not_readable(exc)}"
            raise ProfileFileError(reason, path) from None
        incoming = _parse_document(path, document)
        profiles = self.profiles()
        # name -> position: one pass, not a search per profile (20,000 profiles: quadratic)
        positions = {p.name.casefold(): i for i, p in enumerate(profiles)}
        for profile in incoming:
            index = positions.get(profile.name.casefold())
            check_endpoints_confirmed(profile, None, allow_custom_endpoints)
            if index is None:
                positions[profile.name.casefold()] = len(profiles)
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
