"""What the app reads from an opened `azure.quantum.Workspace`, and how it closes one: the one
lister of its targets (availability, queue time), used by "Test connection", the status line and
the executor alike, and the one reader of a target to submit to."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# The SDK makes its targets with one TargetFactory per process (see read_target).
_TARGET_FACTORY_LOCK = threading.Lock()

AVAILABLE, DEGRADED, UNAVAILABLE = "Available", "Degraded", "Unavailable"


def enum_text(value: object) -> str:
    """The service's text for an SDK enum member or a plain string ('' for None).

    The SDK's enums mix in str, but in Python 3.11 `str(member)` is 'Class.MEMBER'.
    """
    if value is None:
        return ""
    return str(getattr(value, "value", value))


@dataclass(frozen=True)
class TargetStatus:
    name: str
    provider_id: str
    availability: str  # "Available" | "Degraded" | "Unavailable" | "" (unknown)
    average_queue_time: float | None  # seconds, as the provider reports it
    status_page: str | None = None

    @property
    def warning(self) -> str | None:
        """What to tell the user before a run on this target, or None when it is Available."""
        if self.availability == DEGRADED:
            return f"{self.name} is Degraded: jobs may wait longer or fail more often."
        if self.availability == UNAVAILABLE:
            return (
                f"{self.name} is Unavailable: the provider has taken it offline, so Quantum Desk "
                "will not submit to it until it is back."
            )
        return None


def read_target(workspace: Any, name: str) -> Any:
    """`workspace.get_targets(name)`: the Target to submit to (a list or None: not found), bound
    to `workspace` also while other threads read targets of other workspaces.

    `Workspace.get_targets` hands its workspace to the SDK's TargetFactory, one object per process,
    which then lists the targets and makes them with whatever workspace the last call set
    (azure/quantum/target/target_factory.py, azure-quantum 3.13.0): two reads at once could list,
    and bind their target to, the other thread's workspace, another profile's Azure account.
    The listing (the service call) is asked here outside the lock, as `list_targets` does; only
    the making of the Target is serialized (microseconds)."""
    from azure.quantum.target import Target
    from azure.quantum.target.target_factory import TargetFactory

    lister = getattr(workspace, "_get_target_status", None)
    if not callable(lister):  # another SDK version: the public call, all of it under the lock
        with _TARGET_FACTORY_LOCK:
            return workspace.get_targets(name)
    statuses = lister(name)
    if len(statuses) != 1:
        return None
    with _TARGET_FACTORY_LOCK:
        factory = TargetFactory(base_cls=Target, workspace=workspace)
        return factory.from_target_status(*statuses[0])


def list_targets(workspace: Any) -> tuple[TargetStatus, ...]:
    """Every target of every provider of the workspace.

    `Workspace._get_target_status()` lists all of them; the public `get_targets()` leaves out
    targets of providers the SDK has no class for (on older workspaces), hence the private call,
    with the public one as fallback.
    """
    statuses: list[TargetStatus] = []
    lister = getattr(workspace, "_get_target_status", None)
    if callable(lister):
        for provider_id, status in lister():
            queue = getattr(status, "average_queue_time", None)
            statuses.append(
                TargetStatus(
                    name=str(status.id),
                    provider_id=str(provider_id),
                    availability=enum_text(getattr(status, "current_availability", "")),
                    average_queue_time=None if queue is None else float(queue),
                    status_page=getattr(status, "status_page", None) or None,
                )
            )
    else:
        with _TARGET_FACTORY_LOCK:  # see read_target
            targets = workspace.get_targets()
        for target in targets:
            queue = target.average_queue_time
            statuses.append(
                TargetStatus(
                    name=str(target.name),
                    provider_id=str(target.provider_id),
                    availability=enum_text(target.current_availability),
                    average_queue_time=None if queue is None else float(queue),
                )
            )
    return tuple(sorted(statuses, key=lambda t: (t.provider_id.lower(), t.name)))


def close_workspace(workspace: Any) -> None:
    """Close a workspace client (None or one without `close` is fine); never raises."""
    close = getattr(workspace, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception as exc:  # closing a client must never hide the run's outcome
        log.debug("closing the workspace client failed: %r", exc)
