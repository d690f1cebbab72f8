"""Azure Resource Manager: the Quantum workspace resource and the Resource Graph query."""

from __future__ import annotations

import re
from typing import Any

from tests.azure_emulator.entra import ARM_AUDIENCE, check_bearer
from tests.azure_emulator.state import Principal, World
from tests.azure_emulator.wire import Request, Response

_WS = re.compile(
    r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Quantum/"
    r"workspaces/([^/]+)/?$",
    re.I,
)


def authorization_failed(principal: Principal, action: str, scope: str) -> Response:
    oid = principal.object_id
    return Response.error(
        403,
        "AuthorizationFailed",
        f"The client '{principal.client_id}' with object id '{oid}' does not have authorization to "
        f"perform action '{action}' over scope '{scope}' or the scope is invalid. If access was "
        "recently granted, please refresh your credentials.",
    )


class Arm:
    def __init__(self, world: World, data_plane_url: str) -> None:
        self.world = world
        self.data_plane_url = data_plane_url

    def handle(self, req: Request) -> Response:
        token, failure = check_bearer(self.world, req, ARM_AUDIENCE)
        if failure is not None:
            return failure
        assert token is not None
        if not req.query.get("api-version"):  # ARM's well-known answer (not recorded here)
            return Response.error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if (
            req.method == "POST"
            and req.path.rstrip("/").lower() == "/providers/microsoft.resourcegraph/resources"
        ):
            return self._resource_graph(req, token.principal)
        match = _WS.match(req.path)
        if match and req.method == "GET":
            sub, rg, name = match.groups()
            return self._workspace(sub, rg, name, principal=token.principal)
        return Response.error(
            404,
            "InvalidResourceType",
            f"The resource type could not be found for {req.method} {req.path}.",
        )

    def _resource(self) -> dict[str, Any]:
        ws = self.world.workspace
        return {
            "id": ws.resource_id,
            "name": ws.name,
            "type": "microsoft.quantum/workspaces",
            "location": ws.location,
            "tags": {},
            "identity": {"type": "SystemAssigned"},
            "properties": {
                "provisioningState": "Succeeded",
                "endpointUri": self.data_plane_url,
                "workspaceKind": "V1",
                "usable": "Yes",
                "storageAccount": f"/subscriptions/{ws.subscription_id}/resourceGroups/"
                f"{ws.resource_group}/providers/Microsoft.Storage/"
                "storageAccounts/devstoreaccount1",
                "providers": [
                    {"providerId": p, "providerSku": "standard", "provisioningState": "Succeeded"}
                    for p in sorted({t.provider_id.lower() for t in self.world.targets.values()})
                    if self.world.provider(p).enabled
                ],
            },
        }

    def _workspace(self, sub: str, rg: str, name: str, principal: Principal) -> Response:
        ws = self.world.workspace
        if sub.lower() != ws.subscription_id.lower():
            return Response.error(
                404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found."
            )
        if rg.lower() != ws.resource_group.lower():
            return Response.error(
                404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found."
            )
        if not principal.authorized:
            return authorization_failed(
                principal,
                "Microsoft.Quantum/workspaces/read",
                f"/subscriptions/{sub}/resourceGroups/{rg}/providers/"
                f"Microsoft.Quantum/workspaces/{name}",
            )
        if name.lower() != ws.name.lower():
            return Response.error(
                404,
                "ResourceNotFound",
                f"The Resource 'Microsoft.Quantum/workspaces/{name}' under resource "
                f"group '{rg}' was not found. For more details please go to "
                "https://aka.ms/ARMResourceNotFoundFix",
            )
        return Response.json(200, self._resource())

    def _resource_graph(self, req: Request, principal: Principal) -> Response:
        body = req.json() or {}
        query = str(body.get("query", ""))
        ws = self.world.workspace
        row = {
            "name": ws.name,
            "subscriptionId": ws.subscription_id,
            "resourceGroup": ws.resource_group,
            "location": ws.location,
            "endpointUri": self.data_plane_url,
            "workspaceKind": "V1",
        }
        rows = [row] if principal.authorized else []  # ARG silently hides what you cannot read
        # The SDK's KQL: "| where <column> =~ '<value>'" lines; apply them case-insensitively.
        for column, value in re.findall(r"where\s+(\w+)\s*=~\s*'([^']*)'", query):
            key = {
                "name": "name",
                "location": "location",
                "resourceGroup": "resourceGroup",
                "subscriptionId": "subscriptionId",
            }.get(column)
            if key is not None:
                rows = [r for r in rows if str(r[key]).lower() == value.lower()]
        subs = body.get("subscriptions")
        if subs:
            rows = [r for r in rows if r["subscriptionId"] in subs]
        return Response.json(
            200,
            {
                "totalRecords": len(rows),
                "count": len(rows),
                "resultTruncated": "false",
                "data": rows,
                "facets": [],
            },
        )
