"""The app's TOML tables (targets, emulations), read at start-up without tomllib while unchanged.

Importing tomllib and parsing the two tables cost the window ~5 ms before its first paint, every
start (issue 16). The parsed document is kept in the cache folder as `marshal` data, headed by what
it was read from: the file's path, size and modification time, and the marshal format. A copy that
does not match, cannot be read or cannot be written is simply not used: the TOML file is read as
before. Only a document TOML gave is kept, so what a caller checks, and the errors it says, stay
the same. The copy is the app's own file in the user's own folder, written whole or not at all
(atomic_files), and only ever loaded as data (marshal runs nothing it loads).
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import os
from pathlib import Path

TYPE_CHECKING = False  # `typing` costs a CLI start as much as Python's own start (issue 16)
if TYPE_CHECKING:
    from typing import Any

log = logging.getLogger(__name__)

_FOLDER = "tables"  # in the cache folder


def _copy_of(path: Path) -> Path:
    from desktop_app.core.paths import cache_dir

    return cache_dir() / _FOLDER / f"{path.name}.marshal"  # its head names the file it copies


def _head(path: Path, stat: os.stat_result) -> tuple[str, int, int, int]:
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, marshal.version)


def load(path: Path) -> dict[str, Any]:
    """`tomllib.loads` of `path`'s text (UTF-8). Raises what reading it raises (OSError,
    UnicodeDecodeError) and, for text that is not TOML, `tomllib.TOMLDecodeError` (a
    ValueError)."""
    stat = path.stat()
    head = _head(path, stat)
    copy = _copy_of(path)
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        kept_head, document = marshal.loads(copy.read_bytes())
        if kept_head == head and isinstance(document, dict):
            return document
    import tomllib

    document = tomllib.loads(path.read_text(encoding="utf-8"))
    if path.stat().st_mtime_ns == stat.st_mtime_ns:  # not changed while it was read
        _keep(copy, head, document)
    return document


def _keep(copy: Path, head: tuple[str, int, int, int], document: dict[str, Any]) -> None:
    from desktop_app.core.atomic_files import write_bytes_atomic

    try:
        data = marshal.dumps((head, document))  # a TOML date or time has no marshal form
        write_bytes_atomic(copy, data)
    except (OSError, ValueError) as exc:
        log.debug("no start-up copy of %s: %s", copy.name, exc)
