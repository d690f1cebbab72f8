"""Request/response values shared by the role handlers, and Azure's error body shapes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    base_url: str  # https://127.0.0.1:PORT

    @staticmethod
    def parse_query(raw: str) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        data = json.dumps(payload).encode()
        return Response(
            status, data, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        )

    @staticmethod
    def error(
        status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> Response:
        """ARM / data-plane error shape: {"error": {"code", "message"}}."""
        return Response.json(status, {"error": {"code": code, "message": message}}, headers)


class HttpError(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response
