"""`quantum-desk --help`, `backends` and `jobs` import only what they use (issue 16): no Qt, no
numpy, no qiskit, no Azure SDK. Checked in a fresh interpreter, after the command has run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import SUBCOMMAND_HELP, SUBCOMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[2]
# the SDKs and Qt, and the standard library's heaviest modules the app uses elsewhere (simulator
# worker processes, export bundles)
HEAVY = (
    "numpy",
    "qiskit",
    "qiskit_aer",
    "azure",
    "PySide6",
    "shiboken6",
    "scipy",
    "keyring",
    "multiprocessing",
    "zipfile",
)

# runs the real entry point, then reports which heavy top-level packages it loaded
_CHILD = r"""
import sys
before = set(sys.modules)  # what the interpreter (and a test's sitecustomize) loads on its own
import contextlib, io
from desktop_app.__main__ import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:  # --help exits through argparse
        code = exc.code
loaded = sorted({m.split(".")[0] for m in set(sys.modules) - before} & set(HEAVY))
import json
sys.__stdout__.write(json.dumps({"code": code, "out": out.getvalue(), "loaded": loaded}))
"""


# what the quick `backends` and `jobs` (cli/quick.py) start without, once the ledger exists and
# the backend table is kept: together these cost more than Python's own start, twice over
# (`typing` is listed too, but the tests' network guard, a sitecustomize, loads it first: only
# `python -X importtime -m desktop_app jobs` outside the tests shows that it stays out)
CUT_FROM_QUICK = (
    *HEAVY,
    "argparse",
    "logging",
    "dataclasses",
    "inspect",
    "typing",
    "pathlib",
    "json",
    "tomllib",
    "zlib",
    "hashlib",
    "threading",
    "platformdirs",
    "tempfile",
)


def _run(tmp_path: Path, *args: str, heavy: tuple[str, ...] = HEAVY) -> dict[str, object]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "QDK_PYTHON_TELEMETRY": "none"}
    proc = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {heavy!r}\n{_CHILD}", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report: dict[str, object] = json.loads(proc.stdout)
    return report


@pytest.mark.parametrize(
    ("args", "shows"),
    [(("--help",), "backends"), (("backends",), "local.simulator"), (("jobs",), "No jobs.")],
)
def test_light_commands_import_no_heavy_package(
    tmp_path: Path, args: tuple[str, ...], shows: str
) -> None:
    report = _run(tmp_path, *args)
    assert report["code"] == 0
    assert shows in str(report["out"])  # the command did its work
    assert report["loaded"] == []


def test_help_lists_every_sub_command_with_its_modules_own_help() -> None:
    parser = build_parser()  # full: every module imported and registered
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    registered = {a.dest: a.help for a in subparsers._choices_actions}  # type: ignore[attr-defined]
    assert registered == SUBCOMMAND_HELP
    assert set(SUBCOMMANDS) == set(SUBCOMMAND_HELP)


def test_a_sub_command_still_gets_its_full_parser(tmp_path: Path) -> None:
    report = _run(tmp_path, "jobs", "--help")
    assert report["code"] == 0
    assert "--search" in str(report["out"])


@pytest.mark.parametrize(
    ("command", "shows"), [("backends", "local.simulator"), ("jobs", "No jobs.")]
)
def test_quick_commands_start_without_argparse_logging_or_dataclasses(
    tmp_path: Path, command: str, shows: str
) -> None:
    first = _run(tmp_path, command, heavy=CUT_FROM_QUICK)  # makes the ledger, keeps the table
    again = _run(tmp_path, command, heavy=CUT_FROM_QUICK)
    assert first["code"] == again["code"] == 0
    assert again["out"] == first["out"] and shows in str(again["out"])
    assert again["loaded"] == []
    # --verbose, and any option, go the full way (logging set up, argparse's parser)
    verbose = _run(tmp_path, command, "--verbose", heavy=CUT_FROM_QUICK)
    assert verbose["out"] == first["out"]
    assert {"argparse", "logging"} <= set(verbose["loaded"])  # type: ignore[arg-type]


_LOCAL_RUN = r"""
import contextlib, io, json, sys
from desktop_app.__main__ import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
(result,) = json.loads(out.getvalue())
watched = ("azure", "keyring", "desktop_app.core.azure.pricing", "desktop_app.core.azure.executor")
sys.__stdout__.write(json.dumps({"code": code, "counts": result["counts"],
                                 "loaded": [m for m in watched if m in sys.modules]}))
"""


def test_a_local_run_imports_neither_the_azure_sdk_nor_the_price_table(tmp_path: Path) -> None:
    """`run` on local.simulator pays for qiskit and its ledger only (bench_cli_ghz20)."""
    program = tmp_path / "bell.qasm"
    program.write_text(
        'OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[2]; x q[0]; cx q[0], q[1];\n'
        "measure q -> c;\n",
        encoding="utf-8",
    )
    env = {**os.environ, "QUANTUM_DESK_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run(
        [sys.executable, "-c", _LOCAL_RUN, "run", str(program), "--shots", "10", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report == {"code": 0, "counts": {"11": 10}, "loaded": []}
