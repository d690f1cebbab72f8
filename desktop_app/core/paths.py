"""Where Quantum Desk keeps its files (platformdirs), with overrides for tests and portable use."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from desktop_app.core.errors import NotWritableError, why_not_writable

APP_NAME = "quantum-desk"


def _dir(env_var: str, default: str) -> Path:
    path = Path(os.environ.get(env_var) or default)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a read-only home: said in plain words (still an OSError)
        raise NotWritableError(
            f"The folder {path} cannot be created: it is {why_not_writable(exc)}. Make it "
            f"writable, or set {env_var} to a folder that is."
        ) from None
    return path


def config_dir() -> Path:
    """Profiles (no secrets) and other settings files."""
    return _dir("QUANTUM_DESK_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """The job ledger and downloaded results."""
    return _dir("QUANTUM_DESK_DATA_DIR", platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Last-known backend status and other things that may be thrown away."""
    return _dir("QUANTUM_DESK_CACHE_DIR", platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    return _dir("QUANTUM_DESK_LOG_DIR", platformdirs.user_log_dir(APP_NAME, appauthor=False))
