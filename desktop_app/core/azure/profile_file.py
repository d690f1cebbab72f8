"""Reading a profiles file that may be hostile: bounded size, a BOM accepted, no RecursionError.

Each failure is `DamagedFile` with one plain reason; core.profiles decides what to do (move the
file aside, or refuse an import). OSError (missing, unreadable) passes through untouched.
"""

from __future__ import annotations

import codecs
import json
import stat
from pathlib import Path
from typing import Final

# Far above any real list (20,000 profiles take about 7 MB), far below what hurts.
MAX_BYTES: Final = 64 * 1024 * 1024

# Longest BOM first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DamagedFile(Exception):
    """The file's bytes cannot be read as a JSON document; `reason` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_text(path: Path) -> str:
    """The file's text: UTF-8, or any Unicode encoding its BOM names (Notepad writes those)."""
    mode = path.stat().st_mode  # a FIFO or a device would block or never end
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise DamagedFile("not a regular file")
    with path.open("rb") as stream:
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise DamagedFile(f"larger than {MAX_BYTES // (1024 * 1024)} MB: not a profiles file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DamagedFile(_undecodable(exc, encoding)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DamagedFile(_undecodable(exc, "UTF-8")) from None


def _undecodable(exc: UnicodeDecodeError, encoding: str) -> str:
    bad = exc.object[exc.start : exc.start + 1].hex()
    return f"not {encoding} text (byte 0x{bad} at offset {exc.start})"


# The json module's complaints (its own English, Python's text) in the words of this app.
_JSON_PROBLEMS: Final = (
    ("Expecting value", "a value is missing"),
    ("Expecting ',' delimiter", "a comma is missing"),
    ("Expecting ':' delimiter", "a colon is missing"),
    ("Expecting property name", "a field name must be text in double quotes"),
    ("Unterminated string", "a text is not closed with a double quote"),
    ("Invalid control character", "a text holds a line break or another control character"),
    ("Invalid \\escape", "a text holds a backslash that starts no known escape"),
    ("Extra data", "something follows the end of the document"),
)


def load_json(text: str) -> object:
    """The JSON document, or DamagedFile with the line and column of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        what = next((plain for known, plain in _JSON_PROBLEMS if exc.msg.startswith(known)), "")
        raise DamagedFile(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}"
            + (f": {what}" if what else "")
        ) from None
    except RecursionError:  # e.g. 200,000 nested brackets: the parser's stack, not memory
        raise DamagedFile("nested too deeply to be a profiles file") from None
    except ValueError:  # a number of more than 4,300 digits (int conversion limit)
        raise DamagedFile("holds a number too long to be a profiles file") from None


def json_kind(value: object) -> str:
    """A JSON value's kind in plain words (never a Python type name)."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return "another kind of value"
