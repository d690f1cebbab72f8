"""Where Quantum Desk keeps its files (platformdirs), with overrides for tests and portable use."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import platformdirs

APP_NAME = "quantum-desk"

log = logging.getLogger(__name__)


def _dir(env_var: str, default: str) -> Path:
    """The folder, created when it can be. One that cannot (a read-only home) is still returned:
    reading from it finds nothing, and each write says plainly what cannot be written
    (atomic_files, the ledger), so what needs no file still runs."""
    path = Path(os.environ.get(env_var) or default)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("folder %s cannot be created: %s", path, exc)
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


def state_dir() -> Path:
    """Things that survive a crash but are not documents: the editor's autosave."""
    return _dir("QUANTUM_DESK_STATE_DIR", platformdirs.user_state_dir(APP_NAME, appauthor=False))
