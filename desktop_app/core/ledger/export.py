"""Export a ledger job: its counts as CSV or JSON, or a reproducibility bundle (zip).

Every file is written atomically (a temporary file next to the target, then os.replace), so a failed
export never leaves a half-written file. Counts use core.results' formats (write_csv/write_json).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from desktop_app.core import slices
from desktop_app.core.atomic_files import atomic_target
from desktop_app.core.errors import UserInputError
from desktop_app.core.ledger.models import JobRecord, JobRow

log = logging.getLogger(__name__)

EXPORT_SUFFIXES = (".zip", ".csv", ".json")

# Files of a bundle (names are part of the format: scripts may read them)
PROGRAM_FILE = "program.qasm"
SETTINGS_FILE = "settings.json"
JOB_FILE = "job.json"
COUNTS_CSV_FILE = "counts.csv"
COUNTS_JSON_FILE = "counts.json"
COSTS_FILE = "costs.json"
VERSIONS_FILE = "versions.json"
HISTORY_FILE = "status_history.json"
README_FILE = "README.txt"
RAW_RESULT_STEM = "raw_result"
REPRODUCE_FILE = "reproduce.json"
NOISE_MODEL_FILE = "noise_model.toml"
TRANSLATION_FILE = "translation.json"

_README = """Quantum Desk reproducibility bundle

program.qasm         the program exactly as submitted (sha256 in settings.json)
settings.json        backend, shots, provider options, profile name, program hash
job.json             ids, status, times, the service's error code and message
counts.csv/.json     the normalized result (counts and probabilities), when the job has one
raw_result.*         the result exactly as the backend returned it, when there is one
costs.json           estimated and billed cost
versions.json        versions of Quantum Desk, Python and the SDKs that ran the job
status_history.json  every status change with its UTC time
reproduce.json       how to run it again: the seeds (simulator, transpiler), the emulation's
                     noise figures with their sources and dates, the versions to install
noise_model.toml     offline emulations: the emulation table the noise model is built from (run
                     with QUANTUM_DESK_EMULATIONS_FILE=noise_model.toml to use these figures)
translation.json     the program as the target runs it (payload, native gates, depth), when the
                     exporter made it (`quantum-desk jobs export` and the window do)
"""


def iso_time(value: object) -> object:
    """A datetime as ISO 8601 text (None and other values unchanged), for JSON."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _json_bytes(value: object) -> bytes:
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=slices.plain)
    return (text + "\n").encode("utf-8")


def _raw_suffix(content_type: str | None) -> str:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind.endswith("json"):
        return ".json"
    if kind.startswith("text/"):
        return ".txt"
    return ".bin"


def settings_dict(record: JobRecord) -> dict[str, Any]:
    return {
        "backend": record.backend,
        "shots": record.shots,
        "options": record.options,
        "profile": record.profile,
        "program_file": record.program_path,
        "program_sha256": record.program_sha256,
    }


def row_dict(row: JobRow) -> dict[str, Any]:
    """A job's row as JSON (`jobs --json`; its fields also head `jobs show --json`)."""
    return {
        "id": row.id,
        "azure_job_id": row.azure_job_id,
        "name": row.name,
        "backend": row.backend,
        "profile": row.profile,
        "shots": row.shots,
        "status": row.status,
        "created_at": iso_time(row.created_at),
        "submitted_at": iso_time(row.submitted_at),
        "completed_at": iso_time(row.completed_at),
        "error_code": row.error_code,
        "error_message": row.error_message,
        "estimated_cost": row.estimated_cost,
        "billed_cost": row.billed_cost,
        "tags": list(row.tags),
        "has_result": row.has_result,
    }


# The bundle's job.json: the row's fields that say which job it was and how it ended
# (settings.json has the rest), in this order.
_BUNDLE_JOB_FIELDS = (
    "id",
    "azure_job_id",
    "name",
    "tags",
    "backend",
    "status",
    "created_at",
    "submitted_at",
    "completed_at",
    "error_code",
    "error_message",
)


def job_dict(record: JobRecord) -> dict[str, Any]:
    row = row_dict(record)
    return {field: row[field] for field in _BUNDLE_JOB_FIELDS}


def history_list(record: JobRecord) -> list[dict[str, Any]]:
    return [{"status": h.status, "at": iso_time(h.at), "detail": h.detail} for h in record.history]


