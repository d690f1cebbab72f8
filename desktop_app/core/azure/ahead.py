"""A profile's workspace opened ahead of its run, in the Azure worker process.

The command line knows the profile of its Azure runs before it has read the program: it has the
worker sign in, open the workspace and read its first target (`process.connect_ahead`) while it
imports qiskit and reads the program, and its first run then takes that workspace instead of
opening one, and that target instead of listing the workspace's targets again (issue 16). A run
finds nothing here in the window (it never connects ahead), and a failed or missing connection
leaves the run to open its own and to say what went wrong.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from desktop_app.core.azure.workspace import read_target

if TYPE_CHECKING:
    from desktop_app.core.azure.profiles import Profile

log = logging.getLogger(__name__)

_LOCK = threading.Lock()
_OPENING: dict[str, _Opening] = {}  # profile name -> its workspace being opened, until taken
_READ: dict[tuple[int, str], Any] = {}  # (id of a workspace taken, target name) -> its Target


class _Opening:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.opened: tuple[Any, Profile] | None = None
        self.target: tuple[str, Any] | None = None  # the name and Target read with it


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


def take(profile: str) -> tuple[Any, Profile] | None:
    """The workspace opened ahead for `profile` (waiting for it while it opens), once; None when
    none was or it failed."""
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
    return opening.opened


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
