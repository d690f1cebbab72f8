"""The table of Azure Quantum targets Quantum Desk knows offline (`resources/targets/catalog.toml`):
each provider's input format and whether the app can translate for it, each target's qubit count,
every figure with its source, and the date the table was checked. Plain data (TOML, kept parsed
by `core.toml_cache`), read before anything heavy loads; `core.catalog` turns it into backend rows.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from desktop_app.core import toml_cache
from desktop_app.core.errors import QuantumDeskError, why_not_readable

DATA_FORMAT = "quantum-desk.catalog.v1"
KINDS = ("hardware", "simulator")


def data_file() -> Path:
    """The target table (a bundle or a test may point elsewhere with the env var)."""
    override = os.environ.get("QUANTUM_DESK_CATALOG_FILE")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources" / "targets" / "catalog.toml"


class CatalogDataError(QuantumDeskError):
    """The target table cannot be read (says which file and field)."""


@dataclass(frozen=True)
class ProviderEntry:
    id: str  # lower-cased, as the service treats it
    name: str
    input_format: str
    translates: bool
    reason: str  # why not, when it does not translate
    source: str


@dataclass(frozen=True)
class TargetEntry:
    name: str
    provider_id: str
    kind: str  # "hardware" | "simulator"
    num_qubits: int
    shown: bool  # a summary row before any workspace answers
    description: str
    source: str
    approximate: bool = False


@dataclass(frozen=True)
class TargetTable:
    checked: dt.date
    sdk: str
    providers: tuple[ProviderEntry, ...]
    targets: tuple[TargetEntry, ...]

    def provider(self, provider_id: str) -> ProviderEntry | None:
        wanted = provider_id.lower()
        return next((p for p in self.providers if p.id == wanted), None)

    def target(self, name: str) -> TargetEntry | None:
        return next((t for t in self.targets if t.name == name), None)

    def age_days(self, today: dt.date | None = None) -> int:
        return max(0, ((today or dt.date.today()) - self.checked).days)

    def age_text(self, today: dt.date | None = None) -> str:
        """'the built-in target table (checked 2026-12-01, 3 days ago)'."""
        days = self.age_days(today)
        ago = "today" if days == 0 else "1 day ago" if days == 1 else f"{days} days ago"
        return f"the built-in target table (checked {self.checked.isoformat()}, {ago})"


def _text(raw: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise CatalogDataError(f"{where}: field '{key}' must be a non-empty text")
    return value


def _provider(raw: dict[str, Any], where: str) -> ProviderEntry:
    translates = raw.get("translates")
    if not isinstance(translates, bool):
        raise CatalogDataError(f"{where}: field 'translates' must be true or false")
    reason = _text(raw, "reason", where, required=not translates)
    return ProviderEntry(
        _text(raw, "id", where).lower(),
        _text(raw, "name", where),
        _text(raw, "input_format", where),
        translates,
        reason,
        _text(raw, "source", where),
    )


def _target(raw: dict[str, Any], where: str, providers: set[str]) -> TargetEntry:
    name = _text(raw, "name", where)
    provider_id = name.partition(".")[0].lower()
    if provider_id not in providers:
        raise CatalogDataError(f"{where}: target '{name}' names no [[provider]] of the table")
    kind = _text(raw, "kind", where)
    if kind not in KINDS:
        raise CatalogDataError(f"{where}: field 'kind' must be one of {', '.join(KINDS)}")
    qubits = raw.get("num_qubits")
    if isinstance(qubits, bool) or not isinstance(qubits, int) or not 1 <= qubits <= 100_000:
        raise CatalogDataError(f"{where}: field 'num_qubits' must be a whole number >= 1")
    return TargetEntry(
        name,
        provider_id,
        kind,
        qubits,
        bool(raw.get("shown", False)),
        _text(raw, "description", where),
        _text(raw, "source", where),
        bool(raw.get("approximate", False)),
    )


def parse_table(text: str, where: str) -> TargetTable:
    import tomllib

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogDataError(f"{where}: not valid TOML ({exc})") from None
    return table_of(document, where)


def table_of(document: dict[str, Any], where: str) -> TargetTable:
    """The table in a parsed TOML document (CatalogDataError names the field at fault)."""
    if document.get("format") != DATA_FORMAT:
        raise CatalogDataError(f"{where}: field 'format' must be {DATA_FORMAT!r}")
    checked = document.get("checked")
    try:
        day = dt.date.fromisoformat(checked) if isinstance(checked, str) else None
    except ValueError:
        day = None
    if day is None:
        raise CatalogDataError(f"{where}: field 'checked' must be a date (YYYY-MM-DD)")
    raw_providers, raw_targets = document.get("provider"), document.get("target")
    if not isinstance(raw_providers, list) or not isinstance(raw_targets, list):
        raise CatalogDataError(f"{where}: needs [[provider]] and [[target]] entries")
    providers = tuple(
        _provider(raw, f"{where}: provider {i + 1}") for i, raw in enumerate(raw_providers)
    )
    ids = {p.id for p in providers}
    targets = tuple(
        _target(raw, f"{where}: target {i + 1}", ids) for i, raw in enumerate(raw_targets)
    )
    names = [t.name for t in targets]
    if len(set(names)) != len(names):
        raise CatalogDataError(f"{where}: a target is listed twice")
    return TargetTable(day, str(document.get("sdk", "")), providers, targets)


@cache
def target_table() -> TargetTable:
    """The table (CatalogDataError names the file and field at fault)."""
    path = data_file()
    try:
        document = toml_cache.load(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogDataError(f"{path}: cannot be read: {why_not_readable(exc)}") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError
        raise CatalogDataError(f"{path}: not valid TOML ({exc})") from None
    return table_of(document, str(path))
