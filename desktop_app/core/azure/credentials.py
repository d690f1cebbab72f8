"""azure-identity credentials for a profile, and "Test connection" with failures in plain words.

azure.identity / azure.quantum are imported inside the functions (core stays cheap to import).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from desktop_app import __version__
from desktop_app.core.azure.profile_fields import normalize_location
from desktop_app.core.azure.profiles import AZURE_SIGN_IN, Profile
from desktop_app.core.azure.secret_binding import SecretIdentityChangedError
from desktop_app.core.azure.workspace import TargetStatus, close_workspace, list_targets
from desktop_app.core.cancel import CancelToken
from desktop_app.core.errors import QuantumDeskError, exception_chain

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

log = logging.getLogger(__name__)

# Profile -> its client secret (SecretStore.get fits), None when there is none; raises
# SecretIdentityChangedError when the stored one was typed for another authority/tenant/client.
SecretProvider = Callable[[Profile], str | None]

ARM_SCOPE: Final = "https://management.azure.com/.default"
USER_AGENT: Final = f"quantum-desk/{__version__}"

# The least-privilege role that lets a principal list targets and submit jobs, per
# https://learn.microsoft.com/azure/quantum/how-to-connect-workspace ("The Quantum Workspace Data
# Contributor role will be required to submit jobs") and `az quantum workspace user add`, which
# assigns exactly this role at the workspace scope.
LEAST_PRIVILEGE_ROLE: Final = "Quantum Workspace Data Contributor"


class CredentialError(QuantumDeskError):
    """A credential cannot be built for a profile (e.g. no secret stored)."""


class Problem(StrEnum):
    NONE = "ok"
    NO_SECRET = "no-secret"
    WRONG_SECRET = "wrong-secret"
    UNKNOWN_TENANT = "unknown-tenant"
    UNKNOWN_CLIENT = "unknown-client"
    SIGN_IN_REQUIRED = "sign-in-required"
    WORKSPACE_NOT_FOUND = "workspace-not-found"
    NO_ACCESS = "no-access"
    WRONG_REGION = "wrong-region"
    NETWORK = "network"
    SERVICE_ERROR = "service-error"  # busy (429), failing (5xx), a conflict or an odd answer
    JOB_NOT_FOUND = "job-not-found"
    TLS = "tls"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ConnectionReport:
    """The outcome of test_connection. `message` is for the user, `code` for the log."""

    ok: bool
    problem: Problem
    message: str
    code: str | None = None
    targets: tuple[TargetStatus, ...] = ()
    workspace_location: str | None = None
    elapsed: float = 0.0
    steps: tuple[str, ...] = field(default=())  # what succeeded: "token", "workspace", "targets"


@dataclass(frozen=True)
class Explanation:
    problem: Problem
    message: str
    code: str | None


# ---------------------------------------------------------------- building credentials


def build_credential(
    profile: Profile,
    secret: str | None = None,
    *,
    interactive: bool = True,
    retry_total: int | None = None,
) -> TokenCredential:
    """The azure-identity credential for `profile`.

    service-principal: ClientSecretCredential (instance discovery off with a custom authority,
    which is what sovereign clouds and the loopback emulator need), asking for each token once
    however many threads want it (`token_gate`).
    azure-sign-in: a chain of AzureCliCredential (a lab user's `az login`), EnvironmentCredential
    (AZURE_CLIENT_ID/... set by a lab admin), ManagedIdentityCredential only when the machine
    declares an identity endpoint (App Service / Arc: IDENTITY_ENDPOINT or MSI_ENDPOINT; never a
    blind IMDS probe, which costs seconds on every lab PC), then, with `interactive`,
    InteractiveBrowserCredential; its tokens kept by the app (`token_gate`: AzureCliCredential
    keeps none).
    Reuse the returned object: it caches its tokens.
    `retry_total` caps azure-core's retries of token requests (None: the SDK default, 10).
    """
    from azure.identity import (
        AzureCliCredential,
        ChainedTokenCredential,
        ClientSecretCredential,
        EnvironmentCredential,
        InteractiveBrowserCredential,
        ManagedIdentityCredential,
    )

    authority = profile.authority_host or None
    common: dict[str, Any] = {}
    if authority:
        common = {"authority": authority, "disable_instance_discovery": True}
    if retry_total is not None:
        common["retry_total"] = retry_total
    if profile.auth_kind != AZURE_SIGN_IN:
        if not secret:
            raise CredentialError(
                f"Profile '{profile.name}' has no client secret: enter it in the profile "
                "(or with `quantum-desk profile add ... --secret-stdin`)."
            )
        from desktop_app.core.azure.token_gate import OneRequestAtATime

        return OneRequestAtATime(
            ClientSecretCredential(profile.tenant_id, profile.client_id, secret, **common)
        )
    if profile.sign_in:  # the user's own Entra account, browser or device code (no secret)
        from desktop_app.core.azure.sign_in import credential

        return credential(profile)
    chain: list[Any] = [
        AzureCliCredential(tenant_id=profile.tenant_id or ""),
        EnvironmentCredential(**common),
    ]
    if os.environ.get("IDENTITY_ENDPOINT") or os.environ.get("MSI_ENDPOINT"):
        chain.append(ManagedIdentityCredential())
    if interactive:
        browser: dict[str, Any] = dict(common)
        if profile.tenant_id:
            browser["tenant_id"] = profile.tenant_id
        if profile.client_id:
            browser["client_id"] = profile.client_id
        chain.append(InteractiveBrowserCredential(**browser))
    from desktop_app.core.azure.token_gate import OneRequestAtATime

    # AzureCliCredential keeps no token: each workspace would start `az` for each of its two tokens
    return OneRequestAtATime(ChainedTokenCredential(*chain), keep_tokens=True)


# ---------------------------------------------------------------- explaining failures

_AADSTS_RE = re.compile(r"AADSTS(\d+)")
_ERROR_CODE_RE = re.compile(
    r"\b(AuthorizationFailed|ResourceNotFound|ResourceGroupNotFound|"
    r"SubscriptionNotFound|InvalidAuthenticationToken\w*|Forbidden)\b"
)


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def explain_error(exc: BaseException, profile: Profile, secret: str | None = None) -> Explanation:
    """`_explain_error`, with the lab's advice (the role a student needs, whom to ask) added to
    a sign-in or access problem of the lab's profile."""
    explained = _explain_error(exc, profile, secret)
    if explained.problem not in (Problem.NO_ACCESS, Problem.SIGN_IN_REQUIRED):
        return explained
    from desktop_app.core.azure.lab import lab_for

    lab = lab_for(profile.name)
    if lab is None or lab.profile != profile:
        return explained
    advice = f" The lab's workspace needs the '{LEAST_PRIVILEGE_ROLE}' role on it for your account"
    advice += f": {lab.contact}" if lab.contact else "."
    return dataclasses.replace(explained, message=explained.message + advice)


_SIGN_IN_REFUSALS: Final = (
    (
        "authorization_declined",
        "The sign-in was declined on the device where the code was entered: sign in again and "
        "approve it.",
    ),
    (
        "expired_token",
        "The sign-in code expired before it was entered: sign in again and enter the new code "
        "within its time.",
    ),
    (
        "AADSTS50173",
        "Your sign-in was revoked (a password change, or an administrator ended it): sign in "
        "again.",
    ),
    (
        "AADSTS70008",
        "Your sign-in has expired: sign in again.",
    ),
)


def _explain_user_sign_in(chain: list[BaseException], text: str) -> Explanation | None:
    """A user's own sign-in (browser, device code) refused or needed again."""
    from azure.identity import AuthenticationRequiredError

    for marker, message in _SIGN_IN_REFUSALS:
        if marker in text:
            aadsts = _AADSTS_RE.search(text)
            return Explanation(
                Problem.SIGN_IN_REQUIRED, message, f"AADSTS{aadsts.group(1)}" if aadsts else marker
            )
    if any(isinstance(e, AuthenticationRequiredError) for e in chain):
        return Explanation(
            Problem.SIGN_IN_REQUIRED,
            "You are not signed in to this profile (or the sign-in has ended): press Sign in "
            "(or run `quantum-desk lab sign-in`).",
            "AuthenticationRequired",
        )
    return None


def _explain_error(exc: BaseException, profile: Profile, secret: str | None = None) -> Explanation:
    """Map an azure-identity / azure-core / azure-quantum failure to plain words.

    `code` keeps the raw error code (AADSTS..., HTTP status, exception type) for the log; any
    text taken from the error has the secret removed. Usable by the Azure executor as well.
    """
    import ssl

    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceResponseError,
    )
    from azure.identity import CredentialUnavailableError

    chain = list(exception_chain(exc))
    text = _scrub(" | ".join(f"{type(e).__name__}: {e}" for e in chain), secret)
    workspace = f"'{profile.workspace_name}' (resource group '{profile.resource_group}')"
    aadsts = _AADSTS_RE.search(text)
    status = next(
        (e.status_code for e in chain if isinstance(e, HttpResponseError) and e.status_code),
        None,
    )

    if profile.auth_kind == AZURE_SIGN_IN:
        user = _explain_user_sign_in(chain, text)
        if user is not None:
            return user
    if aadsts:
        code = f"AADSTS{aadsts.group(1)}"
        number = aadsts.group(1)
        if number in {"7000215", "7000222"}:
            detail = "has expired" if number == "7000222" else "is wrong"
            return Explanation(
                Problem.WRONG_SECRET,
                f"The client secret {detail}: Microsoft Entra ID rejected it for client "
                f"{profile.client_id}. Paste the secret's Value (not its ID) from the app "
                "registration's 'Certificates & secrets' page, or create a new one.",
                code,
            )
        if number in {"90002", "900023", "90072"}:
            return Explanation(
                Problem.UNKNOWN_TENANT,
                f"Tenant {profile.tenant_id} was not found. Check the tenant (directory) ID on "
                "the app registration's Overview page in the Azure portal.",
                code,
            )
        if number in {"700016", "7000216"}:
            return Explanation(
                Problem.UNKNOWN_CLIENT,
                f"No application with client ID {profile.client_id} exists in tenant "
                f"{profile.tenant_id}. Check the client (application) ID, and that the app is "
                "registered in this tenant.",
                code,
            )
        return Explanation(
            Problem.UNKNOWN,
            f"Microsoft Entra ID refused the sign-in ({code}). The details are in the log (on the "
            "command line: --verbose).",
            code,
        )

    failed = _service_failure(chain, text)
    if failed is not None:
        return failed

    if "Unable to get authority configuration" in text and not _network_error(chain):
        return Explanation(  # MSAL: the tenant's discovery document was refused (400/404)
            Problem.UNKNOWN_TENANT,
            f"Tenant {profile.tenant_id} was not found. Check the tenant (directory) ID on "
            "the app registration's Overview page in the Azure portal.",
            "AuthorityDiscovery",
        )

    if any(isinstance(e, ssl.SSLError) for e in chain) or "CERTIFICATE_VERIFY_FAILED" in text:
        return Explanation(
            Problem.TLS,
            "The secure connection failed: the server's certificate was not trusted. A proxy "
            "that inspects HTTPS may need its certificate installed (REQUESTS_CA_BUNDLE).",
            "TLS",
        )

    if any(isinstance(e, CredentialUnavailableError) for e in chain) or (
        "ChainedTokenCredential failed to retrieve a token" in text
    ):
        return Explanation(
            Problem.SIGN_IN_REQUIRED,
            "No Azure sign-in is available on this computer: run `az login`, set the "
            "AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET environment variables, or "
            "sign in with a browser.",
            "no-sign-in",
        )

    not_found_text = "not found in resource group" in text or "ResourceNotFound" in text
    job = re.search(r"/jobs/([^/?]+)", _failed_url(chain, 404))
    if status == 404 and job:
        return Explanation(
            Problem.JOB_NOT_FOUND,
            f"Azure Quantum has no job {job.group(1)} in workspace {workspace}: it was deleted "
            "from the workspace, or never created.",
            _http_code(404, text),
        )
    if status == 404 or (status is None and not_found_text) or "ResourceGroupNotFound" in text:
        return Explanation(
            Problem.WORKSPACE_NOT_FOUND,
            f"Workspace {workspace} was not found in subscription {profile.subscription_id}, "
            "or this account cannot see it. Check the resource ID (copy it from the workspace's "
            f"Overview page), and ask the workspace owner for the '{LEAST_PRIVILEGE_ROLE}' role "
            "on the workspace.",
            _http_code(404, text),
        )
    # A submit refused with 403 InvalidJobDefinition (provider or target not enabled) is no
    # access problem: the caller shows the service's own message.
    if (status == 403 and "InvalidJobDefinition" not in text) or "AuthorizationFailed" in text:
        who = (
            f"The service principal {profile.client_id}"
            if profile.auth_kind != AZURE_SIGN_IN
            else "Your account"
        )
        return Explanation(
            Problem.NO_ACCESS,
            f"{who} signed in but has no access to workspace {workspace}. Ask the workspace "
            f"owner to assign it the '{LEAST_PRIVILEGE_ROLE}' role on the workspace (enough to "
            "list targets and submit jobs).",
            _http_code(403, text),
        )
    if status == 401 or (
        isinstance(exc, ClientAuthenticationError) and status is None and "401" in text
    ):
        return Explanation(
            Problem.NO_ACCESS,
            "The service did not accept the sign-in token. Check that the tenant ID is the "
            "workspace's tenant.",
            _http_code(401, text),
        )
    if _network_error(chain):
        dropped = any(isinstance(e, ServiceResponseError) for e in chain)
        return Explanation(
            Problem.NETWORK,
            (
                "The connection to Azure was dropped before it answered"
                if dropped
                else "Azure could not be reached"
            )
            + ": check the network connection (and a proxy, if this network needs one), "
            "then try again.",
            "connection-dropped" if dropped else "unreachable",
        )
    if "Failed to retrieve" in text or "Could not load workspace details" in text:
        return Explanation(
            Problem.SERVICE_ERROR,
            f"Azure Resource Manager's answer about workspace {workspace} could not be used (it "
            "names no region or endpoint). Check the resource ID; if it is right, try again "
            "later.",
            "UnreadableWorkspace",
        )
    if "Location must be" in text:
        return Explanation(
            Problem.WRONG_REGION,
            f"'{profile.location}' is not accepted as the workspace location: use the "
            "region shown on the workspace's Overview page.",
            "ValueError",
        )
    return Explanation(
        Problem.UNKNOWN,
        "Azure did not accept the request"
        + (f" (HTTP {status})" if status else "")
        + ": try again; if it keeps failing, the details are in the log (on the command line: "
        "--verbose).",
        f"HTTP {status}" if status else "unexpected",
    )


