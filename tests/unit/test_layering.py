"""Layering: core never loads Qt and stays cheap to import (no qiskit until a program loads)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import importlib, json, pkgutil, sys
import desktop_app.core as core
names = sorted(m.name for m in pkgutil.iter_modules(core.__path__, "desktop_app.core."))
for name in names:
    importlib.import_module(name)
loaded = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"modules": names, "loaded": loaded}))
"""

CHEAP = r"""
import json, sys
import desktop_app.core.programs as programs
import desktop_app.core.catalog, desktop_app.core.results
before = sorted(m for m in ("qiskit", "qiskit_aer", "pyqasm", "qdk", "azure") if m in sys.modules)
programs.load_program('OPENQASM 3.0; include "stdgates.inc"; qubit q; bit c; c = measure q;')
after = "qiskit" in sys.modules
print(json.dumps({"before": before, "after": after}))
"""


def _python(code: str) -> dict[str, object]:
    env = {**os.environ, "QDK_PYTHON_TELEMETRY": "none"}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_core_never_loads_qt() -> None:
    report = _python(PROBE)
    assert "desktop_app.core.programs" in report["modules"]
    assert not {"PySide6", "shiboken6"} & set(report["loaded"])


def test_core_is_cheap_until_a_program_is_loaded() -> None:
    report = _python(CHEAP)
    assert report == {"before": [], "after": True}


def test_import_linter_contracts(tmp_path: Path) -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed")
    # import-linter refuses a forbidden *external* module (PySide6) unless
    # include_external_packages is set: force it in a copy so the contracts themselves are checked.
    text = (ROOT / "pyproject.toml").read_text()
    if "include_external_packages" not in text:
        text = text.replace(
            'root_package = "desktop_app"',
            'root_package = "desktop_app"\ninclude_external_packages = true',
            1,
        )
    config = tmp_path / "pyproject.toml"
    config.write_text(text)
    proc = subprocess.run(
        [lint, "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "core never imports Qt KEPT" in proc.stdout
