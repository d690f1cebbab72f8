"""The parts of a reproducibility bundle that take qiskit to make: the program as the job's target
runs it (`translation.json`: payload, native gates, depth, what translation changed), made in a
worker process so an exporting window never freezes. `core.ledger.export` writes the rest.

`export_with_parts` is the whole export as the window runs it on a pool thread: the parts (that
thread only waits on the worker process), then the file, written atomically.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from desktop_app.core.cancel import CancelToken, ProgressCallback
from desktop_app.core.errors import QuantumDeskError
from desktop_app.core.ledger.export import TRANSLATION_FILE
from desktop_app.core.ledger.models import JobRecord

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60.0


def bundle_parts(record: JobRecord, cancel: CancelToken | None = None) -> dict[str, bytes]:
    """{"translation.json": ...} for `record` ({} when the program no longer reads: the bundle
    still has it as submitted). `cancel` stops the worker's call (`Cancelled`)."""
    from desktop_app.core.local.calls import call_in_worker
    from desktop_app.core.translation_report import reports_for_program

    options = dict(record.options) if isinstance(record.options, dict) else {}
    try:
        made = call_in_worker(
            reports_for_program,
            (record.program, record.program_path, (record.backend,), record.shots, options),
            what="translating the job's program",
            timeout=TIMEOUT_SECONDS,
            cancel=cancel,
        )
    except QuantumDeskError as exc:
        log.warning("bundle of job %s without its translation: %s", record.id, exc)
        return {}
    report = dict(made["reports"][record.backend])
    report.pop("text", None)
    report["made_by"] = "Quantum Desk at export, with the versions in versions.json"
    body = json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return {TRANSLATION_FILE: body.encode("utf-8")}


def export_with_parts(
    record: JobRecord,
    path: Path,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> str:
    """Export `record` to `path` by its suffix (`core.ledger.export.export_job`), a .zip bundle
    with `bundle_parts`. Returns what the file lacks in plain words ("" when nothing); raises
    `UserInputError` (cannot write, no results) or `Cancelled`."""
    from desktop_app.core.ledger.export import export_job

    path = Path(path)
    parts: dict[str, bytes] | None = None
    if path.suffix.lower() == ".zip":
        if progress is not None:
            progress(f"Translating the program for {record.backend}…", None)
        parts = bundle_parts(record, cancel)
    if cancel is not None:
        cancel.raise_if_cancelled()
    if progress is not None:
        progress(f"Writing {path.name}…", None)
    export_job(record, path, parts)
    if parts == {}:
        return (
            f"{TRANSLATION_FILE} is not in it: the program could not be translated for "
            f"{record.backend} (the log says why)."
        )
    return ""
