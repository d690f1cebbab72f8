"""A service-principal profile whose endpoints are a loopback port nobody listens on: a status
refresh fails fast, offline, and nothing is ever sent anywhere."""

from __future__ import annotations

from desktop_app.core.azure.profiles import Profile

RESOURCE_ID = (
    "/subscriptions/0f6c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5/resourceGroups/rg/providers/"
    "Microsoft.Quantum/Workspaces/ws-lab"
)
CLOSED = "https://127.0.0.1:9"


def sp_profile(name: str = "mine") -> Profile:
    return Profile(
        name,
        RESOURCE_ID,
        "eastus",
        "service-principal",
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "11111111-2222-3333-4444-555555555555",
        CLOSED,
        CLOSED,
    )
