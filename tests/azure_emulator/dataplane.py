"""The Azure Quantum data plane: providerStatus, quotas, storage/sasUri, jobs, sessions and
topLevelItems."""

from __future__ import annotations

import contextlib
import copy
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.azure_emulator.arm import authorization_failed
from tests.azure_emulator.azurite import ACCOUNT_KEY, ACCOUNT_NAME
from tests.azure_emulator.entra import DATA_PLANE_AUDIENCE, check_bearer
from tests.azure_emulator.execution import TERMINAL, Executor
from tests.azure_emulator.state import World, now_iso
from tests.azure_emulator.wire import HttpError, Request, Response

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


class DataPlane:
    def __init__(self, world: World, executor: Executor, account_url: str) -> None:
        self.world = world
        self.executor = executor
        self.account_url = account_url

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
        if r == "/topLevelItems" and m == "GET":
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
                return Response.json(200, self._job(job_id))
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
        with self.world.lock:
            providers: dict[str, list[dict[str, Any]]] = {}
            for t in self.world.targets.values():
                providers.setdefault(t.provider_id, []).append(
                    {
                        "id": t.id,
                        "currentAvailability": t.availability,
                        "averageQueueTime": t.average_queue_time,
                        "statusPage": t.status_page,
                        "numQubits": t.num_qubits,
                    }
                )
        out = []
        for pid, targets in providers.items():
            states = {t["currentAvailability"] for t in targets}
            overall = (
                "Available"
                if states == {"Available"}
                else "Unavailable"
                if states == {"Unavailable"}
                else "Degraded"
            )
            out.append({"id": pid, "currentAvailability": overall, "targets": targets})
        return out

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
        from azure.core.exceptions import ResourceExistsError
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
        # The service creates the container on the first request.
        with contextlib.suppress(ResourceExistsError):
            self.executor.blob_service().create_container(container)
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
        job = self.world.job_snapshot(job_id)
        if job is None:
            raise _not_found("Job", job_id)
        return job

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
        with self.world.lock:
            target = self.world.targets.get(body["target"])
            if target is None or target.provider_id != body["providerId"]:
                raise _bad(
                    f"Target '{body['target']}' of provider '{body['providerId']}' is not "
                    "available in this workspace.",
                    "InvalidTarget",
                )
            if job_id in self.world.jobs:
                raise HttpError(Response.error(409, "Conflict", f"Job '{job_id}' already exists."))
            session_id = body.get("sessionId")
            if session_id and session_id not in self.world.sessions:
                raise _not_found("Session", session_id)
            stamp = now_iso()
            job = {
                **body,
                "id": job_id,
                "itemType": "Job",
                "jobType": "QuantumComputing",
                "status": "Waiting",
                "creationTime": stamp,
                "lastUpdatedTime": stamp,
                "beginExecutionTime": None,
                "endExecutionTime": None,
                "cancellationTime": None,
                "outputDataUri": None,
                "errorData": None,
                "costEstimate": None,
                "isCancelling": False,
                "tags": body.get("tags") or [],
                "priority": body.get("priority"),
            }
            job.setdefault("inputParams", {})
            self.world.jobs[job_id] = job
            result = copy.deepcopy(job)
        self.executor.start(job_id, body["target"])
        return Response.json(201, result)

    def _patch_job(self, req: Request, job_id: str) -> Response:
        body = req.json() or {}
        with self.world.lock:
            job = self.world.jobs.get(job_id)
            if job is None:
                raise _not_found("Job", job_id)
            for key in ("name", "tags", "priority"):
                if key in body:
                    job[key] = body[key]
            job["lastUpdatedTime"] = now_iso()
            return Response.json(
                200,
                {
                    "id": job_id,
                    "name": job["name"],
                    "priority": job.get("priority"),
                    "tags": job["tags"],
                },
            )

    def _delete_job(self, job_id: str) -> Response:
        self.executor.cancel(job_id)
        with self.world.lock:
            if self.world.jobs.pop(job_id, None) is None:
                raise _not_found("Job", job_id)
        return Response(204)

    def _cancel(self, job_id: str) -> Response:
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
            stamp = now_iso()
            job.update(
                status="Cancelled",
                cancellationTime=stamp,
                endExecutionTime=stamp,
                lastUpdatedTime=stamp,
            )
            result = copy.deepcopy(job)
        self.executor.cancel(job_id)
        return Response.json(200, result)

    # ------------------------------------------------------------ sessions
    def _sessions(self) -> list[dict[str, Any]]:
        with self.world.lock:
            sessions = [copy.deepcopy(s) for s in self.world.sessions.values()]
            for s in sessions:
                s["status"] = self._session_status(s)
        return sessions

    def _session_status(self, session: dict[str, Any]) -> str:
        if session["status"] in ("Succeeded", "Failed", "TimedOut"):
            return str(session["status"])
        jobs = [j for j in self.world.jobs.values() if j.get("sessionId") == session["id"]]
        if any(j["status"] == "Executing" for j in jobs):
            return "Executing"
        if (
            any(j["status"] == "Failed" for j in jobs)
            and session.get("jobFailurePolicy", "Abort") == "Abort"
        ):
            return "Failed"
        return "Waiting" if not jobs or any(j["status"] == "Waiting" for j in jobs) else "Executing"

    def _session(self, session_id: str) -> dict[str, Any]:
        with self.world.lock:
            session = self.world.sessions.get(session_id)
            if session is None:
                raise _not_found("Session", session_id)
            result = copy.deepcopy(session)
            result["status"] = self._session_status(session)
            return result

    def _create_session(self, req: Request, session_id: str) -> Response:
        body = req.json() or {}
        if not body.get("providerId") or not body.get("target"):
            raise _bad("A session needs providerId and target.")
        stamp = now_iso()
        with self.world.lock:
            self.world.sessions[session_id] = {
                **body,
                "id": session_id,
                "itemType": "Session",
                "status": "Waiting",
                "jobFailurePolicy": body.get("jobFailurePolicy", "Abort"),
                "creationTime": stamp,
                "beginExecutionTime": None,
                "endExecutionTime": None,
                "costEstimate": None,
            }
        return Response.json(200, self._session(session_id))

    def _close_session(self, session_id: str) -> Response:
        current = self._session(session_id)
        with self.world.lock:
            session = self.world.sessions[session_id]
            session["status"] = "Failed" if current["status"] == "Failed" else "Succeeded"
            session["endExecutionTime"] = now_iso()
        return Response.json(200, self._session(session_id))

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
        page = min(top, self.world.page_size)
        value = items[skip : skip + page]
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
