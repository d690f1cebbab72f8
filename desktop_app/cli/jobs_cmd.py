"""`quantum-desk jobs`: list, show and export jobs from the ledger."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desktop_app.cli import note
from desktop_app.cli.quick import short_time, write_job_table
from desktop_app.core.azure.retry import DEFAULT_RETRY_DEADLINE, Notice
from desktop_app.core.ledger.errors import (
    REPAIR_HINT,
    LedgerCorruptError,
    LedgerNotWritableError,
)
from desktop_app.core.ledger.export import history_list, row_dict
from desktop_app.core.ledger.models import JobFilter, JobOrder, JobRecord, JobRow
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.results import JobStatus

SHOWN_COUNTS = 32  # outcomes `jobs show` prints (--json has them all)
_STATUS_NAMES = {s.value.lower(): s.value for s in JobStatus}


def _status(text: str) -> str:
    try:
        return _STATUS_NAMES[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"unknown status {text!r} (one of: {', '.join(s.value for s in JobStatus)})"
        ) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def register(subparsers: Any) -> None:
    jobs = subparsers.add_parser(
        "jobs",
        help="list, show and export jobs from the job ledger",
        description="List the jobs in the ledger (newest first), or show or export one.",
    )
    jobs.add_argument("--json", action="store_true", help="print JSON instead of a table")
    jobs.add_argument("--status", type=_status, action="append", help="only this status")
    jobs.add_argument("--backend", action="append", help="only this backend")
    jobs.add_argument("--search", default="", help="text in the name, tags, ids or program")
    jobs.add_argument("--limit", type=_positive, default=None, help="at most this many jobs")
    jobs.set_defaults(handler=list_jobs)
    sub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION")

    show = sub.add_parser("show", help="everything about one job")
    show.add_argument("id", help="local id, Azure job id, or a unique prefix of either")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_job)

    export = sub.add_parser("export", help="export a job: .zip bundle, or .csv / .json counts")
    export.add_argument("id", help="local id, Azure job id, or a unique prefix of either")
    export.add_argument("--to", required=True, type=Path, metavar="PATH", help="target file")
    export.set_defaults(handler=export_job)

    reconcile = sub.add_parser(
        "reconcile",
        help="settle unfinished jobs: follow Azure jobs to their end, close interrupted runs",
        description="What the desktop app does in the background at start-up: each Azure job "
        "still open is looked up on the service and followed to its end (or marked "
        "NeverSubmitted when the service never got it); local runs cut off by a crash are "
        "marked Failed. Jobs whose service cannot be reached stay open for the next time.",
    )
    reconcile.add_argument("--json", action="store_true", help="print a JSON summary")
    reconcile.add_argument(
        "--retry-deadline",
        type=_positive,
        metavar="SECONDS",
        help="give up on an Azure call that keeps failing after this long; the job stays "
        f"open (default {DEFAULT_RETRY_DEADLINE:.0f})",
    )
    reconcile.set_defaults(handler=reconcile_jobs)

    repair = sub.add_parser(
        "repair",
        help="move a damaged job ledger aside (it is kept) and start a new, empty one",
        description="Check the job ledger; when it is damaged, rename it to "
        "ledger.sqlite3.corrupt-<time> (kept, never deleted) and start a new, empty ledger.",
    )
    repair.set_defaults(handler=repair_ledger)


def _echo(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def record_json(record: JobRecord) -> dict[str, Any]:
    return {
        **row_dict(record),
        "program": record.program,
        "program_path": record.program_path,
        "program_sha256": record.program_sha256,
        "options": record.options,
        "versions": record.versions,
        "counts": record.counts,
        "probabilities": (record.result or {}).get("probabilities"),
        "raw_result_type": record.raw_result_type,
        "raw_result_bytes": None if record.raw_result is None else len(record.raw_result),
        "history": history_list(record),
    }


def list_jobs(args: argparse.Namespace) -> int:
    flt = JobFilter(
        text=args.search,
        backends=tuple(args.backend or ()),
        statuses=tuple(args.status or ()),
    )
    try:
        ledger = open_ledger()
    except LedgerNotWritableError as exc:
        if exc.path is not None and exc.path.exists():
            raise
        note(f"warning: {exc}")  # no ledger yet, and none can be made: there are no jobs
        _write_list(args, iter(()))
        return 0
    with ledger:  # written as it is read: memory stays bounded at a million jobs
        rows = ledger.rows(flt, JobOrder(), limit=args.limit)
        try:
            _write_list(args, rows)
        finally:
            rows.close()  # before the ledger (a reader gone mid-list: `| head`)
    return 0


def _write_list(args: argparse.Namespace, rows: Iterator[JobRow]) -> None:
    write = sys.stdout.write
    if not args.json:
        table = ((r.id, r.name, r.backend, r.status, r.created_at, r.shots) for r in rows)
        write_job_table(table, write)
        return
    first = True  # json.dump(list, indent=2)'s text, one job at a time
    for row in rows:
        write(
            ("[\n  " if first else ",\n  ")
            + json.dumps(row_dict(row), indent=2).replace("\n", "\n  ")
        )
        first = False
    write("[]\n" if first else "\n]\n")


def show_job(args: argparse.Namespace) -> int:
    with open_ledger() as ledger:
        record = ledger.get(ledger.resolve(args.id))
    if args.json:
        from desktop_app.core.slices import plain  # a wide result's counts are in slices

        json.dump(record_json(record), sys.stdout, indent=2, default=plain)
        sys.stdout.write("\n")
        return 0
    fields = [
        ("Job", record.id),
        ("Azure job id", record.azure_job_id or "-"),
        ("Name", record.name or "-"),
        ("Tags", ", ".join(record.tags) or "-"),
        ("Backend", record.backend),
        ("Profile", record.profile or "-"),
        ("Shots", f"{record.shots:,}"),
        ("Options", json.dumps(record.options, sort_keys=True)),
        ("Status", record.status),
        ("Created", short_time(record.created_at)),
        ("Submitted", short_time(record.submitted_at)),
        ("Completed", short_time(record.completed_at)),
        ("Program", record.program_path or f"(sha256 {record.program_sha256[:12]})"),
    ]
    result = record.run_result()
    if result is not None and result.method:  # local.simulator's, chosen or automatic
        fields.append(("Method", f"{result.method} (qiskit-aer)"))
    if record.error_code or record.error_message:
        fields.append(("Error", f"{record.error_code or ''}: {record.error_message or ''}"))
    if record.estimated_cost:
        fields.append(("Estimated cost", json.dumps(record.estimated_cost, sort_keys=True)))
    if record.billed_cost:
        fields.append(("Billed cost", json.dumps(record.billed_cost, sort_keys=True)))
    width = max(len(k) for k, _ in fields)
    for key, value in fields:
        _echo(f"{key.ljust(width)}  {value}")
    _echo("\nHistory:")
    for change in record.history:
        detail = f"  ({change.detail})" if change.detail else ""
        when = change.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        _echo(f"  {when}  {change.status}{detail}")
    if record.counts:
        _echo("\nCounts:")
        from desktop_app.core.slices import most_frequent

        for bits, n in most_frequent(record.counts, SHOWN_COUNTS):
            _echo(f"  {bits}  {n}")
        if len(record.counts) > SHOWN_COUNTS:
            _echo(f"  ... {len(record.counts) - SHOWN_COUNTS:,} more outcomes (use --json)")
    return 0


def export_job(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop_app.core.jobs.bundle import export_with_parts

    with open_ledger() as ledger:
        record = ledger.get(ledger.resolve(args.id))
    lacks = export_with_parts(record, Path(args.to))  # as the window exports it
    _echo(f"Exported job {record.id} to {args.to}" + (f" ({lacks})" if lacks else ""))
    return 0


def reconcile_jobs(args: argparse.Namespace) -> int:
    """Headless start-up reconciliation; Ctrl+C stops following (never cancels Azure jobs)."""
    import logging
    import threading
    from dataclasses import asdict

    from desktop_app.core.cancel import CancelToken
    from desktop_app.core.jobs.reconcile import ReconcileReport, reconcile_unfinished
    from desktop_app.core.ledger.models import utc_now

    log = logging.getLogger(__name__)
    cancel = CancelToken()
    outcome: list[ReconcileReport | BaseException] = []
    started = utc_now()

    def progress(message: str, _fraction: float | None) -> None:
        if isinstance(message, Notice):
            note(message)  # a retry: said while it happens
        log.info("%s", message)

    schedule = None
    if args.retry_deadline is not None:
        from desktop_app.core.azure.polling import PollSchedule

        schedule = PollSchedule(retry_deadline=float(args.retry_deadline))
    with open_ledger() as ledger:

        def work() -> None:
            try:
                outcome.append(
                    reconcile_unfinished(
                        ledger, cancel, progress, started_before=started, schedule=schedule
                    )
                )
            except BaseException as exc:  # handed to the main thread, which re-raises it
                outcome.append(exc)

        worker = threading.Thread(target=work, name="quantum-desk-reconcile")
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.2)
        except KeyboardInterrupt:
            cancel.cancel()  # stop following; the jobs stay open for the next time
            worker.join()
            raise
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    for problem in result.problems:
        sys.stderr.write(f"quantum-desk: {problem}\n")
    if args.json:
        json.dump(asdict(result), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not result.total:
        _echo("No unfinished jobs.")
        return 0
    for label, ids in (
        ("Finished", result.finished),
        ("Never submitted", result.never_submitted),
        ("Interrupted (local)", result.interrupted),
        ("Still running", result.still_open),
        ("Left for later", list(result.deferred)),
    ):
        if ids:
            _echo(f"{label}: {', '.join(ids)}")
    return 0


def repair_ledger(args: argparse.Namespace) -> int:
    """Move a damaged ledger aside (kept) and start a new one; a sound one is left alone."""
    try:
        with open_ledger(check="always"):  # the whole file, however large
            _echo("The job ledger is sound: nothing to repair.")
            return 0
    except LedgerCorruptError as exc:
        note(str(exc).replace(REPAIR_HINT, "").strip())
    with open_ledger(recover=True, check="always") as ledger:
        _echo(f"The damaged job ledger was kept as {ledger.recovered_from}.")
        _echo(f"A new, empty job ledger was started at {ledger.path}.")
    return 0
