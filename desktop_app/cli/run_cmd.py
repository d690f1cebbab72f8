"""`quantum-desk run FILE [--backend NAME]... [--shots N] [--seed N] [--json] [--profile P]`.

Everything the user typed is checked before anything runs (file, program, backends, shots, qubit
counts, Azure profile, consent to paid runs), so bad input costs nothing and gives one line on
stderr. Every run is recorded in the job ledger (Azure jobs write-ahead: the job id is committed
before the submit call); the ledger id is printed, and `--json` objects carry `id` and
`azure_job_id`. Exit codes: 0 every run succeeded, 1 a run failed, 2 bad input (the dispatcher's
`fail`).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import TYPE_CHECKING, Any

from desktop_app.cli import note
from desktop_app.core.azure.retry import DEFAULT_RETRY_DEADLINE, Notice
from desktop_app.core.cancel import CancelToken, ProgressCallback
from desktop_app.core.catalog import LOCAL_SIMULATOR, Backend, find_backend
from desktop_app.core.errors import QuantumDeskError, UserInputError
from desktop_app.core.jobs.dispatch import executor_for
from desktop_app.core.jobs.recording import run_recorded
from desktop_app.core.ledger.errors import LedgerNotWritableError
from desktop_app.core.ledger.recovery import open_ledger
from desktop_app.core.programs import Program, ProgramError, load_program_file
from desktop_app.core.request import MAX_SHOTS, RunRequest, check_shots
from desktop_app.core.results import JobStatus, RunResult, to_json_dict
from desktop_app.core.slices import most_frequent, plain

if TYPE_CHECKING:
    from desktop_app.core.azure.pricing import CostEstimate
    from desktop_app.core.azure.profiles import Profile
    from desktop_app.core.azure.session import SecretProvider
    from desktop_app.core.ledger.store import Ledger

log = logging.getLogger(__name__)

DEFAULT_SHOTS = 1000
TABLE_ROWS = 32  # outcomes printed per backend in the human table (--json has them all)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run an OpenQASM program",
        description="Run an OpenQASM 2 or 3 program on one or more backends and print the counts.",
    )
    parser.add_argument("file", metavar="FILE", help="OpenQASM program (.qasm)")
    parser.add_argument(
        "--backend",
        action="append",
        metavar="NAME",
        help=f"backend, repeatable (default {LOCAL_SIMULATOR}; see `quantum-desk backends`)",
    )
    parser.add_argument(
        "--shots",
        default=str(DEFAULT_SHOTS),
        help=f"1..{MAX_SHOTS:,} (default {DEFAULT_SHOTS})",
    )
    parser.add_argument("--seed", default=None, help="simulator seed (reproducible)")
    parser.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="provider option, repeatable, as for `quantum-desk estimate` "
        "(error_mitigation=on|off for IonQ)",
    )
    parser.add_argument(
        "--method",
        default=None,
        metavar="NAME",
        help="local.simulator's qiskit-aer method: automatic (default: stabilizer for Clifford "
        "circuits, statevector otherwise), statevector, stabilizer, matrix_product_state "
        "(wide circuits of little entanglement)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--profile", metavar="NAME", help="Azure profile for Azure backends")
    parser.add_argument(
        "--yes", action="store_true", help="do not ask before submitting paid Azure jobs"
    )
    parser.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the profile's client secret from standard input for this run only "
        "(machines without a keyring); it is not stored",
    )
    parser.add_argument(
        "--retry-deadline",
        default=None,
        metavar="SECONDS",
        help="give up on an Azure call that keeps failing (busy, 5xx, dropped) after this long "
        f"(default {DEFAULT_RETRY_DEADLINE:.0f})",
    )
    parser.set_defaults(handler=handle)


def _whole_number(option: str, text: str) -> int:
    # Parsed here rather than by argparse, whose errors take two lines (usage + message).
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise UserInputError(f"{option} must be a whole number, not {text!r}") from None


def _check(args: argparse.Namespace) -> tuple[list[Backend], Program, SecretProvider | None]:
    """Validate everything up front; returns the backends, the program, and the secret given on
    stdin for this run (None: the keyring's)."""
    names = list(dict.fromkeys(args.backend or [LOCAL_SIMULATOR]))
    backends = [find_backend(name) for name in names]  # UserInputError lists the known ones
    args.shots = _whole_number("--shots", str(args.shots))
    check_shots(args.shots, "--shots")
    if args.retry_deadline is not None:
        args.retry_deadline = _whole_number("--retry-deadline", str(args.retry_deadline))
        if args.retry_deadline < 1:
            raise UserInputError("--retry-deadline must be at least 1 second")
    if args.seed is not None:
        args.seed = _whole_number("--seed", str(args.seed))
        if not 0 <= args.seed < 2**32:
            raise UserInputError(f"--seed must be between 0 and {2**32 - 1}, not {args.seed}")
    if args.method is not None:
        from desktop_app.core.local.methods import check_method

        args.method = check_method(args.method, "--method")
        if LOCAL_SIMULATOR not in names:
            raise UserInputError(f"--method: only {LOCAL_SIMULATOR} has simulation methods")
    azure = [b.name for b in backends if not b.is_local]
    secret_of: SecretProvider | None = None
    refused: QuantumDeskError | None = None  # the profile's problem, said after the program's
    if azure and args.profile:  # looked up first: the worker signs in while qiskit starts
        _start_azure_worker()
        args.azure_worker = True
        try:
            secret_of = _profile_secret(args, azure)
        except QuantumDeskError as exc:
            refused = exc
        else:
            from desktop_app.core.azure import process

            process.connect_ahead(args.profile, azure, secret_of)
    program = load_program_file(args.file)  # ProgramError: file:line:column: message
    for warning in program.warnings:  # what the reading left out (timing): said, never silent
        note(f"warning: {warning}")
    for backend in backends:
        if program.facts.num_qubits > backend.num_qubits:
            raise UserInputError(
                f"{args.file}: the program uses {program.facts.num_qubits} qubits; "
                f"{backend.name} has {backend.num_qubits}"
            )
        if not backend.is_local and not args.profile:
            raise UserInputError(
                f"{backend.name} needs an Azure profile: pass --profile NAME "
                "(create one with `quantum-desk profile add`)"
            )
    if program.facts.num_clbits == 0:
        raise ProgramError(
            "the program measures nothing: add a `measure` into a classical bit", args.file
        )
    if refused is not None:
        raise refused
    if args.secret_stdin and not azure:
        raise UserInputError("--secret-stdin: only Azure backends use a profile's secret")
    return backends, program, secret_of


def _profile_secret(args: argparse.Namespace, azure: list[str]) -> SecretProvider | None:
    """The profile's secret for the Azure backends `azure` (None: none, or the keyring's);
    ProfileError for an unknown profile, UserInputError for a target it may not use."""
    from desktop_app.core.azure.lab import check_allowed, resolve_profile

    profile = resolve_profile(args.profile)
    check_allowed(profile.name, azure)
    if args.secret_stdin:
        return _secret_for_this_run(profile)
    if profile.needs_secret:
        return _stored_secret(profile)
    return None


def _start_azure_worker() -> None:
    """Start the Azure worker process now: it imports the SDK (then signs in and opens the
    workspace: `process.connect_ahead`) on the other core while this process reads the secret
    and the program (issue 16); nothing is submitted before every check passed. It logs as this
    process does: nothing on stderr without --verbose."""
    from desktop_app.cli import LOG_FORMAT
    from desktop_app.core.azure import process

    if logging.getLogger().isEnabledFor(logging.DEBUG):
        process.serve_command_line(logging.DEBUG, LOG_FORMAT)
    else:
        process.serve_command_line(logging.WARNING, None)
    process.prewarm()


def _estimates(
    backends: list[Backend], program: Program, shots: int, options: dict[str, object]
) -> dict[str, CostEstimate]:
    """The price estimate of each Azure run (pricing's published formulas)."""
    if all(b.is_local for b in backends):
        return {}
    from desktop_app.core.azure.pricing import estimate_cost

    return {
        b.name: estimate_cost(b.name, program.circuit, shots, options)
        for b in backends
        if not b.is_local
    }


def _confirm_costs(estimates: dict[str, CostEstimate], yes: bool) -> None:
    """Ask once before anything that may cost money, listing each paid backend and the totals
    per unit; --yes answers yes (scripts). The answer defaults to no."""
    paid = {b: e for b, e in estimates.items() if e.needs_confirmation}
    if not paid or yes:
        return
    from desktop_app.core.azure.price_table import format_amount
    from desktop_app.core.azure.pricing import totals

    sums, unknown = totals(paid)
    total = "; ".join(
        [format_amount(a, u) for u, a in sums.items()] + [f"{t}: unknown" for t in unknown]
    )
    listed = "; ".join(f"{b}: {e.display()}" for b, e in paid.items())
    if not sys.stdin.isatty():
        raise UserInputError(
            f"this run may cost money ({listed}; total {total}); pass --yes to run it"
        )
    sys.stderr.write(
        "This run may be billed to the workspace:\n"
        + "".join(f"  {b}: {e.display()}\n" for b, e in paid.items())
        + f"Total (estimate): {total}\nRun it? [y/N] "
    )
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise UserInputError("not run (not confirmed)")


def _check_budget(ledger: Ledger, profile: str | None, estimates: dict[str, CostEstimate]) -> None:
    """Refuse a run that would take the profile's month past its budget (nothing is sent)."""
    if profile is None or not estimates:
        return
    from desktop_app.core.azure.budget_field import parse_budget
    from desktop_app.core.azure.lab import resolve_profile
    from desktop_app.core.jobs.budget import check_budget

    text = resolve_profile(profile).budget
    if not text:
        return
    check = check_budget(ledger, profile, parse_budget(text), estimates)
    if check.exceeded:
        raise UserInputError(f"not run: {check.message()}")


def handle(args: argparse.Namespace) -> int:
    try:
        return _handle(args)
    finally:
        if getattr(args, "azure_worker", False):
            from desktop_app.core.azure import process

            process.shutdown_worker()  # detaches what still runs there (Ctrl+C): left open


def _handle(args: argparse.Namespace) -> int:
    backends, program, secret_of = _check(args)
    from desktop_app.cli.estimate_cmd import parse_options

    options: dict[str, object] = {} if args.seed is None else {"seed": args.seed}
    options.update(parse_options(args.option))
    estimates = _estimates(backends, program, args.shots, options)
    results: list[RunResult] = []
    cancel = CancelToken()
    ledger = _open_ledger_for(backends)
    if ledger is None:  # local runs only, not recorded (said on stderr)
        results = [_run_unrecorded(b, program, args, options, cancel) for b in backends]
        return _print(args, results, {})
    with ledger:
        _check_budget(ledger, args.profile, estimates)
        _confirm_costs(estimates, args.yes)
        for backend in backends:
            request = _request(backend, program, args, options)
            estimate = estimates.get(backend.name)
            try:
                result = run_recorded(
                    request,
                    executor_for(
                        backend.name,
                        isolate=False,
                        secret_of=secret_of,
                        retry_deadline=args.retry_deadline,
                    ),
                    ledger,
                    cancel,
                    _progress_of(backend.name),
                    estimated_cost=None if estimate is None else estimate.to_ledger(),
                )
            except (ProgramError, UserInputError):
                raise
            except KeyboardInterrupt:
                if backend.is_local:
                    raise
                return _interrupted(ledger, backend.name)
            except QuantumDeskError as exc:  # the run itself failed: report it, go on
                log.debug("run on %s failed", backend.name, exc_info=True)
                sys.stderr.write(f"quantum-desk: {backend.name}: {exc}\n")
                result = RunResult.failed(backend.name, args.shots, "RunFailed", str(exc))
            results.append(result)
        azure_ids = _azure_ids(ledger, results)
    return _print(args, results, azure_ids)


def _print(
    args: argparse.Namespace, results: list[RunResult], azure_ids: dict[str, str | None]
) -> int:
    if args.json:
        sys.stdout.write(dumps_recorded_json(results, azure_ids))
    else:
        sys.stdout.write(format_table(results))
    return 0 if all(r.status == JobStatus.SUCCEEDED for r in results) else 1


def _interrupted(ledger: Ledger, backend: str) -> int:
    """Ctrl+C while an Azure job runs: it is not cancelled, and it stays open in the ledger."""
    open_jobs = [r for r in ledger.unfinished_jobs() if r.backend == backend and r.azure_job_id]
    if open_jobs and open_jobs[-1].status == JobStatus.SUBMITTING:
        note(
            f"interrupted while submitting the job on {backend} (Azure job "
            f"{open_jobs[-1].azure_job_id}): it stays open in the job ledger, and `quantum-desk "
            "jobs reconcile` finds out whether Azure got it."
        )
    elif open_jobs:
        note(
            f"interrupted: the job on {backend} (Azure job {open_jobs[-1].azure_job_id}) was not "
            "cancelled and goes on at Azure; it stays open in the job ledger, and "
            "`quantum-desk jobs reconcile` follows it to its result."
        )
    else:
        note(f"interrupted: nothing is left running on {backend}.")
    return 130


def _open_ledger_for(backends: list[Backend]) -> Ledger | None:
    """The job ledger; None when it cannot be written and only local runs are asked for (they
    run unrecorded, with a warning). Azure runs need it: their job ids are written first."""
    try:
        return open_ledger()
    except LedgerNotWritableError as exc:
        if not all(b.is_local for b in backends):
            raise LedgerNotWritableError(
                f"{exc} Azure runs are recorded before they are submitted, so none was sent.",
                exc.path,
            ) from None
        note(f"warning: {exc} This run is not recorded in the job ledger.")
        return None


def _run_unrecorded(
    backend: Backend,
    program: Program,
    args: argparse.Namespace,
    options: dict[str, object],
    cancel: CancelToken,
) -> RunResult:
    executor = executor_for(backend.name, isolate=False)
    return executor.run(
        _request(backend, program, args, options), cancel, _progress_of(backend.name)
    )


def _request(
    backend: Backend, program: Program, args: argparse.Namespace, options: dict[str, object]
) -> RunRequest:
    """The run of `program` on `backend` as the command line asked for it (parsed once, above)."""
    if backend.name == LOCAL_SIMULATOR and args.method is not None:
        options = {**options, "method": args.method}  # core.local.method_names.OPTION
    return RunRequest(
        source=program.source,
        path=args.file,
        backend=backend.name,
        shots=args.shots,
        options=options,
        profile=None if backend.is_local else args.profile,
        program=program,
    )


def _azure_ids(ledger: Ledger, results: list[RunResult]) -> dict[str, str | None]:
    """Ledger id -> Azure job id (None for local runs) of each recorded result."""
    return {r.job_id: ledger.row(r.job_id).azure_job_id for r in results if r.job_id is not None}


def dumps_recorded_json(results: list[RunResult], azure_ids: dict[str, str | None]) -> str:
    """`results.dumps_json`'s document plus `id` (ledger id) and `azure_job_id` per run."""
    documents = []
    for result in results:
        document = to_json_dict(result)
        document["id"] = result.job_id
        document["azure_job_id"] = azure_ids.get(result.job_id or "")
        documents.append(document)
    return json.dumps(documents, indent=2, default=plain) + "\n"


def _progress_of(backend: str) -> ProgressCallback:
    def progress(message: str, fraction: float | None) -> None:
        if isinstance(message, Notice):
            note(f"{backend}: {message}")  # a retry: said while it happens
        log.info("%s: %s%s", backend, message, "" if fraction is None else f" {fraction:.0%}")

    return progress


def format_table(results: list[RunResult]) -> str:
    lines: list[str] = []
    for result in results:
        total = result.timings.get("total")
        timing = "" if total is None else f"  {total:.3f} s"
        exact = "  exact distribution" if result.exact else ""
        method = f"  {result.method} method" if result.method else ""
        job = f"  job {result.job_id}" if result.job_id else ""
        lines.append(
            f"{result.backend}  {result.status}  {result.shots:,} shots{timing}{method}{exact}{job}"
        )
        if result.status != JobStatus.SUCCEEDED:
            if result.error_message:
                lines.append(f"  {result.error_message}")
            lines.append("")
            continue
        width = max(len("OUTCOME"), *map(len, result.counts))
        lines.append(f"  {'OUTCOME'.ljust(width)}  {'COUNT':>9}  PROBABILITY")
        for bits, count in most_frequent(result.counts, TABLE_ROWS):
            probability = result.probabilities.get(bits, 0.0)
            lines.append(f"  {bits.ljust(width)}  {count:>9}  {probability:.4f}")
        if len(result.counts) > TABLE_ROWS:
            more = len(result.counts) - TABLE_ROWS
            lines.append(f"  ... {more:,} more outcomes (--json prints all)")
        lines.append("")
    return "\n".join(lines)


def _secret_for_this_run(profile: Profile) -> SecretProvider:
    """The secret read from stdin, for this run only: never in the keyring or a file, bound to
    the profile's sign-in as every stored secret is (`secret_input.secret_for_this_run`)."""
    from desktop_app.cli.secret_input import read_secret, secret_for_this_run

    if not profile.needs_secret:
        raise UserInputError("--secret-stdin: azure-sign-in profiles have no client secret")
    return secret_for_this_run(profile, read_secret(True, profile.name))


def _stored_secret(profile: Profile) -> SecretProvider:
    """The profile's secret, read from the keyring once, before anything runs: a secret typed
    for another sign-in is refused in one line (the executor refuses it too; this says it once
    instead of once per backend). Every backend of the run then signs in with what was read
    here, without reading the keyring again."""
    from desktop_app.core.azure.secret_binding import SecretIdentityChangedError
    from desktop_app.core.azure.secrets import default_secret_store

    store = default_secret_store()
    try:
        secret = store.get(profile)
    except SecretIdentityChangedError as exc:
        raise UserInputError(
            f"{exc} Use `quantum-desk profile secret {profile.name}` (or --secret-stdin)."
        ) from None

    def secret_of(asked: Profile) -> str | None:
        return secret if asked == profile else store.get(asked)

    return secret_of
