"""`quantum-desk backends [--json]`: the backend catalog."""

from __future__ import annotations

import sys

from desktop_app.core.catalog import builtin_backends

TYPE_CHECKING = False  # `typing` costs a CLI start as much as Python's own start (issue 16)
if TYPE_CHECKING:
    import argparse
    from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "backends",
        help="list the backends",
        description="List the backends Quantum Desk can run on.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    backends = builtin_backends()
    if args.json:
        import dataclasses
        import json

        json.dump([dataclasses.asdict(b) for b in backends], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    header = ("NAME", "PROVIDER", "KIND", "QUBITS", "INPUT FORMAT", "DESCRIPTION")
    rows = [
        (b.name, b.provider, b.kind, str(b.num_qubits), b.input_format, b.description)
        for b in backends
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        sys.stdout.write("  ".join([*cells, row[-1]]).rstrip() + "\n")
    return 0
