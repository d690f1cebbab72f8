"""`quantum-desk estimate FILE [--backend NAME]... [--shots N] [--option KEY=VALUE]... [--json]`.

Prices a program on Azure targets without running it (and without any network): the gate counts
of the program as each target will run it, the shots, the provider options, and the figures of
the price table (resources/prices.toml, overridden by prices.toml in the config folder). Each
estimate names the table entry and the date it was checked. Exit codes: 0, or 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from desktop_app.core.catalog import builtin_backends, find_backend
from desktop_app.core.errors import UserInputError
from desktop_app.core.request import MAX_SHOTS

if TYPE_CHECKING:
    from desktop_app.core.azure.pricing import CostEstimate

DEFAULT_SHOTS = 1000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "estimate",
        help="estimate what a run would cost",
        description="Estimate the price of running an OpenQASM program on Azure targets, from "
        "the price table (resources/prices.toml; a prices.toml in the config folder, next to "
        "profiles.json, overrides it entry by entry). Nothing is sent anywhere.",
    )
    parser.add_argument("file", metavar="FILE", help="OpenQASM program (.qasm)")
    parser.add_argument(
        "--backend",
        action="append",
        metavar="NAME",
        help="Azure target, repeatable (default: every Azure target of `quantum-desk backends`)",
    )
    parser.add_argument("--shots", default=str(DEFAULT_SHOTS), help=f"default {DEFAULT_SHOTS}")
    parser.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="provider option, repeatable: error_mitigation=on|off (IonQ, default on from 500 "
        "shots), hardware_subscription=on|off (Quantinuum emulators are free with one)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=handle)


def parse_options(items: list[str] | None) -> dict[str, object]:
    """--option KEY=VALUE items -> {key: bool}; UserInputError naming a bad one."""
    if not items:
        return {}  # a plain local run does not import pricing (and its price table) for this
    from desktop_app.core.azure.pricing import PRICE_OPTIONS, switch

    options: dict[str, object] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise UserInputError(f"--option {item!r}: expected KEY=VALUE")
        if key not in PRICE_OPTIONS:
            raise UserInputError(
                f"--option {key}: unknown option (known: {', '.join(PRICE_OPTIONS)})"
            )
        options[key] = switch(value, f"--option {key}")
    return options


def shots_of(text: str) -> int:
    try:
        shots = int(str(text).replace("_", "").replace(",", ""))
    except ValueError:
        raise UserInputError(f"--shots must be a whole number, not {text!r}") from None
    if not 1 <= shots <= MAX_SHOTS:
        raise UserInputError(f"--shots must be between 1 and {MAX_SHOTS:,}, not {shots}")
    return shots


def _targets(names: list[str] | None) -> list[str]:
    if not names:
        return [b.name for b in builtin_backends() if not b.is_local]
    from desktop_app.core.azure.price_table import price_table

    table = price_table()
    targets = []
    for name in dict.fromkeys(n.strip() for n in names):
        if table.entry_for(name) is None:
            find_backend(name)  # UserInputError listing the known backends
        targets.append(name)
    return targets


def estimates_for(
    file: str, targets: list[str], shots: int, options: dict[str, object]
) -> dict[str, CostEstimate]:
    from desktop_app.core.azure.pricing import estimate_cost
    from desktop_app.core.programs import load_program_file

    program = load_program_file(file)  # ProgramError: file:line:column: message
    out = {}
    for target in targets:
        try:
            out[target] = estimate_cost(target, program.circuit, shots, options)
        except UserInputError as exc:
            raise UserInputError(f"{file}: {exc}") from None
    return out


def handle(args: argparse.Namespace) -> int:
    shots = shots_of(args.shots)
    options = parse_options(args.option)
    estimates = estimates_for(args.file, _targets(args.backend), shots, options)
    if args.json:
        document = [e.to_json() for e in estimates.values()]
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(format_estimates(estimates))
    return 0


def format_estimates(estimates: dict[str, CostEstimate]) -> str:
    from desktop_app.core.azure.price_table import format_amount
    from desktop_app.core.azure.pricing import totals

    width = max(len(t) for t in estimates)
    lines = []
    for target, estimate in estimates.items():
        lines.append(f"{target.ljust(width)}  {estimate.display()}")
        if estimate.entry and estimate.entry != "local":
            lines.append(f"{' ' * width}  {estimate.formula}")
            lines.append(
                f"{' ' * width}  price table entry {estimate.entry}, checked {estimate.checked}"
                f" ({estimate.source})"
            )
    sums, unknown = totals(estimates)
    parts = [format_amount(amount, unit) for unit, amount in sums.items()]
    parts += [f"{t}: amount unknown before the run" for t in unknown]
    lines.append(f"Total (estimate): {'; '.join(parts) if parts else 'free'}")
    return "\n".join(lines) + "\n"
