"""Azure failures in plain words: the error the executor reports, and what to do about a job
that failed at the provider."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from desktop_app.core.errors import QuantumDeskError

if TYPE_CHECKING:
    from desktop_app.core.azure.profiles import Profile

log = logging.getLogger(__name__)


class AzureRunError(QuantumDeskError):
    """An Azure failure with a plain message (`code` keeps the service's code for the log)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def explain(exc: BaseException, profile: Profile | None, what: str) -> AzureRunError:
    """A plain AzureRunError for an Azure SDK failure (the raw text goes to the log only)."""
    from azure.core.exceptions import HttpResponseError

    from desktop_app.core.azure.credentials import Problem, explain_error

    log.warning("Azure call for %s failed: %s: %s", what, type(exc).__name__, str(exc)[:500])
    service_code = service_message = None
    if isinstance(exc, HttpResponseError):
        error = getattr(exc, "error", None)
        service_code = getattr(error, "code", None)
        service_message = getattr(error, "message", None) or exc.reason
    if profile is not None:
        explained = explain_error(exc, profile)
        if explained.problem is not Problem.UNKNOWN or service_message is None:
            return AzureRunError(explained.message, explained.code or explained.problem.value)
    if service_message:
        code = str(service_code or getattr(exc, "status_code", "") or type(exc).__name__)
        return AzureRunError(
            f"Azure Quantum refused the request: {service_message} ({code}).", code
        )
    return AzureRunError(f"Azure Quantum call failed ({type(exc).__name__}).", type(exc).__name__)


_HINTS = (
    (
        ("invalidinput", "compil", "syntax", "parse", "validation", "unsupported"),
        "The provider rejected the program: check it uses only what this target supports, and "
        "try it first on the target's local emulation.",
    ),
    (
        ("quota", "credit", "billing", "limit"),
        "The workspace's quota or credits for this provider are used up: ask the workspace owner, "
        "or use a free simulator target.",
    ),
    (
        ("unavailable", "offline", "maintenance"),
        "The target is not available right now: try again later or pick another target.",
    ),
    (
        ("timeout", "timedout"),
        "The provider gave up on the job: try again with fewer shots or a smaller program.",
    ),
    (("cancel",), "The job was cancelled: run it again if you still need the result."),
)


def hint_for(code: str, message: str) -> str:
    """A plain 'what to do' sentence for a job failure."""
    text = f"{code} {message}".lower()
    for needles, hint in _HINTS:
        if any(n in text for n in needles):
            return hint
    return (
        "Try again; if it keeps failing, look the job up in the Azure portal "
        "(Jobs of the workspace) or contact the provider's support with the job id."
    )
