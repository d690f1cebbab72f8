"""How a `JobFilter` becomes SQL over the ledger's tables."""

from __future__ import annotations

from typing import Any

from desktop_app.core.ledger.models import JobFilter
from desktop_app.core.ledger.rows import like_pattern, ts


def where_clause(flt: JobFilter) -> tuple[str, list[Any]]:
    """The SQL WHERE clause (with its parameters) selecting the jobs that `flt` matches."""
    clauses: list[str] = []
    params: list[Any] = []
    if flt.backends:
        clauses.append(f"backend IN ({','.join('?' * len(flt.backends))})")
        params.extend(flt.backends)
    if flt.statuses:
        clauses.append(f"status IN ({','.join('?' * len(flt.statuses))})")
        params.extend(str(s) for s in flt.statuses)
    if flt.since is not None:
        clauses.append("created_at >= ?")
        params.append(ts(flt.since))
    if flt.until is not None:
        clauses.append("created_at < ?")
        params.append(ts(flt.until))
    if flt.tag:
        clauses.append("EXISTS (SELECT 1 FROM json_each(jobs.tags) WHERE value = ?)")
        params.append(flt.tag)
    text = flt.text.strip()
    if text:
        pattern = like_pattern(text)
        columns = ("name", "backend", "tags", "id", "azure_job_id", "profile")
        matches = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns)
        clauses.append(
            f"({matches} OR id IN (SELECT job_id FROM job_programs "
            "WHERE program LIKE ? ESCAPE '\\'))"
        )
        params.extend([pattern] * (len(columns) + 1))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params
