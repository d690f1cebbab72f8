"""How a job is written into and read out of the ledger's SQL rows: times, JSON, tags, versions."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from desktop_app.core.ledger.errors import LedgerError


def ts(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text)  # 3.11 reads the trailing Z as UTC


def dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def loads_opt(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@cache
def collect_versions() -> dict[str, str | None]:
    """The app, Python and SDK versions recorded with every job (package metadata only: cheap)."""
    from importlib import metadata

    from desktop_app import __version__

    versions: dict[str, str | None] = {
        "quantum-desk": __version__,
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
    }
    for dist in ("qiskit", "qiskit-aer", "azure-quantum", "qiskit-ionq", "qdk"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return versions


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    cleaned: dict[str, None] = {}
    for tag in tags:
        text = tag.strip()
        if not text:
            continue
        if len(text) > 64:
            raise LedgerError(f"tag {text[:20]!r}... is longer than 64 characters")
        cleaned[text] = None
    return tuple(cleaned)


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


ROW_COLUMNS = (
    "id, azure_job_id, name, backend, profile, shots, status, created_at, submitted_at, "
    "completed_at, updated_at, error_code, error_message, estimated_cost, billed_cost, tags, "
    "has_result, program_sha256"
)


def row_from_sql(r: Sequence[Any]) -> dict[str, Any]:
    return {
        "id": r[0],
        "azure_job_id": r[1],
        "name": r[2],
        "backend": r[3],
        "profile": r[4],
        "shots": r[5],
        "status": r[6],
        "created_at": parse_ts(r[7]),
        "submitted_at": parse_ts(r[8]),
        "completed_at": parse_ts(r[9]),
        "updated_at": parse_ts(r[10]),
        "error_code": r[11],
        "error_message": r[12],
        "estimated_cost": loads_opt(r[13]),
        "billed_cost": loads_opt(r[14]),
        "tags": tuple(json.loads(r[15])),
        "has_result": bool(r[16]),
        "program_sha256": r[17],
    }
