"""The window's persisted options, declared once with their type (Picard's typed options over
QSettings), under a schema version: an option whose stored value has the wrong type reads as its
default, and a file written by a newer schema is read but never rewritten with older keys.

Secrets never go here (they live in the OS keyring, `core.azure.secrets`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_SCHEMA_KEY = "schema/version"

T = TypeVar("T")


@dataclass(frozen=True)
class Option(Generic[T]):
    """One persisted option: its key, type and default."""

    key: str
    kind: type[T]
    default: T

    def read(self, settings: QSettings) -> T:
        value = settings.value(self.key, self.default)
        if isinstance(value, self.kind):
            return value
        if isinstance(value, str):  # an INI file gives back every scalar as text
            parsed = _parse_text(value, self.kind)
            if parsed is not None:
                return parsed  # type: ignore[return-value]
        if value is not None and value != self.default:
            log.info("ignoring setting %s of unexpected type %s", self.key, type(value).__name__)
        return self.default

    def write(self, settings: QSettings, value: T) -> None:
        if not writable(settings):
            return
        settings.setValue(_SCHEMA_KEY, SCHEMA_VERSION)
        settings.setValue(self.key, value)


def _parse_text(text: str, kind: type) -> object | None:
    if kind is bool and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if kind is int:
        try:
            return int(text)
        except ValueError:
            return None
    return None


def writable(settings: QSettings) -> bool:
    """False for a settings file written by a newer Quantum Desk (kept as it is)."""
    stored = settings.value(_SCHEMA_KEY, SCHEMA_VERSION)
    try:
        return int(str(stored)) <= SCHEMA_VERSION
    except (TypeError, ValueError):
        return True


WINDOW_GEOMETRY = Option("window/geometry", QByteArray, QByteArray())
WINDOW_STATE = Option("window/state", QByteArray, QByteArray())
MAIN_SPLITTER = Option("window/mainSplitter", QByteArray, QByteArray())
TOP_SPLITTER = Option("window/topSplitter", QByteArray, QByteArray())
# Column widths of the backend summary and of the job history (QHeaderView.saveState).
BACKEND_COLUMNS = Option("window/backendColumns", QByteArray, QByteArray())
JOBS_COLUMNS = Option("window/jobsColumns", QByteArray, QByteArray())
# Recent program files, newest first, one per line (a list is not typed stably by QSettings).
RECENT_FILES = Option("editor/recentFiles", str, "")
# The first-run welcome was shown once.
WELCOME_SHOWN = Option("help/welcomeShown", bool, False)
# Results: "count" or "percent"; "count" or "bitstring" order; how many bars before "rest".
RESULTS_MODE = Option("results/mode", str, "count")
RESULTS_SORT = Option("results/sort", str, "bitstring")
RESULTS_TOP = Option("results/top", int, 16)
# Results: "side" (one panel per backend, side by side) or "overlay" (every backend on one axis).
RESULTS_LAYOUT = Option("results/layout", str, "side")
# Appearance: "system" (follow the OS colour scheme), "light" or "dark".
COLOR_SCHEME = Option("appearance/colorScheme", str, "system")
# The local simulator's qiskit-aer method (core.local.method_names): "automatic" unless chosen.
LOCAL_METHOD = Option("backends/localMethod", str, "automatic")
# Per backend row: run with my own credentials (true) or the lab's sign-in (false), as JSON.
OWN_CREDENTIALS = Option("backends/ownCredentials", str, "")


def read_credential_choices(settings: QSettings | None) -> dict[str, bool]:
    """The backend summary's per-row "my own credentials" switches, as last left."""
    if settings is None:
        return {}
    import json  # not at import: json is not needed before the window's first paint

    try:
        stored = json.loads(OWN_CREDENTIALS.read(settings) or "{}")
    except ValueError:
        return {}
    if not isinstance(stored, dict):
        return {}
    return {str(k): v for k, v in stored.items() if isinstance(v, bool)}


def write_credential_choices(settings: QSettings | None, choices: dict[str, bool]) -> None:
    import json

    if settings is not None:
        OWN_CREDENTIALS.write(settings, json.dumps(choices, sort_keys=True))
