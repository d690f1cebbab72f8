"""The Azure Quantum data plane: providerStatus, quotas, storage/sasUri, jobs, sessions and
topLevelItems."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.azure_emulator.arm import authorization_failed
from tests.azure_emulator.azurite import ACCOUNT_KEY, ACCOUNT_NAME
from tests.azure_emulator.entra import DATA_PLANE_AUDIENCE, check_bearer
from tests.azure_emulator.execution import TERMINAL, Executor
from tests.azure_emulator.faults import FaultBook
from tests.azure_emulator.jobview import job_wire, output_blob, session_wire, unsigned
from tests.azure_emulator.state import World, stamp
from tests.azure_emulator.wire import HttpError, Request, Response

# api-version values the data plane answers: the three seen in azure-quantum-python's recordings
# (2022-09-12-preview, 2024-10-01-preview, 2025-12-01-preview; every version of
# azure-quantum/tests/unit/recordings/*.yaml) and the one azure-quantum 3.13 sends.
API_VERSIONS = {
    "2022-09-12-preview",
    "2024-10-01-preview",
    "2025-12-01-preview",
    "2026-01-15-preview",
}
# Up to 2025-12-01-preview the service's storage/sasUri did not create the container (the SDK
# then created it: GET container 404, PUT container 201 in test_job_submit_ionq.yaml at
# 36e339b6e8d8); azure-quantum 3.13 relies on the service creating it (commit 00b95835, "Skip
# container creation when retrieving linked storage account from the service").
_SAS_CREATES_CONTAINER_FROM = "2026-01-15-preview"
# Refusals of PUT jobs/{id} and PUT sessions/{id} as recorded from the service (older versions of
# the recordings in azure-quantum-python; commit named with each).
_TARGET_UNAVAILABLE = (  # test_job_submit_quantinuum.yaml @ 0ad8d96cf609
    409,
    "TargetUnavailable",
    "The target specified is currently unavailable. Please try again later.",
)
_PROVIDER_NOT_ENABLED = (  # test_job_get_results_with_expired_sas_token.yaml @ a6c36cf25342
    403,
    "InvalidJobDefinition",
    "The provider specified does not exist or is not enabled for the workspace.",
)
_TARGET_NOT_ENABLED = (  # test_job_submit_microsoft_substochastic_monte_carlo.yaml @ b91cffab469b
    403,
    "InvalidJobDefinition",
    "The target specified does not exist or is not enabled for the workspace.",
)
_SESSION_TERMINAL = (  # test_session_job_failure_policies_echo_quantinuum.yaml @ 36e339b6e8d8
    400,
    "InvalidJobDefinition",
    "Session is already in a terminal state. This may have been due to failures in prior jobs "
    "in the session.",
)
_NO_OUTPUT_FORMAT = (  # test_session_job_qsharp_callable_quantinuum.yaml @ 82d0699c940b
    400,
    "InvalidJobDefinition",
    "The OutputDataFormat field is required.",
)
_SUBMIT_FAULTS = {
    "target_unavailable": _TARGET_UNAVAILABLE,
    "provider_not_enabled": _PROVIDER_NOT_ENABLED,
    "session_terminal": _SESSION_TERMINAL,
}
TERMINAL_SESSION = {"Succeeded", "Failed", "TimedOut"}

_WS = re.compile(
    r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Quantum/"
    r"workspaces/([^/]+)(/.*)?$",
    re.I,
)
_FIELDS = {
    "Name": "name",
    "ItemType": "itemType",
    "JobType": "jobType",
    "ProviderId": "providerId",
    "Target": "target",
    "State": "status",
    "CreationTime": "creationTime",
}


def _not_found(what: str, ident: str) -> HttpError:
    return HttpError(Response.error(404, f"{what}NotFound", f"{what} '{ident}' was not found."))


def _bad(message: str, code: str = "InvalidArgument") -> HttpError:
    return HttpError(Response.error(400, code, message))


def _refuse(answer: tuple[int, str, str]) -> HttpError:
    return HttpError(Response.error(*answer))


class DataPlane:
    def __init__(
        self, world: World, executor: Executor, account_url: str, faults: FaultBook
    ) -> None:
        self.world = world
        self.executor = executor
        self.account_url = account_url
        self.faults = faults

    def handle(self, req: Request) -> Response:
        token, failure = check_bearer(self.world, req, DATA_PLANE_AUDIENCE)
        if failure is not None:
            return failure
        assert token is not None
        match = _WS.match(req.path)
        ws = self.world.workspace
        if (
            match is None
            or match.group(1).lower() != ws.subscription_id.lower()
            or match.group(2).lower() != ws.resource_group.lower()
            or match.group(3).lower() != ws.name.lower()
        ):
            return Response.error(
                404, "WorkspaceNotFound", f"The workspace for '{req.path}' was not found."
            )
        if not token.principal.authorized:
            return authorization_failed(
                token.principal, "Microsoft.Quantum/workspaces/jobs/read", ws.resource_id
            )
        rest = (match.group(4) or "/").rstrip("/")
        if req.method == "PUT" and rest.startswith("/jobs/"):
            with self.world.lock:  # which app's token sent it (lab sign-in vs own credentials)
                self.world.job_clients[rest.split("/")[2]] = (
                    token.client_id or token.principal.client_id
                )
        version = req.query.get("api-version")
        if version not in API_VERSIONS:
            # Not recorded from the service: the ASP.NET API-versioning answer Azure services use.
            return Response.error(
                400,
                "UnsupportedApiVersion",
                f"The HTTP resource that matches the request URI '{req.path}' does not support "
                f"the API version '{version or ''}'.",
            )
        try:
            return self._route(req, rest)
        except HttpError as err:
            return err.response

    def _route(self, req: Request, rest: str) -> Response:
        m, r = req.method, rest
        if r == "/providerStatus" and m == "GET":
            return Response.json(200, {"value": self._provider_status(), "nextLink": None})
        if r == "/quotas" and m == "GET":
            return Response.json(200, {"value": self._quotas(), "nextLink": None})
        if r == "/storage/sasUri" and m == "POST":
            return self._sas_uri(req)
        if r == "/jobs" and m == "GET":
            return self._list(req, self._jobs(), "/jobs")
        if r == "/sessions" and m == "GET":
            return self._list(req, self._sessions(), "/sessions")
        if r == "/topLevelItems" and m == "GET":  # sessions and the jobs outside them
            items = self._sessions() + [j for j in self._jobs() if not j.get("sessionId")]
            return self._list(req, items, "/topLevelItems")
        if mm := re.fullmatch(r"/jobs/([^/:]+):cancel", r):
            if m == "POST":
                return self._cancel(mm.group(1))
        elif mm := re.fullmatch(r"/jobs/([^/:]+)", r):
            job_id = mm.group(1)
            if m == "PUT":
                return self._create_job(req, job_id)
            if m == "GET":
                return Response.json(200, job_wire(self._job(job_id), signed=True))
            if m == "PATCH":
                return self._patch_job(req, job_id)
            if m == "DELETE":
                return self._delete_job(job_id)
        elif mm := re.fullmatch(r"/sessions/([^/:]+):close", r):
            if m == "POST":
                return self._close_session(mm.group(1))
        elif mm := re.fullmatch(r"/sessions/([^/:]+)/jobs", r):
            if m == "GET":
                self._session(mm.group(1))
                jobs = [j for j in self._jobs() if j.get("sessionId") == mm.group(1)]
                return self._list(req, jobs, f"/sessions/{mm.group(1)}/jobs")
        elif mm := re.fullmatch(r"/sessions/([^/:]+)", r):
            if m == "PUT":
                return self._create_session(req, mm.group(1))
            if m == "GET":
                return Response.json(200, self._session(mm.group(1)))
        return Response.error(404, "NotFound", f"No route for {m} {req.path}.")

    # ------------------------------------------------------------ providers, quotas, storage
    def _provider_status(self) -> list[dict[str, Any]]:
        """Providers with their own availability, targets without numQubits (the service never
        sends it: providerStatus in test_workspace_get_targets_ionq.yaml at 36e339b6e8d8)."""
        with self.world.lock:
            providers: dict[str, list[dict[str, Any]]] = {}
            for t in self.world.targets.values():
                providers.setdefault(t.provider_id.lower(), []).append(
                    {
                        "id": t.id,
                        "currentAvailability": t.availability,
                        "averageQueueTime": t.average_queue_time,
                        "statusPage": t.status_page,
                    }
                )
            return [
                {
                    "id": pid,
                    "currentAvailability": self.world.provider(pid).availability,
                    "targets": targets,
                }
                for pid, targets in providers.items()
                if self.world.provider(pid).enabled
            ]

    def _quotas(self) -> list[dict[str, Any]]:
        return [
            {
                "dimension": "qgs",
                "scope": "Subscription",
                "providerId": "ionq",
                "utilization": 0.0,
                "holds": 0.0,
                "limit": 16666667.0,
                "period": "Monthly",
            },
            {
                "dimension": "ehqc",
                "scope": "Subscription",
                "providerId": "quantinuum",
                "utilization": 0.0,
                "holds": 0.0,
                "limit": 40.0,
                "period": "Monthly",
            },
            {
                "dimension": "qpu-hours",
                "scope": "Workspace",
                "providerId": "rigetti",
                "utilization": 0.0,
                "holds": 0.0,
                "limit": 2.0,
                "period": "Monthly",
            },
        ]

    def _sas_uri(self, req: Request) -> Response:
        from azure.storage.blob import generate_blob_sas, generate_container_sas

        body = req.json() or {}
        container = body.get("containerName")
        if not isinstance(container, str) or not re.fullmatch(
            r"[a-z0-9](-?[a-z0-9]){2,62}", container
        ):
            raise _bad(
                f"containerName '{container}' is not a valid container name.",
                "InvalidContainerName",
            )
        blob = body.get("blobName")
        if str(req.query.get("api-version")) >= _SAS_CREATES_CONTAINER_FROM:
            try:
                self.executor.blob_service().create_container(container)
            except Exception as exc:
                # an existing container is fine (a retried submit asks again). Matched by its
                # storage code, not its class: a test that re-imports the SDK (to prove the
                # window never imports it) leaves a client of the other copy of the classes.
                if getattr(exc, "error_code", None) != "ContainerAlreadyExists":
                    raise
        expiry = datetime.now(UTC) + timedelta(hours=2)
        if blob:
            sas = generate_blob_sas(
                ACCOUNT_NAME,
                container,
                blob,
                account_key=ACCOUNT_KEY,
                permission="r",
                expiry=expiry,
            )
            return Response.json(200, {"sasUri": f"{self.account_url}/{container}/{blob}?{sas}"})
        sas = generate_container_sas(
            ACCOUNT_NAME, container, account_key=ACCOUNT_KEY, permission="racwl", expiry=expiry
        )
        return Response.json(200, {"sasUri": f"{self.account_url}/{container}?{sas}"})

    # ------------------------------------------------------------ jobs
    def _jobs(self) -> list[dict[str, Any]]:
        with self.world.lock:
            return [copy.deepcopy(j) for j in self.world.jobs.values()]

    def _job(self, job_id: str) -> dict[str, Any]:
        with self.world.lock:
            job = self.world.jobs.get(job_id)
            if job is None:
                raise _not_found("Job", job_id)
            self.executor.observed(job)
            return copy.deepcopy(job)

    def _create_job(self, req: Request, job_id: str) -> Response:
        body = req.json()
        if not isinstance(body, dict):
            raise _bad("The request body must be a job object.")
        missing = [
            k
            for k in ("containerUri", "inputDataFormat", "providerId", "target")
            if not body.get(k)
        ]
        if missing:
            raise _bad(f"The job is missing required fields: {', '.join(missing)}.")
        if not body.get("outputDataFormat"):
            raise _refuse(_NO_OUTPUT_FORMAT)
        provider_id = str(body["providerId"]).lower()  # the service lower-cases it ("IonQ")
        session_id = body.get("sessionId")
        with self.world.lock:
            self._check_submit(provider_id, str(body["target"]), in_session=bool(session_id))
            if job_id in self.world.jobs:
                raise HttpError(Response.error(409, "Conflict", f"Job '{job_id}' already exists."))
            if session_id:
                session = self.world.sessions.get(session_id)
                if session is None:
                    raise _not_found("Session", session_id)
                if session.get("closed") or self._session_status(session) in TERMINAL_SESSION:
                    raise _refuse(_SESSION_TERMINAL)
            created = stamp()
            job: dict[str, Any] = {
                "containerUri": unsigned(body["containerUri"]),
                "inputDataUri": unsigned(body.get("inputDataUri")),
                "inputDataFormat": body["inputDataFormat"],
                "inputParams": body.get("inputParams") or {},
                "metadata": body.get("metadata"),
                "sessionId": session_id,
                "jobPriority": "Basic",
                "status": "Waiting",
                "jobType": "QuantumComputing",
                "outputDataFormat": body["outputDataFormat"],
                "outputDataUri": None,
                "beginExecutionTime": None,
                "cancellationTime": None,
                "lastModifiedTime": created,
                "quantumComputingData": None,
                "errorData": None,
                "isCancelling": False,
                "tags": body.get("tags") or [],
                "name": body.get("name"),
                "id": job_id,
                "providerId": provider_id,
                "target": body["target"],
                "creationTime": created,
                "endExecutionTime": None,
                "costEstimate": None,
                "itemType": "Job",
            }
            container = job["containerUri"].rstrip("/")
            job["outputDataUri"] = f"{container}/{output_blob(job, finished=False)}"
            self.world.jobs[job_id] = job
            result = job_wire(job, signed=False)
        self.executor.start(job_id, body["target"])
        return Response.json(200, result)  # 200, not 201 (test_job_submit_ionq.yaml)

    def _check_submit(self, provider_id: str, target_id: str, in_session: bool) -> None:
        """The service's refusals of a submit (job or session), in the order it checks them."""
        provider = self.world.providers.get(provider_id)
        if provider is None or not provider.enabled:
            raise _refuse(_PROVIDER_NOT_ENABLED)
        target = self.world.targets.get(target_id)
        if target is None or target.provider_id.lower() != provider_id:
            raise _refuse(_TARGET_NOT_ENABLED)
        fault = self.faults.match_submit(target_id, in_session)
        if fault is not None:
            status, code, message = _SUBMIT_FAULTS[fault.kind]
            raise HttpError(Response.error(status, fault.code or code, fault.message or message))
        if target.availability == "Unavailable":
            raise _refuse(_TARGET_UNAVAILABLE)

    def _patch_job(self, req: Request, job_id: str) -> Response:
        """Not recorded from the service: merge-patch of name / tags / priority."""
        body = req.json() or {}
        with self.world.lock:
            job = self.world.jobs.get(job_id)
            if job is None:
                raise _not_found("Job", job_id)
            for key in ("name", "tags"):
                if key in body:
                    job[key] = body[key]
            if "priority" in body or "jobPriority" in body:
                job["jobPriority"] = body.get("jobPriority", body.get("priority"))
            job["lastModifiedTime"] = stamp()
            return Response.json(200, job_wire(job, signed=True))

    def _delete_job(self, job_id: str) -> Response:
        """Not recorded from the service."""
        self.executor.cancel(job_id)
        with self.world.lock:
            if self.world.jobs.pop(job_id, None) is None:
                raise _not_found("Job", job_id)
        return Response(204)

    def _cancel(self, job_id: str) -> Response:
        """Not recorded from the service: a job that has not finished is Cancelled at once, or,
        with a slow_cancel fault, goes CancellationRequested -> Cancelling (isCancelling true)."""
        with self.world.lock:
            job = self.world.jobs.get(job_id)
            if job is None:
                raise _not_found("Job", job_id)
            if job["status"] in TERMINAL:
                raise HttpError(
                    Response.error(
                        409,
                        "InvalidJobState",
                        f"Job '{job_id}' cannot be cancelled because it is {job['status']}.",
                    )
                )
            if not job["isCancelling"]:
                self.executor.request_cancel(job_id)
            result = job_wire(job, signed=True)
        return Response.json(200, result)

    # ------------------------------------------------------------ sessions
    def _sessions(self) -> list[dict[str, Any]]:
        with self.world.lock:
            return [self._session_view(s) for s in self.world.sessions.values()]

    def _session_view(self, session: dict[str, Any]) -> dict[str, Any]:
        view = dict(session)
        view["status"] = self._session_status(session)
        if view["status"] in TERMINAL_SESSION and not session.get("endExecutionTime"):
            session["endExecutionTime"] = stamp("session")
        view["endExecutionTime"] = session.get("endExecutionTime")
        if any(j.get("sessionId") == session["id"] for j in self.world.jobs.values()):
            view["costEstimate"] = {"currencyCode": "USD", "events": [], "estimatedTotal": 0.0}
        return session_wire(view)

    def _session_status(self, session: dict[str, Any]) -> str:
        """Waiting / Executing / Succeeded / Failed / Failure(s) / TimedOut, as recorded in
        test_session_job_failure_policies_echo_quantinuum.yaml at 36e339b6e8d8: with the Abort
        policy a failed job ends the session Failed (later submits get 400); with Continue the
        session shows Failure(s) and goes Failed when closed."""
        if session.get("forcedStatus"):
            return str(session["forcedStatus"])
        jobs = [j for j in self.world.jobs.values() if j.get("sessionId") == session["id"]]
        failed = any(j["status"] == "Failed" for j in jobs)
        abort = session.get("jobFailurePolicy", "Abort") == "Abort"
        if failed and abort:
            return "Failed"
        running = any(j["status"] not in TERMINAL for j in jobs)
        if session.get("closed") and not running:
            return "Failed" if failed else "Succeeded"
        if failed:
            return "Failure(s)"
        if any(j["status"] not in TERMINAL and j["status"] != "Waiting" for j in jobs):
            return "Executing"
        if jobs and not running:
            return "Executing"
        return "Waiting"

    def _session(self, session_id: str) -> dict[str, Any]:
        with self.world.lock:
            session = self.world.sessions.get(session_id)
            if session is None:
                raise _not_found("Session", session_id)
            return self._session_view(session)

    def _create_session(self, req: Request, session_id: str) -> Response:
        body = req.json() or {}
        if not body.get("providerId") or not body.get("target"):
            raise _bad("A session needs providerId and target.")
        provider_id = str(body["providerId"]).lower()
        with self.world.lock:
            # test_session_job_qiskit_circuit_quantinuum.yaml @ 0ad8d96cf609: 409 for a session too
            self._check_submit(provider_id, str(body["target"]), in_session=False)
            self.world.sessions[session_id] = {
                "status": "Waiting",
                "jobFailurePolicy": body.get("jobFailurePolicy", "Abort"),
                "jobPriority": "Basic",
                "name": body.get("name"),
                "id": session_id,
                "providerId": provider_id,
                "target": body["target"],
                "creationTime": stamp("session"),
                "endExecutionTime": None,
                "costEstimate": None,
                "itemType": "Session",
            }
        return Response.json(200, self._session(session_id))

    def _close_session(self, session_id: str) -> Response:
        with self.world.lock:
            session = self.world.sessions.get(session_id)
            if session is None:
                raise _not_found("Session", session_id)
            session["closed"] = True
            return Response.json(200, self._session_view(session))

    # ------------------------------------------------------------ listing
    def _list(self, req: Request, items: list[dict[str, Any]], path: str) -> Response:
        query = req.query
        try:
            skip = int(query.get("skip", "0"))
            top = int(query.get("top", "100"))
        except ValueError as exc:
            raise _bad("skip and top must be integers.") from exc
        items = [i for i in items if _matches(i, query.get("filter"))]
        if orderby := query.get("orderby"):
            field, _, direction = orderby.partition(" ")
            if field not in _FIELDS:
                raise _bad(f"Cannot order by '{field}'.", "InvalidOrderBy")
            items.sort(
                key=lambda i: str(i.get(_FIELDS[field]) or ""),
                reverse=direction.strip().lower() == "desc",
            )
        else:
            items.sort(key=lambda i: str(i.get("creationTime") or ""))
        # The service pages at 100 (nextLink in test_list_jobs_filtered_by_created_before.yaml at
        # 36e339b6e8d8); a small_pages fault or world.page_size makes it page sooner.
        page = min(top, self.faults.page_size() or self.world.page_size)
        value = [
            job_wire(i, signed=True) if i.get("itemType") == "Job" else i
            for i in items[skip : skip + page]
        ]
        next_link = None
        if skip + page < len(items):
            params = {k: v for k, v in query.items() if k not in ("skip", "top")}
            params.update(skip=str(skip + page), top=str(top))
            ws = self.world.workspace
            next_link = (
                f"{req.base_url}/subscriptions/{ws.subscription_id}/resourceGroups/"
                f"{ws.resource_group}/providers/Microsoft.Quantum/workspaces/{ws.name}"
                f"{path}?{urlencode(params)}"
            )
        return Response.json(200, {"value": value, "nextLink": next_link})