def _network_error(chain: list[BaseException]) -> bool:
    from azure.core.exceptions import ServiceRequestError, ServiceResponseError

    network = (ServiceRequestError, ServiceResponseError, ConnectionError, OSError)
    return any(isinstance(e, network) for e in chain)


def _failed_url(chain: list[BaseException], status: int | None = None) -> str:
    """The URL of the request whose answer failed (with `status`, when given), or ""."""
    for e in chain:
        response = getattr(e, "response", None)
        if status is not None and getattr(e, "status_code", None) != status:
            continue
        url = getattr(getattr(response, "request", None), "url", None)
        if url:
            return str(url)
    return ""


_MSAL_STATUS_RE = re.compile(r"HTTP (?:status|Error):? (\d{3})")


def _service_failure(chain: list[BaseException], text: str) -> Explanation | None:
    """A busy (429) or failing (5xx) service, or a conflict (409): said as such, naming which
    service (sign-in, Resource Manager, Azure Quantum) answered."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    status = next(
        (e.status_code for e in chain if isinstance(e, HttpResponseError) and e.status_code),
        None,
    )
    in_text = _MSAL_STATUS_RE.search(text)
    if in_text and (status is None or isinstance(chain[0], ClientAuthenticationError)):
        status = int(in_text.group(1))  # MSAL puts the sign-in service's status in its text
    if status is None and "TooManyRequests" in text:
        status = 429
    if status is None or not (status in (409, 429) or status >= 500):
        return None
    url = _failed_url(chain)
    if not url or "Authentication failed" in text or "OIDC Discovery" in text:
        who = "Microsoft Entra ID (the sign-in service)"
    elif re.search(r"/workspaces/[^/?]+(\?|$)|Microsoft\.ResourceGraph", url, re.I):
        who = "Azure Resource Manager"
    else:
        who = "Azure Quantum"
    if status == 429:
        message = f"{who} is busy and refused more requests (HTTP 429): wait a minute, try again."
    elif status == 409:
        message = f"{who} refused the request as a conflict with its current state (HTTP 409)."
    else:
        message = (
            f"{who} failed on its side (HTTP {status}): try again later; if it keeps failing, "
            "check the Azure status page."
        )
    return Explanation(Problem.SERVICE_ERROR, message, _http_code(status, text))


def _http_code(status: int, text: str) -> str:
    match = _ERROR_CODE_RE.search(text)
    return f"HTTP {status}" + (f" {match.group(1)}" if match else "")


# ---------------------------------------------------------------- test connection


def open_workspace(profile: Profile, credential: TokenCredential) -> Any:
    """An `azure.quantum.Workspace` for the profile (reads the workspace from ARM)."""
    from azure.quantum import Workspace

    kwargs: dict[str, Any] = {}
    if profile.arm_endpoint:
        kwargs["arm_endpoint"] = profile.arm_endpoint
    # The app names itself as the SDK's "app id", which prefixes every request's User-Agent. Not
    # as `user_agent`: for a job input that is not QIR, `Target.submit` resets that to None
    # (`append_user_agent(None)`, azure/quantum/target/target.py of azure-quantum 3.13.0), which
    # dropped the name from the submit and every poll after it and rebuilt the workspace's
    # client, so each job opened a second TLS connection to the data plane.
    return Workspace(
        resource_id=profile.resource_id,
        location=profile.location,
        credential=credential,
        user_agent_app_id=USER_AGENT,
        **kwargs,
    )


def test_connection(
    profile: Profile,
    secret_provider: SecretProvider,
    cancel: CancelToken | None = None,
    *,
    interactive: bool = True,
) -> ConnectionReport:
    """Get a token, open the workspace through ARM, list its targets. Never raises for Azure
    failures: they come back as a report with a plain message (Cancelled is raised)."""
    cancel = cancel or CancelToken()
    started = time.monotonic()
    steps: list[str] = []

    def report(
        ok: bool, problem: Problem, message: str, code: str | None = None, **kw: Any
    ) -> ConnectionReport:
        elapsed = time.monotonic() - started
        log.info(
            "test connection %r: %s (%s) after %.2f s",
            profile.name,
            problem.value,
            code or "-",
            elapsed,
        )
        return ConnectionReport(
            ok, problem, message, code, elapsed=elapsed, steps=tuple(steps), **kw
        )

    try:
        secret = secret_provider(profile) if profile.auth_kind != AZURE_SIGN_IN else None
    except SecretIdentityChangedError as exc:  # never send it where it was not typed for
        return report(False, Problem.NO_SECRET, str(exc))  # one line says it all
    if profile.auth_kind != AZURE_SIGN_IN and not secret:
        return report(
            False,
            Problem.NO_SECRET,
            f"Profile '{profile.name}' has no client secret stored: enter it first.",
        )
    workspace: Any = None
    try:
        # few retries: the user is waiting for an answer, not for a job to survive a blip
        credential = build_credential(profile, secret, interactive=interactive, retry_total=2)
        cancel.raise_if_cancelled()
        credential.get_token(ARM_SCOPE)
        steps.append("token")
        cancel.raise_if_cancelled()
        workspace = open_workspace(profile, credential)
        steps.append("workspace")
        cancel.raise_if_cancelled()
        targets = list_targets(workspace)
        steps.append("targets")
    except QuantumDeskError:
        raise
    except Exception as exc:  # every Azure failure is explained; the raw text goes to the log
        if cancel.cancelled:
            cancel.raise_if_cancelled()
        explained = explain_error(exc, profile, secret)
        log.warning(
            "test connection %r failed at step %d: %s",
            profile.name,
            len(steps) + 1,
            _scrub(f"{type(exc).__name__}: {exc}", secret)[:2000],
        )
        return report(False, explained.problem, explained.message, explained.code)
    finally:
        close_workspace(workspace)

    actual = normalize_location(str(workspace.location or ""))
    if actual and actual != normalize_location(profile.location):
        return report(
            False,
            Problem.WRONG_REGION,
            f"The workspace is in region '{actual}', but the profile says '{profile.location}'. "
            f"Change the profile's location to '{actual}'.",
            "LocationMismatch",
            targets=targets,
            workspace_location=actual,
        )
    names = ", ".join(t.name for t in targets) or "none"
    return report(
        True,
        Problem.NONE,
        f"Connected: {len(targets)} targets ({names}).",
        targets=targets,
        workspace_location=actual or profile.location,
    )
