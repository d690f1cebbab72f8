"""Status: the Azure job states in the app's vocabulary, and the live availability and average
queue time of every target of a profile's workspace, cached.

`refresh_status(profile)` asks the workspace (every target it lists, beyond the six built-in
ones too) and keeps the answer as JSON in `paths.cache_dir()` with the time it was fetched;
`cached_status(profile)` reads that back with no network, for offline use. Call both off the GUI
thread (the refresh does network I/O).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core import paths
from desktop_app.core.atomic_files import write_text_atomic
from desktop_app.core.azure.errors import AzureRunError, explain
from desktop_app.core.azure.session import open_profile_workspace
from desktop_app.core.azure.workspace import (
    AVAILABLE,
    DEGRADED,
    UNAVAILABLE,
    TargetStatus,
    close_workspace,
    enum_text,
    list_targets,
)
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.results import JobStatus

if TYPE_CHECKING:
    from desktop_app.core.azure.profiles import Profile

log = logging.getLogger(__name__)

CACHE_FORMAT = "quantum-desk.azure-status.v1"


@dataclass(frozen=True)
class StatusSnapshot:
    profile: str
    fetched_at: float  # seconds since the epoch
    targets: tuple[TargetStatus, ...]
    from_cache: bool = False
    error: str | None = None  # why the live refresh failed, when these are cached figures

    def find(self, name: str) -> TargetStatus | None:
        return next((t for t in self.targets if t.name == name), None)

    def age(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)


WorkspaceOpener = Callable[[str], tuple[Any, Any]]


def _cache_path(profile: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", profile)[:40]
    digest = hashlib.sha256(profile.casefold().encode()).hexdigest()[:12]
    return paths.cache_dir() / "azure-status" / f"{slug}-{digest}.json"


def _write_cache(snapshot: StatusSnapshot) -> None:
    path = _cache_path(snapshot.profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "format": CACHE_FORMAT,
        "profile": snapshot.profile,
        "fetched_at": snapshot.fetched_at,
        "targets": [asdict(t) for t in snapshot.targets],
    }
    write_text_atomic(path, json.dumps(document, indent=1))


def cached_status(profile: str) -> StatusSnapshot | None:
    """The last figures fetched for `profile`, or None (no network; a bad file is ignored)."""
    path = _cache_path(profile)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != CACHE_FORMAT:
            raise ValueError(f"unknown format {document.get('format')!r}")
        targets = tuple(
            TargetStatus(
                name=str(t["name"]),
                provider_id=str(t["provider_id"]),
                availability=str(t["availability"]),
                average_queue_time=(
                    None if t.get("average_queue_time") is None else float(t["average_queue_time"])
                ),
                status_page=t.get("status_page"),
            )
            for t in document["targets"]
        )
        return StatusSnapshot(
            str(document["profile"]), float(document["fetched_at"]), targets, from_cache=True
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable status cache %s: %s", path, exc)
        return None


def refresh_status(
    profile: str,
    *,
    opener: WorkspaceOpener | None = None,
    keep: Callable[[str, Any, Profile], None] | None = None,
) -> StatusSnapshot:
    """Fetch live figures for `profile` and cache them; the workspace then goes to `keep`
    (`ahead.keep`: for the next run) when given and the figures came, else it is closed.

    On an Azure failure the cached figures come back with `error` set (plain words); with no
    cache the error is raised (`AzureRunError`). An unknown profile raises ProfileError.
    """
    open_ws = opener or open_profile_workspace
    workspace: Any = None
    try:
        workspace, profile_obj = open_ws(profile)
        try:
            targets = list_targets(workspace)
        except QuantumDeskError:
            raise
        except Exception as exc:  # azure-core failures, explained in plain words
            raise explain(exc, profile_obj, profile) from exc
        if keep is not None:
            keep(profile, workspace, profile_obj)
            workspace = None  # the next run's now
    except AzureRunError as exc:
        cached = cached_status(profile)
        if cached is None:
            raise
        return replace(cached, error=str(exc))
    finally:
        close_workspace(workspace)
    snapshot = StatusSnapshot(profile, time.time(), targets)
    try:
        _write_cache(snapshot)
    except OSError as exc:  # a read-only cache dir must not hide live figures
        log.warning("could not cache target status: %s", exc)
    return snapshot


def format_queue_time(seconds: float | None) -> str:
    """'2 s', '5 min', '3 h', '2 days'; '—' when unknown."""
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


_AZURE_STATUS = {
    "queued": JobStatus.WAITING,
    "waiting": JobStatus.WAITING,
    "executing": JobStatus.EXECUTING,
    "finishing": JobStatus.EXECUTING,
    "cancellationrequested": JobStatus.EXECUTING,
    "cancelling": JobStatus.EXECUTING,
    "succeeded": JobStatus.SUCCEEDED,
    "completed": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "cancelled": JobStatus.CANCELLED,
}


def progress_word(azure_status: str, status: JobStatus) -> str:
    """A job state as a progress message: the app's status, except the passing Azure states the
    app counts as still running, which are said as they are (a job can stay in them)."""
    said = azure_status.lower()
    if said == "finishing":
        return "Finishing"
    if said in ("cancellationrequested", "cancelling"):
        return "Cancelling"
    return status.value


def job_status_of(azure_status: object) -> JobStatus:
    """The app's status for an Azure job status string (unknown ones count as waiting)."""
    return _AZURE_STATUS.get(enum_text(azure_status).lower(), JobStatus.WAITING)


__all__ = [
    "AVAILABLE",
    "DEGRADED",
    "UNAVAILABLE",
    "StatusSnapshot",
    "TargetStatus",
    "cached_status",
    "format_queue_time",
    "job_status_of",
    "refresh_status",
]
