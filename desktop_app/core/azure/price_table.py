"""The price table: resources/prices.toml, overridden entry by entry by the user's prices.toml.

The figures are data a lab can correct without touching code. Each entry names the targets it
prices (fnmatch patterns), the formula (`model`), the unit, the page it was read from and the date
it was checked. A file that cannot be used is refused with one line naming the file, the entry and
the field: the app never guesses a price.
"""

from __future__ import annotations

import fnmatch
import math
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from desktop_app.core import paths
from desktop_app.core.errors import UserInputError

PRICES_FILE_NAME: Final = "prices.toml"
SCHEMA_VERSION: Final = 1
MAX_FILE_BYTES: Final = 1_000_000
MODELS: Final = ("free", "ionq-gate-shots", "quantinuum-hqc", "per-execution-time")

# model -> figures it needs (numbers >= 0); optional figures are in _OPTIONAL
_NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "free": (),
    "ionq-gate-shots": ("price_1q", "price_2q", "minimum_mitigated", "minimum_unmitigated"),
    "quantinuum-hqc": ("base", "weight_1q", "weight_2q", "weight_spam", "divisor"),
    "per-execution-time": ("price", "per_ms"),
}
_OPTIONAL: Final = {"multi_qubit_2q": 6.0, "mitigation_min_shots": 500.0}
_TEXT: Final = ("id", "model", "unit", "source", "checked")


class PriceTableError(UserInputError):
    """A price file cannot be used: the message names the file, the entry and the field."""


@dataclass(frozen=True)
class PriceEntry:
    id: str
    targets: tuple[str, ...]
    model: str
    unit: str
    source: str
    checked: str  # YYYY-MM-DD
    figures: Mapping[str, float] = field(default_factory=dict)
    minimum_rule: str = "added"  # ionq-gate-shots: "added" (the page's formula) or "floor"
    free_with_subscription: bool = False
    note: str = ""
    origin: str = ""  # the file it came from

    def matches(self, target: str) -> bool:
        return any(fnmatch.fnmatchcase(target.lower(), p.lower()) for p in self.targets)

    def figure(self, name: str) -> float:
        return float(self.figures.get(name, _OPTIONAL.get(name, 0.0)))


@dataclass(frozen=True)
class PriceTable:
    entries: tuple[PriceEntry, ...]
    files: tuple[Path, ...]  # what it was read from, built-in first

    def entry_for(self, target: str) -> PriceEntry | None:
        return next((e for e in self.entries if e.matches(target)), None)


def builtin_prices_path() -> Path:
    """resources/prices.toml next to the desktop_app package (where the bundle puts it too)."""
    return Path(__file__).resolve().parents[3] / "resources" / PRICES_FILE_NAME


def user_prices_path() -> Path:
    return paths.config_dir() / PRICES_FILE_NAME


def _fail(path: Path, where: str, message: str) -> PriceTableError:
    return PriceTableError(f"{path}: {where}{': ' if where else ''}{message}")


def _read(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(path, "", f"too large ({size:,} bytes; a price table is a few KB)")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _fail(path, "", "not a UTF-8 text file") from None
    except OSError as exc:
        raise _fail(path, "", f"cannot be read ({exc.strerror or exc})") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, "", f"not valid TOML ({exc})") from None
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail(path, "schema_version", "missing or not a whole number")
    if version > SCHEMA_VERSION:
        raise _fail(path, "schema_version", f"{version} is newer than this Quantum Desk reads")
    return document


def _number(path: Path, where: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(path, where, f"field '{name}' must be a number")
    if value < 0:
        raise _fail(path, where, f"field '{name}' cannot be negative")
    return float(value)


def _entry(path: Path, index: int, raw: object) -> PriceEntry:
    where = f"entry {index + 1}"
    if not isinstance(raw, dict):
        raise _fail(path, where, "not a table ([[entry]])")
    for key in _TEXT:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _fail(path, where, f"field '{key}' is missing or not text")
    where = f"entry '{raw['id']}'"
    model = raw["model"]
    if model not in MODELS:
        raise _fail(path, where, f"field 'model' must be one of {', '.join(MODELS)}")
    targets = raw.get("targets")
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise _fail(path, where, "field 'targets' must be a list of target ids")
    figures = {n: _number(path, where, n, raw.get(n)) for n in _NEEDS[model]}
    figures.update({n: _number(path, where, n, raw[n]) for n in _OPTIONAL if n in raw})
    if model == "quantinuum-hqc" and figures["divisor"] == 0:
        raise _fail(path, where, "field 'divisor' cannot be 0")
    if model == "per-execution-time" and figures["per_ms"] == 0:
        raise _fail(path, where, "field 'per_ms' cannot be 0")
    rule = raw.get("minimum_rule", "added")
    if rule not in ("added", "floor"):
        raise _fail(path, where, 'field \'minimum_rule\' must be "added" or "floor"')
    subscription = raw.get("free_with_subscription", False)
    if not isinstance(subscription, bool):
        raise _fail(path, where, "field 'free_with_subscription' must be true or false")
    return PriceEntry(
        id=raw["id"].strip(),
        targets=tuple(t.strip() for t in targets),
        model=model,
        unit=raw["unit"].strip(),
        source=raw["source"].strip(),
        checked=raw["checked"].strip(),
        figures=figures,
        minimum_rule=rule,
        free_with_subscription=subscription,
        note=str(raw.get("note", "")),
        origin=str(path),
    )


def _entries(path: Path) -> list[PriceEntry]:
    document = _read(path)
    raw = document.get("entry", [])
    if not isinstance(raw, list):
        raise _fail(path, "entry", "must be a list of [[entry]] tables")
    entries = [_entry(path, i, e) for i, e in enumerate(raw)]
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise _fail(path, f"entry '{entry.id}'", "a second entry with this id")
        seen.add(entry.id)
    return entries


def load_price_table(builtin: Path | None = None, user: Path | None = None) -> PriceTable:
    """The built-in table with the user's file laid over it (its entries first, same ids
    replaced). PriceTableError when either file cannot be used."""
    builtin = builtin or builtin_prices_path()
    user = user or user_prices_path()
    base = _entries(builtin)
    if not user.exists():
        return PriceTable(tuple(base), (builtin,))
    overrides = _entries(user)
    ids = {e.id for e in overrides}
    return PriceTable(tuple(overrides + [e for e in base if e.id not in ids]), (builtin, user))


_cache: dict[tuple[str, ...], tuple[tuple[float, ...], PriceTable]] = {}
_cache_lock = threading.Lock()


def _stamp(path: Path) -> float:
    try:
        stat = path.stat()
    except OSError:
        return -1.0
    return stat.st_mtime_ns + stat.st_size / 1e6


def price_table() -> PriceTable:
    """The current table, re-read whenever either file changed (an edit applies at once)."""
    files = (builtin_prices_path(), user_prices_path())
    key = tuple(str(f) for f in files)
    stamps = tuple(_stamp(f) for f in files)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamps:
            return cached[1]
    table = load_price_table(*files)
    with _cache_lock:
        _cache[key] = (stamps, table)
    return table


def format_amount(amount: float, unit: str) -> str:
    if unit == "USD":
        return f"${amount:,.2f}"
    return f"{amount:,.2f} {unit}".strip()
