"""An in-memory keyring backend for unit and GUI tests (the integration tests use a real Secret
Service): it behaves like keyring's backends, PasswordDeleteError included."""

from __future__ import annotations

from collections import Counter

import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.calls: Counter[str] = Counter()  # get/set/delete: each a D-Bus round trip for real

    def get_password(self, service: str, username: str) -> str | None:
        self.calls["get"] += 1
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls["set"] += 1
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls["delete"] += 1
        try:
            del self.items[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None