def reproduce_dict(record: JobRecord) -> dict[str, Any]:
    """What re-running the job needs beyond program.qasm and settings.json."""
    from desktop_app.core.emulation_table import (
        TRANSPILE_SEED,
        EmulationDataError,
        data_file,
        find_emulation,
    )

    seed = record.options.get("seed") if isinstance(record.options, dict) else None
    try:
        emulation = find_emulation(record.backend)
    except EmulationDataError as exc:
        log.warning("bundle without the noise model: %s", exc)
        emulation = None
    document: dict[str, Any] = {
        "backend": record.backend,
        "shots": record.shots,
        "seeds": {
            "simulator": seed if isinstance(seed, int) else None,
            "transpiler": TRANSPILE_SEED if emulation is not None else None,
        },
        "versions": record.versions,
        "noise_model": None,
    }
    if emulation is not None:
        document["noise_model"] = {
            "file": NOISE_MODEL_FILE,
            "table": data_file().name,
            "emulation": asdict(emulation),
            "checked": emulation.checked,
            "source": emulation.source,
            "approximate": emulation.approximate,
        }
    if document["seeds"]["simulator"] is None and record.backend.startswith("local."):
        document["note"] = (
            "The run had no fixed simulator seed: a re-run gives counts from the same "
            "distribution, not the same counts (`quantum-desk run --seed N` fixes one; runs "
            "started from the window get one)."
        )
    return document


def _noise_model_text(record: JobRecord) -> str | None:
    from desktop_app.core.emulation_table import EmulationDataError, data_file, find_emulation

    try:
        if find_emulation(record.backend) is None:
            return None
        return data_file().read_text(encoding="utf-8")
    except (EmulationDataError, OSError, UnicodeDecodeError) as exc:
        log.warning("bundle without the noise model: %s", exc)
        return None


def _require_result(record: JobRecord) -> Any:
    result = record.run_result()
    if result is None or not record.has_result:
        raise UserInputError(
            f"Job {record.id} has no results to export (status {record.status}); "
            "export a .zip bundle to keep its program and settings."
        )
    return result


def export_counts_csv(record: JobRecord, path: Path) -> None:
    from desktop_app.core.results import write_csv

    write_csv([_require_result(record)], path)


def export_counts_json(record: JobRecord, path: Path) -> None:
    from desktop_app.core.results import write_json

    write_json([_require_result(record)], path)


def export_bundle(record: JobRecord, path: Path, parts: Mapping[str, bytes] | None = None) -> None:
    """Write the reproducibility bundle zip for one job; `parts`: more files by name (the
    translated payload, made by `core.jobs.bundle` where qiskit may run)."""
    import tempfile
    import zipfile

    from desktop_app.core.results import write_csv, write_json

    result = record.run_result() if record.has_result else None
    with (
        atomic_target(Path(path)) as tmp,
        tempfile.TemporaryDirectory() as scratch,
        zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as bundle,
    ):
        bundle.writestr(README_FILE, _README)
        bundle.writestr(PROGRAM_FILE, record.program)
        bundle.writestr(SETTINGS_FILE, _json_bytes(settings_dict(record)))
        bundle.writestr(JOB_FILE, _json_bytes(job_dict(record)))
        bundle.writestr(
            COSTS_FILE,
            _json_bytes({"estimated": record.estimated_cost, "billed": record.billed_cost}),
        )
        bundle.writestr(VERSIONS_FILE, _json_bytes(record.versions))
        bundle.writestr(HISTORY_FILE, _json_bytes(history_list(record)))
        bundle.writestr(REPRODUCE_FILE, _json_bytes(reproduce_dict(record)))
        noise_model = _noise_model_text(record)
        if noise_model is not None:
            bundle.writestr(NOISE_MODEL_FILE, noise_model)
        for name, data in (parts or {}).items():
            bundle.writestr(name, data)
        if record.raw_result is not None:
            raw_name = RAW_RESULT_STEM + _raw_suffix(record.raw_result_type)
            bundle.writestr(raw_name, record.raw_result)
        if result is not None:
            csv_path = Path(scratch) / COUNTS_CSV_FILE
            json_path = Path(scratch) / COUNTS_JSON_FILE
            write_csv([result], csv_path)
            write_json([result], json_path)
            bundle.write(csv_path, COUNTS_CSV_FILE)
            bundle.write(json_path, COUNTS_JSON_FILE)
    log.info("exported job %s to %s", record.id, path)


def export_job(record: JobRecord, path: Path, parts: Mapping[str, bytes] | None = None) -> None:
    """Export by the target's suffix: .zip bundle (with `parts`), .csv or .json counts."""
    path = Path(path)
    writers = {
        ".zip": lambda r, p: export_bundle(r, p, parts),
        ".csv": export_counts_csv,
        ".json": export_counts_json,
    }
    writer = writers.get(path.suffix.lower())
    if writer is None:
        raise UserInputError(
            f"Cannot export to {path}: the file name must end in .zip (bundle), .csv or .json."
        )
    try:
        writer(record, path)
    except OSError as exc:
        raise UserInputError(f"Cannot write {path}: {exc.strerror or exc}") from None
