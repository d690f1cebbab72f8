"""The lab profile: one workspace an administrator installs for every user of the machine.

A TOML file `lab.toml` in a system-wide config folder (platformdirs' `site_config_dir`: on Linux
each folder of `$XDG_CONFIG_DIRS` + `/quantum-desk`, default `/etc/xdg/quantum-desk/`; Windows
`%PROGRAMDATA%\\quantum-desk\\`; macOS `/Library/Application Support/quantum-desk/`). The folders
are searched in order, the first file found is the lab's. It holds the workspace, how students
sign in (their own Entra account: no secret), an optional monthly budget, the targets the lab
allows and a contact line for error messages. It never holds a secret: a file that tries is
refused. Users cannot change it (it is read, never written, by the app); a user's own profile of
the same name wins over it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import platformdirs

from desktop_app.core.atomic_files import write_text_atomic
from desktop_app.core.azure.budget_field import validate_budget
from desktop_app.core.azure.profile_fields import (
    ProfileError,
    normalize_location,
    parse_resource_id,
    shorten,
    validate_guid,
    validate_https_url,
    validate_location,
    validate_name,
)
from desktop_app.core.azure.profiles import (
    AZURE_SIGN_IN,
    BROWSER,
    SIGN_IN_METHODS,
    Profile,
    ProfileFileError,
    ProfileStore,
)
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.paths import APP_NAME

SYSTEM_FOLDER_NAME = "Quantum Desk"  # the system config folder's name off Linux

LAB_FILE_NAME: Final = "lab.toml"
LAB_SCHEMA_VERSION: Final = 1
DEFAULT_LAB_NAME: Final = "Lab"
MAX_LAB_BYTES: Final = 256 * 1024  # a lab file is a dozen lines
# Keys that would mean a secret: refused by name, so an admin is told why.
_SECRET_KEYS: Final = frozenset(
    {"client_secret", "secret", "password", "token", "access_token", "refresh_token", "key"}
)
_KEYS: Final = (
    "schema_version",
    "name",
    "resource_id",
    "location",
    "sign_in",
    "tenant_id",
    "client_id",
    "authority_host",
    "arm_endpoint",
    "budget",
    "allowed_targets",
    "contact",
)


class LabFileError(QuantumDeskError):
    """The lab file cannot be used: one line naming the file and the field."""

    def __init__(self, message: str, file: Path, field: str | None = None) -> None:
        self.message = message
        self.file = file
        self.field = field
        where = f"{file}" + (f": field '{field}'" if field else "")
        super().__init__(f"Lab profile {where}: {message}")


@dataclass(frozen=True)
class LabProfile:
    """What the lab file puts in force, and where it came from."""

    profile: Profile  # an azure-sign-in profile (no secret, ever)
    allowed_targets: tuple[str, ...]  # empty: every target of the workspace
    contact: str  # "ask lab-support@example.edu, room 3.12"
    source: Path

    @property
    def name(self) -> str:
        return self.profile.name

    def allows(self, target: str) -> bool:
        return not self.allowed_targets or target in self.allowed_targets

    def to_json_dict(self) -> dict[str, Any]:
        return {
            **self.profile.to_json_dict(),
            "allowed_targets": list(self.allowed_targets),
            "contact": self.contact,
            "source": str(self.source),
        }


def lab_dirs() -> list[Path]:
    """Every system-wide config folder, most important first. Linux keeps the lower-case
    `quantum-desk` of the XDG convention; Windows and macOS folders carry the product's name
    (`%PROGRAMDATA%\\Quantum Desk`, `/Library/Application Support/Quantum Desk`)."""
    name = APP_NAME if sys.platform.startswith("linux") else SYSTEM_FOLDER_NAME
    joined = platformdirs.site_config_dir(name, appauthor=False, multipath=True)
    return [Path(p) for p in joined.split(os.pathsep) if p]


def find_lab_file(dirs: Sequence[Path] | None = None) -> Path | None:
    """The first `lab.toml` found in the system config folders, or None."""
    for folder in lab_dirs() if dirs is None else dirs:
        candidate = folder / LAB_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def load_lab(dirs: Sequence[Path] | None = None) -> LabProfile | None:
    """The lab profile in force, None when no lab file is installed; LabFileError for a bad
    one (one line naming the file and field: the app then runs without it)."""
    path = find_lab_file(dirs)
    return read_lab_file(path) if path is not None else None


def read_lab_file(path: Path) -> LabProfile:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_LAB_BYTES + 1)
    except OSError as exc:
        raise LabFileError(f"cannot be read ({exc.strerror or 'unreadable'})", path) from None
    if len(data) > MAX_LAB_BYTES:
        raise LabFileError("is too large to be a lab profile", path)
    try:
        document = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise LabFileError("is not UTF-8 text", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise LabFileError(f"is not valid TOML ({exc})", path) from None
    return _parse(path, document)


def _text(path: Path, document: dict[str, Any], key: str, default: str = "") -> str:
    value = document.get(key, default)
    if not isinstance(value, str):
        raise LabFileError("must be text in quotes", path, key)
    return value.strip()


def _parse(path: Path, document: dict[str, Any]) -> LabProfile:
    for key in document:
        if key.casefold() in _SECRET_KEYS or "secret" in key.casefold():
            raise LabFileError(
                "a lab profile never holds a secret: students sign in with their own account",
                path,
                shorten(key),
            )
        if key not in _KEYS:
            raise LabFileError(f"unknown field (known: {', '.join(_KEYS)})", path, shorten(key))
    version = document.get("schema_version", LAB_SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise LabFileError("must be a whole number", path, "schema_version")
    if version > LAB_SCHEMA_VERSION:
        raise LabFileError(
            f"written for a newer Quantum Desk (schema {version}; this one reads up to "
            f"{LAB_SCHEMA_VERSION})",
            path,
            "schema_version",
        )
    fields = {
        k: _text(path, document, k) for k in _KEYS if k not in ("schema_version", "allowed_targets")
    }
    name = fields["name"] or DEFAULT_LAB_NAME
    checks = {
        "name": validate_name(name),
        "location": validate_location(fields["location"]) if fields["location"] else None,
        "sign_in": None
        if not fields["sign_in"] or fields["sign_in"] in SIGN_IN_METHODS
        else f"must be one of: {', '.join(SIGN_IN_METHODS)}",
        "tenant_id": validate_guid(fields["tenant_id"], "The tenant (directory) ID")
        if fields["tenant_id"]
        else None,
        "client_id": validate_guid(fields["client_id"], "The client (application) ID")
        if fields["client_id"]
        else None,
        "authority_host": validate_https_url(fields["authority_host"], "The authority host"),
        "arm_endpoint": validate_https_url(fields["arm_endpoint"], "The ARM endpoint"),
        "budget": validate_budget(fields["budget"]),
    }
    if not fields["resource_id"]:
        raise LabFileError("is missing", path, "resource_id")
    try:
        resource_id = parse_resource_id(fields["resource_id"]).resource_id
    except ProfileError as exc:
        raise LabFileError(exc.message, path, "resource_id") from None
    for key, problem in checks.items():
        if problem:
            raise LabFileError(problem, path, key)
    targets = document.get("allowed_targets", [])
    if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        raise LabFileError(
            'must be a list of target names, e.g. ["ionq.simulator"]', path, "allowed_targets"
        )
    profile = Profile(
        name=name.strip(),
        resource_id=resource_id,
        location=normalize_location(fields["location"]) if fields["location"] else "",
        auth_kind=AZURE_SIGN_IN,
        tenant_id=fields["tenant_id"].lower(),
        client_id=fields["client_id"].lower(),
        authority_host=fields["authority_host"].rstrip("/") or None,
        arm_endpoint=fields["arm_endpoint"] or None,
        budget=fields["budget"] or None,
        sign_in=fields["sign_in"] or BROWSER,
    )
    return LabProfile(
        profile,
        tuple(t.strip() for t in targets if t.strip()),
        fields["contact"],
        path,
    )


# ---------------------------------------------------------------- profiles with the lab's


@dataclass(frozen=True)
class ProfileEntry:
    """A profile as a user sees it: their own, or the lab's (read-only)."""

    profile: Profile
    lab: LabProfile | None = None  # set for the lab's profile

    @property
    def is_lab(self) -> bool:
        return self.lab is not None


