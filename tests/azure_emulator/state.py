"""The emulator's mutable world: service principals, issued tokens, targets, jobs and sessions."""

from __future__ import annotations

import copy
import threading
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


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Principal:
    tenant_id: str
    client_id: str
    client_secret: str
    authorized: bool = True  # has a role on the workspace (else 403 AuthorizationFailed)
    object_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class Token:
    principal: Principal
    audience: str
    expires_at: float


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
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 100  # the most items one list page returns, whatever ``top`` asks
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        if not self.principals:
            self.principals.append(Principal(DEFAULT_TENANT, DEFAULT_CLIENT, DEFAULT_SECRET))

    def tenants(self) -> set[str]:
        return {p.tenant_id for p in self.principals}

    def job_snapshot(self, job_id: str) -> dict[str, Any] | None:
        with self.lock:
            job = self.jobs.get(job_id)
            return copy.deepcopy(job) if job else None
