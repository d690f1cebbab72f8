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
            opening.target = (targets[0], workspace.get_targets(targets[0]))
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
    return workspace.get_targets(name)
