"""`quantum-desk lab init|show`: the lab profile an administrator installs for every user.

`lab init` writes the file (by default into the first system config folder, which needs the
administrator's rights); `lab show` prints the profile in force and the file it came from.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from desktop_app.core.azure import lab
from desktop_app.core.azure.profiles import SIGN_IN_METHODS
from desktop_app.core.errors import UserInputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="the lab profile an administrator installs for every user",
        description="The lab profile: one Azure Quantum workspace for every user of this "
        "machine, who sign in with their own account (no secret is ever stored in it).",
    )
    actions = parser.add_subparsers(dest="lab_command", required=True, metavar="ACTION")
    init = actions.add_parser("init", help="write a lab profile (administrators)")
    init.add_argument("--resource-id", required=True, help="the workspace's resource ID")
    init.add_argument("--tenant-id", default="", help="the lab's Entra tenant (directory) ID")
    init.add_argument("--budget", default="", help="monthly budget, e.g. '200 USD'")
    init.add_argument("--name", default=lab.DEFAULT_LAB_NAME, help="profile name (default Lab)")
    init.add_argument("--location", default="", help="Azure region (optional)")
    init.add_argument(
        "--sign-in", choices=SIGN_IN_METHODS, default="browser", help="how students sign in"
    )
    init.add_argument("--client-id", default="", help="app registration students sign in with")
    init.add_argument("--authority", default="", help="authority host (sovereign clouds)")
    init.add_argument("--arm-endpoint", default="", help="ARM endpoint (sovereign clouds)")
    init.add_argument(
        "--allow-target",
        action="append",
        default=[],
        metavar="TARGET",
        help="a target students may use (repeat; default: every target of the workspace)",
    )
    init.add_argument("--contact", default="", help="who to ask, shown in error messages")
    init.add_argument("--to", default=None, metavar="FILE", help="where to write it")
    init.add_argument("--replace", action="store_true", help="overwrite an existing file")
    init.set_defaults(handler=_init)
    show = actions.add_parser("show", help="print the lab profile in force and its file")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(handler=_show)
    sign_in = actions.add_parser("sign-in", help="sign in to the lab's workspace with your account")
    sign_in.set_defaults(handler=_sign_in)
    sign_out = actions.add_parser("sign-out", help="forget your sign-in on this computer")
    sign_out.set_defaults(handler=_sign_out)


def _lab_or_fail() -> lab.LabProfile:
    found = lab.load_lab()
    if found is None:
        raise UserInputError("No lab profile is installed (see `quantum-desk lab show`).")
    return found


def _sign_in(_args: argparse.Namespace) -> int:
    """The browser opens (or the device code is printed); the account is remembered."""
    import logging
    from datetime import datetime

    from desktop_app.core.azure import credentials, sign_in

    found = _lab_or_fail()

    def prompt(url: str, code: str, _expires: datetime) -> None:
        sys.stderr.write(f"To sign in, open {url} on any device and enter the code {code}\n")
        sys.stderr.flush()

    logging.getLogger("azure").setLevel(logging.ERROR)  # the plain line below says it once
    try:
        user = sign_in.sign_in(found.profile, prompt)
    except Exception as exc:  # every azure-identity failure, in plain words
        raise UserInputError(credentials.explain_error(exc, found.profile).message) from None
    where = sign_in.cache_store()
    sys.stdout.write(f"Signed in to '{found.name}' as {user}.\n")
    if not where.persistent:
        sys.stderr.write(f"quantum-desk: {where.message}\n")
    return 0


def _sign_out(_args: argparse.Namespace) -> int:
    from desktop_app.core.azure import sign_in

    found = _lab_or_fail()
    sign_in.sign_out(found.profile)
    sys.stdout.write(f"Signed out of '{found.name}' on this computer.\n")
    return 0


def _init(args: argparse.Namespace) -> int:
    target = Path(args.to) if args.to else lab.lab_dirs()[0] / lab.LAB_FILE_NAME
    if target.exists() and not args.replace:
        raise UserInputError(f"{target} already exists (pass --replace to overwrite it).")
    text = lab.lab_document(
        resource_id=args.resource_id,
        name=args.name,
        location=args.location,
        sign_in=args.sign_in,
        tenant_id=args.tenant_id,
        client_id=args.client_id,
        authority_host=args.authority,
        arm_endpoint=args.arm_endpoint,
        budget=args.budget,
        allowed_targets=args.allow_target,
        contact=args.contact,
    )
    written = lab.write_lab_file(target, text)
    sys.stdout.write(f"Lab profile '{written.name}' written to {target}.\n")
    return 0


def _who(found: lab.LabProfile) -> str:
    from desktop_app.core.azure import sign_in

    return sign_in.signed_in_as(found.profile) or "nobody (quantum-desk lab sign-in)"


def _show(args: argparse.Namespace) -> int:
    found = lab.load_lab()  # LabFileError: one line naming the file and field
    if found is None:
        searched = ", ".join(str(d) for d in lab.lab_dirs())
        if args.json:
            sys.stdout.write(json.dumps({"lab": None, "searched": searched.split(", ")}) + "\n")
        else:
            sys.stdout.write(f"No lab profile installed (searched: {searched}).\n")
        return 0
    if args.json:
        sys.stdout.write(json.dumps(found.to_json_dict(), indent=2) + "\n")
        return 0
    p = found.profile
    lines = [
        f"Lab profile '{p.name}' from {found.source}",
        f"  workspace: {p.workspace_name} (resource group {p.resource_group}, subscription "
        f"{p.subscription_id}{', ' + p.location if p.location else ''})",
        f"  sign-in: {p.sign_in}" + (f", tenant {p.tenant_id}" if p.tenant_id else ""),
        f"  budget: {p.budget or 'none'}",
        "  targets: " + (", ".join(found.allowed_targets) or "every target of the workspace"),
        f"  contact: {found.contact or 'none given'}",
        f"  signed in: {_who(found)}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
