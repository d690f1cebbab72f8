"""The environment of a window started in a child process by a test: offscreen, and every Quantum
Desk folder in the test's temporary folder."""

from __future__ import annotations

import os
from pathlib import Path


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
