"""The live catalog: the backend summary's Azure rows follow what the workspace offers.

The workspace is the source of truth once it answers: targets it lists beyond the built-in table
get a row (with the table's qubit count and format when the table knows them), a target it stopped
listing loses its row, and a built-in target it does not offer stays, marked "Not offered by this
workspace". Without an answer the rows are the built-in table's, and the status line says how old
that table is. A target Quantum Desk cannot translate for (Pasqal's analog devices) is greyed out
with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from desktop_app.core.azure.status import StatusSnapshot
from desktop_app.core.catalog import Backend, workspace_backend
from desktop_app.core.target_table import CatalogDataError, target_table
from desktop_app.ui.backends.model import PLACEHOLDER, BackendModel

NOT_OFFERED: Final = "Not offered by this workspace"


def follow_workspace(model: BackendModel, snapshot: StatusSnapshot, builtin: Iterable[str]) -> None:
    """Add the rows the workspace lists, drop extra rows it no longer lists, and mark the
    built-in targets it does not offer (a snapshot without targets changes nothing)."""
    if not snapshot.targets:
        return
    listed = {t.name for t in snapshot.targets}
    keep = set(builtin)
    not_offered = []
    for row in model.rows():
        name = row.backend.name
        if row.backend.is_local or name in listed:
            continue
        if name in keep:
            not_offered.append(name)
        else:  # retired, or gone from this workspace: only the built-in table keeps a row
            model.remove_backend(name)
    model.set_infos("availability", {name: (NOT_OFFERED, None) for name in not_offered})
    model.set_infos("queue", {name: (PLACEHOLDER, None) for name in not_offered})
    for target in snapshot.targets:
        if not model.has_backend(target.name):
            model.add_backend(workspace_backend(target.name, target.provider_id))


def untranslatable_reason(backend: Backend) -> str:
    """The tooltip of a greyed-out row the app cannot translate for ("" when it can)."""
    if not backend.untranslatable:
        return ""
    return f"{backend.name} cannot run OpenQASM programs: {backend.untranslatable}"


def fallback_note(snapshot: StatusSnapshot | None) -> str:
    """What the status line adds while the rows are the built-in table's, not the workspace's
    (a cached answer is the workspace's: the status line already says how old it is)."""
    if snapshot is not None and snapshot.targets:
        return ""
    try:
        table = target_table()
    except CatalogDataError:
        return "No built-in target table: only the workspace's targets can be shown."
    return f"Targets from {table.age_text()}."