def profile_entries(
    store: ProfileStore | None = None, lab: LabProfile | None = None
) -> list[ProfileEntry]:
    """The user's profiles, then the lab's unless one of theirs has its name (theirs wins).
    `lab` None: read the installed lab file (a bad one is skipped here: `load_lab` says why)."""
    store = store if store is not None else ProfileStore()
    own = [ProfileEntry(p) for p in store.profiles()]
    if lab is None:
        try:
            lab = load_lab()
        except LabFileError:
            lab = None
    if lab is not None and all(e.profile.name.casefold() != lab.name.casefold() for e in own):
        own.append(ProfileEntry(lab.profile, lab))
    return own


def resolve_profile(name: str, store: ProfileStore | None = None) -> Profile:
    """The profile named `name`: the user's own, else the lab's; ProfileError naming both."""
    store = store if store is not None else ProfileStore()
    try:
        return store.get(name)
    except ProfileError:
        lab = load_lab()  # LabFileError: said as it is (file and field)
        if lab is not None and lab.name.casefold() == name.strip().casefold():
            return lab.profile
        raise


def lab_for(profile_name: str | None) -> LabProfile | None:
    """The lab file's entry when `profile_name` is the lab's (and no user profile shadows it)."""
    if not profile_name:
        return None
    try:
        lab = load_lab()
    except LabFileError:
        return None
    if lab is None or lab.name.casefold() != profile_name.strip().casefold():
        return None
    try:
        own = ProfileStore().profiles()
    except ProfileFileError:  # said where the profiles are listed; the lab's still applies
        own = []
    if any(p.name.casefold() == lab.name.casefold() for p in own):
        return None
    return lab


