"""The window's work on the editor's program, as module-level functions for a worker process.

Parsing and transpiling hold the interpreter lock and can take long (or crash natively) on a
hostile program, so the window never runs them in its own process: it hands these functions to
`core.local.calls.call_in_worker`. Arguments and values are plain, picklable
data; each function parses the program itself (the limits of `program_limits` come first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from desktop_app.core.errors import QuantumDeskError

if TYPE_CHECKING:
    from desktop_app.core.azure.pricing import CostEstimate
    from desktop_app.core.azure.translate import Translation
    from desktop_app.core.request import RunRequest

ESTIMATE_TIMEOUT_SECONDS = 30.0  # past this the price is "not estimated", the worker replaced


def estimate_targets(
    source: str, path: str | None, shots: int, options: Mapping[str, Mapping[str, object]]
) -> dict[str, CostEstimate | str]:
    """target -> its CostEstimate, or a plain message when it cannot be estimated.
    `options`: target -> its provider options. ProgramError: nothing can be estimated."""
    from desktop_app.core.azure.pricing import estimate_cost
    from desktop_app.core.programs import load_program

    program = load_program(source, path)
    estimates: dict[str, CostEstimate | str] = {}
    for target, target_options in options.items():
        try:
            estimates[target] = estimate_cost(target, program.circuit, shots, target_options)
        except QuantumDeskError as exc:
            estimates[target] = str(exc)
    return estimates


def estimate_requests(
    requests: Sequence[RunRequest],
) -> tuple[dict[str, CostEstimate], dict[str, str]]:
    """The estimates of run requests on one program (backend -> estimate) and the backends
    without one (backend -> why). ProgramError when the program cannot be read."""
    from desktop_app.core.azure.pricing import estimate_cost
    from desktop_app.core.programs import load_program

    estimates: dict[str, CostEstimate] = {}
    problems: dict[str, str] = {}
    if not requests:
        return estimates, problems
    program = load_program(requests[0].source, requests[0].path)
    for request in requests:
        try:
            estimates[request.backend] = estimate_cost(
                request.backend, program.circuit, request.shots, request.options
            )
        except QuantumDeskError as exc:
            problems[request.backend] = str(exc)
    return estimates, problems


def ledger_estimate(request: RunRequest) -> dict[str, object] | None:
    """The estimated cost the ledger records for an Azure run (None: local or not estimable)."""
    from desktop_app.core.azure.pricing import estimate_request

    estimate = estimate_request(request)
    return None if estimate is None else estimate.to_ledger()


def translate_request(request: RunRequest) -> Translation:
    """The program of `request` as its Azure target runs it (ProgramError, UserInputError)."""
    from desktop_app.core.azure.translate import translate

    return translate(request.parsed().circuit, request.backend)
