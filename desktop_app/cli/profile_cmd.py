"""`quantum-desk profile add|list|remove|test`: profile management for lab admins, headless.

A secret is never accepted on the command line (it would land in shell history and `ps`): only
from standard input (`--secret-stdin`) or an interactive prompt that does not echo.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from typing import TextIO

from desktop_app.core.azure import credentials
from desktop_app.core.azure.profiles import (
    AUTH_KINDS,
    AZURE_SIGN_IN,
    SERVICE_PRINCIPAL,
    Profile,
    ProfileError,
    ProfileStore,
)
from desktop_app.core.azure.secrets import SecretStore, StoredIn, default_secret_store
from desktop_app.core.errors import UserInputError


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
    add.set_defaults(handler=_add)

    lst = actions.add_parser("list", help="list profiles (no secrets)")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.set_defaults(handler=_list)

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


def _read_secret(from_stdin: bool, name: str) -> str:
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        secret = getpass.getpass(f"Client secret for profile '{name}' (not shown): ")
    else:
        raise UserInputError("The client secret is needed: pass --secret-stdin and pipe it in.")
    if not secret:
        raise UserInputError("The client secret read from standard input is empty.")
    return secret


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
    secret = _read_secret(args.secret_stdin, profile.name) if profile.needs_secret else None

    store = _store()
    existing = {n.casefold() for n in store.names()}
    if profile.name.casefold() in existing:
        if not args.replace:
            raise UserInputError(
                f"A profile named '{profile.name}' already exists (use --replace to overwrite it)."
            )
        store.update(profile.name, profile)
    else:
        store.create(profile)
    if secret is not None:
        where = store.secrets.set(profile.name, secret) if store.secrets else StoredIn.SESSION
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


def _list(args: argparse.Namespace) -> int:
    store = _store()
    profiles = store.profiles()
    rows = []
    for profile in profiles:
        row = profile.to_json_dict()
        row["subscription_id"] = profile.subscription_id
        row["resource_group"] = profile.resource_group
        row["workspace_name"] = profile.workspace_name
        if profile.needs_secret and store.secrets is not None:
            row["secret_stored"] = store.secrets.has(profile.name)
        rows.append(row)
    if args.json:
        _say(json.dumps(rows, indent=2))
        return 0
    if not rows:
        _say("No profiles yet: add one with `quantum-desk profile add NAME ...`.")
        return 0
    for row in rows:
        secret = ""
        if "secret_stored" in row:
            secret = "  secret: " + ("stored" if row["secret_stored"] else "MISSING")
        _say(
            f"{row['name']}  [{row['auth_kind']}]  {row['workspace_name']} "
            f"({row['resource_group']}, {row['location']}){secret}"
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
    if args.secret_stdin:
        if not profile.needs_secret:
            raise UserInputError("--secret-stdin: azure-sign-in profiles have no client secret.")
        typed = _read_secret(True, profile.name)

        def provider(name: str) -> str | None:
            return typed
    else:
        provider = secrets.get
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
