"""Faults the emulator can inject, switchable at run time and scoped to matching requests or jobs.

HTTP faults (applied when a request arrives, before it is handled):
  ``latency``  wait ``delay`` seconds, then answer normally;
  ``status``   answer ``status`` (500, 503, 429, ...) with ARM's error body and an optional
               Retry-After;
  ``drop``     close the connection without answering.
Job faults (applied when a job is created, on jobs whose target matches ``target``):
  ``job_fail``        the job ends Failed with errorData {code, message};
  ``missing_output``  the job Succeeds but rawOutputData is never written (BlobNotFound on
                      download);
  ``stay_queued``     the job stays Waiting until the fault is removed or the job cancelled;
  ``stay_finishing``  the job runs, then stays Finishing (endExecutionTime set, outputDataUri
                      final, no cost yet) until the fault is removed;
  ``slow_cancel``     a cancel request leaves the job CancellationRequested (the cancel answer
                      and the next read show it), then Cancelling (isCancelling true) until the
                      fault is removed; then it is Cancelled.
Submit faults (applied to PUT jobs/{id} and PUT sessions/{id} whose target matches ``target``),
the refusals recorded from the service:
  ``target_unavailable``    409 TargetUnavailable (as for a target that is offline);
  ``provider_not_enabled``  403 InvalidJobDefinition "The provider specified does not exist or
                            is not enabled for the workspace." (providerStatus still lists it);
  ``session_terminal``      400 InvalidJobDefinition "Session is already in a terminal state..."
                            (jobs that name a sessionId only).
Listing fault:
  ``small_pages``  list calls (jobs, sessions, topLevelItems) return at most ``page_size`` items
                   a page with a nextLink, as the service does at 100, with only a few jobs.
``after=True`` applies a ``status`` or ``drop`` fault AFTER the request was handled (the job PUT
created the job, then its answer is an error or never comes).
``count`` limits a fault to the next N matches (None: until removed).
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

HTTP_KINDS = {"latency", "status", "drop"}
JOB_KINDS = {"job_fail", "missing_output", "stay_queued", "stay_finishing", "slow_cancel"}
SUBMIT_KINDS = {"target_unavailable", "provider_not_enabled", "session_terminal"}
LIST_KINDS = {"small_pages"}
ALL_KINDS = HTTP_KINDS | JOB_KINDS | SUBMIT_KINDS | LIST_KINDS
ROLES = {"any", "aad", "arm", "dp"}
_ids = itertools.count(1)


@dataclass
class Fault:
    kind: str
    role: str = "any"  # aad (Entra), arm, dp (data plane) or any
    method: str = ".*"  # regex, full match, case-insensitive
    path: str = ".*"  # regex searched in the request path (no query)
    target: str = ".*"  # regex, full match on the job's target (job faults)
    count: int | None = None
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    code: str | None = None
    message: str | None = None
    page_size: int = 2  # small_pages
    after: bool = False
    id: int = field(default_factory=lambda: next(_ids))
    hits: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ALL_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(ALL_KINDS)}")
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; one of {sorted(ROLES)}")
        for name in ("method", "path", "target"):
            re.compile(getattr(self, name))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class FaultBook:
    """The active faults; thread-safe, each match consumes one of ``count``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) != before

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def active(self, fault_id: int) -> bool:
        with self._lock:
            return any(f.id == fault_id for f in self._faults)

    def _take(self, fault: Fault) -> None:
        fault.hits += 1
        if fault.count is not None and fault.hits >= fault.count:
            self._faults.remove(fault)

    def match_request(self, role: str, method: str, path: str) -> list[Fault]:
        """The HTTP faults that apply to this request (latency first), consuming their counts."""
        taken: list[Fault] = []
        with self._lock:
            for fault in list(self._faults):
                if fault.kind not in HTTP_KINDS or fault.role not in ("any", role):
                    continue
                if re.fullmatch(fault.method, method, re.I) and re.search(fault.path, path):
                    self._take(fault)
                    taken.append(fault)
        return sorted(taken, key=lambda f: f.kind != "latency")

    def match_job(self, target: str) -> list[Fault]:
        taken: list[Fault] = []
        with self._lock:
            for fault in list(self._faults):
                if fault.kind in JOB_KINDS and re.fullmatch(fault.target, target):
                    self._take(fault)
                    taken.append(fault)
        return taken

    def match_submit(self, target: str, in_session: bool) -> Fault | None:
        """The first submit fault for a job or session on ``target`` (consumes one count)."""
        with self._lock:
            for fault in list(self._faults):
                if fault.kind not in SUBMIT_KINDS or not re.fullmatch(fault.target, target):
                    continue
                if fault.kind == "session_terminal" and not in_session:
                    continue
                self._take(fault)
                return fault
        return None

    def page_size(self) -> int | None:
        """The page size a small_pages fault sets for this list call (consumes one count)."""
        with self._lock:
            for fault in list(self._faults):
                if fault.kind in LIST_KINDS:
                    self._take(fault)
                    return fault.page_size
        return None
