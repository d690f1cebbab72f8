"""Azure failures in plain words: the error the executor reports, and what to do about a job
that failed at the provider."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from desktop_app.core.errors import QuantumDeskError, exception_chain, first_hint

if TYPE_CHECKING:
    from desktop_app.core.azure.profiles import Profile

log = logging.getLogger(__name__)


# The code of a submit whose answer was lost (5xx, dropped, no answer in time) while the job may
# exist at Azure: its ledger row stays Submitting, and reconciliation looks it up by its id.
UNCONFIRMED_SUBMIT = "SubmitUnconfirmed"
# A job that ended Cancelled without a Cancel from this app (the portal, a script, the provider).
CANCELLED_ELSEWHERE = "CancelledElsewhere"
CANCELLED_ELSEWHERE_MESSAGE = (
    "The job was cancelled at Azure Quantum (not from here): run it again if you still need "
    "its result."
)


class AzureRunError(QuantumDeskError):
    """An Azure failure with a plain message (`code` keeps the service's code for the log)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def is_not_found(exc: BaseException) -> bool:
    from azure.core.exceptions import ResourceNotFoundError

    return isinstance(exc, ResourceNotFoundError) or getattr(exc, "status_code", None) == 404


def definitely_not_created(failure: BaseException) -> bool:
    """True when a failed submit certainly created no job: the service refused it (a 4xx other
    than 408/429), or it failed on our side before reaching the service."""
    from azure.core.exceptions import HttpResponseError

    cause = failure.__cause__ if isinstance(failure, AzureRunError) else failure
    if cause is None:
        return True  # our own refusal (target missing, no secret, ...)
    for e in exception_chain(cause):
        status = e.status_code if isinstance(e, HttpResponseError) else None
        if status is not None and 400 <= status < 500 and status not in (408, 429):
            return True
    return False


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
    refusal = _submit_refusal(str(service_code or ""), str(service_message or ""), what)
    if refusal is not None:
        return AzureRunError(refusal, str(service_code))
    if profile is not None:
        explained = explain_error(exc, profile)
        if explained.problem is not Problem.UNKNOWN or service_message is None:
            return AzureRunError(explained.message, explained.code or explained.problem.value)
    if service_message:
        code = str(service_code or getattr(exc, "status_code", "") or "unexpected")
        return AzureRunError(
            f"Azure Quantum refused the request: {service_message} ({code}).", code
        )
    log.debug("unexplained Azure failure", exc_info=exc)
    return AzureRunError(
        "The Azure Quantum call failed unexpectedly: try again; the details are in the log (on"
        " the command line: --verbose).",
        "unexpected",
    )


# The service's refusals of a job (PUT jobs/{id}), by its error code and a phrase of its message
# (wording as recorded: tests/azure_emulator/dataplane.py names the recordings), in plain words.
# `{target}` is the backend the job was for.
_REFUSALS = (
    (
        "targetunavailable",
        "",
        "{target} is not available right now, so Azure Quantum did not accept the job: try "
        "again later or pick another target.",
    ),
    (
        "invalidjobdefinition",
        "provider specified does not exist or is not enabled",
        "The provider of {target} is not enabled in this Azure Quantum workspace, so the job was "
        "not accepted: add the provider to the workspace in the Azure portal (Providers), or "
        "pick another target.",
    ),
    (
        "invalidjobdefinition",
        "target specified does not exist or is not enabled",
        "{target} is not enabled in this Azure Quantum workspace, so the job was not accepted: "
        "pick another target, or ask the workspace owner to enable it.",
    ),
    (
        "invalidjobdefinition",
        "session is already in a terminal state",
        "The session the job was sent to has already ended (a job in it failed, or it timed "
        "out), so Azure Quantum did not accept the job: run it again outside that session.",
    ),
    (
        "invalidjobdefinition",
        "outputdataformat",
        "Azure Quantum did not accept the job for {target}: it lacks the format its results "
        "should come in. This is a fault in Quantum Desk; please report it.",
    ),
    (
        "invalidjobdefinition",
        "",
        "Azure Quantum did not accept the job for {target}: {message}",
    ),
)


def _submit_refusal(code: str, message: str, target: str) -> str | None:
    """The plain message for a refused job submit, or None when it is not one."""
    for wanted, phrase, text in _REFUSALS:
        if code.lower() == wanted and phrase in message.lower():
            said = message.strip().rstrip(".") + "." if message.strip() else "no reason given."
            return text.format(target=target, message=said)
    return None


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
    return first_hint(
        _HINTS,
        code,
        message,
        "Try again; if it keeps failing, look the job up in the Azure portal "
        "(Jobs of the workspace) or contact the provider's support with the job id.",
    )
