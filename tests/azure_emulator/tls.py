"""A throw-away certificate authority (trustme) and the server certificate the emulator serves."""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme


class TestCA:
    """A CA written to ``ca.pem`` in ``directory``; clients trust it through REQUESTS_CA_BUNDLE."""

    def __init__(self, directory: Path) -> None:
        self._ca = trustme.CA(organization_name="Quantum Desk test CA")
        self._cert = self._ca.issue_cert("127.0.0.1", "localhost", "::1")
        directory.mkdir(parents=True, exist_ok=True)
        self.ca_bundle = directory / "ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_bundle))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        return context
