"""Import and export of profiles from the credentials dialog, with their questions.

Secrets never travel in a profile file; an import that replaces a profile whose sign-in changed
says that its stored secret is not used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtWidgets import QWidget

from desktop_app.core.azure.profile_fields import ProfileError
from desktop_app.core.azure.profiles import (
    CustomEndpointError,
    Profile,
    ProfileFileError,
    ProfileStore,
)
from desktop_app.core.azure.secret_binding import SecretState
from desktop_app.core.azure.secrets import SecretStore
from desktop_app.ui import messages

PROFILE_FILTER: Final = "Quantum Desk profiles (*.json);;All files (*)"
_CHECKED_AFTER_IMPORT: Final = 20  # replaced profiles whose stored secret is looked at


def import_with_questions(parent: QWidget, store: ProfileStore, path: Path) -> list[Profile] | None:
    """Import, asking before replacing profiles and before trusting custom endpoints."""
    replace = allow = False
    while True:
        try:
            return store.import_file(path, replace, allow_custom_endpoints=allow)
        except CustomEndpointError as exc:
            if allow or not messages.ask(
                parent, "Import profiles", f"{exc.message} Import it anyway?"
            ):
                return None
            allow = True
        except ProfileError as exc:  # a name that is taken
            if replace or not messages.ask(
                parent, "Import profiles", f"{exc} Replace existing profiles?"
            ):
                return None
            replace = True
        except ProfileFileError as exc:
            messages.show_error(parent, "Import profiles", str(exc))
            return None


def imported_summary(
    imported: list[Profile], path: str, names_before: set[str], secrets: SecretStore
) -> str:
    """What the import did, and which replaced profiles' stored secrets no longer apply."""
    # only a replaced profile can have a stored secret; a few lookups, not one per profile
    replaced = [p for p in imported if p.needs_secret and p.name.casefold() in names_before]
    changed = [
        p.name
        for p in replaced[:_CHECKED_AFTER_IMPORT]
        if secrets.state(p) is SecretState.OTHER_IDENTITY
    ]
    quoted = ", ".join(f"'{n}'" for n in changed)
    note = (
        f" The sign-in of {quoted} changed: its stored secret is not used; type the "
        "secret again, then Save."
        if changed
        else ""
    )
    return (
        f"Imported {len(imported)} profile(s) from {path}. Secrets are never exported: "
        f"type each service principal's secret, then Save.{note}"
    )


def export_with_questions(parent: QWidget, store: ProfileStore) -> str | None:
    """Ask where, export; what to say afterwards, or None when nothing was written."""
    path = messages.ask_save_path(
        parent, "Export profiles", str(Path.home() / "quantum-desk-profiles.json"), PROFILE_FILTER
    )
    if not path:
        return None
    try:
        count = store.export(Path(path))
    except (ProfileError, ProfileFileError, OSError) as exc:
        messages.show_error(parent, "Export profiles", f"{path}: could not be written ({exc})")
        return None
    return f"Exported {count} profile(s) to {path} (without secrets)."
