"""Entra ID sign-in of user accounts (no secret): authorization code with PKCE, device code, and
the refresh-token grant, as MSAL (hence azure-identity's InteractiveBrowserCredential and
DeviceCodeCredential) speaks them.

Wire shapes follow the Microsoft identity platform's protocol pages
(learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow and
v2-oauth2-device-code, read 2026-12-01): the device code answer's fields, the
`authorization_pending` / `authorization_declined` / `expired_token` poll errors, `client_info`
(base64url `{"uid", "utid"}`, which MSAL turns into the home account id) and an id_token whose
`iss` is the discovery document's issuer and whose `nonce` echoes the authorize request's.
The AADSTS numbers of the refusals (70019 expired code, 50173 revoked grant) are as they appear
in public issue threads; not recorded from the live service (unverified).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.azure_emulator.state import Principal, Token, World
from tests.azure_emulator.wire import Request, Response

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    client_id: str
    tenant: str
    scope: str
    expires_at: float
    state: str = "pending"  # pending | approved | denied
    user: Principal | None = None


@dataclass
class AuthCode:
    client_id: str
    tenant: str
    redirect_uri: str
    challenge: str
    scope: str
    nonce: str
    user: Principal
    expires_at: float


@dataclass
class Grant:
    user: Principal
    client_id: str
    tenant: str
    revoked: bool = False


@dataclass
class Users:
    """The user accounts of the emulated tenant and their sign-ins in flight."""

    world: World
    accounts: dict[str, Principal] = field(default_factory=dict)  # username -> principal
    browser_user: str | None = None  # who "signs in" in the scripted browser
    device_codes: dict[str, DeviceCode] = field(default_factory=dict)  # by device_code
    auth_codes: dict[str, AuthCode] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)  # refresh token -> grant
    device_code_lifetime: int = 900
    poll_interval: int = 1  # Entra says 5; the tests' polls would wait that long

    def reset(self) -> None:
        self.accounts.clear()
        self.device_codes.clear()
        self.auth_codes.clear()
        self.grants.clear()
        self.browser_user = None
        self.device_code_lifetime = 900

    def add_user(self, username: str, authorized: bool = True) -> Principal:
        tenant = self.world.principals[0].tenant_id
        user = Principal(tenant, "", "", authorized)
        with self.world.lock:
            self.accounts[username] = user
            self.browser_user = self.browser_user or username
        return user

    def username_of(self, user: Principal) -> str:
        return next((n for n, u in self.accounts.items() if u is user), "")

    # ---------------------------------------------------------------- admin switches
    def pending(self) -> list[dict[str, object]]:
        with self.world.lock:
            return [
                {"user_code": c.user_code, "client_id": c.client_id, "state": c.state}
                for c in self.device_codes.values()
            ]

    def decide(self, user_code: str, approve: bool, username: str | None = None) -> None:
        with self.world.lock:
            code = next((c for c in self.device_codes.values() if c.user_code == user_code), None)
            if code is None:
                raise KeyError(user_code)
            if approve:
                code.user = self.accounts[username or self.browser_user or ""]
            code.state = "approved" if approve else "denied"

    def expire_device_codes(self) -> None:
        with self.world.lock:
            for code in self.device_codes.values():
                code.expires_at = 0.0

    def revoke(self, username: str) -> None:
        """Every refresh token of the user is revoked (a password reset, an admin's revoke)."""
        with self.world.lock:
            for grant in self.grants.values():
                if grant.user is self.accounts[username]:
                    grant.revoked = True

    # ---------------------------------------------------------------- endpoints
    def authorize(self, req: Request, tenant: str) -> Response:
        q = req.query
        with self.world.lock:
            user = self.accounts.get(self.browser_user or "")
        if user is None or q.get("code_challenge_method") != "S256" or not q.get("redirect_uri"):
            return Response(
                400, b"<html><body>Sign-in refused.</body></html>", {"Content-Type": "text/html"}
            )
        code = secrets.token_urlsafe(24)
        with self.world.lock:
            self.auth_codes[code] = AuthCode(
                q.get("client_id", ""),
                tenant,
                q["redirect_uri"],
                q.get("code_challenge", ""),
                q.get("scope", ""),
                q.get("nonce", ""),
                user,
                time.time() + 600,
            )
        answer = {"code": code, "state": q.get("state", ""), "client_info": _client_info(user)}
        if q.get("response_mode") == "form_post":  # what azure-identity asks for
            inputs = "".join(
                f'<input type="hidden" name="{k}" value="{html.escape(v)}"/>'
                for k, v in answer.items()
            )
            page = (
                f'<html><body onload="document.forms[0].submit()"><form method="POST" '
                f'action="{html.escape(q["redirect_uri"])}">{inputs}</form></body></html>'
            )
            return Response(200, page.encode(), {"Content-Type": "text/html"})
        return Response(302, b"", {"Location": f"{q['redirect_uri']}?{urlencode(answer)}"})

    def devicecode(self, req: Request, tenant: str, form: dict[str, str]) -> Response:
        device_code = secrets.token_urlsafe(32)
        user_code = secrets.token_hex(4).upper()
        with self.world.lock:
            self.device_codes[device_code] = DeviceCode(
                device_code,
                user_code,
                form.get("client_id", ""),
                tenant,
                form.get("scope", ""),
                time.time() + self.device_code_lifetime,
            )
        verification = f"{req.base_url}/devicelogin"
        return Response.json(
            200,
            {
                "user_code": user_code,
                "device_code": device_code,
                "verification_uri": verification,
                "expires_in": self.device_code_lifetime,
                "interval": self.poll_interval,
                "message": f"To sign in, use a web browser to open the page {verification} and "
                f"enter the code {user_code} to authenticate.",
            },
        )

    def token(self, req: Request, tenant: str, form: dict[str, str]) -> Response | None:
        """The answer to a user grant, or None when the grant is not one of these."""
        grant = form.get("grant_type")
        if grant == "authorization_code":
            return self._code_grant(req, tenant, form)
        if grant == DEVICE_CODE_GRANT:
            return self._device_grant(req, tenant, form)
        if grant == "refresh_token":
            return self._refresh_grant(req, tenant, form)
        return None

    def _code_grant(self, req: Request, tenant: str, form: dict[str, str]) -> Response:
        with self.world.lock:
            code = self.auth_codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if (
            code is None
            or code.expires_at < time.time()
            or code.client_id != form.get("client_id")
            or code.redirect_uri != form.get("redirect_uri")
            or digest.decode().rstrip("=") != code.challenge
        ):
            return _error(
                400,
                "invalid_grant",
                70008,
                "The provided authorization code or "
                "refresh token has expired due to inactivity, or was already used.",
            )
        scope = form.get("scope") or code.scope
        return self._issue(req, tenant, code.user, code.client_id, scope, code.nonce)

    def _device_grant(self, req: Request, tenant: str, form: dict[str, str]) -> Response:
        with self.world.lock:
            code = self.device_codes.get(form.get("device_code", ""))
            if code is not None and code.expires_at < time.time():
                del self.device_codes[code.device_code]
                return _error(400, "expired_token", 70019, "Verification code expired.")
            if code is None:
                return _error(400, "invalid_grant", 70000, "The device code is not valid.")
            if code.state == "pending":
                return _error(
                    400,
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                )
            del self.device_codes[code.device_code]
        if code.state == "denied" or code.user is None:
            return _error(
                400, "authorization_declined", 70000, "The user declined the sign-in request."
            )
        return self._issue(req, tenant, code.user, code.client_id, code.scope, "")

    def _refresh_grant(self, req: Request, tenant: str, form: dict[str, str]) -> Response:
        with self.world.lock:
            grant = self.grants.get(form.get("refresh_token", ""))
        if grant is None or grant.revoked or grant.client_id != form.get("client_id"):
            return _error(
                400,
                "invalid_grant",
                50173,
                "The provided grant has expired due to it being revoked, a fresh "
                "auth token is needed. The user might have changed or reset their "
                "password.",
            )
        return self._issue(req, tenant, grant.user, grant.client_id, form.get("scope", ""), "")

    def _issue(
        self, req: Request, tenant: str, user: Principal, client_id: str, scope: str, nonce: str
    ) -> Response:
        from tests.azure_emulator.entra import ARM_AUDIENCE, DATA_PLANE_AUDIENCE

        resource = next(
            (s.removesuffix("/.default") for s in scope.split() if s.endswith("/.default")), ""
        )
        if resource not in (ARM_AUDIENCE, DATA_PLANE_AUDIENCE):
            return _error(400, "invalid_scope", 70011, f"The scope {scope} is not valid.")
        lifetime = self.world.token_lifetime
        now = int(time.time())
        issuer = f"{req.base_url}/{tenant}/v2.0"
        username = self.username_of(user)
        access = f"{_b64({'alg': 'none'})}.{_b64({'aud': resource, 'appid': client_id, 'oid': user.object_id, 'upn': username, 'exp': now + lifetime})}.{secrets.token_hex(16)}"  # noqa: E501
        id_claims: dict[str, object] = {
            "aud": client_id,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "oid": user.object_id,
            "sub": user.object_id,
            "tid": tenant,
            "preferred_username": username,
            "name": username.split("@")[0],
        }
        if nonce:
            id_claims["nonce"] = nonce
        refresh = secrets.token_urlsafe(32)
        with self.world.lock:
            self.world.tokens[access] = Token(user, resource, now + lifetime, client_id)
            self.grants[refresh] = Grant(user, client_id, tenant)
        return Response.json(
            200,
            {
                "token_type": "Bearer",
                "scope": scope,
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": access,
                "refresh_token": refresh,
                "id_token": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(id_claims)}.",
                "client_info": _client_info(user),
            },
        )


def _client_info(user: Principal) -> str:
    return _b64({"uid": user.object_id, "utid": user.tenant_id})


def _error(status: int, error: str, code: int, description: str) -> Response:
    from tests.azure_emulator.entra import _aad_error

    return _aad_error(status, error, code, description)
