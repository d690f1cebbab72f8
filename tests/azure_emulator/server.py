"""The emulator: HTTPS servers for Entra, ARM and the data plane, a plain-HTTP admin endpoint on
loopback, and the Python API tests use to change its world and inject faults."""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import shutil
import socket
import ssl
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.azure_emulator.arm import Arm
from tests.azure_emulator.azurite import Azurite
from tests.azure_emulator.dataplane import DataPlane
from tests.azure_emulator.entra import Entra
from tests.azure_emulator.execution import Executor
from tests.azure_emulator.faults import Fault, FaultBook
from tests.azure_emulator.state import (
    Principal,
    Provider,
    Target,
    World,
    default_providers,
    default_targets,
    stamp,
)
from tests.azure_emulator.tls import TestCA
from tests.azure_emulator.wire import Request, Response

log = logging.getLogger(__name__)
Handler = Callable[[Request], Response]
AVAILABILITIES = ("Available", "Degraded", "Unavailable")
# The SDK's SessionStatus values (azure/quantum/_client/models/_enums.py, azure-quantum 3.13).
SESSION_STATES = ("Waiting", "Executing", "Succeeded", "Failed", "Failure(s)", "TimedOut")


@dataclass(frozen=True)
class EmulatorInfo:
    """Everything a client needs to reach the emulated workspace (the standalone command's JSON)."""

    authority: str
    arm_endpoint: str
    ca_bundle: str
    tenant_id: str
    client_id: str
    client_secret: str
    subscription_id: str
    resource_group: str
    workspace: str
    resource_id: str
    location: str
    admin_endpoint: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class RequestRecord:
    role: str
    method: str
    path: str
    query: str
    status: int  # 0: the connection was dropped
    user_agent: str = ""
    connection: int = 0  # the client's TCP port: one per connection (one TLS handshake)
    time: float = field(default_factory=time.time)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(
        self, role: str, handler: Handler, emulator: Emulator, context: ssl.SSLContext | None
    ) -> None:
        self.role = role
        self.handler = handler
        self.emulator = emulator
        self.context = context
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    @property
    def base_url(self) -> str:
        scheme = "https" if self.context else "http"
        return f"{scheme}://127.0.0.1:{self.server_address[1]}"

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs here, in the per-connection thread, not in the accept loop.
        if self.context is not None:
            try:
                request = self.context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                log.debug("TLS handshake from %s failed: %s", client_address, exc)
                return
        super().finish_request(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.server.role, *args)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        req = Request(
            self.command,
            split.path,
            Request.parse_query(split.query),
            dict(self.headers.items()),
            body,
            self.server.base_url,
        )
        server = self.server
        emulator = server.emulator
        response: Response | None = None
        faults = [] if server.role == "admin" else self._faults(req)
        late = [f for f in faults if f.after]
        for fault in [f for f in faults if not f.after]:
            if fault.kind == "latency":
                time.sleep(fault.delay)
            elif fault.kind == "drop":
                self._drop(req)
                return
            elif fault.kind == "status":
                response = _fault_response(fault)
                break
        if response is None:
            try:
                response = server.handler(req)
            except Exception:  # answer 500 like the service, and keep the traceback in the log
                log.exception(
                    "emulator %s handler failed on %s %s", server.role, req.method, req.path
                )
                response = Response.error(500, "InternalError", "The emulator failed.")
        for fault in late:  # handled, but the answer is lost or replaced
            if fault.kind == "drop":
                self._drop(req)
                return
            if fault.kind == "status":
                response = _fault_response(fault)
        emulator._record(server.role, req, response.status, self.client_address[1])
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("x-ms-request-id", f"emu-{time.monotonic_ns()}")
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _faults(self, req: Request) -> list[Fault]:
        return self.server.emulator.faults.match_request(self.server.role, req.method, req.path)

    def _drop(self, req: Request) -> None:
        self.server.emulator._record(self.server.role, req, 0, self.client_address[1])
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


def _fault_response(fault: Fault) -> Response:
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = f"{fault.retry_after:g}"
    defaults = {
        429: ("TooManyRequests", "Too many requests. Retry later."),
        503: ("ServiceUnavailable", "The service is temporarily unavailable."),
        500: ("InternalServerError", "An internal server error occurred."),
    }
    code, message = defaults.get(fault.status, ("Error", f"HTTP {fault.status} (injected fault)"))
    return Response.error(fault.status, fault.code or code, fault.message or message, headers)


