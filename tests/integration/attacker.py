"""An "attacker" token endpoint on loopback HTTPS: what a hostile profile file names as authority.

It answers Entra's tenant discovery with itself as the token endpoint (so MSAL would POST the
client secret there), records every request with its body, and rejects every token request the
way Entra rejects a wrong secret (inviting the user to type the secret again, the trap of the
issue). Its certificate comes from the emulator's test CA, which the clients trust: a secret sent
here would really arrive, so "nothing arrived" is a finding, not a TLS failure.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Attacker:
    url: str
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)  # method, path, body
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self, secret: str) -> bool:
        """True when any request carried `secret` (in the form body, query or path)."""
        needle = secret.encode()
        with self.lock:
            return any(needle in body or needle in path.encode() for _, path, body in self.requests)

    def token_requests(self) -> list[bytes]:
        with self.lock:
            return [body for method, path, body in self.requests if method == "POST"]


def _handler(attacker: Attacker) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _record(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with attacker.lock:
                attacker.requests.append((self.command, self.path, body))
            return body

        def _answer(self, status: int, document: dict[str, object]) -> None:
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._record()
            tenant = self.path.strip("/").split("/")[0]
            base = f"{attacker.url}/{tenant}"
            self._answer(
                200,
                {
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    "issuer": f"{base}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                    "jwks_uri": f"{base}/discovery/v2.0/keys",
                    "response_types_supported": ["code"],
                },
            )

        def do_POST(self) -> None:
            self._record()
            self._answer(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                    "error_codes": [7000215],
                },
            )

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the requests are recorded above

    return Handler


@contextmanager
def attacker_endpoint(context: ssl.SSLContext) -> Iterator[Attacker]:
    """Serve the attacker on 127.0.0.1 (a free port) with `context` until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    attacker = Attacker(f"https://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(attacker)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield attacker
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
