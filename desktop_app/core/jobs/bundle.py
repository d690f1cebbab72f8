"""The parts of a reproducibility bundle that take qiskit to make: the program as the job's target
runs it (`translation.json`: payload, native gates, depth, what translation changed), made in a
worker process so an exporting window never freezes. `core.ledger.export` writes the rest.
"""

from __future__ import annotations

import json
import logging

from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.export import TRANSLATION_FILE
from desktop_app.core.ledger.models import JobRecord

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60.0


def bundle_parts(record: JobRecord) -> dict[str, bytes]:
    """{"translation.json": ...} for `record` ({} when the program no longer reads: the bundle
    still has it as submitted)."""
    from desktop_app.core.local.calls import call_in_worker
    from desktop_app.core.translation_report import reports_for_program

    options = dict(record.options) if isinstance(record.options, dict) else {}
    try:
        made = call_in_worker(
            reports_for_program,
            (record.program, record.program_path, (record.backend,), record.shots, options),
            what="translating the job's program",
            timeout=TIMEOUT_SECONDS,
        )
    except QuantumDeskError as exc:
        log.warning("bundle of job %s without its translation: %s", record.id, exc)
        return {}
    report = dict(made["reports"][record.backend])
    report.pop("text", None)
    report["made_by"] = "Quantum Desk at export, with the versions in versions.json"
    body = json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return {TRANSLATION_FILE: body.encode("utf-8")}
