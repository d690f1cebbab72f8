"""How a job is written into and read out of the ledger's SQL rows: times, JSON, tags, versions."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from functools import cache

# The quick `quantum-desk jobs` (cli/quick.py) reads times with parse_ts: importing this module
# costs it no `typing` and no `json` (imported in the functions using it; issue 16).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def ts(moment: datetime | None) -> int | None:
    """A time as the ledger stores it (schema 2 on): whole microseconds since 1970-01-01 UTC, an
    integer (7 bytes instead of 27 of ISO text; integer order is time order)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return (moment - EPOCH) // _MICROSECOND


def parse_ts(value: int | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # schema 1 wrote ISO-8601 text
        return datetime.fromisoformat(value)  # 3.11 reads the trailing Z as UTC
    seconds, micros = divmod(value, 1_000_000)
    return EPOCH + timedelta(0, seconds, micros)


def dumps(value: object) -> str:
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def loads_opt(text: str | None) -> Any:
    import json

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
    for dist in ("qiskit", "qiskit-aer", "azure-quantum", "qdk"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return versions


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    from desktop_app.core.ledger.errors import LedgerError

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
    "jobs.id, jobs.azure_job_id, jobs.name, jobs.backend, jobs.profile, jobs.shots, jobs.status, "
    "jobs.created_at, jobs.submitted_at, jobs.completed_at, jobs.updated_at, jobs.error_code, "
    "jobs.error_message, jobs.estimated_cost, jobs.billed_cost, jobs.tags, jobs.has_result, "
    "(SELECT lower(hex(programs.sha256)) FROM programs WHERE programs.id = jobs.program_id)"
)


def row_from_sql(r: Sequence[Any]) -> dict[str, Any]:
    import json

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
        "tags": () if r[15] == "[]" else tuple(json.loads(r[15])),
        "has_result": bool(r[16]),
        "program_sha256": r[17],
    }
