"""Crash-safe copy of the editor's unsaved text: one JSON file in the state dir, written whole
(core.atomic_files) and removed once the text is saved or deliberately discarded.

`Autosave.want(snapshot)` records what the file should hold; `flush()` (on any thread) makes the
file match the latest wish. Every flush writes the newest wish under one lock, so however the
flushes interleave, the file ends as the last `want` said.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.core.atomic_files import write_text_atomic

log = logging.getLogger(__name__)

FILE_NAME = "unsaved-program.json"
MAX_BYTES = 16 * 1024 * 1024  # a larger file is not ours to load


@dataclass(frozen=True)
class Snapshot:
    text: str
    path: str | None  # the file the text was opened from (None: untitled)
    saved_at: str = ""  # ISO 8601 UTC, filled by `want`


class Autosave:
    def __init__(self, folder: Path) -> None:
        self.location = folder / FILE_NAME
        self._lock = threading.Lock()
        self._wanted: Snapshot | None = None
        self._known = False  # whether `want` was called (flush before that leaves the file alone)

    def want(self, text: str | None, path: str | None = None) -> None:
        """The file should hold `text` (None: no unsaved text, remove the file)."""
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._wanted = None if text is None else Snapshot(text, path, stamp)
            self._known = True

    def flush(self) -> None:
        """Make the file match the latest `want` (safe from any thread; errors are logged)."""
        with self._lock:
            if not self._known:
                return
            wanted = self._wanted
            try:
                if wanted is None:
                    self.location.unlink(missing_ok=True)
                else:
                    import json  # not at import: a start with nothing to restore needs none

                    payload = {
                        "text": wanted.text,
                        "path": wanted.path,
                        "saved_at": wanted.saved_at,
                    }
                    write_text_atomic(self.location, json.dumps(payload))
            except OSError:
                log.warning("could not update the autosave file %s", self.location, exc_info=True)

    def load(self) -> Snapshot | None:
        """What an earlier session left unsaved, or None (a damaged file is ignored)."""
        try:
            if self.location.stat().st_size > MAX_BYTES:
                return None
            import json

            data = json.loads(self.location.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            return None
        path = data.get("path")
        stamp = data.get("saved_at")
        return Snapshot(
            data["text"],
            path if isinstance(path, str) else None,
            stamp if isinstance(stamp, str) else "",
        )
