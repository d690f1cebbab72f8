"""`quantum-desk translate FILE --backend NAME [--json]`: the program as the target will run it.

For an Azure target: the payload that would be submitted (IonQ JSON, Quantinuum OpenQASM 2,
Rigetti Quil), its gates, depth and qubits, and what translation changed. For an offline
emulation: the program on the target's native gates and connectivity, with the estimated success
probability from the emulation's published figures. Nothing is sent anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from desktop_app.core.translation_report import translation_report


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "translate",
        help="show the program as a target will run it",
        description="Translate an OpenQASM program for a backend and show what would be run: "
        "the payload, its native gates, depth and qubits, and what translation changed.",
    )
    parser.add_argument("file", metavar="FILE", help="OpenQASM program (.qasm)")
    parser.add_argument(
        "--backend", required=True, metavar="NAME", help="an Azure target or emulation"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    report = translation_report(args.file, args.backend)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    gates = report["native_gates"]
    out = sys.stdout
    out.write(f"{report['backend']} ({report['input_data_format']})\n")
    out.write(
        f"qubits used {report['qubits_used']}, depth {report['depth']}, one-qubit gates "
        f"{gates['one_qubit']}, two-qubit gates {gates['two_qubit']}, measurements "
        f"{gates['measurements']}\n"
    )
    changes = report["changes"]
    if changes["replaced_or_removed"]:
        gone = ", ".join(f"{g} x{n}" for g, n in changes["replaced_or_removed"].items())
        out.write(f"translated away: {gone}\n")
    if changes["introduced"]:
        new = ", ".join(f"{g} x{n}" for g, n in changes["introduced"].items())
        out.write(f"native gates: {new}\n")
    if "success_estimate" in report:
        out.write(
            f"estimated success probability {report['success_estimate']:.3f} "
            f"(an approximation; noise figures from {report['noise_source']}, read "
            f"{report['noise_checked']})\n"
        )
    payload = report["payload"]
    out.write("\n" + (payload if isinstance(payload, str) else json.dumps(payload, indent=2)))
    out.write("\n")
    return 0