class Emulator:
    """Entra + ARM + data plane on loopback HTTPS, executing jobs against an Azurite blob store."""

    def __init__(self, azurite: Azurite, workdir: Path) -> None:
        self.azurite = azurite
        self.workdir = workdir
        self.ca = TestCA(workdir / "tls")
        self.world = World()
        self.faults = FaultBook()
        # The latest requests (bounded: a standalone demo may run for hours).
        self.requests: deque[RequestRecord] = deque(maxlen=20000)
        self._requests_lock = threading.Lock()
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self.executor = Executor(self.world, self.faults, azurite.connection_string)
        context = self.ca.server_context()
        self._dp = _Server("dp", self._dispatch_dp, self, context)
        entra = Entra(self.world)
        self.users = entra.users  # user accounts, their sign-ins and device codes
        self._aad = _Server("aad", entra.handle, self, context)
        self._arm = _Server("arm", Arm(self.world, self._dp.base_url + "/").handle, self, context)
        self._admin = _Server("admin", self._admin_handle, self, None)
        self._dataplane = DataPlane(self.world, self.executor, azurite.account_url, self.faults)

    def _dispatch_dp(self, req: Request) -> Response:
        return self._dataplane.handle(req)

    # ------------------------------------------------------------ lifecycle
    def start(self) -> Emulator:
        for server in (self._aad, self._arm, self._dp, self._admin):
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                daemon=True,
                name=f"emulator-{server.role}",
            )
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        # Import qiskit / qiskit-aer and run aer once now, in this thread: it takes about a second
        # the first time, and importing them from a job thread while another thread imports them
        # crashed the process (segfault in qiskit's native code).
        _warm_up()
        return self

    def stop(self) -> None:
        self.executor.stop_all()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    @property
    def info(self) -> EmulatorInfo:
        ws = self.world.workspace
        principal = self.world.principals[0]
        return EmulatorInfo(
            authority=self._aad.base_url,
            arm_endpoint=self._arm.base_url + "/",
            ca_bundle=str(self.ca.ca_bundle),
            tenant_id=principal.tenant_id,
            client_id=principal.client_id,
            client_secret=principal.client_secret,
            subscription_id=ws.subscription_id,
            resource_group=ws.resource_group,
            workspace=ws.name,
            resource_id=ws.resource_id,
            location=ws.location,
            admin_endpoint=self._admin.base_url,
        )

    @property
    def data_plane_url(self) -> str:
        return self._dp.base_url + "/"

    def reset(self) -> None:
        """Back to the initial world: no jobs, sessions, faults or extra principals/targets."""
        self.faults.clear()  # first: jobs held by a fault then end at once
        self.executor.stop_all()
        with self.world.lock:
            fresh = World()
            self.world.principals[:] = fresh.principals
            self.world.tokens.clear()
            self.world.token_lifetime = fresh.token_lifetime
            self.world.targets.clear()
            self.world.targets.update(default_targets())
            self.world.providers.clear()
            self.world.providers.update(default_providers())
            self.world.jobs.clear()
            self.world.sessions.clear()
            self.world.job_clients.clear()
            self.users.reset()
            self.world.page_size = fresh.page_size
            self.world.workspace.location = fresh.workspace.location
        with self._requests_lock:
            self.requests.clear()

    def _record(self, role: str, req: Request, status: int, connection: int) -> None:
        query = "&".join(f"{k}={v}" for k, v in req.query.items())
        agent = req.header("User-Agent") or ""
        record = RequestRecord(role, req.method, req.path, query, status, agent, connection)
        with self._requests_lock:
            self.requests.append(record)

    # ------------------------------------------------------------ principals and tokens
    def add_principal(
        self,
        client_id: str,
        client_secret: str,
        tenant_id: str | None = None,
        authorized: bool = True,
    ) -> Principal:
        principal = Principal(
            tenant_id or self.world.principals[0].tenant_id, client_id, client_secret, authorized
        )
        with self.world.lock:
            self.world.principals.append(principal)
        return principal

    def set_authorized(self, client_id: str, authorized: bool) -> None:
        """Grant or take away the principal's role on the workspace (403 AuthorizationFailed)."""
        with self.world.lock:
            for principal in self.world.principals:
                if principal.client_id == client_id:
                    principal.authorized = authorized
                    return
        raise KeyError(client_id)

    def set_blocked(self, client_id: str, blocked: bool) -> None:
        """A Conditional Access policy blocks (or no longer blocks) the principal's tokens:
        AADSTS53003 from the token endpoint."""
        with self.world.lock:
            for principal in self.world.principals:
                if principal.client_id == client_id:
                    principal.blocked = blocked
                    return
        raise KeyError(client_id)

    def job_client(self, job_id: str) -> str | None:
        """The client id of the token a job was submitted with."""
        with self.world.lock:
            return self.world.job_clients.get(job_id)

    def set_token_lifetime(self, seconds: int) -> None:
        self.world.token_lifetime = seconds

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (clients still holding one get 401)."""
        with self.world.lock:
            for token in self.world.tokens.values():
                token.expires_at = 0.0

    # ------------------------------------------------------------ targets
    def set_target(
        self,
        target_id: str,
        *,
        availability: str | None = None,
        average_queue_time: int | None = None,
        queue_seconds: float | None = None,
        execution_seconds: float | None = None,
        num_qubits: int | None = None,
    ) -> Target:
        if availability is not None and availability not in AVAILABILITIES:
            raise ValueError(f"availability must be one of {AVAILABILITIES}, not {availability!r}")
        with self.world.lock:
            target = self.world.targets[target_id]
            for name, value in (
                ("availability", availability),
                ("average_queue_time", average_queue_time),
                ("queue_seconds", queue_seconds),
                ("execution_seconds", execution_seconds),
                ("num_qubits", num_qubits),
            ):
                if value is not None:
                    setattr(target, name, value)
            return target

    def add_target(
        self, provider_id: str, target_id: str, num_qubits: int = 20, **fields: Any
    ) -> Target:
        target = Target(provider_id, target_id, num_qubits, **fields)
        with self.world.lock:
            self.world.targets[target_id] = target
            self.world.provider(provider_id)
        return target

    def set_provider(
        self, provider_id: str, *, availability: str | None = None, enabled: bool | None = None
    ) -> Provider:
        """The provider's own availability (reported whatever its targets say), or whether it is
        enabled in the workspace (disabled: gone from providerStatus and ARM, submits 403)."""
        if availability is not None and availability not in AVAILABILITIES:
            raise ValueError(f"availability must be one of {AVAILABILITIES}, not {availability!r}")
        with self.world.lock:
            provider = self.world.provider(provider_id)
            if availability is not None:
                provider.availability = availability
            if enabled is not None:
                provider.enabled = enabled
            return provider

    # ------------------------------------------------------------ sessions
    def set_session_status(self, session_id: str, status: str | None) -> None:
        """Force a session's status (e.g. "TimedOut", "Failed"); None: back to the computed one.
        A session in Succeeded, Failed or TimedOut refuses new jobs (400 InvalidJobDefinition)."""
        if status is not None and status not in SESSION_STATES:
            raise ValueError(f"status must be one of {SESSION_STATES}, not {status!r}")
        with self.world.lock:
            session = self.world.sessions[session_id]
            session["forcedStatus"] = status
            if status in ("Succeeded", "Failed", "TimedOut"):
                session["endExecutionTime"] = session.get("endExecutionTime") or stamp("session")

    def remove_target(self, target_id: str) -> None:
        with self.world.lock:
            del self.world.targets[target_id]

    # ------------------------------------------------------------ faults
    def add_fault(self, kind: str, **options: Any) -> Fault:
        """Inject a fault (see faults.py for kinds and options); returns it (``.id``, ``.hits``)."""
        return self.faults.add(Fault(kind, **options))

    def remove_fault(self, fault: Fault | int) -> None:
        self.faults.remove(fault if isinstance(fault, int) else fault.id)

    def clear_faults(self) -> None:
        self.faults.clear()

    # ------------------------------------------------------------ inspection
    def job(self, job_id: str) -> dict[str, Any] | None:
        return self.world.job_snapshot(job_id)

    def requests_matching(
        self, role: str | None = None, method: str | None = None, path_contains: str = ""
    ) -> list[RequestRecord]:
        with self._requests_lock:
            return [
                r
                for r in self.requests
                if (role is None or r.role == role)
                and (method is None or r.method == method)
                and path_contains in r.path
            ]

    # ------------------------------------------------------------ admin endpoint
    def _admin_handle(self, req: Request) -> Response:
        """Plain HTTP on loopback: the same controls as the Python API, as JSON."""
        body = req.json() if req.body else {}
        path, method = req.path.rstrip("/"), req.method
        try:
            if path == "/info" and method == "GET":
                return Response.json(200, self.info.to_json())
            if path == "/reset" and method == "POST":
                self.reset()
                return Response.json(200, {"reset": True})
            if path == "/faults" and method == "GET":
                return Response.json(200, [f.to_json() for f in self.faults.all()])
            if path == "/faults" and method == "POST":
                kind = body.pop("kind")
                return Response.json(201, self.add_fault(kind, **body).to_json())
            if path == "/faults" and method == "DELETE":
                self.clear_faults()
                return Response(204)
            if path.startswith("/faults/") and method == "DELETE":
                self.remove_fault(int(path.rsplit("/", 1)[1]))
                return Response(204)
            if path == "/targets" and method == "GET":
                return Response.json(200, [asdict(t) for t in self.world.targets.values()])
            if path == "/targets" and method == "POST":
                return Response.json(201, asdict(self.add_target(**body)))
            if path.startswith("/targets/") and method == "PATCH":
                return Response.json(200, asdict(self.set_target(path.rsplit("/", 1)[1], **body)))
            if path.startswith("/targets/") and method == "DELETE":  # a target retired
                self.remove_target(path.rsplit("/", 1)[1])
                return Response(204)
            if path == "/providers" and method == "GET":
                return Response.json(200, [asdict(p) for p in self.world.providers.values()])
            if path.startswith("/providers/") and method == "PATCH":
                provider = self.set_provider(path.rsplit("/", 1)[1], **body)
                return Response.json(200, asdict(provider))
            if path.startswith("/sessions/") and method == "PATCH":
                self.set_session_status(path.rsplit("/", 1)[1], body.get("status"))
                return Response.json(200, {"status": body.get("status")})
            if path == "/principals" and method == "POST":
                principal = self.add_principal(**body)
                return Response.json(
                    201,
                    {
                        "tenant_id": principal.tenant_id,
                        "client_id": principal.client_id,
                        "authorized": principal.authorized,
                    },
                )
            if path.startswith("/principals/") and method == "PATCH":
                client_id = path.rsplit("/", 1)[1]
                if "authorized" in body:
                    self.set_authorized(client_id, bool(body["authorized"]))
                if "blocked" in body:
                    self.set_blocked(client_id, bool(body["blocked"]))
                return Response.json(200, {k: bool(v) for k, v in body.items()})
            if path == "/users" and method == "POST":
                self.users.add_user(body["username"], bool(body.get("authorized", True)))
                return Response.json(201, {"username": body["username"]})
            if path.startswith("/users/") and method == "PATCH":
                user = self.users.accounts[path.rsplit("/", 1)[1]]
                user.authorized = bool(body.get("authorized", user.authorized))
                if body.get("revoked"):
                    self.users.revoke(path.rsplit("/", 1)[1])
                return Response.json(200, {"authorized": user.authorized})
            if path == "/devicecodes" and method == "GET":
                return Response.json(200, self.users.pending())
            if path == "/devicecodes/expire" and method == "POST":
                self.users.expire_device_codes()
                return Response.json(200, {"expired": True})
            if path.startswith("/devicecodes/") and method == "POST":
                approve = bool(body.get("approve"))
                self.users.decide(path.rsplit("/", 1)[1], approve, body.get("username"))
                return Response.json(200, {"approved": approve})
            if path == "/tokens/expire" and method == "POST":
                self.expire_tokens()
                return Response.json(200, {"expired": True})
            if path == "/tokens/lifetime" and method == "PUT":
                self.set_token_lifetime(int(body["seconds"]))
                return Response.json(200, {"seconds": int(body["seconds"])})
            if path == "/jobs" and method == "GET":
                with self.world.lock:
                    jobs = copy.deepcopy(list(self.world.jobs.values()))
                return Response.json(200, jobs)
            if path == "/requests" and method == "GET":
                with self._requests_lock:
                    records = [asdict(r) for r in self.requests]
                return Response.json(200, records)
        except (KeyError, TypeError, ValueError) as exc:
            return Response.error(400, "BadRequest", f"{type(exc).__name__}: {exc}")
        return Response.error(404, "NotFound", f"No admin route for {method} {path}.")


def _warm_up() -> None:
    import qiskit.qasm2
    import qiskit_aer.noise  # noqa: F401 (imported for its side effect: loaded once, here)
    from qiskit import QuantumCircuit

    from tests.azure_emulator.execution import SIM_LOCK, _run

    qiskit.qasm2.loads(
        "OPENQASM 2.0;\nqreg q[1];", custom_instructions=qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS
    )

    circuit = QuantumCircuit(1, 1)
    circuit.measure(0, 0)
    with SIM_LOCK:
        _run(circuit, 1, noisy=False)
        _run(circuit, 1, noisy=True)


def start_all(workdir: Path | None = None) -> tuple[Emulator, Azurite, Path]:
    """Azurite + emulator in ``workdir`` (a new temporary folder when None)."""
    root = workdir or Path(tempfile.mkdtemp(prefix="azure-emulator-"))
    azurite = Azurite(root / "azurite")
    azurite.start()
    try:
        emulator = Emulator(azurite, root).start()
    except BaseException:
        azurite.stop()
        raise
    return emulator, azurite, root


def stop_all(emulator: Emulator | None, azurite: Azurite, root: Path | None = None) -> None:
    try:
        if emulator is not None:
            emulator.stop()
    finally:
        azurite.stop()
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)


def dumps_info(info: EmulatorInfo) -> str:
    return json.dumps(info.to_json(), separators=(",", ":"))
