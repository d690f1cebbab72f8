"""A finished Azure job in our terms: its times, cost, error and normalized counts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desktop_app.core.azure.normalize import (
    Readout,
    ionq_probabilities,
    quantinuum_counts,
    rigetti_counts,
)
from desktop_app.core.catalog import target_name
from desktop_app.core.results import RunResult

if TYPE_CHECKING:
    from desktop_app.core.request import RunRequest


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def error_of(details: Any) -> tuple[str, str]:
    error = getattr(details, "error_data", None)
    code = str(getattr(error, "code", "") or "JobFailed")
    message = str(getattr(error, "message", "") or "The provider reported a failure.")
    return code, message.rstrip(".") + "."


def cost(details: Any) -> dict[str, Any] | None:
    estimate = getattr(details, "cost_estimate", None)
    if estimate is None:
        return None
    return {
        "currency": getattr(estimate, "currency_code", None),
        "estimated_total": getattr(estimate, "estimated_total", None),
        "events": [
            {
                "dimension": getattr(e, "dimension_name", None),
                "measure_unit": getattr(e, "measure_unit", None),
                "amount_billed": getattr(e, "amount_billed", None),
                "amount_consumed": getattr(e, "amount_consumed", None),
                "unit_price": getattr(e, "unit_price", None),
            }
            for e in (getattr(estimate, "events", None) or [])
        ],
    }


def normalize_result(
    request: RunRequest,
    readout: Readout,
    raw: Mapping[str, Any],
    timings: dict[str, float],
    job_id: str,
) -> RunResult:
    common: dict[str, Any] = {
        "num_clbits": readout.num_clbits,
        "timings": timings,
        "job_id": job_id,
    }
    if readout.provider == "ionq":
        probs = ionq_probabilities(raw, readout)
        exact = target_name(request.backend).is_simulator  # IonQ's simulator: exact probabilities
        return RunResult.from_probabilities(request.backend, probs, request.shots, exact, **common)
    if readout.provider == "quantinuum":
        counts = quantinuum_counts(raw, readout)
    else:
        counts = rigetti_counts(raw, readout)
    return RunResult.from_counts(request.backend, counts, request.shots, **common)
