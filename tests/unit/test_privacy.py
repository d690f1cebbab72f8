"""Telemetry is off before any dependency is imported, in the CLI and the GUI start-up, and the
QDK imported by a local run resolves no name (its telemetry would look up Application Insights
at exit). Each check runs in a fresh process whose environment has none of the switches set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import privacy

# Runs in the child: records, for the first import of each dependency, the opt-out variables as
# they were at that moment, and every name lookup (the netguard, installed before this by
# sitecustomize, still refuses it); prints both as JSON at exit, after every other atexit hook.
_RECORDER = """
import atexit, json, os, socket, sys
VARS = {vars!r}
DEPS = {{"PySide6", "qiskit", "qiskit_aer", "azure", "msal", "keyring", "pyqasm", "openqasm3",
        "qdk", "qsharp", "numpy", "platformdirs"}}
first_import = {{}}
lookups = []
guarded = socket.getaddrinfo
def recording_getaddrinfo(host, *args, **kwargs):
    lookups.append(str(host))
    return guarded(host, *args, **kwargs)
socket.getaddrinfo = recording_getaddrinfo
def hook(event, args):
    if event == "import":
        top = str(args[0]).split(".")[0]
        if top in DEPS and top not in first_import:
            first_import[top] = {{k: os.environ.get(k) for k in VARS}}
sys.addaudithook(hook)
def report():
    with open({out!r}, "w") as f:
        json.dump({{"first_import": first_import, "lookups": lookups,
                   "qdk": "qdk" in sys.modules}}, f)
atexit.register(report)
"""


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in privacy.OPT_OUTS}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _run(tmp_path: Path, body: str, *argv: str) -> dict[str, object]:
    out = tmp_path / "report.json"
    script = _RECORDER.format(vars=sorted(privacy.OPT_OUTS), out=str(out)) + body
    subprocess.run(
        [sys.executable, "-c", script, *argv],
        env=_child_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report: dict[str, object] = json.loads(out.read_text())
    return report


def _assert_set_before_every_import(report: dict[str, object], expected: set[str]) -> None:
    first_import = report["first_import"]
    assert isinstance(first_import, dict)
    assert expected <= set(first_import), first_import  # the start-up did import them
    for module, values in first_import.items():
        assert values == privacy.OPT_OUTS, (module, values)


_CLI_RUN = """
import runpy
sys.argv = ["quantum-desk", *sys.argv[1:]]
runpy.run_module("desktop_app", run_name="__main__")
"""


def test_cli_sets_the_opt_outs_before_imports_and_the_qdk_resolves_nothing(
    tmp_path: Path,
) -> None:
    # valid syntax that both importers refuse: the local run asks the optional QDK's analyzer
    program = tmp_path / "undefined_gate.qasm"
    program.write_text("OPENQASM 3.0;\nqubit q;\nfoo q;\n")
    report = _run(tmp_path, _CLI_RUN, "run", str(program))
    _assert_set_before_every_import(report, {"qiskit", "pyqasm"})
    if not report["qdk"]:
        pytest.skip("the optional QDK is not installed")  # the env check above still ran
    assert report["lookups"] == []


_GUI_START = """
from desktop_app import app  # the GUI start-up module: applies the opt-outs at import
from PySide6.QtWidgets import QApplication
qt = QApplication([])
import qdk
"""


def test_gui_start_up_sets_the_opt_outs_before_pyside6(tmp_path: Path) -> None:
    pytest.importorskip("PySide6")
    report = _run(tmp_path, _GUI_START)
    _assert_set_before_every_import(report, {"PySide6", "qdk"})
    assert report["lookups"] == []


def test_the_recorder_sees_the_qdk_telemetry_lookup_without_the_opt_outs(tmp_path: Path) -> None:
    """The control: the same QDK import without the app's start-up looks its host up at exit
    (refused by the test network guard), so the checks above can fail."""
    pytest.importorskip("qdk")
    report = _run(tmp_path, "import qdk\n")
    lookups = report["lookups"]
    assert isinstance(lookups, list)
    assert any("applicationinsights.azure.com" in host for host in lookups), lookups


def test_apply_forces_the_values_over_a_user_setting() -> None:
    env = {"QDK_PYTHON_TELEMETRY": "enabled", "PATH": "/bin"}
    privacy.apply(env)
    assert env["QDK_PYTHON_TELEMETRY"] == "none"
    assert env["QSHARP_PYTHON_TELEMETRY"] == "none"
    assert env["AZURE_TRACING_ENABLED"] == "false"
    assert env["PATH"] == "/bin"
