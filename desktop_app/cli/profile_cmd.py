"""`quantum-desk profile add|list|remove|test`: profile management for lab admins, headless.

A secret is never accepted on the command line (it would land in shell history and `ps`): only
from standard input (`--secret-stdin`) or an interactive prompt that does not echo.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Final, TextIO

from desktop_app.cli.secret_input import read_secret
from desktop_app.core.azure import credentials, endpoints
from desktop_app.core.azure.profile_fields import ProfileError
from desktop_app.core.azure.profiles import (
    AUTH_KINDS,
    AZURE_SIGN_IN,
    SERVICE_PRINCIPAL,
    CustomEndpointError,
    Profile,
    ProfileStore,
)
from desktop_app.core.azure.secret_binding import SecretState
from desktop_app.core.azure.secrets import SecretStore, StoredIn, default_secret_store
from desktop_app.core.errors import UserInputError

ALLOW_CUSTOM: Final = "--allow-custom-endpoints"
_ALLOW_HELP: Final = (
    "accept an authority host or ARM endpoint outside the known Azure clouds (public, US "
    "Government, China): it would receive the client secret or access tokens"
)


def _say(*parts: object, file: TextIO | None = None) -> None:
    """The CLI's output (its job, unlike library code's): one line to stdout or `file`."""
    out = file or sys.stdout
    out.write(" ".join(str(p) for p in parts) + "\n")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "profile",
        help="manage Azure Quantum connection profiles",
        description="Manage Azure Quantum connection profiles. Client secrets go to the OS "
        "keyring, never to a file.",
    )
    actions = parser.add_subparsers(dest="profile_command", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="create a profile")
    add.add_argument("name")
    add.add_argument(
        "--resource-id",
        required=True,
        help="workspace resource ID (or the portal URL of the workspace)",
    )
    add.add_argument("--location", required=True, help="Azure region, e.g. eastus")
    add.add_argument(
        "--auth",
        choices=AUTH_KINDS,
        default=SERVICE_PRINCIPAL,
        help="service-principal (default: needs a client secret) or azure-sign-in",
    )
    add.add_argument("--tenant-id", default="")
    add.add_argument("--client-id", default="")
    add.add_argument("--authority", default=None, help="authority host (sovereign clouds)")
    add.add_argument("--arm-endpoint", default=None, help="ARM endpoint (sovereign clouds)")
    add.add_argument(
        "--budget", default=None, help="monthly budget, e.g. '200 USD' or '40 HQC' (default none)"
    )
    add.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the client secret from standard input (first line)",
    )
    add.add_argument("--replace", action="store_true", help="overwrite an existing profile")
    add.add_argument(ALLOW_CUSTOM, action="store_true", help=_ALLOW_HELP)
    add.set_defaults(handler=_add)

    lst = actions.add_parser("list", help="list profiles (no secrets)")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.add_argument(
        "--secrets",
        action="store_true",
        help="also say whether each secret is stored (one keyring lookup per profile)",
    )
    lst.set_defaults(handler=_list)

    secret = actions.add_parser(
        "secret", help="type a profile's client secret (again), for its current sign-in"
    )
    secret.add_argument("name")
    secret.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the client secret from standard input (first line)",
    )
    secret.set_defaults(handler=_secret)

    imp = actions.add_parser("import", help="add the profiles of an exported file")
    imp.add_argument("file")
    imp.add_argument("--replace", action="store_true", help="overwrite profiles of the same name")
    imp.add_argument(ALLOW_CUSTOM, action="store_true", help=_ALLOW_HELP)
    imp.set_defaults(handler=_import)

    remove = actions.add_parser("remove", help="delete a profile and its stored secret")
    remove.add_argument("name")
    remove.set_defaults(handler=_remove)

    test = actions.add_parser("test", help="sign in and list the workspace's targets")
    test.add_argument("name")
    test.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the client secret from standard input instead of the keyring",
    )
    test.add_argument(
        "--browser",
        action="store_true",
        help="azure-sign-in profiles: allow an interactive browser sign-in",
    )
    test.add_argument("--json", action="store_true", help="machine-readable output")
    test.set_defaults(handler=_test)


def _store(secrets: SecretStore | None = None) -> ProfileStore:
    return ProfileStore(secrets=secrets or default_secret_store())


def _add(args: argparse.Namespace) -> int:
    fields = {
        "name": args.name,
        "resource_id": args.resource_id,
        "location": args.location,
        "auth_kind": args.auth,
        "tenant_id": args.tenant_id,
        "client_id": args.client_id,
        "authority_host": args.authority,
        "arm_endpoint": args.arm_endpoint,
        "budget": args.budget,
    }
    try:
        profile = Profile.from_fields({k: v for k, v in fields.items() if v is not None})
    except ProfileError as exc:
        option = "--" + {"authority_host": "authority", "auth_kind": "auth"}.get(
            exc.field or "", (exc.field or "name").replace("_", "-")
        )
        raise UserInputError(f"{option}: {exc.message}") from None
    if args.auth == AZURE_SIGN_IN and args.secret_stdin:
        raise UserInputError("--secret-stdin: azure-sign-in profiles have no client secret.")
    secret = read_secret(args.secret_stdin, profile.name) if profile.needs_secret else None

    store = _store()
    existing = {n.casefold() for n in store.names()}
    allow = bool(args.allow_custom_endpoints)
    try:
        if profile.name.casefold() in existing:
            if not args.replace:
                raise UserInputError(
                    f"A profile named '{profile.name}' already exists (use --replace to "
                    "overwrite it)."
                )
            profile = store.update(profile.name, profile, allow_custom_endpoints=allow)
        else:
            profile = store.create(profile, allow_custom_endpoints=allow)
    except CustomEndpointError as exc:
        raise _custom_endpoint_error(exc) from None
    if secret is not None:
        where = store.secrets.set(profile, secret) if store.secrets else StoredIn.SESSION
        if where is StoredIn.SESSION:
            status = store.secrets.status if store.secrets else None
            _say(
                f"warning: {status.message if status else ''} It ends with this command: give "
                "it again to each `run ... --secret-stdin` or `profile test NAME --secret-stdin`.",
                file=sys.stderr,
            )
    _say(
        f"Profile '{profile.name}' saved"
        + (
            " (secret in the system keyring)."
            if secret is not None and store.secrets and store.secrets.persistent
            else "."
        )
    )
    return 0


def _custom_endpoint_error(exc: CustomEndpointError) -> UserInputError:
    option = {"authority_host": "--authority", "arm_endpoint": "--arm-endpoint"}
    return UserInputError(
        f"{option.get(exc.field or '', '--authority')}: {endpoints.describe(exc.custom)} "
        f"Pass {ALLOW_CUSTOM} if you trust it."
    )


_SECRET_WORDS: Final = {
    SecretState.STORED: "stored",
    SecretState.MISSING: "MISSING",
    SecretState.OTHER_IDENTITY: "TYPE AGAIN (typed for another sign-in)",
}


def _list(args: argparse.Namespace) -> int:
    """No keyring lookup unless --secrets: one per profile stalls the Secret Service on long
    lists (secrets are looked up lazily, when a profile is used)."""
    from desktop_app.core.azure.lab import LabFileError, load_lab, profile_entries

    store = _store()
    try:
        installed = load_lab()
    except LabFileError as exc:  # one line; the user's own profiles are still listed
        _say(f"warning: {exc}", file=sys.stderr)
        installed = None
    entries = profile_entries(store, installed)
    profiles = [e.profile for e in entries]
    if store.read_only:
        _say(f"warning: {store.read_only}", file=sys.stderr)
    rows = []
    for entry in entries:
        profile = entry.profile
        row = profile.to_json_dict()
        if entry.lab is not None:
            row["lab"] = True
            row["source"] = str(entry.lab.source)
            row["allowed_targets"] = list(entry.lab.allowed_targets)
            row["contact"] = entry.lab.contact
        row["subscription_id"] = profile.subscription_id
        row["resource_group"] = profile.resource_group
        row["workspace_name"] = profile.workspace_name
        row["custom_endpoints"] = [c.field for c in endpoints.custom_endpoints(profile)]
        if args.secrets and profile.needs_secret and store.secrets is not None:
            row["secret"] = store.secrets.state(profile).value
        rows.append(row)
    if args.json:
        _say(json.dumps(rows, indent=2))
        return 0
    if not rows:
        _say("No profiles yet: add one with `quantum-desk profile add NAME ...`.")
        return 0
    for profile, row in zip(profiles, rows, strict=True):
        secret = ""
        if "secret" in row:
            secret = "  secret: " + _SECRET_WORDS[SecretState(row["secret"])]
        custom = "".join(
            f"  custom {c.label}: {c.url}" for c in endpoints.custom_endpoints(profile)
        )
        lab_mark = f"  (the lab's: {row['source']})" if row.get("lab") else ""
        _say(
            f"{row['name']}  [{row['auth_kind']}]  {row['workspace_name']} "
            f"({row['resource_group']}, {row['location'] or 'any region'}){custom}{secret}"
            f"{lab_mark}"
        )
    return 0


def _secret(args: argparse.Namespace) -> int:
    store = _store()
    profile = store.get(args.name)
    if not profile.needs_secret:
        raise UserInputError(f"Profile '{profile.name}' signs in with Azure: it has no secret.")
    secret = read_secret(args.secret_stdin, profile.name)
    secrets = store.secrets or default_secret_store()
    where = secrets.set(profile, secret)
    place = "in the system keyring" if where is StoredIn.KEYRING else "for this command only"
    _say(f"Secret of profile '{profile.name}' kept {place}, for {_identity(profile)}.")
    return 0


def _identity(profile: Profile) -> str:
    from desktop_app.core.azure.secret_binding import SecretIdentity

    return SecretIdentity.of(profile).describe()


def _import(args: argparse.Namespace) -> int:
    store = _store()
    before = {n.casefold() for n in store.names()}
    try:
        imported = store.import_file(
            Path(args.file), args.replace, allow_custom_endpoints=args.allow_custom_endpoints
        )
    except CustomEndpointError as exc:
        raise UserInputError(
            f"{args.file}: {endpoints.describe(exc.custom)} Pass {ALLOW_CUSTOM} if you trust it."
        ) from None
    names = ", ".join(p.name for p in imported) or "none"
    _say(f"Imported {len(imported)} profile(s) from {args.file}: {names}.")
    # only a replaced profile can have a stored secret: a few lookups, not one per profile
    replaced = [p for p in imported if p.needs_secret and p.name.casefold() in before]
    secrets = store.secrets
    for profile in replaced[:20]:
        if secrets and secrets.state(profile) is SecretState.OTHER_IDENTITY:
            _say(
                f"  {profile.name}: its sign-in changed, the stored secret is not used: type it "
                f"again with `quantum-desk profile secret {profile.name}`."
            )
    if any(p.needs_secret for p in imported):
        _say(
            "Secrets are never imported: type each new profile's secret with "
            "`quantum-desk profile secret NAME`."
        )
    return 0


def _remove(args: argparse.Namespace) -> int:
    store = _store()
    name = store.get(args.name).name
    store.delete(name)
    _say(f"Profile '{name}' and its stored secret removed.")
    return 0


def _test(args: argparse.Namespace) -> int:
    store = _store()
    profile = store.get(args.name)
    secrets = store.secrets or default_secret_store()
    provider: credentials.SecretProvider = secrets.get
    if args.secret_stdin:
        if not profile.needs_secret:
            raise UserInputError("--secret-stdin: azure-sign-in profiles have no client secret.")
        typed = read_secret(True, profile.name)

        def provider(_profile: Profile) -> str | None:
            return typed

    # azure-identity logs each failed attempt as a WARNING: the plain report below says it once.
    logging.getLogger("azure").setLevel(logging.ERROR)
    report = credentials.test_connection(profile, provider, interactive=args.browser)
    if args.json:
        _say(
            json.dumps(
                {
                    "ok": report.ok,
                    "problem": report.problem.value,
                    "message": report.message,
                    "code": report.code,
                    "workspace_location": report.workspace_location,
                    "targets": [
                        {
                            "name": t.name,
                            "provider": t.provider_id,
                            "availability": t.availability,
                            "average_queue_time": t.average_queue_time,
                        }
                        for t in report.targets
                    ],
                },
                indent=2,
            )
        )
    elif report.ok:
        _say(f"OK: {report.message}")
        for target in report.targets:
            _say(f"  {target.name}  {target.availability}")
    else:
        _say(f"quantum-desk: error: {report.message}", file=sys.stderr)
        if report.code:
            _say(f"  (code: {report.code})", file=sys.stderr)
    return 0 if report.ok else 1
