"""Entra ID (Azure AD) v2.0: OIDC discovery and the client-credentials token endpoint per tenant."""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs

from tests.azure_emulator.state import Token, World
from tests.azure_emulator.wire import Request, Response

DATA_PLANE_AUDIENCE = "https://quantum.microsoft.com"
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


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class Entra:
    def __init__(self, world: World) -> None:
        self.world = world

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
        form = {k: v[-1] for k, v in parse_qs(req.body.decode(), keep_blank_values=True).items()}
        if tenant not in self.world.tenants():
            return _tenant_not_found(tenant, "invalid_request")
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
                "access_token": access_token,
            },
        )


def check_bearer(world: World, req: Request, audience: str) -> tuple[Token | None, Response | None]:
    """The token behind ``Authorization: Bearer``, or the 401 the service answers instead."""
    header = req.header("Authorization") or ""
    challenge = {
        "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/'
        'common", error="invalid_token"'
    }
    if not header.startswith("Bearer "):
        return None, Response.error(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
            challenge,
        )
    with world.lock:
        token = world.tokens.get(header[7:])
    if token is None or token.audience != audience:
        return None, Response.error(
            401, "InvalidAuthenticationToken", "The access token is invalid.", challenge
        )
    if token.expires_at <= time.time():
        return None, Response.error(
            401,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time is earlier than current UTC time.",
            challenge,
        )
    return token, None
