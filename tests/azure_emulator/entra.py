"""Entra ID (Azure AD) v2.0: OIDC discovery and the client-credentials token endpoint per tenant."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs

from tests.azure_emulator.entra_users import Users
from tests.azure_emulator.state import Token, World
from tests.azure_emulator.wire import Request, Response

DATA_PLANE_AUDIENCE = "https://quantum.microsoft.com"
_GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
ARM_AUDIENCE = "https://management.azure.com"


def _aad_error(status: int, error: str, code: int, description: str) -> Response:
    """AAD's OAuth error body (what MSAL and azure-identity parse)."""
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return Response.json(
        status,
        {
            "error": error,
            "error_description": f"AADSTS{code}: {description} Trace ID: {trace} "
            f"Correlation ID: {correlation} Timestamp: {stamp}",
            "error_codes": [code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": f"https://login.microsoftonline.com/error?code={code}",
        },
    )


def _tenant_not_found(tenant: str, error: str) -> Response:
    return _aad_error(
        400,
        error,
        90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant "
        "ID and are signing into the correct cloud. Check with your subscription "
        "administrator, this may happen if there are no active subscriptions for the "
        "tenant.",
    )


def _form(req: Request) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(req.body.decode(), keep_blank_values=True).items()}


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class Entra:
    def __init__(self, world: World) -> None:
        self.world = world
        self.users = Users(world)  # user accounts: browser and device-code sign-in

    def handle(self, req: Request) -> Response:
        parts = [p for p in req.path.split("/") if p]
        if (
            len(parts) >= 2
            and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]
            and req.method == "GET"
        ):
            return self._discovery(req, parts[0])
        if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"] and req.method == "POST":
            return self._token(req, parts[0])
        user_flow = len(parts) == 4 and parts[1:3] == ["oauth2", "v2.0"]
        if user_flow and parts[0] in self.world.tenants():
            if parts[3] == "authorize" and req.method == "GET":
                return self.users.authorize(req, parts[0])
            if parts[3] == "devicecode" and req.method == "POST":
                return self.users.devicecode(req, parts[0], _form(req))
        return _aad_error(
            404,
            "invalid_request",
            900561,
            f"The endpoint only accepts the documented requests ({req.method} {req.path}).",
        )

    def _discovery(self, req: Request, tenant: str) -> Response:
        if tenant not in self.world.tenants():
            return _tenant_not_found(tenant, "invalid_tenant")
        base = f"{req.base_url}/{tenant}"
        return Response.json(
            200,
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": f"{base}/v2.0",
                "request_uri_parameter_supported": False,
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "tenant_region_scope": "NA",
            },
        )

    def _token(self, req: Request, tenant: str) -> Response:
        form = _form(req)
        if tenant not in self.world.tenants():
            return _tenant_not_found(tenant, "invalid_request")
        user_grant = self.users.token(req, tenant, form)
        if user_grant is not None:
            return user_grant
        if form.get("grant_type") != "client_credentials":
            return _aad_error(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{form.get('grant_type', '')}'.",
            )
        client_id = form.get("client_id", "")
        with self.world.lock:
            principal = next(
                (
                    p
                    for p in self.world.principals
                    if p.tenant_id == tenant and p.client_id == client_id
                ),
                None,
            )
        if principal is None and not _GUID.fullmatch(client_id):
            # Entra's answer when the client id is not an application id at all (not a GUID);
            # the code and wording as third-party projects quote it, the status and error
            # field are not recorded anywhere we could read (unverified).
            return _aad_error(
                400,
                "unauthorized_client",
                700038,
                f"{client_id} is not a valid application identifier.",
            )
        if principal is None:
            return _aad_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the "
                f"directory '{tenant}'. This can happen if the application has not "
                "been installed by the administrator of the tenant or consented to by "
                "any user in the tenant. You may have sent your authentication request "
                "to the wrong tenant.",
            )
        if not secrets.compare_digest(form.get("client_secret", ""), principal.client_secret):
            return _aad_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the "
                "request is the client secret value, not the client secret ID, for a "
                f"secret added to app '{client_id}'.",
            )
        if principal.blocked:
            # Conditional Access: 400, error "interaction_required", suberror "message_only", as
            # quoted from a live answer in github.com/MartinIngesen/MSOLSpray issue 5 (2023; a user
            # sign-in: for a service principal the error field is unverified).
            blocked = _aad_error(
                400,
                "interaction_required",
                53003,
                "Access has been blocked by Conditional Access policies. The access policy does "
                "not allow token issuance.",
            )
            payload = json.loads(blocked.body)
            payload["suberror"] = "message_only"
            return Response.json(400, payload)
        scope = form.get("scope", "")
        audience = scope.split()[0].removesuffix("/.default") if scope else ""
        if audience not in (DATA_PLANE_AUDIENCE, ARM_AUDIENCE):
            return _aad_error(
                400,
                "invalid_scope",
                70011,
                f"The provided value for the input parameter 'scope' is not valid. "
                f"The scope {scope} is not valid.",
            )
        lifetime = self.world.token_lifetime
        issued = int(time.time())
        claims = {
            "aud": audience,
            "iss": f"{req.base_url}/{tenant}/v2.0",
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime,
            "appid": client_id,
            "tid": tenant,
            "oid": principal.object_id,
            "jti": secrets.token_hex(8),
        }
        access_token = (
            f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(claims)}.{secrets.token_hex(16)}"
        )
        with self.world.lock:
            self.world.tokens[access_token] = Token(principal, audience, time.time() + lifetime)
        return Response.json(
            200,
            {
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                # Every token answer in azure-quantum-python's recordings has refresh_in
                # (values sanitized there); MSAL then renews at that point. Half the lifetime,
                # as MSAL itself assumes for long-lived tokens (msal/managed_identity.py).
                "refresh_in": lifetime // 2,
                "access_token": access_token,
            },
        )


def check_bearer(world: World, req: Request, audience: str) -> tuple[Token | None, Response | None]:
    """The token behind ``Authorization: Bearer``, or the 401 the service answers instead.

    The data plane answers 401 with an empty body and ``WWW-Authenticate: Bearer
    error="invalid_token"`` (test_workspace_auth_connection_string_api_key.yaml in
    azure-quantum-python @ 29f7b5f034af); ARM answers JSON (AuthenticationFailed for a missing
    header, recorded in test_workspace_auth_default_credential.yaml)."""
    header = req.header("Authorization") or ""
    data_plane = audience == DATA_PLANE_AUDIENCE
    if not header.startswith("Bearer "):
        return None, _unauthorized(
            data_plane,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        )
    with world.lock:
        token = world.tokens.get(header[7:])
    if token is None or token.audience != audience:
        return None, _unauthorized(
            data_plane, "InvalidAuthenticationToken", "The access token is invalid."
        )
    if token.expires_at <= time.time():
        return None, _unauthorized(
            data_plane,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time is earlier than current UTC time.",
        )
    return token, None


def _unauthorized(data_plane: bool, code: str, message: str) -> Response:
    if data_plane:
        return Response(401, b"", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    challenge = {
        "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/'
        'common", error="invalid_token"'
    }
    return Response.error(401, code, message, challenge)