def _split_top(text: str, word: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    token = f" {word} "
    while i < len(text):
        ch = text[i]
        if ch == "'":
            i = text.index("'", i + 1)
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and text.startswith(token, i):
            parts.append(text[start:i])
            start = i + len(token)
            i = start
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _matches(item: dict[str, Any], expression: str | None) -> bool:
    """The OData subset the SDK emits: and / or, eq, startswith(Name, ''), CreationTime ge/le."""
    if not expression:
        return True
    expr = expression.strip()
    ands = _split_top(expr, "and")
    if len(ands) > 1:
        return all(_matches(item, part) for part in ands)
    ors = _split_top(expr, "or")
    if len(ors) > 1:
        return any(_matches(item, part) for part in ors)
    if expr.startswith("(") and expr.endswith(")"):
        return _matches(item, expr[1:-1])
    if m := re.fullmatch(r"startswith\((\w+),\s*'([^']*)'\)", expr):
        return str(item.get(_field(m.group(1))) or "").startswith(m.group(2))
    if m := re.fullmatch(r"(\w+)\s+eq\s+'([^']*)'", expr):
        return str(item.get(_field(m.group(1))) or "") == m.group(2)
    if m := re.fullmatch(r"CreationTime\s+(ge|le)\s+([0-9T:.\-Z]+)", expr):
        created = str(item.get("creationTime") or "")[: len(m.group(2))]
        return created >= m.group(2) if m.group(1) == "ge" else created <= m.group(2)
    raise _bad(f"Unsupported filter expression '{expr}'.", "InvalidFilter")


def _field(name: str) -> str:
    if name not in _FIELDS:
        raise _bad(f"Unknown filter field '{name}'.", "InvalidFilter")
    return _FIELDS[name]
