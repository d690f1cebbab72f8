"""A profile's workspace opened ahead of its run, in the Azure worker process.

The command line knows the profile of its Azure runs before it has read the program: it has the
worker sign in, open the workspace and read its first target (`process.connect_ahead`) while it
imports qiskit and reads the program, and its first run then takes that workspace instead of
opening one, and that target instead of listing the workspace's targets again (issue 16). A
failed or missing connection leaves the run to open its own and to say what went wrong.

In the window, the status refresh (every few minutes, and as a profile is chosen) and every run
that read its job's end leave the workspace they opened (`keep`) for the next run of that
profile to take: a Run after them skips the ARM lookup of its workspace. One is kept per
profile, the newest. A workspace kept so is taken only while it is young
(`KEPT_FOR_S`), while the profile still reads as it did (another resource, tenant, client or
endpoint is another account: never submitted to through the old workspace) and while its secret
is the one opening it now would use.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from desktop_app.core.azure.workspace import close_workspace, read_target

if TYPE_CHECKING:
    from desktop_app.core.azure.profiles import Profile
    from desktop_app.core.azure.session import SecretProvider

log = logging.getLogger(__name__)

_LOCK = threading.Lock()
_OPENING: dict[str, _Opening] = {}  # profile name -> its workspace being opened, until taken
_READ: dict[tuple[int, str], Any] = {}  # (id of a workspace taken, target name) -> its Target


KEPT_FOR_S = 600.0  # a kept workspace older than this is closed, not taken


class _Opening:
    def __init__(self, kept_at: float | None = None) -> None:
        self.done = threading.Event()
        self.opened: tuple[Any, Profile] | None = None
        self.target: tuple[str, Any] | None = None  # the name and Target read with it
        self.kept_at = kept_at  # monotonic time it was kept (`keep`); None: opened ahead


def open_ahead(context: Any, profile: str, targets: tuple[str, ...]) -> None:
    """In the worker (`process.call_in_azure_worker`, `context` its WorkerContext): sign in and
    open `profile`'s workspace, read its target list, and keep it for the next run to take."""
    opening = _Opening()
    with _LOCK:
        if profile in _OPENING:
            return
        _OPENING[profile] = opening
    try:
        workspace, found = context.open_workspace(profile)
        if targets:  # the service's target list, and the data plane's token, asked once now
            opening.target = (targets[0], read_target(workspace, targets[0]))
        opening.opened = (workspace, found)
    except Exception as exc:  # the run opens its own and says what is wrong
        log.info("connecting ahead for %s failed: %s", profile, type(exc).__name__)
    finally:
        opening.done.set()


def keep(profile: str, workspace: Any, found: Profile) -> None:
    """In the worker, after `workspace` of `profile` (resolved as `found`) was used and before it
    would be closed: kept for the next run to take, in place of (and closing) one kept before.
    A workspace being opened ahead stays; this one is then closed."""
    kept = _Opening(kept_at=time.monotonic())
    kept.opened = (workspace, found)
    kept.done.set()
    with _LOCK:
        earlier = _OPENING.get(profile)
        if earlier is not None and earlier.kept_at is None:
            earlier = kept  # the command line's opening wins; this one is closed below
        else:
            _OPENING[profile] = kept
    if earlier is not None and earlier.opened is not None:
        close_workspace(earlier.opened[0])


def take(profile: str, secret_of: SecretProvider | None = None) -> tuple[Any, Profile] | None:
    """The workspace opened ahead for `profile` (waiting for it while it opens), once; None when
    none was or it failed, or when one kept (`keep`) is too old or no longer what `profile` and
    its secret (from `secret_of`, by default the OS keyring's store) would open."""
    with _LOCK:
        opening = _OPENING.get(profile)
    if opening is None:
        return None
    opening.done.wait()
    with _LOCK:
        if _OPENING.get(profile) is not opening:
            return None  # another run took it
        del _OPENING[profile]
        if opening.opened is not None and opening.target is not None:
            name, target = opening.target
            _READ[(id(opening.opened[0]), name)] = target
    opened, kept_at = opening.opened, opening.kept_at
    if opened is None or kept_at is None or _still_current(profile, opened, kept_at, secret_of):
        return opened
    close_workspace(opened[0])  # kept too long, or for what the profile no longer is
    return None


def _still_current(
    profile: str, opened: tuple[Any, Profile], kept_at: float, secret_of: SecretProvider | None
) -> bool:
    """The kept workspace is young, `profile` still resolves to what it was opened for, and it
    signs in with the credential opening it now would use (the same secret; a signed-in user's
    relayed credential is made anew each time, so theirs is never taken)."""
    if time.monotonic() - kept_at > KEPT_FOR_S:
        return False
    from desktop_app.core.azure.lab import resolve_profile
    from desktop_app.core.azure.secrets import default_secret_store
    from desktop_app.core.azure.session import credential_for

    try:
        found = resolve_profile(profile)
        if found != opened[1]:
            return False
        credential = credential_for(found, secret_of or default_secret_store().get)
    except Exception:  # removed, unreadable, its secret changed hands: the run opens its own
        return False
    return credential is getattr(opened[0], "credential", None)


def target(workspace: Any, name: str) -> Any:
    """The target `name` as it was read with `workspace` opened ahead (once: the run that took
    the workspace gets it), else the workspace's listing of it now."""
    with _LOCK:
        found = _READ.pop((id(workspace), name), None)
    if found is not None and getattr(found, "workspace", None) is workspace:
        return found
    return read_target(workspace, name)


# The scopes azure-quantum asks its tokens for: ARM (the workspace's lookup) and the data plane
# (ConnectionConstants.ARM_CREDENTIAL_SCOPE / DATA_PLANE_CREDENTIAL_SCOPE, azure/quantum/
# _constants.py of azure-quantum 3.13.0, read 2026-12-01). Another version asking for others only
# makes the tokens fetched here go unused.
_SCOPES = ("https://management.azure.com/.default", "https://quantum.microsoft.com/.default")


def fetch_tokens(profile: str, secret_of: Any) -> None:
    """In the worker, as a run starts: a service principal's two tokens asked now, while the
    SDK's workspace module is still being imported; the workspace then finds them in the
    credential's cache (`session.credential_for` keeps one credential per profile and secret)
    instead of asking for them on its way (issue 16). ARM's first: the workspace's lookup needs it
    first, and the credential's first request runs alone (`token_gate`), so the data plane's could
    only hold it back. A signed-in user's tokens are left to the workspace (they come from the
    parent); a failure is left to the run to meet and say. Returns at once."""

    def fetch() -> None:
        try:
            from desktop_app.core.azure.lab import resolve_profile
            from desktop_app.core.azure.session import credential_for

            found = resolve_profile(profile)
            if not found.needs_secret:
                return
            credential = credential_for(found, secret_of)
            for scope in _SCOPES:
                _token(credential, scope)
        except Exception as exc:
            log.info("fetching tokens ahead for %s failed: %s", profile, type(exc).__name__)

    threading.Thread(target=fetch, name="azure-tokens-ahead", daemon=True).start()


def _token(credential: Any, scope: str) -> None:
    try:
        credential.get_token(scope)
    except Exception as exc:  # the workspace asks again and explains it
        log.info("a token fetched ahead failed: %s", type(exc).__name__)
