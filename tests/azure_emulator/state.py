"""The emulator's mutable world: service principals, issued tokens, targets, jobs and sessions."""

from __future__ import annotations

import copy
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DEFAULT_TENANT = "11111111-1111-1111-1111-111111111111"
DEFAULT_CLIENT = "22222222-2222-2222-2222-222222222222"
DEFAULT_SECRET = "emulator-client-secret"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
RESOURCE_GROUP = "rg-emu"
WORKSPACE = "ws-emu"
LOCATION = "eastus"


# How the service writes times (read off azure-quantum-python's recordings at 36e339b6e8d8,
# azure-quantum/tests/unit/recordings/): creationTime and lastModifiedTime of a job with seven
# fractional digits and "+00:00" (test_job_submit_ionq.yaml); a session's creationTime with seven
# digits and "Z" (test_session_get_session.yaml); execution times as the provider reports them:
# IonQ three digits and "Z" (test_job_submit_ionq.yaml), Rigetti seven digits and "Z"
# (test_job_submit_rigetti_with_count.yaml), Quantinuum six digits and "+00:00"
# (test_job_submit_quantinuum_h2_1e.yaml).
STAMP_STYLES = {
    "service": (7, "+00:00"),
    "session": (7, "Z"),
    "ionq": (3, "Z"),
    "rigetti": (7, "Z"),
    "quantinuum": (6, "+00:00"),
}


def stamp(style: str = "service") -> str:
    """The current UTC time written the way the service writes it in ``style``."""
    digits, suffix = STAMP_STYLES.get(style, STAMP_STYLES["service"])
    now = datetime.now(UTC)
    # Seven digits: .NET's tick (100 ns); the seventh comes from the nanosecond clock.
    fraction = f"{now.microsecond:06d}{time.time_ns() // 100 % 10}"[:digits]
    return f"{now:%Y-%m-%dT%H:%M:%S}.{fraction}{suffix}"


def now_iso() -> str:
    return stamp()


@dataclass
class Principal:
    tenant_id: str
    client_id: str
    client_secret: str
    authorized: bool = True  # has a role on the workspace (else 403 AuthorizationFailed)
    blocked: bool = False  # a Conditional Access policy blocks its tokens (AADSTS53003)
    object_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class Token:
    principal: Principal
    audience: str
    expires_at: float
    client_id: str = ""  # the app a user signed in through ("" for a service principal's)


@dataclass
class Target:
    provider_id: str
    id: str
    num_qubits: int
    availability: str = "Available"
    average_queue_time: int = 0  # seconds, as providerStatus reports it
    queue_seconds: float = 0.02  # how long the emulator keeps a job Waiting
    execution_seconds: float = 0.05  # at least this long Executing (plus the simulation)
    status_page: str = ""
    paid: bool = False
    noisy: bool = False  # simulate with a depolarizing noise model
    syntax_checker: bool = False  # returns all-zero results (quantinuum *sc)


def default_targets() -> dict[str, Target]:
    ionq = "https://status.ionq.co"
    quantinuum = "https://www.quantinuum.com/hardware"
    rigetti = "https://rigetti.statuspage.io/"
    targets = [
        Target(
            "ionq",
            "ionq.qpu.forte-1",
            36,
            average_queue_time=86400,
            status_page=ionq,
            paid=True,
            noisy=True,
        ),
        Target(
            "ionq",
            "ionq.qpu.forte-enterprise-1",
            36,
            average_queue_time=172800,
            status_page=ionq,
            paid=True,
            noisy=True,
        ),
        Target("ionq", "ionq.simulator", 29, average_queue_time=2, status_page=ionq),
        Target("rigetti", "rigetti.sim.qvm", 20, average_queue_time=5, status_page=rigetti),
        Target(
            "quantinuum",
            "quantinuum.sim.h2-1sc",
            56,
            average_queue_time=1,
            status_page=quantinuum,
            syntax_checker=True,
        ),
        Target(
            "quantinuum",
            "quantinuum.sim.h2-1e",
            32,
            average_queue_time=60,
            status_page=quantinuum,
            paid=True,
            noisy=True,
        ),
    ]
    return {t.id: t for t in targets}


@dataclass
class Provider:
    """A provider as the workspace knows it. Its availability is reported on its own: the service
    can call a provider Available while some of its targets are down (providerStatus in
    test_workspace_get_targets_ionq.yaml at 36e339b6e8d8: ionq Available, ionq.qpu.aria-1 and
    forte-1 Unavailable)."""

    id: str
    availability: str = "Available"
    enabled: bool = True  # added to the workspace; when False submits get 403, listings omit it


def default_providers() -> dict[str, Provider]:
    return {p: Provider(p) for p in ("ionq", "quantinuum", "rigetti")}


@dataclass
class Workspace:
    subscription_id: str = SUBSCRIPTION
    resource_group: str = RESOURCE_GROUP
    name: str = WORKSPACE
    location: str = LOCATION

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Quantum/Workspaces/{self.name}"
        )


@dataclass
class World:
    workspace: Workspace = field(default_factory=Workspace)
    principals: list[Principal] = field(default_factory=list)
    tokens: dict[str, Token] = field(default_factory=dict)
    token_lifetime: int = 3599
    targets: dict[str, Target] = field(default_factory=default_targets)
    providers: dict[str, Provider] = field(default_factory=default_providers)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 100  # the most items one list page returns, whatever ``top`` asks
    job_clients: dict[str, str] = field(default_factory=dict)  # job id -> client id that sent it
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        if not self.principals:
            self.principals.append(Principal(DEFAULT_TENANT, DEFAULT_CLIENT, DEFAULT_SECRET))

    def tenants(self) -> set[str]:
        return {p.tenant_id for p in self.principals}

    def provider(self, provider_id: str) -> Provider:
        """The provider (created on first use, e.g. by add_target), ids compared lower-cased."""
        key = provider_id.lower()
        if key not in self.providers:
            self.providers[key] = Provider(key)
        return self.providers[key]

    def job_snapshot(self, job_id: str) -> dict[str, Any] | None:
        with self.lock:
            job = self.jobs.get(job_id)
            return copy.deepcopy(job) if job else None
