"""`quantum-desk backends [--json]`: the backend catalog."""

from __future__ import annotations

import sys

from desktop_app.core.catalog import builtin_backends

TYPE_CHECKING = False  # `typing` costs a CLI start as much as Python's own start (issue 16)
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from desktop_app.core.catalog import Backend


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
    text = table_text(backends)
    sys.stdout.write(text)
    keep_table(text)
    return 0


def table_text(backends: list[Backend]) -> str:
    header = ("NAME", "PROVIDER", "KIND", "QUBITS", "INPUT FORMAT", "DESCRIPTION")
    rows = [
        (b.name, b.provider, b.kind, str(b.num_qubits), b.input_format, b.description)
        for b in backends
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip() + "\n")
    return "".join(lines)


def keep_table(text: str) -> None:
    """Keep the table for the next plain `quantum-desk backends` (cli/quick.py), headed by what
    it was computed from; a cache folder that cannot be written costs only that."""
    from desktop_app.cli import quick
    from desktop_app.core import catalog, emulation_table, paths, program_limits, target_table
    from desktop_app.core.atomic_files import write_text_atomic
    from desktop_app.core.errors import QuantumDeskError

    modules = (catalog, target_table, emulation_table, program_limits, quick, sys.modules[__name__])
    inputs = [str(target_table.data_file()), str(emulation_table.data_file())]
    inputs += [str(m.__file__) for m in modules]
    head = quick.table_head(inputs)
    if head is None:
        return
    try:
        write_text_atomic(paths.cache_dir() / quick.TABLE_FILE, f"{head}\n{text}")
    except (OSError, QuantumDeskError):
        return