# ---------------------------------------------------------------- writing one (lab init)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c >= " " else f"\\u{ord(c):04x}" for c in escaped) + '"'


def lab_document(
    *,
    resource_id: str,
    name: str = DEFAULT_LAB_NAME,
    location: str = "",
    sign_in: str = BROWSER,
    tenant_id: str = "",
    client_id: str = "",
    authority_host: str = "",
    arm_endpoint: str = "",
    budget: str = "",
    allowed_targets: Sequence[str] = (),
    contact: str = "",
) -> str:
    """The text of a lab file; validated by reading it back (LabFileError names the field)."""
    lines = [
        "# Quantum Desk lab profile, read by every user of this machine (quantum-desk lab show).",
        "# Never put a secret here: students sign in with their own Entra account.",
        f"schema_version = {LAB_SCHEMA_VERSION}",
    ]
    values = {
        "name": name,
        "resource_id": resource_id,
        "location": location,
        "sign_in": sign_in,
        "tenant_id": tenant_id,
        "client_id": client_id,
        "authority_host": authority_host,
        "arm_endpoint": arm_endpoint,
        "budget": budget,
    }
    lines += [f"{k} = {_toml_string(v)}" for k, v in values.items() if v]
    targets = ", ".join(_toml_string(t) for t in allowed_targets)
    lines.append(f"allowed_targets = [{targets}]")
    lines.append(f"contact = {_toml_string(contact)}")
    return "\n".join(lines) + "\n"


def write_lab_file(path: Path, text: str) -> LabProfile:
    """Check `text` as a lab file, then write it atomically (readable by everyone)."""
    lab = _parse(path, tomllib.loads(text))
    write_text_atomic(path, text)
    with contextlib.suppress(OSError):  # a file system without modes
        path.chmod(0o644)
    return lab


def check_allowed(profile_name: str, targets: Sequence[str]) -> None:
    """UserInputError when the lab's profile is asked for a target the lab does not allow."""
    from desktop_app.core.errors import UserInputError

    found = lab_for(profile_name)
    refused = [t for t in targets if found is not None and not found.allows(t)]
    if found is not None and refused:
        contact = f" {found.contact}" if found.contact else ""
        raise UserInputError(
            f"The lab profile '{found.name}' does not allow {', '.join(refused)} (allowed: "
            f"{', '.join(found.allowed_targets)}).{contact}"
        )
