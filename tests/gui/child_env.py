"""A window started in a child process by a test: offscreen, and every Quantum Desk folder in the
test's temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def window_child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        QUANTUM_DESK_CONFIG_DIR=str(tmp_path / "config"),
        QUANTUM_DESK_DATA_DIR=str(tmp_path / "data"),
        QUANTUM_DESK_CACHE_DIR=str(tmp_path / "cache"),
        QUANTUM_DESK_LOG_DIR=str(tmp_path / "log"),
        **extra,
    )


def run_window_child(code: str, arg: str, env: dict[str, str]) -> str:
    """`python -c code arg` from the repository root in `env`; its standard output, once it
    exited 0 (else the test fails with the end of its standard error)."""
    ran = subprocess.run(
        [sys.executable, "-c", code, arg],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    return ran.stdout
