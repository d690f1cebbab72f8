"""Every dependency's telemetry off, set once at process start before any dependency is imported.

Quantum Desk sends nothing the user did not ask for. Dependencies read their opt-out switches
from the environment when they are imported (the QDK decides at import, and flushes what it
collected to Application Insights at exit), so `apply()` must run first thing in each entry point
(desktop_app/__main__.py for the CLI and the GUI, desktop_app/app.py when started on its own).
The values are forced, not defaulted: a switch left on in the user's shell for other work must
not make Quantum Desk report. Child processes (the simulator worker) inherit the environment.

Found by searching the installed packages (site-packages, 2026-12-01) for telemetry, analytics
and instrumentation switches:
- qdk 1.33.1, qdk/telemetry.py: `QDK_PYTHON_TELEMETRY` or `QSHARP_PYTHON_TELEMETRY` set to
  "none" disables it ("0"/"false"/"disabled" too); otherwise it is on in release builds and posts
  to westus2-2.in.applicationinsights.azure.com. qsharp 1.31.0 re-exports the same module.
- azure-core 1.41.0, azure/core/settings.py: `AZURE_TRACING_ENABLED` (distributed tracing of SDK
  calls; it exports only through an OpenTelemetry set-up, which we never configure: false says so).
The rest send nothing of their own: azure-identity/msal add client-version headers only to the
token requests the user asked for (no switch), and azure-quantum, azure-storage-blob, qiskit,
qiskit-aer, qiskit-ionq, pyqasm, pyqir, openqasm3, keyring and PySide6 have no telemetry.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # `typing` costs a CLI start as much as Python's own start (issue 16)
if TYPE_CHECKING:
    from collections.abc import MutableMapping

OPT_OUTS: dict[str, str] = {
    "QDK_PYTHON_TELEMETRY": "none",
    "QSHARP_PYTHON_TELEMETRY": "none",
    "AZURE_TRACING_ENABLED": "false",
}


def apply(environ: MutableMapping[str, str] | None = None) -> None:
    """Set every opt-out in `environ` (default: this process's environment)."""
    env = os.environ if environ is None else environ
    env.update(OPT_OUTS)
