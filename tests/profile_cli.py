"""The words of `quantum-desk profile add` for a service-principal profile, as the CLI tests type
them (each test module keeps its own workspace, tenant and client)."""

from __future__ import annotations


def profile_add_words(
    name: str, resource_id: str, tenant_id: str, client_id: str, *extra: str
) -> list[str]:
    return [
        *("profile", "add", name),
        *("--resource-id", resource_id, "--location", "eastus"),
        *("--tenant-id", tenant_id, "--client-id", client_id),
        *extra,
    ]
